import { and, count, desc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import {
  type Channel,
  careAlerts,
  type DeliveryStatus,
  notificationDeadLetters,
  notificationDeliveries,
  notifications,
} from "../../db/schema";
import type { Database } from "../db";

/**
 * Queries on notifications (a PHI table: it links a recipient to a patient), their channel
 * deliveries and dead letters. Only ids, codes and template variables are stored; the inbox is
 * read per region (a notification lives in the region of the patient it concerns).
 */

export const NOTIFICATION_LIST = { action: "notification.list", resourceType: "notification" } as const;
export const NOTIFICATION_READ = { action: "notification.read", resourceType: "notification" } as const;
export const DEAD_LETTER_LIST = { action: "dead_letter.list", resourceType: "dead_letter" } as const;
export const DEAD_LETTER_RESOLVE = { action: "dead_letter.resolve", resourceType: "dead_letter" } as const;

export type NotificationRow = typeof notifications.$inferSelect;
export type DeliveryRow = typeof notificationDeliveries.$inferSelect;
export type DeadLetterRow = typeof notificationDeadLetters.$inferSelect;

export interface NewNotification {
  recipientId: string;
  patientId: string | null;
  kind: string;
  severity: string;
  seq: number | null;
  eventId: string;
  critical: boolean;
  data: Record<string, string | number | boolean>;
}

/**
 * Records notifications once: a crisis alert by (recipient, patient, seq, kind) — the alert path
 * may have written it already — anything else by (recipient, event id). Returns every row, new or
 * existing, so a redelivered event plans the same deliveries (which are unique per channel).
 */
export async function upsertNotifications(db: Database, rows: NewNotification[]): Promise<NotificationRow[]> {
  if (rows.length === 0) return [];
  const out: NotificationRow[] = [];
  for (const row of rows) {
    const target =
      row.seq !== null && row.patientId !== null
        ? [notifications.recipientId, notifications.patientId, notifications.seq, notifications.kind]
        : [notifications.recipientId, notifications.eventId];
    const [r] = await db
      .insert(notifications)
      .values(row)
      .onConflictDoUpdate({
        target,
        set: {
          eventId: sql`coalesce(${notifications.eventId}, excluded.event_id)`,
          critical: sql`${notifications.critical} or excluded.critical`,
          data: sql`coalesce(${notifications.data}, excluded.data)`,
        },
      })
      .returning();
    if (r) out.push(r);
  }
  return out;
}

/** The clinicians with an inbox row for one crisis (written by the alert path in the same transaction). */
export function crisisRecipientsQuery(db: Database, patientId: string, seq: number) {
  return db
    .select({ clinicianId: careAlerts.clinicianId, alertId: careAlerts.id })
    .from(careAlerts)
    .where(and(eq(careAlerts.patientId, patientId), eq(careAlerts.seq, seq)));
}

/** Crisis notifications older than `olderThanSec` that no delivery was planned for (the publish failed). */
export function unplannedCrisisQuery(db: Database, olderThanSec: number) {
  return db
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.kind, "crisis_alert"),
        sql`${notifications.createdAt} < now() - make_interval(secs => ${olderThanSec})`,
        sql`${notifications.createdAt} > now() - interval '1 day'`,
        sql`not exists (select 1 from ${notificationDeliveries} d where d.notification_id = ${notifications.id})`,
      ),
    )
    .limit(50);
}

export interface NewDelivery {
  notificationId: string;
  recipientId: string;
  channel: Channel;
  status: DeliveryStatus;
  releaseAt?: Date | null;
  digest?: boolean;
}

/** Plans deliveries once per (notification, channel) and returns every row of those notifications. */
export async function planDeliveries(db: Database, rows: NewDelivery[]): Promise<DeliveryRow[]> {
  if (rows.length === 0) return [];
  const ids = [...new Set(rows.map((r) => r.notificationId))];
  const [, existing] = await db.batch([
    db.insert(notificationDeliveries).values(rows).onConflictDoNothing(),
    db.select().from(notificationDeliveries).where(inArray(notificationDeliveries.notificationId, ids)),
  ]);
  return existing;
}

/** One more delivery on a notification (failover): planned once per channel. */
export function addDelivery(db: Database, row: NewDelivery) {
  return db.insert(notificationDeliveries).values(row).onConflictDoNothing().returning();
}

/**
 * Claims a delivery for one attempt: only a queued one, or one stuck in `sending` for over two
 * minutes (a consumer that died mid-send). A delivery that was sent is never claimed again, so a
 * redelivered queue message sends nothing twice. Returns the claimed row or nothing.
 */
export function claimDelivery(db: Database, id: string) {
  return db
    .update(notificationDeliveries)
    .set({ status: "sending", attempts: sql`${notificationDeliveries.attempts} + 1`, updatedAt: sql`now()` })
    .where(
      and(
        eq(notificationDeliveries.id, id),
        sql`(${notificationDeliveries.status} = 'queued' or (${notificationDeliveries.status} = 'sending' and ${notificationDeliveries.updatedAt} < now() - interval '2 minutes'))`,
      ),
    )
    .returning();
}

