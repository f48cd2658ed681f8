import { and, asc, eq, getTableColumns, gt, or, sql } from "drizzle-orm";
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

/** Messages either side of a crisis message that a care team sees without full sharing. */
export const CRISIS_WINDOW_RADIUS = 3;

/**
 * One page of stored messages after the cursor `after`, oldest first, still encrypted: at most
 * `limit` rows, bounded in SQL (the read once fetched every row and sliced in JavaScript, so its
 * cost grew with the history). `limit + 1` is asked for so the caller knows whether a next page
 * exists.
 *
 * `crisisOnly` (a care team reading without the patient's full sharing) keeps only the rows within
 * {@link CRISIS_WINDOW_RADIUS} messages of a crisis message, unless the patient shares fully
 * (decided inside the same statement from `chat_sharing`). The window is a SQL window function over
 * the patient's whole history — as the room's `crisisWindow` counts it — and the cursor and LIMIT
 * apply after it, so consecutive pages join up to exactly the unpaged view. (It was counted over
 * the rows after the cursor, so a page starting just after a crisis message lost that message's
 * following context.) Postgres reads the patient's rows for the window; the Worker receives one page.
 */
export function historyQuery(
  db: Database,
  patientId: string,
  opts: { after: number; limit: number; crisisOnly: boolean },
) {
  if (!opts.crisisOnly)
    return db
      .select()
      .from(chatMessages)
      .where(and(eq(chatMessages.userId, patientId), gt(chatMessages.seq, opts.after)))
      .orderBy(asc(chatMessages.seq))
      .limit(opts.limit + 1);
  const near =
    sql<boolean>`bool_or(${chatMessages.crisis}) over (order by ${chatMessages.seq} rows between ${sql.raw(String(CRISIS_WINDOW_RADIUS))} preceding and ${sql.raw(String(CRISIS_WINDOW_RADIUS))} following)`.as(
      "near",
    );
  const windowed = db
    .select({ ...getTableColumns(chatMessages), near })
    .from(chatMessages)
    .where(eq(chatMessages.userId, patientId))
    .as("windowed");
  const sharesFully = sql`exists (select 1 from ${chatSharing} where ${chatSharing.userId} = ${patientId} and ${chatSharing.full})`;
  return db
    .select({
      id: windowed.id,
      userId: windowed.userId,
      seq: windowed.seq,
      role: windowed.role,
      authorId: windowed.authorId,
      contentEnc: windowed.contentEnc,
      crisis: windowed.crisis,
      createdAt: windowed.createdAt,
    })
    .from(windowed)
    .where(and(gt(windowed.seq, opts.after), or(windowed.near, sharesFully)))
    .orderBy(asc(windowed.seq))
    .limit(opts.limit + 1);
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
