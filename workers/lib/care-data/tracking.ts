import { and, desc, eq, gte, inArray, type SQL, sql } from "drizzle-orm";
import { medicationDoses, medications, riskEvents, riskSignals, trackingEntries } from "../../db/schema";
import type { Database } from "../db";

const SELF = ["self"] as const;

export const TRACKING_READ = { action: "tracking.read", resourceType: "tracking_entry" } as const;
export const trackingWrite = (action: "create" | "update" | "delete", id: string) =>
  ({
    action: `tracking.${action}`,
    resourceType: "tracking_entry",
    resourceId: id,
    allow: SELF,
    ...(action === "delete" ? {} : { consent: "health_data" as const }),
  }) as const;
export const medicationWrite = (action: "create" | "update" | "delete" | "dose", id: string) =>
  ({
    action: `medication.${action}`,
    resourceType: action === "dose" ? "medication_dose" : "medication",
    resourceId: id,
    allow: SELF,
    ...(action === "delete" ? {} : { consent: "health_data" as const }),
  }) as const;
export const RISK_SIGNAL_CREATE = { action: "risk_signal.create", resourceType: "risk_signal" } as const;
/** Crisis language in a note the patient wrote: a risk event (ids only, never the words). */
export const NOTE_CRISIS_CREATE = {
  action: "risk_event.create",
  resourceType: "risk_event",
  allow: ["self"],
} as const;

export type TrackingRow = typeof trackingEntries.$inferSelect;
export type TrackingInsert = typeof trackingEntries.$inferInsert;
export type MedicationRow = typeof medications.$inferSelect;
export type DoseRow = typeof medicationDoses.$inferSelect;
export type RiskSignalInsert = typeof riskSignals.$inferInsert;
type Kind = TrackingRow["kind"];

export function insertEntry(db: Database, row: TrackingInsert) {
  return db.insert(trackingEntries).values(row).returning();
}

/** Updates the owner's entry; returns nothing when it is not theirs. */
export function updateEntry(
  db: Database,
  userId: string,
  id: string,
  set: Partial<Pick<TrackingInsert, "score" | "sleepMinutes" | "tags" | "noteEnc" | "shared" | "recordedAt">>,
) {
  return db
    .update(trackingEntries)
    .set({ ...set, updatedAt: sql`now()` })
    .where(and(eq(trackingEntries.id, id), eq(trackingEntries.userId, userId)))
    .returning();
}

export function deleteEntry(db: Database, userId: string, id: string) {
  return db
    .delete(trackingEntries)
    .where(and(eq(trackingEntries.id, id), eq(trackingEntries.userId, userId)))
    .returning({ id: trackingEntries.id });
}

export function entryKindQuery(db: Database, userId: string, id: string) {
  return db
    .select({ kind: trackingEntries.kind })
    .from(trackingEntries)
    .where(and(eq(trackingEntries.id, id), eq(trackingEntries.userId, userId)));
}

/** A patient's entries of the last `days` days (optionally one kind), newest first, still encrypted. */
export function entriesQuery(db: Database, userId: string, days: number, kind?: Kind) {
  const since: SQL = sql`now() - make_interval(days => ${days})`;
  return db
    .select()
    .from(trackingEntries)
    .where(
      and(
        eq(trackingEntries.userId, userId),
        gte(trackingEntries.recordedAt, since),
        kind ? eq(trackingEntries.kind, kind) : undefined,
      ),
    )
    .orderBy(desc(trackingEntries.recordedAt), desc(trackingEntries.createdAt))
    .limit(500);
}

/** Mood scores recorded in the `days` before `before` (inclusive), newest first: the detector's baseline. */
export function recentMoodsQuery(db: Database, userId: string, before: Date, days: number) {
  return db
    .select({ id: trackingEntries.id, score: trackingEntries.score, recordedAt: trackingEntries.recordedAt })
    .from(trackingEntries)
    .where(
      and(
        eq(trackingEntries.userId, userId),
        eq(trackingEntries.kind, "mood"),
        sql`${trackingEntries.recordedAt} <= ${before.toISOString()}::timestamptz`,
        sql`${trackingEntries.recordedAt} > ${before.toISOString()}::timestamptz - make_interval(days => ${days})`,
      ),
    )
    .orderBy(desc(trackingEntries.recordedAt), desc(trackingEntries.createdAt))
    .limit(60);
}

