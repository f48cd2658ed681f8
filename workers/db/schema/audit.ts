import { bigserial, index, inet, pgTable, smallint, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * The audit log: append-only (a trigger refuses UPDATE, DELETE and TRUNCATE) and hash-chained
 * (a trigger sets `prev_hash` and `hash` under an advisory lock, so concurrent inserts cannot
 * fork the chain). See migrations for `audit_row_hash()`, shared by the trigger and the verifier.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true, precision: 6 }).notNull().defaultNow(),
    actorId: uuid("actor_id"),
    actorRole: text("actor_role"),
    action: text("action").notNull(),
    resourceType: text("resource_type").notNull(),
    resourceId: text("resource_id"),
    patientId: uuid("patient_id"),
    outcome: text("outcome", { enum: ["success", "denied", "failure"] }).notNull(),
    requestId: text("request_id"),
    ip: inet("ip"),
    userAgent: text("user_agent"),
    prevHash: text("prev_hash").notNull().default(""),
    hash: text("hash").notNull().default(""),
    /** 1: personal fields hashed inline (cannot be pseudonymised); 2: through `personal_digest`. */
    hashVersion: smallint("hash_version").notNull().default(1),
    /** Random per row; cleared when the row is pseudonymised, so the digest can no longer be linked. */
    personalSalt: text("personal_salt"),
    /** sha256 over the salt and the personal fields (actor, patient, resource id, IP, user agent). */
    personalDigest: text("personal_digest"),
    /** Set when an erasure replaced the subject's ids with a pseudonym (chain still verifies). */
    pseudonymisedAt: timestamp("pseudonymised_at", { withTimezone: true }),
  },
  (t) => [
    index("audit_patient_idx").on(t.patientId, t.at),
    index("audit_actor_idx").on(t.actorId, t.at),
    index("audit_action_idx").on(t.action, t.at),
  ],
);
