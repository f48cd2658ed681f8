import { and, asc, desc, eq, gte, inArray, lte, sql } from "drizzle-orm";
import {
  aiCalls,
  companionFeedback,
  companionSummaries,
  notificationSettings,
  riskEvents,
  riskSignals,
  therapySessions,
  trackingEntries,
} from "../../db/schema";
import type { Database } from "../db";

/**
 * The between-session summary's operations: the care team and the patient themself (never
 * break-glass), and only with the patient's `care_plan_context` consent (checked by the service,
 * which answers a problem naming it).
 */
const ALLOW = ["self", "care_team"] as const;
export const SUMMARY_READ = {
  action: "companion.summary.read",
  resourceType: "companion_summary",
  allow: ALLOW,
} as const;
export const SUMMARY_INPUTS_READ = {
  action: "companion.summary.inputs_read",
  resourceType: "companion_summary",
  allow: ALLOW,
} as const;
export const SUMMARY_WRITE = {
  action: "companion.summary.generate",
  resourceType: "companion_summary",
  allow: ALLOW,
} as const;

/** The end of the patient's last completed session (the summary's window starts there). */
export function lastCompletedSessionQuery(db: Database, patientId: string) {
  return db
    .select({ endsAt: therapySessions.endsAt })
    .from(therapySessions)
    .where(
      and(
        eq(therapySessions.patientId, patientId),
        eq(therapySessions.status, "completed"),
        lte(therapySessions.endsAt, sql`now()`),
      ),
    )
    .orderBy(desc(therapySessions.endsAt))
    .limit(1);
}

/** The patient's next booked session (when and what type; never notes or the clinician's id). */
export function nextSessionQuery(db: Database, patientId: string) {
  return db
    .select({
      startsAt: therapySessions.startsAt,
      endsAt: therapySessions.endsAt,
      sessionType: therapySessions.sessionType,
    })
    .from(therapySessions)
    .where(
      and(
        eq(therapySessions.patientId, patientId),
        eq(therapySessions.status, "booked"),
        gte(therapySessions.startsAt, sql`now()`),
      ),
    )
    .orderBy(asc(therapySessions.startsAt))
    .limit(1);
}

/** The patient's IANA time zone from their notification settings (none: UTC). */
export function timeZoneQuery(db: Database, userId: string) {
  return db
    .select({ timeZone: notificationSettings.timeZone })
    .from(notificationSettings)
    .where(eq(notificationSettings.userId, userId));
}

/** Mood, symptom and sleep entries since `from`: numbers and closed-list tags only (never notes). */
export function trackingSinceQuery(db: Database, patientId: string, from: Date) {
  return db
    .select({
      kind: trackingEntries.kind,
      score: trackingEntries.score,
      sleepMinutes: trackingEntries.sleepMinutes,
      tags: trackingEntries.tags,
      recordedAt: trackingEntries.recordedAt,
    })
    .from(trackingEntries)
    .where(
      and(
        eq(trackingEntries.userId, patientId),
        inArray(trackingEntries.kind, ["mood", "symptom", "sleep"]),
        gte(trackingEntries.recordedAt, from),
      ),
    )
    .orderBy(asc(trackingEntries.recordedAt))
    .limit(500);
}

/** The safety layers' risk events since `from` (severity, categories, source; never text). */
export function riskEventsSinceQuery(db: Database, patientId: string, from: Date) {
  return db
    .select({
      severity: riskEvents.severity,
      categories: riskEvents.categories,
      source: riskEvents.source,
      at: riskEvents.createdAt,
    })
    .from(riskEvents)
    .where(and(eq(riskEvents.userId, patientId), gte(riskEvents.createdAt, from)))
    .orderBy(desc(riskEvents.createdAt))
    .limit(100);
}

/** Early-warning signals (mood drop, missed medication) since `from`. */
export function riskSignalsSinceQuery(db: Database, patientId: string, from: Date) {
  return db
    .select({ kind: riskSignals.kind, severity: riskSignals.severity, at: riskSignals.createdAt })
    .from(riskSignals)
    .where(and(eq(riskSignals.userId, patientId), gte(riskSignals.createdAt, from)))
    .orderBy(desc(riskSignals.createdAt))
    .limit(100);
}

/** The library items each companion reply since `from` drew on (slugs only, newest first). */
export function groundingSinceQuery(db: Database, patientId: string, from: Date) {
  return db
    .select({ grounding: aiCalls.grounding })
    .from(aiCalls)
    .where(
      and(
        eq(aiCalls.patientId, patientId),
        eq(aiCalls.purpose, "reply"),
        gte(aiCalls.createdAt, from),
        sql`cardinality(${aiCalls.grounding}) > 0`,
      ),
    )
    .orderBy(desc(aiCalls.createdAt))
    .limit(1000);
}

/** The patient's ratings of library-grounded replies since `from` (item, helpful or not). */
export function ratingsSinceQuery(db: Database, patientId: string, from: Date) {
  return db
    .select({ slug: companionFeedback.librarySlug, helpful: companionFeedback.helpful })
    .from(companionFeedback)
    .where(
      and(
        eq(companionFeedback.patientId, patientId),
        gte(companionFeedback.createdAt, from),
        sql`${companionFeedback.librarySlug} is not null`,
      ),
    );
}

export function summaryQuery(db: Database, patientId: string) {
  return db.select().from(companionSummaries).where(eq(companionSummaries.patientId, patientId));
}

export type SummaryRow = typeof companionSummaries.$inferInsert;

/** Stores the new summary in place of the previous one. */
export function summaryUpsert(db: Database, row: SummaryRow) {
  const { patientId: _id, ...rest } = row;
  return db
    .insert(companionSummaries)
    .values(row)
    .onConflictDoUpdate({ target: companionSummaries.patientId, set: { ...rest, createdAt: sql`now()` } });
}
