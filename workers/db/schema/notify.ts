import { sql } from "drizzle-orm";
import {
  boolean,
  check,
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
import { notifications } from "./chat";
import { users } from "./users";

export const CHANNELS = ["in_app", "push", "sms", "email"] as const;
export type Channel = (typeof CHANNELS)[number];

export const DELIVERY_STATUSES = [
  "queued",
  "sending",
  "sent",
  "delivered",
  "failed",
  "bounced",
  "held",
  "digested",
  "skipped",
  "dead",
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One channel's delivery of one notification, in the notification's region: queued → sending →
 * sent → delivered / failed / bounced (where the provider reports it), `held` for quiet hours or a
 * digest, `dead` after the last attempt (a dead letter an admin may retry). Attempts and the last
 * error CODE only; (notification, channel) is unique, so a redelivered queue message sends once.
 */
export const notificationDeliveries = pgTable(
  "notification_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    notificationId: uuid("notification_id")
      .notNull()
      .references(() => notifications.id, { onDelete: "cascade" }),
    recipientId: uuid("recipient_id").notNull(),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    providerMessageId: text("provider_message_id"),
    /** Held for a digest (folded into one email at `releaseAt`) rather than for quiet hours. */
    digest: boolean("digest").notNull().default(false),
    /**
     * Held deliveries (quiet hours, digest) go out at this instant; a queued one put back for a
     * retry is due back from the queue then (the stuck-delivery sweep waits for it).
     */
    releaseAt: timestamp("release_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("notification_deliveries_once_idx").on(t.notificationId, t.channel),
    index("notification_deliveries_status_idx").on(t.status, t.releaseAt),
    // Provider receipts (delivered / bounced / failed webhooks) find their delivery by this id.
    index("notification_deliveries_provider_idx").on(t.channel, t.providerMessageId),
    check("notification_deliveries_attempts_check", sql`${t.attempts} >= 0`),
  ],
);

/**
 * Dead letters: queue messages that exhausted their attempts, kept for an admin to inspect (ids
 * and codes), retry or discard. In the region of the notification the message was about.
 */
export const notificationDeadLetters = pgTable(
  "notification_dead_letters",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The queue message id (one row per message, so a redelivered dead letter is kept once). */
    messageId: text("message_id").notNull().unique(),
    queue: text("queue").notNull(),
    deliveryId: uuid("delivery_id"),
    eventType: text("event_type"),
    channel: text("channel"),
    errorCode: text("error_code").notNull(),
    attempts: integer("attempts").notNull(),
    /** The message body: ids and codes only (validated before it is stored). */
    body: jsonb("body").notNull(),
    status: text("status", { enum: ["open", "retried", "discarded"] })
      .notNull()
      .default("open"),
    resolvedBy: uuid("resolved_by"),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("notification_dead_letters_open_idx").on(t.status, t.createdAt)],
);

/** Per user, event type and channel: on or off (absent = the event type's default). */
export const notificationPreferences = pgTable(
  "notification_preferences",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    eventType: text("event_type").notNull(),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    enabled: boolean("enabled").notNull(),
    /** Batch this kind into a digest instead of sending each one (non-critical only). */
    digest: boolean("digest").notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.userId, t.eventType, t.channel] })],
);

/**
 * A user's notification settings, in the user's region: IANA time zone, quiet hours (minutes after
 * local midnight; start > end spans midnight), locale, digest window, on-call (clinicians), and
 * the SMS number as ciphertext under the user's data key (field "notify.phone").
 */
export const notificationSettings = pgTable("notification_settings", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  timeZone: text("time_zone").notNull().default("UTC"),
  locale: text("locale").notNull().default("en"),
  quietStart: integer("quiet_start"),
  quietEnd: integer("quiet_end"),
  digestMinutes: integer("digest_minutes").notNull().default(60),
  onCall: boolean("on_call").notNull().default(false),
  phoneEnc: text("phone_enc"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Web Push subscriptions (RFC 8030 endpoint + RFC 8291 keys), in the user's region. */
export const pushSubscriptions = pgTable(
  "push_subscriptions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    endpoint: text("endpoint").notNull().unique(),
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("push_subscriptions_user_idx").on(t.userId)],
);

/**
 * Scheduled reminders, in the user's region: once at an instant (`kind` once) or daily at a local
 * wall-clock time in an IANA zone (`daily`), so 09:00 stays 09:00 across DST. `event` is the domain
 * event to publish (ids and codes only); `nextFireAt` is recomputed in the zone after each firing.
 */
export const notificationSchedules = pgTable(
  "notification_schedules",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["once", "daily"] }).notNull(),
    /** "HH:MM" local time for daily schedules. */
    localTime: text("local_time"),
    timeZone: text("time_zone").notNull(),
    event: jsonb("event").notNull(),
    nextFireAt: timestamp("next_fire_at", { withTimezone: true }),
    lastFiredAt: timestamp("last_fired_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("notification_schedules_due_idx").on(t.nextFireAt)],
);
