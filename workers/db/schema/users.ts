import { sql } from "drizzle-orm";
import { check, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { CONSENT_KINDS, REGIONS, ROLES } from "../../lib/vocabulary";

/**
 * Accounts, stored in the database of the user's residency region. The email is kept as a keyed
 * hash (for lookup) and as ciphertext (for sending mail); nothing here is readable PHI.
 */
export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    emailHash: text("email_hash").notNull().unique(),
    emailEnc: text("email_enc").notNull(),
    displayName: text("display_name").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    region: text("region", { enum: REGIONS }).notNull(),
    passwordHash: text("password_hash"),
    /** The user's AES-256 data key wrapped by a versioned master key. Deleting it crypto-shreds. */
    dataKeyWrapped: text("data_key_wrapped"),
    emailVerifiedAt: timestamp("email_verified_at", { withTimezone: true }),
    mfaSecretEnc: text("mfa_secret_enc"),
    mfaEnabledAt: timestamp("mfa_enabled_at", { withTimezone: true }),
    /** Last accepted TOTP time step, so a code cannot be replayed within its window. */
    mfaLastStep: text("mfa_last_step"),
    /** Set by an admin: the account cannot sign in (its sessions were revoked). */
    deactivatedAt: timestamp("deactivated_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("users_role_check", sql`${t.role} in ('patient', 'clinician', 'admin')`),
    check("users_region_check", sql`${t.region} in ('us', 'eu', 'apac')`),
    index("users_role_idx").on(t.role),
  ],
);

/** Profile fields owned by the user; every value is AES-256-GCM ciphertext under their data key. */
export const profiles = pgTable("profiles", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  legalNameEnc: text("legal_name_enc"),
  dateOfBirthEnc: text("date_of_birth_enc"),
  phoneEnc: text("phone_enc"),
  emergencyContactEnc: text("emergency_contact_enc"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Consent records: one row per grant, closed by `withdrawn_at`. Never updated otherwise, so the
 * history of what was agreed to, and when, under which policy version, is kept.
 */
export const consents = pgTable(
  "consents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: CONSENT_KINDS }).notNull(),
    policyVersion: text("policy_version").notNull(),
    grantedAt: timestamp("granted_at", { withTimezone: true }).notNull().defaultNow(),
    withdrawnAt: timestamp("withdrawn_at", { withTimezone: true }),
  },
  (t) => [
    index("consents_user_idx").on(t.userId, t.kind),
    // At most one open grant per kind: two concurrent grants cannot both be "current".
    uniqueIndex("consents_active_idx").on(t.userId, t.kind).where(sql`${t.withdrawnAt} is null`),
  ],
);

/** MFA recovery codes, stored hashed; `used_at` makes each single-use. */
export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
);
