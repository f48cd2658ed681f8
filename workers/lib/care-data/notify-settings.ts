import { and, eq, lte, notInArray, sql } from "drizzle-orm";
import {
  type Channel,
  notificationPreferences,
  notificationSchedules,
  notificationSettings,
  pushSubscriptions,
  users,
} from "../../db/schema";
import type { Database } from "../db";

/**
 * A person's own notification settings, preferences, push subscriptions and schedules, in their
 * own region. No patient data: the phone number is ciphertext under the user's data key.
 */

export type SettingsRow = typeof notificationSettings.$inferSelect;
export type PreferenceRow = typeof notificationPreferences.$inferSelect;
export type PushSubscriptionRow = typeof pushSubscriptions.$inferSelect;
export type ScheduleRow = typeof notificationSchedules.$inferSelect;

/** A recipient's contact and settings in one round trip. */
export function recipientQuery(db: Database, userId: string) {
  return db.batch([
    db
      .select({
        role: users.role,
        emailEnc: users.emailEnc,
        dataKeyWrapped: users.dataKeyWrapped,
      })
      .from(users)
      .where(eq(users.id, userId)),
    db.select().from(notificationSettings).where(eq(notificationSettings.userId, userId)),
    db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId)),
    db.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, userId)),
  ]);
}

export function upsertSettings(db: Database, row: typeof notificationSettings.$inferInsert) {
  const { userId: _u, ...set } = row;
  return db
    .insert(notificationSettings)
    .values(row)
    .onConflictDoUpdate({ target: notificationSettings.userId, set: { ...set, updatedAt: sql`now()` } })
    .returning();
}

export function setPreferences(db: Database, rows: (typeof notificationPreferences.$inferInsert)[]) {
  return db
    .insert(notificationPreferences)
    .values(rows)
    .onConflictDoUpdate({
      target: [
        notificationPreferences.userId,
        notificationPreferences.eventType,
        notificationPreferences.channel,
      ],
      set: { enabled: sql`excluded.enabled`, digest: sql`excluded.digest` },
    });
}

export function addPushSubscription(db: Database, row: typeof pushSubscriptions.$inferInsert) {
  return db
    .insert(pushSubscriptions)
    .values(row)
    .onConflictDoUpdate({
      target: pushSubscriptions.endpoint,
      set: { userId: row.userId, p256dh: row.p256dh, auth: row.auth },
    })
    .returning();
}

export function removePushSubscription(db: Database, userId: string, id: string) {
  return db
    .delete(pushSubscriptions)
    .where(and(eq(pushSubscriptions.userId, userId), eq(pushSubscriptions.id, id)))
    .returning({ id: pushSubscriptions.id });
}

/** A push service answered 404/410: the subscription is gone (RFC 8030 §7.3). */
export function dropPushEndpoint(db: Database, endpoint: string) {
  return db.delete(pushSubscriptions).where(eq(pushSubscriptions.endpoint, endpoint));
}

export function insertSchedule(db: Database, row: typeof notificationSchedules.$inferInsert) {
  return db.insert(notificationSchedules).values(row).returning();
}

export function dueSchedulesQuery(db: Database, now: Date) {
  return db
    .select()
    .from(notificationSchedules)
    .where(lte(notificationSchedules.nextFireAt, now))
    .orderBy(notificationSchedules.nextFireAt)
    .limit(200);
}

/**
 * Advances a schedule after it fired, only if nobody else did (compare-and-set on the instant it
 * was due), so two overlapping cron runs fire a reminder once.
 */
export function advanceSchedule(db: Database, id: string, due: Date, next: Date | null) {
  return db
    .update(notificationSchedules)
    .set({ nextFireAt: next, lastFiredAt: due })
    .where(and(eq(notificationSchedules.id, id), eq(notificationSchedules.nextFireAt, due)))
    .returning({ id: notificationSchedules.id });
}

export function schedulesOf(db: Database, userId: string) {
  return db.select().from(notificationSchedules).where(eq(notificationSchedules.userId, userId));
}

export function deleteSchedule(db: Database, userId: string, id: string) {
  return db
    .delete(notificationSchedules)
    .where(and(eq(notificationSchedules.userId, userId), eq(notificationSchedules.id, id)))
    .returning({ id: notificationSchedules.id });
}

export type { Channel };

/** Drops the reminders scheduled for one booking (it was cancelled or moved). */
export function deleteBookingSchedules(db: Database, bookingId: string) {
  return db
    .delete(notificationSchedules)
    .where(sql`${notificationSchedules.event}->>'bookingId' = ${bookingId}`)
    .returning({ id: notificationSchedules.id });
}

/**
 * Upserts a medication's daily dose-time schedules (deterministic ids, one per medication and
 * local time). An unchanged schedule keeps its next firing; a new zone recomputes it.
 */
export function upsertMedicationSchedules(db: Database, rows: (typeof notificationSchedules.$inferInsert)[]) {
  return db
    .insert(notificationSchedules)
    .values(rows)
    .onConflictDoUpdate({
      target: notificationSchedules.id,
      set: {
        timeZone: sql`excluded.time_zone`,
        localTime: sql`excluded.local_time`,
        event: sql`excluded.event`,
        nextFireAt: sql`case when ${notificationSchedules.timeZone} is distinct from excluded.time_zone or ${notificationSchedules.nextFireAt} is null then excluded.next_fire_at else ${notificationSchedules.nextFireAt} end`,
      },
    })
    .returning();
}

/** Drops a medication's dose-time schedules except `keep` (its times changed, or it stopped). */
export function deleteMedicationSchedules(
  db: Database,
  userId: string,
  medicationId: string,
  keep: string[],
) {
  return db
    .delete(notificationSchedules)
    .where(
      and(
        eq(notificationSchedules.userId, userId),
        sql`${notificationSchedules.event}->>'medicationId' = ${medicationId}`,
        keep.length > 0 ? notInArray(notificationSchedules.id, keep) : undefined,
      ),
    )
    .returning({ id: notificationSchedules.id });
}

/** A medication's dose-time schedules. */
export function medicationSchedulesQuery(db: Database, userId: string, medicationId: string) {
  return db
    .select()
    .from(notificationSchedules)
    .where(
      and(
        eq(notificationSchedules.userId, userId),
        sql`${notificationSchedules.event}->>'medicationId' = ${medicationId}`,
      ),
    );
}
