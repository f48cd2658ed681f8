import { eq } from "drizzle-orm";
import { users } from "../workers/db/schema";
import { auditInsert } from "../workers/lib/audit";
import { type ChatMessageRow, persistRoomEvents, type RiskEventRow } from "../workers/lib/care-data/chat";
import type { Scope } from "../workers/lib/scope";
import type { UserCipher } from "../workers/lib/user-cipher";
import type { RoomEvent, RoomRef } from "./chat-protocol";

/** Field name binding chat ciphertext to its purpose (AAD). */
export const CHAT_FIELD = "chat.content";

/**
 * The owner's wrapped data key from Postgres, or null if it was shredded (or the account is gone).
 * Throws when Postgres cannot answer.
 */
export async function ownerWrappedKey(scope: Scope, room: RoomRef): Promise<string | null> {
  const db = scope.db(room.region);
  const [row] = await db
    .select({ wrapped: users.dataKeyWrapped })
    .from(users)
    .where(eq(users.id, room.ownerId));
  return row?.wrapped ?? null;
}

/** A read the room served (a replay), written to the owner's audit log with the next flush. */
export interface RoomAudit {
  action: string;
  actorId: string | null;
  actorRole: string | null;
  resourceId: string | null;
  at: number;
}

/**
 * Writes the audit rows of reads the room served (replays) to the owner's region in one round trip.
 * The actor is who read, the patient is the room's owner; the request id is the flush job's.
 */
export async function flushAudits(scope: Scope, room: RoomRef, audits: RoomAudit[]): Promise<void> {
  const db = scope.db(room.region);
  const [first, ...rest] = audits.map((a) =>
    auditInsert(db, scope, {
      actorId: a.actorId,
      actorRole: a.actorRole,
      action: a.action,
      resourceType: "chat_room",
      resourceId: a.resourceId,
      patientId: room.ownerId,
      outcome: "success",
      at: new Date(a.at),
    }),
  );
  if (first) await db.batch([first, ...rest]);
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
    if (e.type === "message" || e.type === "assistant" || e.type === "check_in") {
      messages.push({
        userId: room.ownerId,
        seq: e.seq,
        role: e.type === "message" ? e.role : ("assistant" as const),
        authorId: e.type === "message" ? e.authorId : null,
        contentEnc: await cipher.encrypt(CHAT_FIELD, e.text),
        crisis: e.type === "message" && e.crisis,
        createdAt: new Date(e.at),
      });
      if (e.type === "check_in")
        risks.push({
          userId: room.ownerId,
          seq: e.about,
          severity: "check_in",
          categories: [],
          ruleIds: e.fired,
          source: "edge" as const,
          createdAt: new Date(e.at),
        });
    } else if (e.type === "crisis") {
      risks.push({
        userId: room.ownerId,
        seq: e.about,
        severity: e.severity,
        categories: e.categories,
        ruleIds: e.rules,
        source: riskSource(e.rules),
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
 * Which layer a crisis event's risk row is attributed to: "moderation" when the moderation
 * endpoint raised it (`moderation:*` ids from `assessRisk`'s `fired` vocabulary), otherwise "edge"
 * (the safety net's layers 1-3 run at the edge, before any reply).
 */
export function riskSource(fired: readonly string[]): "edge" | "moderation" {
  return fired.some((id) => id.startsWith("moderation:")) ? "moderation" : "edge";
}
