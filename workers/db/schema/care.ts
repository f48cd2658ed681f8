import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * Care-team membership, stored in the PATIENT's region. A clinician reaches a patient only while
 * a row is `active`: the patient invited and the clinician accepted, the clinician asked and the
 * patient accepted, or an admin assigned them. The patient can remove it at any time.
 */
export const careTeam = pgTable(
  "care_team",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    clinicianId: uuid("clinician_id").notNull(),
    status: text("status", { enum: ["pending_clinician", "pending_patient", "active", "removed"] }).notNull(),
    createdBy: uuid("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("care_team_pair_idx").on(t.patientId, t.clinicianId).where(sql`${t.status} <> 'removed'`),
    index("care_team_clinician_idx").on(t.clinicianId, t.status),
  ],
);

/**
 * Break-glass access: a clinician or admin opens a patient outside their team with a written
 * reason (ciphertext under the patient's key) for at most one hour. Shown to the patient.
 */
export const breakGlass = pgTable(
  "break_glass",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    actorId: uuid("actor_id").notNull(),
    actorRole: text("actor_role", { enum: ["clinician", "admin"] }).notNull(),
    reasonEnc: text("reason_enc").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("break_glass_lookup_idx").on(t.patientId, t.actorId, t.expiresAt)],
);
