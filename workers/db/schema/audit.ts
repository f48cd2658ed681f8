import {
  bigint,
  bigserial,
  index,
  inet,
  pgTable,
  smallint,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";

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

/**
 * One anchored prune of the audit chain (retention past 7 years), per region: the rows up to
 * `through_id` were deleted in the same transaction, and `through_hash` is the hash of the last one,
 * so the chain verifies from here (`audit_verify_chain()` starts at the latest checkpoint). `mac`
 * is an HMAC under a Worker secret over the checkpoint and the previous one's `mac`: a checkpoint
 * written by anyone without the secret (to hide deleted rows) fails verification. Append-only.
 */
export const auditCheckpoints = pgTable("audit_checkpoints", {
  /** 1, 2, 3 … without gaps (set by `audit_prune()`, not a sequence). */
  seq: bigint("seq", { mode: "number" }).primaryKey(),
  region: text("region").notNull(),
  throughId: bigint("through_id", { mode: "number" }).notNull(),
  throughHash: text("through_hash").notNull(),
  throughAt: timestamp("through_at", { withTimezone: true, precision: 6 }).notNull(),
  pruned: bigint("pruned", { mode: "number" }).notNull(),
  prunedTotal: bigint("pruned_total", { mode: "number" }).notNull(),
  /** The policy cut-off the prune applied: every pruned row is older. */
  cutoff: timestamp("cutoff", { withTimezone: true, precision: 6 }).notNull(),
  prevMac: text("prev_mac").notNull(),
  keyId: text("key_id").notNull(),
  mac: text("mac").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
