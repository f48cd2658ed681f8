import {
  boolean,
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

/**
 * Companion chat turns, flushed from the user's ChatRoom Durable Object. `seq` is the room's
 * server-assigned sequence number; (user_id, seq) is unique so a repeated flush is a no-op.
 * `content_enc` is ciphertext under the patient's data key (field "chat.content").
 */
export const chatMessages = pgTable(
  "chat_messages",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    role: text("role", { enum: ["user", "assistant", "clinician", "system"] }).notNull(),
    /** Who wrote it: the patient, a clinician's id, or null for the companion and system notices. */
    authorId: uuid("author_id"),
    contentEnc: text("content_enc").notNull(),
    /** The message triggered the crisis detector (content stays encrypted; this is a flag only). */
    crisis: boolean("crisis").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex("chat_messages_user_seq_idx").on(t.userId, t.seq)],
);

/** The patient's choice to share their full companion history with their care team. */
export const chatSharing = pgTable("chat_sharing", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  full: boolean("full").notNull().default(false),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * A crisis detection on one message: severity, categories and rule ids only. Never message text.
 */
export const riskEvents = pgTable(
  "risk_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    severity: text("severity").notNull(),
    categories: text("categories").array().notNull(),
    ruleIds: text("rule_ids").array().notNull(),
    source: text("source", {
      enum: ["edge", "moderation", "screener", "assessment", "session", "wearable", "note"],
    })
      .notNull()
      .default("edge"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex("risk_events_user_seq_idx").on(t.userId, t.seq),
    index("risk_events_time_idx").on(t.createdAt),
  ],
);

/**
 * A person's notifications: the in-app inbox and the root of every channel delivery
 * (`notification_deliveries`). Stored in the region of the patient they concern (or the
 * recipient's own region for security notices); ids, codes and the template variables only
 * (`data`: ids and codes, never text). Crisis alerts are one per (recipient, patient, seq); every
 * other kind one per (recipient, event id), so a redelivered event creates nothing twice.
 */
export const notifications = pgTable(
  "notifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    recipientId: uuid("recipient_id").notNull(),
    /** The patient the notification concerns; null for notices about the recipient's own account. */
    patientId: uuid("patient_id").references(() => users.id, { onDelete: "cascade" }),
    /** The event type (`crisis_alert` for rows the alert path writes before its event is consumed). */
    kind: text("kind").notNull(),
    severity: text("severity").notNull(),
    seq: integer("seq"),
    status: text("status", { enum: ["pending", "sent", "failed"] })
      .notNull()
      .default("pending"),
    /** The domain event this notification came from (idempotency root). */
    eventId: uuid("event_id"),
    critical: boolean("critical").notNull().default(false),
    /** Template variables: ids, codes and instants only. */
    data: jsonb("data").$type<Record<string, string | number | boolean>>(),
    readAt: timestamp("read_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("notifications_dedupe_idx").on(t.recipientId, t.patientId, t.seq, t.kind),
    uniqueIndex("notifications_event_idx").on(t.recipientId, t.eventId),
    index("notifications_pending_idx").on(t.status, t.createdAt),
    index("notifications_inbox_idx").on(t.recipientId, t.readAt, t.createdAt),
  ],
);

/**
 * A care-team clinician's crisis-alert inbox, stored in the PATIENT's region: one row per
 * (clinician, patient, seq), ids and severity only, kept until the clinician acknowledges it
 * (who and when). Live pushes to the clinician's room are a convenience; this row is the record.
 */
export const careAlerts = pgTable(
  "care_alerts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clinicianId: uuid("clinician_id").notNull(),
    patientId: uuid("patient_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The room seq of the message (chat) or minus the screener seq (screeners). */
    seq: integer("seq").notNull(),
    severity: text("severity").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    acknowledgedAt: timestamp("acknowledged_at", { withTimezone: true }),
    acknowledgedBy: uuid("acknowledged_by"),
  },
  (t) => [
    uniqueIndex("care_alerts_dedupe_idx").on(t.clinicianId, t.patientId, t.seq),
    index("care_alerts_inbox_idx").on(t.clinicianId, t.acknowledgedAt),
  ],
);
