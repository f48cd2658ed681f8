import { auditInsert } from "../workers/lib/audit";
import { activeClinicianIds } from "../workers/lib/care-data/access";
import { CARE_ALERT_CREATE, type RecordedAlert, recordAlertWrites } from "../workers/lib/care-data/alerts";
import { RegionUnknown, regionOfUser } from "../workers/lib/care-data/region";
import { publishQuietly } from "../workers/lib/events";
import { inc } from "../workers/lib/metrics/recorder";
import { createScope, jobAudit, type Scope } from "../workers/lib/scope";
import type { Region } from "../workers/lib/vocabulary";
import type { CrisisAlert, RoomRef } from "./chat-protocol";
import { roomStub } from "./chat-stub";

export type { RecordedAlert } from "../workers/lib/care-data/alerts";
export { RegionUnknown };

/**
 * The residency region of a user, never guessed: the Redis directory, or on a miss or a Redis
 * failure a lookup in every regional database (then the directory is repaired). Null only when
 * every region answered and none holds the user; throws {@link RegionUnknown} when a region could
 * not be asked, so the caller retries instead of sending the alert to the wrong place.
 */
export function resolveUserRegion(scope: Scope, userId: string): Promise<Region | null> {
  return regionOfUser(scope, userId);
}

/** The scope alert work runs in: a system job (audited as "system", never as whoever triggered it). */
export function alertScope(scope: Pick<Scope, "env" | "config" | "log">): Scope {
  return createScope({
    env: scope.env,
    config: scope.config,
    log: scope.log,
    audit: jobAudit("care_team.alert"),
    redisTimeoutMs: 2000,
  });
}

/**
 * Records a crisis alert for every clinician on the patient's ACTIVE care team as inbox rows in the
 * patient's region (plus the pending notifications and one audit row), in one transaction, and
 * returns every inbox row of that crisis. Idempotent by (clinician, patient, seq): a retry after a
 * lost answer records nothing twice. Audited only when someone is alerted (the patient may have no
 * care team); `scope` should be a job scope ({@link alertScope}).
 */
export async function recordAlert(
  scope: Scope,
  room: RoomRef,
  seq: number,
  severity: string,
): Promise<RecordedAlert[]> {
  const db = scope.db(room.region);
  if ((await activeClinicianIds(db, room.ownerId)).length === 0) return [];
  const [, , , rows] = await db.batch([
    auditInsert(db, scope, {
      ...CARE_ALERT_CREATE,
      resourceId: String(seq),
      patientId: room.ownerId,
      outcome: "success",
    }),
    ...recordAlertWrites(db, room.ownerId, seq, severity),
  ]);
  // Notifications (push, SMS, email) follow from the event; the rows above are the record, and the
  // minute cron plans any crisis notification whose event never reached the queue.
  if (rows.length > 0)
    await publishQuietly(scope.env, scope.log, {
      type: "crisis.detected",
      v: 1,
      patientId: room.ownerId,
      region: room.region,
      seq,
      severity: severityCode(severity),
    });
  return rows;
}

/**
 * Pushes one alert live into the clinician's own room, in the clinician's jurisdiction. Returns
 * "delivered", "gone" (no such user anywhere: nothing to retry) or throws to be retried.
 */
export async function pushToClinician(
  scope: Scope,
  clinicianId: string,
  alert: CrisisAlert,
): Promise<"delivered" | "gone"> {
  const region = await resolveUserRegion(scope, clinicianId);
  if (!region) return "gone";
  const res = await roomStub(scope.env, clinicianId, region).pushAlert(
    { ownerId: clinicianId, region },
    alert,
  );
  if (!res.ok) throw new Error("push_refused");
  return "delivered";
}

/**
 * Alerts the care team from a Worker request (screeners, assessments, notes; `source` labels the
 * detection metric): records the inbox rows, then
 * hands the live pushes to the patient's room, which retries them until delivered. If the room
 * cannot be reached, each push is tried once from here; the inbox rows stay until acknowledged
 * either way. If the inbox rows cannot be recorded, the room's outbox takes the alert and records
 * it later (then 0 is returned: nobody is alerted yet). Runs as a system job whatever scope calls
 * it. Returns how many clinicians were alerted now.
 */
export async function alertCareTeam(
  caller: Pick<Scope, "env" | "config" | "log">,
  room: RoomRef,
  seq: number,
  severity: string,
  source: "screener" | "assessment" | "note",
): Promise<number> {
  const scope = alertScope(caller);
  inc("crisis_detections_total", { severity, source });
  let recorded: RecordedAlert[];
  try {
    recorded = await recordAlert(scope, room, seq, severity);
  } catch (err) {
    // Postgres did not take it: the patient's room keeps the alert in its outbox and records it
    // when it can (retried by its alarm). Only if the room cannot take it either does this throw.
    const kept = await roomStub(scope.env, room.ownerId, room.region)
      .enqueueAlerts(room, { about: seq, severity })
      .catch(() => ({ ok: false }));
    if (!kept.ok) throw err;
    return 0;
  }
  inc("care_alerts_total", { outcome: "created" });
  if (recorded.length === 0) return 0;
  const handed = await roomStub(scope.env, room.ownerId, room.region)
    .enqueueAlerts(room, { about: seq, severity, alerts: recorded })
    .catch(() => ({ ok: false }));
  if (handed.ok) return recorded.length;
  const at = Date.now();
  await Promise.allSettled(
    recorded.map((r) =>
      pushToClinician(scope, r.clinicianId, {
        alertId: r.alertId,
        patientId: room.ownerId,
        severity,
        at,
      }),
    ),
  );
  return recorded.length;
}

/** The severity as an event code (lowercase; the event schema accepts codes only). */
function severityCode(severity: string): string {
  const code = severity
    .toLowerCase()
    .replace(/[^a-z0-9_.:-]/g, "_")
    .slice(0, 48);
  return code.length > 0 ? code : "unknown";
}
