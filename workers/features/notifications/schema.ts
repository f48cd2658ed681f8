import { z } from "@hono/zod-openapi";
import { CHANNELS, DELIVERY_STATUSES } from "../../db/schema";
import { EVENT_TYPES } from "../../lib/events";
import { isTimeZone } from "./rules";
import { LOCALES } from "./templates";

const hhmm = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM, 24-hour")
  .openapi({ example: "22:00" });
const timeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, "an IANA time zone such as Europe/Berlin")
  .openapi({ example: "America/New_York" });

export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });

export const Notification = z
  .object({
    id: z.uuid(),
    eventType: z.enum(EVENT_TYPES),
    title: z.string().openapi({ description: "Fixed wording: never content" }),
    text: z.string(),
    critical: z.boolean(),
    patientId: z.uuid().nullable(),
    readAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("Notification");

export const Inbox = z
  .object({ unread: z.number().int(), notifications: z.array(Notification) })
  .openapi("NotificationInbox");

export const MarkRead = z
  .object({
    ids: z.array(z.uuid()).min(1).max(200).optional(),
    all: z.literal(true).optional(),
  })
  .refine((b) => (b.ids === undefined) !== (b.all === undefined), "give either ids or all: true")
  .openapi("MarkNotificationsRead");

export const Unread = z.object({ unread: z.number().int(), marked: z.number().int() }).openapi("UnreadCount");

export const Delivery = z
  .object({
    channel: z.enum(CHANNELS),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    lastError: z.string().nullable().openapi({ description: "An error code, never content" }),
    updatedAt: z.string(),
  })
  .openapi("NotificationDelivery");
export const Deliveries = z.object({ deliveries: z.array(Delivery) }).openapi("NotificationDeliveries");

export const Settings = z
  .object({
    timeZone,
    locale: z.enum(LOCALES),
    quietStart: hhmm.nullable(),
    quietEnd: hhmm.nullable(),
    digestMinutes: z.number().int().min(0).max(1440),
    onCall: z
      .boolean()
      .openapi({ description: "Clinicians: while on call, critical alerts cannot be turned off" }),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, "E.164, e.g. +14155550123")
      .nullable()
      .openapi({ description: "For SMS; stored encrypted" }),
  })
  .openapi("NotificationSettings");
export const SettingsUpdate = Settings.partial().openapi("NotificationSettingsUpdate");

export const Preference = z
  .object({
    eventType: z.enum(EVENT_TYPES),
    channel: z.enum(CHANNELS).exclude(["in_app"]),
    enabled: z.boolean(),
    digest: z.boolean().default(false),
  })
  .openapi("NotificationPreference");
export const Preferences = z
  .object({
    preferences: z.array(
      Preference.extend({
        critical: z.boolean(),
        locked: z
          .boolean()
          .openapi({ description: "Cannot be turned off now (security notice, or critical while on call)" }),
      }),
    ),
  })
  .openapi("NotificationPreferences");
export const PreferencesUpdate = z
  .object({ preferences: z.array(Preference).min(1).max(100) })
  .openapi("NotificationPreferencesUpdate");

export const PushSubscriptionBody = z
  .object({
    endpoint: z.string().url().max(1024).startsWith("https://"),
    keys: z.object({
      p256dh: z.string().regex(/^[A-Za-z0-9_-]{86,88}$/, "base64url P-256 point"),
      auth: z.string().regex(/^[A-Za-z0-9_-]{22,24}$/, "base64url 16 bytes"),
    }),
  })
  .openapi("PushSubscription");
export const PushSubscriptionCreated = z.object({ id: z.uuid() }).openapi("PushSubscriptionCreated");
export const VapidKey = z
  .object({
    publicKey: z.string().nullable().openapi({ description: "null when Web Push is not configured" }),
  })
  .openapi("VapidPublicKey");

export const ReminderBody = z.object({ localTime: hhmm, timeZone }).openapi("DailyReminder", {
  description: "A daily reminder at a local time in an IANA zone (DST-correct)",
});
export const Reminder = z
  .object({
    id: z.uuid(),
    kind: z.enum(["once", "daily"]),
    eventType: z.string(),
    localTime: z.string().nullable(),
    timeZone: z.string(),
    nextFireAt: z.string().nullable(),
  })
  .openapi("Reminder");
export const Reminders = z.object({ reminders: z.array(Reminder) }).openapi("Reminders");

export const DeadLetter = z
  .object({
    id: z.uuid(),
    region: z.enum(["us", "eu", "apac"]),
    queue: z.string(),
    deliveryId: z.uuid().nullable(),
    eventType: z.string().nullable(),
    channel: z.string().nullable(),
    errorCode: z.string(),
    attempts: z.number().int(),
    status: z.enum(["open", "retried", "discarded"]),
    body: z.record(z.string(), z.unknown()).openapi({ description: "The message: ids and codes only" }),
    createdAt: z.string(),
    resolvedAt: z.string().nullable(),
  })
  .openapi("DeadLetter");
export const DeadLetters = z.object({ deadLetters: z.array(DeadLetter) }).openapi("DeadLetters");
export const DeadLetterQuery = z.object({
  status: z.enum(["open", "retried", "discarded"]).default("open"),
});
