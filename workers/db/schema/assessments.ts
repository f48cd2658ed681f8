import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * Scored instruments stored in `assessment_responses` (the C-SSRS keeps its own table,
 * `screener_responses`; it can still be assigned, see {@link ASSIGNABLE_INSTRUMENTS}).
 */
export const ASSESSMENT_INSTRUMENTS = ["phq-9", "gad-7", "who-5", "pss-10"] as const;
export type AssessmentInstrument = (typeof ASSESSMENT_INSTRUMENTS)[number];
/** Instruments a clinician can assign at a cadence. */
export const ASSIGNABLE_INSTRUMENTS = [...ASSESSMENT_INSTRUMENTS, "c-ssrs"] as const;
export type AssignableInstrument = (typeof ASSIGNABLE_INSTRUMENTS)[number];
/** Reliable change against the previous score of the same instrument (null for the first one). */
export const RELIABLE_CHANGES = ["improved", "no_reliable_change", "worse"] as const;
export type ReliableChange = (typeof RELIABLE_CHANGES)[number];

/**
 * One completed, server-scored assessment, stored in the patient's region. `answers_enc` is the
 * item answers as ciphertext under the patient's data key (field `assessment.answers:<id>`).
 * Scores, bands and flags are in the clear (like `risk_events.severity`) so care-team lists,
 * charts and practice outcomes can be computed in the database without the key.
 *
 * - `total`: the instrument's reported score (PHQ-9 0–27, GAD-7 0–21, WHO-5 0–100 i.e. raw ×4,
 *   PSS-10 0–40); `band`: the instrument's band id (see `workers/features/assessments/instruments/`).
 * - `item9`: PHQ-9 item 9 (0–3), null for other instruments. `safety_flag`: the response took the
 *   crisis path (PHQ-9 item 9 > 0); never read as "safe" when false.
 * - `previous_total`: the patient's previous score of the same instrument at submission (null for
 *   the first). `change`: reliable change against it (null when there is none or the instrument
 *   defines no threshold). `response`: ≥ 50 % drop from the patient's FIRST (baseline) score of a
 *   symptom scale; `remission`: below the instrument's remission cut-off (null where none).
 * - `seq`: drawn from the SAME sequence as `screener_responses.seq`, so the alert trail's negative
 *   seqs (`risk_events`, `care_alerts`, `notifications` carry `-seq`) never collide between the two
 *   kinds of form, nor with chat room seqs (≥ 1).
 */
export const assessmentResponses = pgTable(
  "assessment_responses",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull().default(sql`nextval('screener_responses_seq_seq')`),
    instrument: text("instrument", { enum: ASSESSMENT_INSTRUMENTS }).notNull(),
    version: text("version").notNull(),
    total: integer("total").notNull(),
    band: text("band").notNull(),
    item9: integer("item9"),
    safetyFlag: boolean("safety_flag").notNull().default(false),
    previousTotal: integer("previous_total"),
    change: text("change", { enum: RELIABLE_CHANGES }),
    response: boolean("response"),
    remission: boolean("remission"),
    answersEnc: text("answers_enc").notNull(),
    assignmentId: uuid("assignment_id"),
    submittedAt: timestamp("submitted_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("assessment_responses_seq_idx").on(t.seq),
    index("assessment_responses_patient_idx").on(t.patientId, t.instrument, t.submittedAt),
    check("assessment_responses_total_range", sql`${t.total} between 0 and 100`),
    check("assessment_responses_item9_range", sql`${t.item9} is null or ${t.item9} between 0 and 3`),
  ],
);

/**
 * A clinician on the patient's care team asks the patient to complete an instrument every
 * `cadence_days` days, first due at `starts_at`. At most one open assignment per (patient,
 * instrument); `ended_at` closes it (reassigning ends the old one). Stored in the patient's region.
 */
export const assessmentAssignments = pgTable(
  "assessment_assignments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    clinicianId: uuid("clinician_id").notNull(),
    instrument: text("instrument", { enum: ASSIGNABLE_INSTRUMENTS }).notNull(),
    cadenceDays: integer("cadence_days").notNull(),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("assessment_assignments_open_idx")
      .on(t.patientId, t.instrument)
      .where(sql`${t.endedAt} is null`),
    index("assessment_assignments_clinician_idx").on(t.clinicianId),
    check("assessment_assignments_cadence_range", sql`${t.cadenceDays} between 1 and 365`),
  ],
);