/** Sets a delivery's outcome (status, last error code, provider id). */
export function finishDelivery(
  db: Database,
  id: string,
  status: DeliveryStatus,
  extra: { lastError?: string | null; providerMessageId?: string | null; releaseAt?: Date | null } = {},
) {
  return db
    .update(notificationDeliveries)
    .set({ status, updatedAt: sql`now()`, ...extra })
    .where(eq(notificationDeliveries.id, id))
    .returning();
}

/** A delivery with its notification. */
export function deliveryQuery(db: Database, id: string) {
  return db
    .select({ delivery: notificationDeliveries, notification: notifications })
    .from(notificationDeliveries)
    .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
    .where(eq(notificationDeliveries.id, id));
}

/** Every delivery of a notification (tracking). */
export function deliveriesOf(db: Database, notificationId: string) {
  return db
    .select()
    .from(notificationDeliveries)
    .where(eq(notificationDeliveries.notificationId, notificationId));
}

/** Held deliveries whose release instant has passed (quiet hours over, digest window closed). */
export function releasableQuery(db: Database, now: Date) {
  return db
    .select({ delivery: notificationDeliveries, notification: notifications })
    .from(notificationDeliveries)
    .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
    .where(and(eq(notificationDeliveries.status, "held"), lte(notificationDeliveries.releaseAt, now)))
    .orderBy(notificationDeliveries.recipientId, notificationDeliveries.createdAt)
    .limit(500);
}

/** Moves held deliveries back to queued (the digest/quiet-hours release), once. */
export function requeueHeld(db: Database, ids: string[]) {
  return db
    .update(notificationDeliveries)
    .set({ status: "queued", updatedAt: sql`now()` })
    .where(and(inArray(notificationDeliveries.id, ids), eq(notificationDeliveries.status, "held")))
    .returning({ id: notificationDeliveries.id });
}

/** Marks held deliveries as folded into a digest, once; returns the ones this call took. */
export function takeForDigest(db: Database, ids: string[]) {
  return db
    .update(notificationDeliveries)
    .set({ status: "digested", updatedAt: sql`now()` })
    .where(and(inArray(notificationDeliveries.id, ids), eq(notificationDeliveries.status, "held")))
    .returning({ id: notificationDeliveries.id });
}

// ---- inbox -------------------------------------------------------------------------------------

/** A recipient's newest notifications in one region. */
export function inboxQuery(db: Database, recipientId: string, limit: number) {
  return db
    .select()
    .from(notifications)
    .where(eq(notifications.recipientId, recipientId))
    .orderBy(desc(notifications.createdAt))
    .limit(limit);
}

/** Unread count in one region: counted from the rows, so concurrent marks cannot skew it. */
export function unreadQuery(db: Database, recipientId: string) {
  return db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.recipientId, recipientId), isNull(notifications.readAt)));
}

/** Marks the recipient's own notifications read (others' ids match nothing); returns those changed now. */
export function markReadWrites(db: Database, recipientId: string, ids: string[] | "all") {
  const mine = eq(notifications.recipientId, recipientId);
  return db
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(
      and(mine, isNull(notifications.readAt), ids === "all" ? undefined : inArray(notifications.id, ids)),
    )
    .returning({ id: notifications.id });
}

// ---- dead letters ------------------------------------------------------------------------------

/** Keeps a dead letter once per queue message. */
export function insertDeadLetter(db: Database, row: typeof notificationDeadLetters.$inferInsert) {
  return db.insert(notificationDeadLetters).values(row).onConflictDoNothing().returning();
}

export function deadLettersQuery(db: Database, status: "open" | "retried" | "discarded") {
  return db
    .select()
    .from(notificationDeadLetters)
    .where(eq(notificationDeadLetters.status, status))
    .orderBy(desc(notificationDeadLetters.createdAt))
    .limit(200);
}

export function deadLetterQuery(db: Database, id: string) {
  return db.select().from(notificationDeadLetters).where(eq(notificationDeadLetters.id, id));
}

/** Resolves an open dead letter once (retry or discard); returns it when this call resolved it. */
export function resolveDeadLetter(db: Database, id: string, status: "retried" | "discarded", by: string) {
  return db
    .update(notificationDeadLetters)
    .set({ status, resolvedBy: by, resolvedAt: sql`now()` })
    .where(and(eq(notificationDeadLetters.id, id), eq(notificationDeadLetters.status, "open")))
    .returning();
}

/** Puts a dead delivery back in the queue for a fresh series of attempts. */
export function reviveDelivery(db: Database, id: string) {
  return db
    .update(notificationDeliveries)
    .set({ status: "queued", attempts: 0, lastError: null, updatedAt: sql`now()` })
    .where(and(eq(notificationDeliveries.id, id), inArray(notificationDeliveries.status, ["dead", "failed"])))
    .returning();
}

