import {
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./users";

/** A Postgres `tstzrange`, written and read as its text form `[from,to)`. */
const tstzrange = customType<{ data: string }>({ dataType: () => "tstzrange" });

export const SESSION_STATUSES = ["booked", "cancelled", "completed", "no_show"] as const;
export const NOTE_FORMATS = ["soap", "dap", "birp"] as const;
export const NOTE_STATUSES = ["draft", "signed"] as const;
export const RECORDING_STATUSES = ["recording", "stopped"] as const;

/**
 * A clinician's published availability (weekly rules in their own IANA zone, overrides, time off,
 * session types, buffers, notice, horizon, daily maximum), in the CLINICIAN's region. Not PHI:
 * `settings` is validated by `workers/features/sessions/schema.ts` on the way in and out.
 */
export const clinicianAvailability = pgTable("clinician_availability", {
  clinicianId: uuid("clinician_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  timeZone: text("time_zone").notNull(),
  settings: jsonb("settings").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The time a booking occupies on a clinician's calendar (buffers included), in the CLINICIAN's
 * region, with no patient in it. `id` is the booking's id. An exclusion constraint
 * (`session_slots_no_overlap`, migration `sessions_exclusion`: btree_gist, `clinician_id WITH =,
 * during WITH &&` over held rows) makes an overlapping second hold fail in Postgres itself with
 * SQLSTATE 23P01, however many requests race: there is no check-then-insert to lose.
 */
export const sessionSlots = pgTable(
  "session_slots",
  {
    id: uuid("id").primaryKey(),
    clinicianId: uuid("clinician_id").notNull(),
    during: tstzrange("during").notNull(),
    held: boolean("held").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("session_slots_clinician_idx").on(t.clinicianId, t.held)],
);

/**
 * One booked therapy session, in the PATIENT's region (PHI: who sees whom, when). The reasons
 * for a cancellation are ciphertext under the patient's data key.
 */
export const therapySessions = pgTable(
  "therapy_sessions",
  {
    id: uuid("id").primaryKey(),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    clinicianId: uuid("clinician_id").notNull(),
    clinicianRegion: text("clinician_region").notNull(),
    sessionType: text("session_type").notNull(),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull(),
    endsAt: timestamp("ends_at", { withTimezone: true }).notNull(),
    status: text("status", { enum: SESSION_STATUSES }).notNull().default("booked"),
    bookedBy: uuid("booked_by").notNull(),
    rescheduledFrom: uuid("rescheduled_from"),
    cancelledBy: uuid("cancelled_by"),
    cancelledAt: timestamp("cancelled_at", { withTimezone: true }),
    lateCancel: boolean("late_cancel").notNull().default(false),
    reasonEnc: text("reason_enc"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("therapy_sessions_patient_idx").on(t.patientId, t.startsAt),
    index("therapy_sessions_clinician_idx").on(t.clinicianId, t.startsAt),
  ],
);

/**
 * The progress note of a session (one per session), in the patient's region. `content_enc` is the
 * JSON of the format's sections plus the risk assessment, encrypted with the patient's data key.
 * Once `status = 'signed'` the row is locked by trigger (`session_notes_locked`): changes are
 * addenda.
 */
export const sessionNotes = pgTable(
  "session_notes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => therapySessions.id, { onDelete: "cascade" }),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    clinicianId: uuid("clinician_id").notNull(),
    format: text("format", { enum: NOTE_FORMATS }).notNull(),
    contentEnc: text("content_enc").notNull(),
    /** True while the text is the model's draft, until the clinician edits it. */
    aiGenerated: boolean("ai_generated").notNull().default(false),
    status: text("status", { enum: NOTE_STATUSES }).notNull().default("draft"),
    signedAt: timestamp("signed_at", { withTimezone: true }),
    signedBy: uuid("signed_by"),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("session_notes_session_idx").on(t.sessionId)],
);

/** An addendum to a signed note: its own author and time; never edited. */
export const sessionNoteAddenda = pgTable(
  "session_note_addenda",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    noteId: uuid("note_id")
      .notNull()
      .references(() => sessionNotes.id, { onDelete: "cascade" }),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    authorId: uuid("author_id").notNull(),
    contentEnc: text("content_enc").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("session_note_addenda_note_idx").on(t.noteId, t.createdAt)],
);

/**
 * Psychotherapy notes (HIPAA 45 CFR 164.501): the clinician's own process notes, kept apart from
 * the record, readable only by their author, never by the patient, never exported.
 */
export const psychotherapyNotes = pgTable(
  "psychotherapy_notes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => therapySessions.id, { onDelete: "cascade" }),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    authorId: uuid("author_id").notNull(),
    contentEnc: text("content_enc").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("psychotherapy_notes_session_author_idx").on(t.sessionId, t.authorId)],
);

/**
 * A consented recording of a visit: chunks live in R2 under `recordings/<patient>/<id>/<n>`,
 * each encrypted with the patient's data key before upload. Both consents are required to start.
 */
export const sessionRecordings = pgTable(
  "session_recordings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => therapySessions.id, { onDelete: "cascade" }),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    patientConsentAt: timestamp("patient_consent_at", { withTimezone: true }).notNull(),
    clinicianConsentAt: timestamp("clinician_consent_at", { withTimezone: true }).notNull(),
    status: text("status", { enum: RECORDING_STATUSES }).notNull().default("recording"),
    chunks: integer("chunks").notNull().default(0),
    mimeType: text("mime_type").notNull(),
    /**
     * The recording's content key (AES-256-GCM, generated per recording), wrapped under the
     * patient's data key. Set: the browser seals each chunk with the content key before upload
     * (format 0x02). Null: a recording from before browser sealing, whose chunks the Worker sealed
     * with the patient's data key directly (format 0x01). Erasing the patient's key makes both
     * unreadable.
     */
    contentKeyWrapped: text("content_key_wrapped"),
    stoppedBy: uuid("stopped_by"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    stoppedAt: timestamp("stopped_at", { withTimezone: true }),
  },
  (t) => [
    index("session_recordings_session_idx").on(t.sessionId),
    index("session_recordings_patient_idx").on(t.patientId),
  ],
);

/**
 * A user's calendar feed token (one per user; rotating replaces it, revoking deletes it), in the
 * user's region. Only the SHA-256 of the token is kept, as for device tokens: the token itself is
 * shown once, in the subscribe URL. Not PHI: the feed it opens carries times and a link only.
 */
export const calendarFeeds = pgTable(
  "calendar_feeds",
  {
    userId: uuid("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("calendar_feeds_token_idx").on(t.tokenHash)],
);
