import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./users";

/** What a self-tracking entry records. */
export const TRACKING_KINDS = ["mood", "symptom", "sleep", "journal"] as const;

/**
 * Emotion tags offered with a mood check-in: a closed list (not free text), kept in the clear so
 * trends can be counted without the key. Anything the person writes goes in the encrypted note.
 */
export const EMOTION_TAGS = [
  "calm",
  "happy",
  "hopeful",
  "grateful",
  "tired",
  "stressed",
  "anxious",
  "sad",
  "lonely",
  "angry",
  "irritable",
  "numb",
] as const;

/** Symptom tags (closed list, like emotions). */
export const SYMPTOM_TAGS = [
  "low_mood",
  "anxiety",
  "panic",
  "poor_sleep",
  "fatigue",
  "appetite",
  "concentration",
  "restlessness",
  "irritability",
  "intrusive_thoughts",
  "headache",
  "pain",
  "nausea",
] as const;

/**
 * One self-tracking entry in the patient's region: a mood check-in (score 0–10), a symptom
 * (severity 0–10), a night's sleep (minutes, quality 0–10) or a journal entry. Free text
 * (`note_enc`) is ciphertext under the patient's data key (field `tracking.note:<id>`); numbers
 * and closed-list tags stay in the clear for trends and the detectors.
 */
export const trackingEntries = pgTable(
  "tracking_entries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: TRACKING_KINDS }).notNull(),
    /** Mood 0–10, symptom severity 0–10, sleep quality 0–10; null for a journal entry. */
    score: smallint("score"),
    sleepMinutes: smallint("sleep_minutes"),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    noteEnc: text("note_enc"),
    /** The patient chose to show the note to their care team (scores and tags are always shared). */
    shared: boolean("shared").notNull().default(false),
    /** When it happened (the person may log last night's sleep this morning). */
    recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("tracking_entries_user_kind_time_idx").on(t.userId, t.kind, t.recordedAt),
    check("tracking_entries_score_check", sql`${t.score} is null or ${t.score} between 0 and 10`),
    check(
      "tracking_entries_sleep_check",
      sql`${t.sleepMinutes} is null or ${t.sleepMinutes} between 0 and 1440`,
    ),
  ],
);

/**
 * A medication the patient logs. Name, dose and schedule are free text, encrypted with the
 * patient's key (fields `medication.name:<id>`, `.dose`, `.schedule`); `doses_per_day` stays clear.
 */
export const medications = pgTable(
  "medications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    nameEnc: text("name_enc").notNull(),
    doseEnc: text("dose_enc"),
    scheduleEnc: text("schedule_enc"),
    dosesPerDay: smallint("doses_per_day").notNull().default(1),
    /**
     * Local dose times ("HH:MM", at most 8) and their IANA zone: a reminder fires at each, every
     * day, while the medication is active. Clear like `doses_per_day` (times, never the drug).
     */
    reminderTimes: text("reminder_times").array().notNull().default(sql`'{}'::text[]`),
    reminderTimeZone: text("reminder_time_zone"),
    active: boolean("active").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("medications_user_idx").on(t.userId)],
);

export const DOSE_STATUSES = ["taken", "missed", "skipped"] as const;

/** One scheduled dose: taken, missed or skipped (with an encrypted reason). */
export const medicationDoses = pgTable(
  "medication_doses",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    medicationId: uuid("medication_id")
      .notNull()
      .references(() => medications.id, { onDelete: "cascade" }),
    status: text("status", { enum: DOSE_STATUSES }).notNull(),
    reasonEnc: text("reason_enc"),
    recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("medication_doses_med_time_idx").on(t.medicationId, t.recordedAt)],
);

/**
 * The patient's Stanley-Brown safety plan, one row per version (never updated in place). The
 * sections are one JSON document encrypted with the patient's key (field `safety_plan:<id>`).
 */
export const safetyPlans = pgTable(
  "safety_plans",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    contentEnc: text("content_enc").notNull(),
    /** The patient, or a clinician on their care team who wrote this version with them. */
    authorId: uuid("author_id").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("safety_plans_user_version_idx").on(t.userId, t.version)],
);

export const RISK_SIGNAL_KINDS = ["missed_medication", "mood_drop"] as const;

/**
 * Early-warning signals the self-tracking detectors raise (risk-timeline events). Numbers only in
 * `detail` (streak length, baseline, score): never names, notes or doses. One per triggering
 * entry, so re-running a detector records nothing twice.
 */
export const riskSignals = pgTable(
  "risk_signals",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: RISK_SIGNAL_KINDS }).notNull(),
    severity: text("severity", { enum: ["low", "moderate"] }).notNull(),
    detail: jsonb("detail").$type<Record<string, number>>().notNull(),
    /** The entry or dose that completed the pattern. */
    sourceId: uuid("source_id").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("risk_signals_source_idx").on(t.kind, t.sourceId),
    index("risk_signals_user_time_idx").on(t.userId, t.createdAt),
  ],
);

export const ALERT_ACTIONS = ["note", "escalation", "realert"] as const;

/**
 * The triage trail of a care alert, in the patient's region: follow-up notes (ciphertext under the
 * patient's key, field `alert.note:<id>`), escalations to a colleague, and re-alerts sent by the
 * scheduled job (author null).
 */
export const careAlertActions = pgTable(
  "care_alert_actions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    alertId: uuid("alert_id").notNull(),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ALERT_ACTIONS }).notNull(),
    authorId: uuid("author_id"),
    noteEnc: text("note_enc"),
    /** Escalation: the colleague it went to. */
    targetId: uuid("target_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("care_alert_actions_alert_idx").on(t.alertId, t.createdAt)],
);
