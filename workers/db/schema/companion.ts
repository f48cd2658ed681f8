import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * Embeddings of the psychoeducation library (workers/lib/library/items.ts), per region database
 * (retrieval stays in the patient's region) and per embedding model. No PHI. `embedding` is the
 * plain float array every Postgres has; where the server has pgvector, migration 0006 also adds
 * `embedding_v vector` and retrieval orders by cosine distance in SQL (see lib/library/retrieval.ts).
 */
export const libraryVectors = pgTable(
  "library_vectors",
  {
    slug: text("slug").notNull(),
    model: text("model").notNull(),
    version: integer("version").notNull(),
    dims: integer("dims").notNull(),
    embedding: doublePrecision("embedding").array().notNull(),
    indexedAt: timestamp("indexed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.slug, t.model] })],
);

export const FEEDBACK_REASONS = [
  "not_relevant",
  "not_accurate",
  "too_long",
  "not_kind",
  "unsafe",
  "other",
] as const;

/**
 * A patient's rating of one companion reply (helpful or not, an optional reason from a short list).
 * No message text. Aggregated per library item and prompt version for admins; clinicians never see
 * it. Stored in the patient's region; one rating per reply (a new rating replaces the old).
 */
export const companionFeedback = pgTable(
  "companion_feedback",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    helpful: boolean("helpful").notNull(),
    reason: text("reason", { enum: FEEDBACK_REASONS }),
    librarySlug: text("library_slug"),
    promptVersion: text("prompt_version").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("companion_feedback_reply_idx").on(t.patientId, t.seq)],
);

export const AI_PURPOSES = [
  "reply",
  "risk_check",
  "moderation",
  "embedding",
  "summary",
  "note_draft",
] as const;

/**
 * The AI processing trail: one row per model call, without content — model, prompt version,
 * tokens, latency, outcome and what the safety layers decided (ids only). In the patient's region.
 */
export const aiCalls = pgTable(
  "ai_calls",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: AI_PURPOSES }).notNull(),
    model: text("model").notNull(),
    promptVersion: text("prompt_version").notNull(),
    tokensIn: integer("tokens_in"),
    tokensOut: integer("tokens_out"),
    latencyMs: integer("latency_ms").notNull(),
    outcome: text("outcome").notNull(),
    /** Safety layers that ran and what they decided, e.g. {"l1": "none", "l3": "lower_than_edge"}. */
    safety: jsonb("safety").$type<Record<string, string>>().notNull().default({}),
    /** Library items the call was grounded in (slugs). */
    grounding: text("grounding").array().notNull().default([]),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("ai_calls_patient_idx").on(t.patientId, t.createdAt),
    index("ai_calls_time_idx").on(t.createdAt),
  ],
);

/**
 * The latest between-session summary of a patient (one row per patient; regenerating replaces it),
 * in the patient's region. `content_enc` is the JSON of the model's draft and the facts it was
 * drafted from, ciphertext under the patient's data key (field `companion.summary`); only the
 * window, model and prompt version stay in the clear. Risk events are never stored here: they are
 * listed from `risk_events` when the summary is read.
 */
export const companionSummaries = pgTable("companion_summaries", {
  patientId: uuid("patient_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  contentEnc: text("content_enc").notNull(),
  windowStart: timestamp("window_start", { withTimezone: true }).notNull(),
  windowEnd: timestamp("window_end", { withTimezone: true }).notNull(),
  /** Who asked for it (the patient or a care-team clinician). */
  generatedBy: uuid("generated_by").notNull(),
  model: text("model").notNull(),
  promptVersion: text("prompt_version").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