export function insertMedication(db: Database, row: typeof medications.$inferInsert) {
  return db.insert(medications).values(row).returning();
}

export function updateMedication(
  db: Database,
  userId: string,
  id: string,
  set: Partial<
    Pick<
      MedicationRow,
      "nameEnc" | "doseEnc" | "scheduleEnc" | "dosesPerDay" | "active" | "reminderTimes" | "reminderTimeZone"
    >
  >,
) {
  return db
    .update(medications)
    .set({ ...set, updatedAt: sql`now()` })
    .where(and(eq(medications.id, id), eq(medications.userId, userId)))
    .returning();
}

export function deleteMedication(db: Database, userId: string, id: string) {
  return db
    .delete(medications)
    .where(and(eq(medications.id, id), eq(medications.userId, userId)))
    .returning({ id: medications.id });
}

export function medicationsQuery(db: Database, userId: string) {
  return db
    .select()
    .from(medications)
    .where(eq(medications.userId, userId))
    .orderBy(desc(medications.active), medications.createdAt);
}

/** Doses of the patient's medications in the last `days` days, newest first. */
export function dosesQuery(db: Database, userId: string, days: number, medicationIds?: string[]) {
  return db
    .select()
    .from(medicationDoses)
    .where(
      and(
        eq(medicationDoses.userId, userId),
        gte(medicationDoses.recordedAt, sql`now() - make_interval(days => ${days})`),
        medicationIds ? inArray(medicationDoses.medicationId, medicationIds) : undefined,
      ),
    )
    .orderBy(desc(medicationDoses.recordedAt), desc(medicationDoses.createdAt))
    .limit(1000);
}

/**
 * Logs a dose of the owner's medication (nothing when the medication is not theirs), in the same
 * transaction as the read of that medication's latest doses (the new one included) for the
 * missed-dose detector.
 */
export function insertDoseWrites(db: Database, row: typeof medicationDoses.$inferInsert) {
  const owned = sql`exists (select 1 from ${medications} where ${and(
    eq(medications.id, row.medicationId),
    eq(medications.userId, row.userId),
  )})`;
  return [
    db.execute<{
      id: string;
    }>(sql`insert into ${medicationDoses} (id, user_id, medication_id, status, reason_enc, recorded_at)
      select ${row.id}::uuid, ${row.userId}::uuid, ${row.medicationId}::uuid, ${row.status}, ${row.reasonEnc ?? null},
        ${(row.recordedAt ?? new Date()).toISOString()}::timestamptz
      where ${owned} returning id`),
    db
      .select({
        id: medicationDoses.id,
        status: medicationDoses.status,
        recordedAt: medicationDoses.recordedAt,
      })
      .from(medicationDoses)
      .where(eq(medicationDoses.medicationId, row.medicationId))
      .orderBy(desc(medicationDoses.recordedAt), desc(medicationDoses.createdAt))
      .limit(20),
  ] as const;
}

/** Records a detector's signal once per triggering entry. */
/**
 * The risk event of crisis language in a note (source `note`): its seq is drawn, negated, from the
 * sequence screeners and assessments share, so it never collides with theirs or a chat room's
 * (≥ 1) on the (user, seq) indexes of the alert trail. Rule ids and categories only, no text.
 */
export function noteRiskEvent(
  db: Database,
  patientId: string,
  risk: { severity: string; categories: readonly string[]; fired: readonly string[] },
) {
  return db
    .insert(riskEvents)
    .values({
      userId: patientId,
      seq: sql`-nextval('screener_responses_seq_seq')`,
      severity: risk.severity,
      categories: [...risk.categories],
      ruleIds: [...risk.fired],
      source: "note",
      createdAt: sql`now()`,
    })
    .returning({ seq: riskEvents.seq });
}

export function insertSignal(db: Database, row: RiskSignalInsert) {
  return db.insert(riskSignals).values(row).onConflictDoNothing().returning({ id: riskSignals.id });
}

/**
 * Whether a medication still wants its reminders (exists, belongs to the patient, active): the
 * notifications consumer checks it when a `medication.reminder` fires. Reads no encrypted field.
 */
export function activeMedicationQuery(db: Database, userId: string, id: string) {
  return db
    .select({ id: medications.id, reminderTimes: medications.reminderTimes })
    .from(medications)
    .where(and(eq(medications.id, id), eq(medications.userId, userId), eq(medications.active, true)))
    .limit(1);
}
