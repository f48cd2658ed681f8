import { and, asc, eq, gt } from "drizzle-orm";
import { CHAT_FIELD } from "../../../durable-objects/chat-flush";
import { crisisWindow } from "../../../durable-objects/chat-store";
import { chatMessages, chatSharing, users } from "../../db/schema";
import { auditInsert } from "../../lib/audit";
import type { PatientAccess } from "../../lib/care-data/access";
import type { Scope } from "../../lib/scope";
import { userCipher } from "../../lib/user-cipher";
import type { Region } from "../../lib/vocabulary";
import type { ChatMessageOut } from "./schema";

/** The patient's sharing choice; false (crisis windows only) when never set. */
export async function readSharing(scope: Scope, region: Region, patientId: string): Promise<boolean> {
  const [row] = await scope
    .db(region)
    .select({ full: chatSharing.full })
    .from(chatSharing)
    .where(eq(chatSharing.userId, patientId));
  return row?.full ?? false;
}

/** Sets the patient's own sharing choice, audited in the same round trip. */
export async function writeSharing(scope: Scope, access: PatientAccess, full: boolean): Promise<void> {
  if (access.via !== "self") throw new Error("sharing is the patient's own choice");
  const db = scope.db(access.region);
  await db.batch([
    db
      .insert(chatSharing)
      .values({ userId: access.patientId, full })
      .onConflictDoUpdate({ target: chatSharing.userId, set: { full, updatedAt: new Date() } }),
    auditInsert(db, scope, {
      action: "chat.sharing.update",
      resourceType: "chat_sharing",
      resourceId: access.patientId,
      patientId: access.patientId,
      outcome: "success",
    }),
  ]);
}

/**
 * Reads and decrypts a patient's chat history for a principal whose access was already resolved.
 * The patient sees everything; the care team sees everything only when the patient shares fully,
 * otherwise crisis messages and three turns either side. The read is audited in the same batch.
 */
export async function readHistory(
  scope: Scope,
  access: PatientAccess,
  opts: { after: number; limit: number; full: boolean },
): Promise<ChatMessageOut[]> {
  const db = scope.db(access.region);
  const [rows, keyRows] = await db.batch([
    db
      .select()
      .from(chatMessages)
      .where(and(eq(chatMessages.userId, access.patientId), gt(chatMessages.seq, opts.after)))
      .orderBy(asc(chatMessages.seq)),
    db.select({ wrapped: users.dataKeyWrapped }).from(users).where(eq(users.id, access.patientId)),
    auditInsert(db, scope, {
      action: "chat.history.read",
      resourceType: "chat_message",
      resourceId: access.patientId,
      patientId: access.patientId,
      outcome: "success",
    }),
  ]);
  const cipher = await userCipher(scope.config, access.patientId, keyRows[0]?.wrapped ?? null);
  if (!cipher) return [];
  const seeAll = access.via === "self" || opts.full;
  const window = seeAll
    ? null
    : crisisWindow(
        rows.map((r) => r.seq),
        rows.filter((r) => r.crisis).map((r) => r.seq),
      );
  const visible = rows.filter((r) => window === null || window.has(r.seq)).slice(0, opts.limit);
  return Promise.all(
    visible.map(async (r) => ({
      seq: r.seq,
      role: r.role,
      text: await cipher.decrypt(CHAT_FIELD, r.contentEnc),
      crisis: r.crisis,
      at: r.createdAt.toISOString(),
    })),
  );
}
