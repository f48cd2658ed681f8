import { and, asc, eq, gt } from "drizzle-orm";
import { chatMessages, chatSharing, riskEvents, users } from "../../db/schema";
import type { Database } from "../db";

export const CHAT_HISTORY_READ = { action: "chat.history.read", resourceType: "chat_message" } as const;
export const CHAT_SHARING_UPDATE = {
  action: "chat.sharing.update",
  resourceType: "chat_sharing",
  allow: ["self"],
} as const;

/** The patient's sharing choice (no row: crisis windows only). */
export function sharingQuery(db: Database, patientId: string) {
  return db.select({ full: chatSharing.full }).from(chatSharing).where(eq(chatSharing.userId, patientId));
}

export function upsertSharing(db: Database, patientId: string, full: boolean) {
  return db
    .insert(chatSharing)
    .values({ userId: patientId, full })
    .onConflictDoUpdate({ target: chatSharing.userId, set: { full, updatedAt: new Date() } });
}

/** Stored messages after `after`, oldest first, still encrypted. */
export function historyQuery(db: Database, patientId: string, after: number) {
  return db
    .select()
    .from(chatMessages)
    .where(and(eq(chatMessages.userId, patientId), gt(chatMessages.seq, after)))
    .orderBy(asc(chatMessages.seq));
}

/** The data subject's wrapped key (to decrypt what a read returned). */
export function wrappedKeyQuery(db: Database, userId: string) {
  return db.select({ wrapped: users.dataKeyWrapped }).from(users).where(eq(users.id, userId));
}

export type ChatMessageRow = typeof chatMessages.$inferInsert;
export type RiskEventRow = typeof riskEvents.$inferInsert;

/** Idempotent inserts of flushed room events: `(user_id, seq)` is unique, conflicts are skipped. */
export function persistRoomEvents(db: Database, messages: ChatMessageRow[], risks: RiskEventRow[]) {
  return [
    ...(messages.length ? [db.insert(chatMessages).values(messages).onConflictDoNothing()] : []),
    ...(risks.length ? [db.insert(riskEvents).values(risks).onConflictDoNothing()] : []),
  ];
}
