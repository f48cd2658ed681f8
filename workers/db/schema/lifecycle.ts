import { boolean, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** What a data-subject request asks for (GDPR Art. 15/20 export, Art. 17 erasure). */
export const DATA_REQUEST_KINDS = ["export", "erasure"] as const;
/**
 * Request states. Export: queued → running → ready → expired (or failed). Erasure: pending
 * (cooling-off) → running → completed, or cancelled, held (legal hold), failed.
 */
export const DATA_REQUEST_STATUSES = [
  "queued",
  "running",
  "ready",
  "expired",
  "pending",
  "cancelled",
  "held",
  "completed",
  "failed",
] as const;

/**
 * Data-subject requests, stored in the SUBJECT's region. `patient_id` is not a foreign key: after
 * an erasure the subject's row is gone and this column holds the audit pseudonym instead. No PHI:
 * ids, states, times, object keys and the erasure certificate (stores and counts only).
 */
export const dataRequests = pgTable(
  "data_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    patientId: uuid("patient_id").notNull(),
    kind: text("kind", { enum: DATA_REQUEST_KINDS }).notNull(),
    status: text("status", { enum: DATA_REQUEST_STATUSES }).notNull(),
    requestedBy: uuid("requested_by").notNull(),
    requestedAt: timestamp("requested_at", { withTimezone: true }).notNull().defaultNow(),
    /** Erasure: end of the cooling-off period. */
    dueAt: timestamp("due_at", { withTimezone: true }),
    startedAt: timestamp("started_at", { withTimezone: true }),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    /** Export: psychotherapy notes are excluded unless asked for explicitly. */
    includeNotes: boolean("include_notes").notNull().default(false),
    /** Export: R2 object key prefix; the objects are deleted at `expires_at`. */
    objectKey: text("object_key"),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    /** The workflow instance or job run that executed it. */
    jobId: text("job_id"),
    /** Erasure certificate (stores reached, counts, times; no PHI) or export manifest. */
    result: jsonb("result"),
    /** A failure code (never a message from a driver, which could carry data). */
    error: text("error"),
  },
  (t) => [
    index("data_requests_patient_idx").on(t.patientId, t.kind),
    index("data_requests_status_idx").on(t.kind, t.status, t.dueAt),
  ],
);

/** A legal hold suspends erasure of one subject (litigation, regulator). Reason: a reference, no PHI. */
export const legalHolds = pgTable(
  "legal_holds",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    patientId: uuid("patient_id").notNull(),
    reason: text("reason").notNull(),
    placedBy: uuid("placed_by").notNull(),
    placedAt: timestamp("placed_at", { withTimezone: true }).notNull().defaultNow(),
    releasedBy: uuid("released_by"),
    releasedAt: timestamp("released_at", { withTimezone: true }),
  },
  (t) => [index("legal_holds_patient_idx").on(t.patientId, t.releasedAt)],
);

/** One run of a scheduled job (retention, erasure sweep): counts per kind and duration, no PHI. */
export const jobRuns = pgTable(
  "job_runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    job: text("job").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }).notNull(),
    durationMs: integer("duration_ms").notNull(),
    outcome: text("outcome", { enum: ["success", "failure"] }).notNull(),
    /** `{ "<kind>": <rows removed> }`, or evidence of a DR drill (RPO, RTO, tables checked). */
    counts: jsonb("counts").notNull(),
    error: text("error"),
  },
  (t) => [index("job_runs_job_idx").on(t.job, t.startedAt)],
);