/** How many dead letters are open in one region (a count only): the metrics' dead-letter depth. */
export function openDeadLetterCountQuery(db: Database) {
  return db
    .select({ n: sql<number>`count(*)::int` })
    .from(notificationDeadLetters)
    .where(eq(notificationDeadLetters.status, "open"));
}

/**
 * Deliveries waiting in the pipeline: queued (sent to, or waiting for, the deliveries queue) or
 * being attempted. Cloudflare Queues exposes no backlog to the Worker; this is the same backlog
 * as Haven sees it (counts only).
 */
export function pendingDeliveryCountQuery(db: Database) {
  return db
    .select({ n: sql<number>`count(*)::int` })
    .from(notificationDeliveries)
    .where(inArray(notificationDeliveries.status, ["queued", "sending"]));
}

/** Statuses a provider receipt may move a delivery from, per status it reports (never backwards). */
const RECEIPT_FROM: Record<"delivered" | "failed" | "bounced", DeliveryStatus[]> = {
  delivered: ["sent"],
  failed: ["sent", "delivered"],
  bounced: ["sent", "delivered"],
};

/**
 * Applies a provider's delivery receipt to the delivery it sent under `providerMessageId`:
 * sent → delivered → failed/bounced, never backwards, so a redelivered or late receipt changes
 * nothing (and returns no row). `lastError` is a code, never provider text.
 */
export function applyReceiptWrite(
  db: Database,
  channel: Channel,
  providerMessageId: string,
  status: "delivered" | "failed" | "bounced",
  lastError: string | null,
) {
  return db
    .update(notificationDeliveries)
    .set({ status, updatedAt: sql`now()`, ...(lastError ? { lastError } : {}) })
    .where(
      and(
        eq(notificationDeliveries.channel, channel),
        eq(notificationDeliveries.providerMessageId, providerMessageId),
        inArray(notificationDeliveries.status, RECEIPT_FROM[status]),
      ),
    )
    .returning();
}

/** The delivery a provider message id belongs to (a receipt for an unknown id is refused). */
export function deliveryByProviderIdQuery(db: Database, channel: Channel, providerMessageId: string) {
  return db
    .select({ id: notificationDeliveries.id, status: notificationDeliveries.status })
    .from(notificationDeliveries)
    .where(
      and(
        eq(notificationDeliveries.channel, channel),
        eq(notificationDeliveries.providerMessageId, providerMessageId),
      ),
    )
    .limit(1);
}

// ---- stuck deliveries (the minute sweeper) -----------------------------------------------------

/**
 * Deliveries whose queue message may never have been sent (the queue send failed after the row was
 * written) or was lost: `queued` and untouched for `queuedSec` and not waiting on a queue retry
 * delay (`releaseAt`, set when an attempt is put back for a later retry, is past by as much), or
 * `sending` for `sendingSec` (a consumer that died, whose message ran out of retries). Critical
 * notifications first, then the oldest; at most `limit`. The database clock decides, as in the claim.
 */
export function stuckDeliveriesQuery(
  db: Database,
  o: { queuedSec: number; sendingSec: number; limit: number },
) {
  const d = notificationDeliveries;
  return db
    .select({
      id: d.id,
      channel: d.channel,
      status: d.status,
      attempts: d.attempts,
      critical: notifications.critical,
    })
    .from(d)
    .innerJoin(notifications, eq(notifications.id, d.notificationId))
    .where(
      sql`((${d.status} = 'queued' and ${d.updatedAt} < now() - ${o.queuedSec}::int * interval '1 second'
            and (${d.releaseAt} is null or ${d.releaseAt} < now() - ${o.queuedSec}::int * interval '1 second'))
        or (${d.status} = 'sending' and ${d.updatedAt} < now() - ${o.sendingSec}::int * interval '1 second'))`,
    )
    .orderBy(desc(notifications.critical), d.updatedAt)
    .limit(o.limit);
}

/**
 * Marks queued deliveries as just re-enqueued (their `updatedAt`), so the next sweep waits another
 * bound for them instead of piling messages onto a slow queue. Only rows still queued: one a
 * consumer already claimed is left alone.
 */
export function touchQueued(db: Database, ids: string[]) {
  return db
    .update(notificationDeliveries)
    .set({ updatedAt: sql`now()` })
    .where(and(inArray(notificationDeliveries.id, ids), eq(notificationDeliveries.status, "queued")))
    .returning({ id: notificationDeliveries.id });
}

/**
 * Gives up on a delivery stuck in `sending` (every attempt's consumer died): `dead`, once, only if
 * it is still stuck (a consumer that finished it meanwhile wins). Returns the row if this call did it.
 */
export function markStuckDead(db: Database, id: string, sendingSec: number) {
  const d = notificationDeliveries;
  return db
    .update(d)
    .set({ status: "dead", lastError: "delivery_stuck", updatedAt: sql`now()` })
    .where(
      and(
        eq(d.id, id),
        eq(d.status, "sending"),
        sql`${d.updatedAt} < now() - ${sendingSec}::int * interval '1 second'`,
      ),
    )
    .returning();
}
