import { eq } from "drizzle-orm";
import { users } from "../workers/db/schema";
import { auditInsert } from "../workers/lib/audit";
import { activeClinicianIds } from "../workers/lib/care-data/access";
import { type ChatMessageRow, persistRoomEvents, type RiskEventRow } from "../workers/lib/care-data/chat";
import { insertCrisisNotifications } from "../workers/lib/care-data/notifications";
import { userRegionKey } from "../workers/lib/care-data/region";
import type { Config } from "../workers/lib/config";
import { createLogger } from "../workers/lib/logger";
import { createRedis } from "../workers/lib/redis";
import { createScope, jobAudit, type Scope } from "../workers/lib/scope";
import { type UserCipher, userCipher } from "../workers/lib/user-cipher";
import { isRegion, type Region } from "../workers/lib/vocabulary";
import type { CrisisAlert, RoomEvent, RoomRef } from "./chat-protocol";
import { roomStub } from "./chat-stub";

/** Field name binding chat ciphertext to its purpose (AAD). */
export const CHAT_FIELD = "chat.content";

/** The owner's cipher, or null if their key was shredded (then nothing is written). */
export async function ownerCipher(scope: Scope, room: RoomRef): Promise<UserCipher | null> {
  const db = scope.db(room.region);
  const [row] = await db
    .select({ wrapped: users.dataKeyWrapped })
    .from(users)
    .where(eq(users.id, room.ownerId));
  return userCipher(scope.config, room.ownerId, row?.wrapped ?? null);
}

/**
 * Writes a batch of room events to the owner's regional Postgres in one round trip: messages and
 * replies encrypted, crisis detections as `risk_events` (no text), plus one audit row. Idempotent:
 * (user_id, seq) is unique and conflicts are skipped, so a retried alarm cannot duplicate.
 */
export async function flushEvents(
  scope: Scope,
  room: RoomRef,
  cipher: UserCipher,
  events: RoomEvent[],
): Promise<number> {
  const db = scope.db(room.region);
  const messages: ChatMessageRow[] = [];
  const risks: RiskEventRow[] = [];
  for (const e of events) {
    if (e.type === "message" || e.type === "assistant") {
      messages.push({
        userId: room.ownerId,
        seq: e.seq,
        role: e.type === "assistant" ? ("assistant" as const) : e.role,
        authorId: e.type === "message" ? e.authorId : null,
        contentEnc: await cipher.encrypt(CHAT_FIELD, e.text),
        crisis: e.type === "message" && e.crisis,
        createdAt: new Date(e.at),
      });
    } else if (e.type === "crisis") {
      risks.push({
        userId: room.ownerId,
        seq: e.about,
        severity: e.severity,
        categories: e.categories,
        ruleIds: e.rules,
        source: e.rules.some((r) => r.startsWith("moderation."))
          ? ("moderation" as const)
          : ("edge" as const),
        createdAt: new Date(e.at),
      });
    }
  }
  if (messages.length === 0 && risks.length === 0) return 0;
  const audit = auditInsert(db, scope, {
    action: "chat.messages.persist",
    resourceType: "chat_message",
    resourceId: `${events[0]?.seq ?? 0}-${events.at(-1)?.seq ?? 0}`,
    patientId: room.ownerId,
    outcome: "success",
  });
  await db.batch([audit, ...persistRoomEvents(db, messages, risks)]);
  return messages.length + risks.length;
}

/**
 * Alerts every clinician on the patient's active care team: live into each clinician's own room
 * (their open dashboard sockets) and as a pending notification row for later delivery.
 * `env` and `config` build a job scope, so a Durable Object or a request can call it alike.
 */
export async function alertCareTeam(
  env: Env,
  config: Config,
  room: RoomRef,
  seq: number,
  severity: string,
): Promise<number> {
  const scope = createScope({ env, config, log: createLogger("warn"), audit: jobAudit("care_team.alert") });
  const db = scope.db(room.region);
  const clinicians = await activeClinicianIds(db, room.ownerId);
  if (clinicians.length === 0) return 0;
  const alert: CrisisAlert = { patientId: room.ownerId, severity, at: Date.now() };
  const redis = createRedis(config, { timeoutMs: 2000 });
  await Promise.allSettled(
    clinicians.map(async (id) => {
      const cached = await redis.get<string>(userRegionKey(id)).catch(() => null);
      const region: Region = isRegion(cached) ? cached : "us";
      await roomStub(env, id, region).pushAlert({ ownerId: id, region }, alert);
    }),
  );
  await db.batch([
    insertCrisisNotifications(db, room.ownerId, clinicians, severity, seq),
    auditInsert(db, scope, {
      action: "notification.create",
      resourceType: "notification",
      resourceId: String(seq),
      patientId: room.ownerId,
      outcome: "success",
    }),
  ]);
  return clinicians.length;
}
