import { and, eq, sql } from "drizzle-orm";
import { auditLog, careAlerts, careTeam, notifications, users } from "../workers/db/schema";
import { userRegionKey } from "../workers/features/care-team/access";
import { type Config, REGIONS, type Region } from "../workers/lib/config";
import { createDatabase } from "../workers/lib/db";
import { createRedis } from "../workers/lib/redis";
import type { CrisisAlert, RoomRef } from "./chat-protocol";
import { roomStub } from "./chat-stub";

/** One clinician's inbox row for one crisis, as recorded in the patient's region. */
export interface RecordedAlert {
  alertId: string;
  clinicianId: string;
}

/** Thrown when a user's region cannot be known right now (directory and some database unreachable). */
export class RegionUnknown extends Error {
  override readonly name = "RegionUnknown";
  constructor() {
    super("region_unknown");
  }
}

/**
 * The residency region of a user, never guessed: the Redis directory, or on a miss or a Redis
 * failure a lookup in every regional database (then the directory is repaired). Null only when
 * every region answered and none holds the user; throws {@link RegionUnknown} when a region could
 * not be asked, so the caller retries instead of sending the alert to the wrong place.
 */
export async function resolveUserRegion(config: Config, userId: string): Promise<Region | null> {
  const redis = createRedis(config, { timeoutMs: 2000 });
  const cached = await redis.get<string>(userRegionKey(userId)).catch(() => null);
  if (cached && (REGIONS as readonly string[]).includes(cached)) return cached as Region;
  const answers = await Promise.allSettled(
    REGIONS.map(async (region) => {
      const rows = await createDatabase(config, region)
        .select({ id: users.id })
        .from(users)
        .where(eq(users.id, userId))
        .limit(1);
      return rows.length > 0 ? region : null;
    }),
  );
  const found = answers.find((a) => a.status === "fulfilled" && a.value !== null);
  if (found?.status === "fulfilled" && found.value) {
    await redis.set(userRegionKey(userId), found.value).catch(() => undefined);
    return found.value;
  }
  if (answers.some((a) => a.status === "rejected")) throw new RegionUnknown();
  return null;
}

/**
 * Records a crisis alert for every clinician on the patient's ACTIVE care team as inbox rows in the
 * patient's region (plus the pending notifications and one audit row), in one transaction, and
 * returns every inbox row of that crisis. Idempotent by (clinician, patient, seq): a retry after a
 * lost answer records nothing twice.
 */
export async function recordAlert(
  config: Config,
  room: RoomRef,
  seq: number,
  severity: string,
): Promise<RecordedAlert[]> {
  const db = createDatabase(config, room.region);
  const team = and(eq(careTeam.patientId, room.ownerId), eq(careTeam.status, "active"));
  const [, , rows] = await db.batch([
    db.execute(sql`insert into ${careAlerts} (clinician_id, patient_id, seq, severity)
      select ${careTeam.clinicianId}, ${careTeam.patientId}, ${seq}, ${severity} from ${careTeam} where ${team}
      on conflict do nothing`),
    db.execute(sql`insert into ${notifications} (recipient_id, patient_id, kind, severity, seq)
      select ${careTeam.clinicianId}, ${careTeam.patientId}, 'crisis_alert', ${severity}, ${seq} from ${careTeam} where ${team}
      on conflict do nothing`),
    db
      .select({ alertId: careAlerts.id, clinicianId: careAlerts.clinicianId })
      .from(careAlerts)
      .where(and(eq(careAlerts.patientId, room.ownerId), eq(careAlerts.seq, seq))),
    // Audited only when someone was alerted (the patient may have no care team).
    db.execute(sql`insert into ${auditLog} (actor_role, action, resource_type, resource_id, patient_id, outcome)
      select 'system', 'care_alert.create', 'care_alert', ${String(seq)}, ${room.ownerId}, 'success'
      where exists (select 1 from ${careTeam} where ${team})`),
  ]);
  return rows;
}

/**
 * Pushes one alert live into the clinician's own room, in the clinician's jurisdiction. Returns
 * "delivered", "gone" (no such user anywhere: nothing to retry) or throws to be retried.
 */
export async function pushToClinician(
  env: Env,
  config: Config,
  clinicianId: string,
  alert: CrisisAlert,
): Promise<"delivered" | "gone"> {
  const region = await resolveUserRegion(config, clinicianId);
  if (!region) return "gone";
  const res = await roomStub(env, clinicianId, region).pushAlert({ ownerId: clinicianId, region }, alert);
  if (!res.ok) throw new Error("push_refused");
  return "delivered";
}

/**
 * Alerts the care team from a Worker request (screener submissions): records the inbox rows, then
 * hands the live pushes to the patient's room, which retries them until delivered. If the room
 * cannot be reached, each push is tried once from here; the inbox rows stay until acknowledged
 * either way. Returns how many clinicians were alerted.
 */
export async function alertCareTeam(
  env: Env,
  config: Config,
  room: RoomRef,
  seq: number,
  severity: string,
): Promise<number> {
  const recorded = await recordAlert(config, room, seq, severity);
  if (recorded.length === 0) return 0;
  const handed = await roomStub(env, room.ownerId, room.region)
    .enqueueAlerts(room, { about: seq, severity, alerts: recorded })
    .catch(() => ({ ok: false }));
  if (handed.ok) return recorded.length;
  const at = Date.now();
  await Promise.allSettled(
    recorded.map((r) =>
      pushToClinician(env, config, r.clinicianId, {
        alertId: r.alertId,
        patientId: room.ownerId,
        severity,
        at,
      }),
    ),
  );
  return recorded.length;
}
