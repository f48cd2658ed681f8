import { bearer, jsonBody, ok, problem, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import * as s from "./schema";
import * as svc from "./service";

const tags = ["notifications"];

const r = {
  inbox: route({
    tags,
    security: bearer,
    middleware: [requireAuth()] as const,
    method: "get",
    path: "/me/notifications",
    summary: "Your in-app notifications from every region, newest first, with the unread count (audited)",
    responses: { 200: ok(s.Inbox, "Inbox") },
  }),
  read: route({
    tags,
    security: bearer,
    middleware: [requireAuth()] as const,
    method: "post",
    path: "/me/notifications/read",
    summary: "Mark some (ids) or all of your notifications read; returns the unread count",
    request: { body: jsonBody(s.MarkRead) },
    responses: { 200: ok(s.Unread, "Marked") },
  }),
  deliveries: route({
    tags,
    security: bearer,
    middleware: [requireAuth()] as const,
    method: "get",
    path: "/me/notifications/{id}/deliveries",
    summary: "Delivery tracking of one of your notifications: per channel status, attempts, last error code",
    request: { params: s.IdParam },
    problems: [404],
    responses: { 200: ok(s.Deliveries, "Deliveries") },
  }),
  settings: route({
    tags,
    security: bearer,
    middleware: [requireAuth()] as const,
    method: "get",
    path: "/me/notification-settings",
    summary: "Time zone, locale, quiet hours, digest window, on-call, SMS number",
    responses: { 200: ok(s.Settings, "Settings") },
  }),
  updateSettings: route({
    tags,
    security: bearer,
    middleware: [requireAuth()] as const,
    method: "patch",
    path: "/me/notification-settings",
    request: { body: jsonBody(s.SettingsUpdate) },
    problems: [409],
    responses: { 200: ok(s.Settings, "Updated") },
  }),
  prefs: route({
    tags,
    security: bearer,
    middleware: [requireAuth()] as const,
    method: "get",
    path: "/me/notification-preferences",
    summary: "Per event type and channel: on/off, digest, and whether it is locked (critical while on call)",
    responses: { 200: ok(s.Preferences, "Preferences") },
  }),
  updatePrefs: route({
    tags,
    security: bearer,
    middleware: [requireAuth()] as const,
    method: "put",
    path: "/me/notification-preferences",
    summary: "Set preferences (409 if it would turn off critical alerts while on call, or security notices)",
    request: { body: jsonBody(s.PreferencesUpdate) },
    problems: [409],
    responses: { 200: ok(s.Preferences, "Updated") },
  }),
  vapid: route({
    tags,
    security: bearer,
    middleware: [requireAuth()] as const,
    method: "get",
    path: "/notifications/vapid-public-key",
    summary: "The VAPID application server key for PushManager.subscribe",
    responses: { 200: ok(s.VapidKey, "Key") },
  }),
  subscribe: route({
    tags,
    security: bearer,
    middleware: [requireAuth()] as const,
    method: "post",
    path: "/me/push-subscriptions",
    summary: "Register this browser's Web Push subscription (a known push service only)",
    request: { body: jsonBody(s.PushSubscriptionBody) },
    problems: [409],
    responses: { 201: ok(s.PushSubscriptionCreated, "Subscribed") },
  }),
  unsubscribe: route({
    tags,
    security: bearer,
    middleware: [requireAuth()] as const,
    method: "delete",
    path: "/me/push-subscriptions/{id}",
    request: { params: s.IdParam },
    problems: [404],
    responses: { 204: { description: "Unsubscribed" } },
  }),
  reminders: route({
    tags,
    security: bearer,
    middleware: [requireAuth()] as const,
    method: "get",
    path: "/me/reminders",
    summary: "Your scheduled reminders",
    responses: { 200: ok(s.Reminders, "Reminders") },
  }),
  addReminder: route({
    tags,
    security: bearer,
    middleware: [requireAuth()] as const,
    method: "post",
    path: "/me/reminders",
    summary: "Patients: a daily reminder at a local time (stays at that local time across DST)",
    request: { body: jsonBody(s.ReminderBody) },
    problems: [404, 409],
    responses: { 201: ok(s.Reminder, "Scheduled") },
  }),
  removeReminder: route({
    tags,
    security: bearer,
    middleware: [requireAuth()] as const,
    method: "delete",
    path: "/me/reminders/{id}",
    request: { params: s.IdParam },
    problems: [404],
    responses: { 204: { description: "Removed" } },
  }),
  deadLetters: route({
    tags: ["admin"],
    security: bearer,
    middleware: [requireAuth("admin")] as const,
    method: "get",
    path: "/admin/notifications/dead-letters",
    summary: "Admin: notification dead letters from every region (ids and codes; audited)",
    request: { query: s.DeadLetterQuery },
    problems: [404],
    responses: { 200: ok(s.DeadLetters, "Dead letters"), 403: problem(403) },
  }),
  deadLetter: route({
    tags: ["admin"],
    security: bearer,
    middleware: [requireAuth("admin")] as const,
    method: "get",
    path: "/admin/notifications/dead-letters/{id}",
    summary: "Admin: inspect one dead letter",
    request: { params: s.IdParam },
    problems: [404],
    responses: { 200: ok(s.DeadLetter, "Dead letter"), 403: problem(403) },
  }),
  retry: route({
    tags: ["admin"],
    security: bearer,
    middleware: [requireAuth("admin")] as const,
    method: "post",
    path: "/admin/notifications/dead-letters/{id}/retry",
    summary: "Admin: retry a dead letter (a fresh series of attempts; still sent once)",
    request: { params: s.IdParam },
    problems: [404, 409],
    responses: { 200: ok(s.DeadLetter, "Retried"), 403: problem(403) },
  }),
  discard: route({
    tags: ["admin"],
    security: bearer,
    middleware: [requireAuth("admin")] as const,
    method: "post",
    path: "/admin/notifications/dead-letters/{id}/discard",
    summary: "Admin: discard a dead letter",
    request: { params: s.IdParam },
    problems: [404, 409],
    responses: { 200: ok(s.DeadLetter, "Discarded"), 403: problem(403) },
  }),
};

/** Notifications: the inbox, settings and preferences, push subscriptions, reminders, dead letters. */
export const notificationRoutes = createRouter()
  .openapi(r.inbox, async (c) => c.json(await svc.inbox(scopeOf(c)), 200))
  .openapi(r.read, async (c) => c.json(await svc.markRead(scopeOf(c), c.req.valid("json")), 200))
  .openapi(r.deliveries, async (c) => c.json(await svc.deliveries(scopeOf(c), c.req.valid("param").id), 200))
  .openapi(r.settings, async (c) => c.json(await svc.getSettings(scopeOf(c)), 200))
  .openapi(r.updateSettings, async (c) =>
    c.json(await svc.updateSettings(scopeOf(c), c.req.valid("json")), 200),
  )
  .openapi(r.prefs, async (c) => c.json(await svc.getPreferences(scopeOf(c)), 200))
  .openapi(r.updatePrefs, async (c) =>
    c.json(await svc.updatePreferences(scopeOf(c), c.req.valid("json")), 200),
  )
  .openapi(r.vapid, async (c) => c.json({ publicKey: scopeOf(c).config.VAPID_PUBLIC_KEY ?? null }, 200))
  .openapi(r.subscribe, async (c) => c.json(await svc.subscribePush(scopeOf(c), c.req.valid("json")), 201))
  .openapi(r.unsubscribe, async (c) => {
    await svc.unsubscribePush(scopeOf(c), c.req.valid("param").id);
    return c.body(null, 204);
  })
  .openapi(r.reminders, async (c) => c.json(await svc.listReminders(scopeOf(c)), 200))
  .openapi(r.addReminder, async (c) =>
    c.json(await svc.addDailyReminder(scopeOf(c), c.req.valid("json")), 201),
  )
  .openapi(r.removeReminder, async (c) => {
    await svc.removeReminder(scopeOf(c), c.req.valid("param").id);
    return c.body(null, 204);
  })
  .openapi(r.deadLetters, async (c) =>
    c.json(await svc.listDeadLetters(scopeOf(c), c.req.valid("query").status), 200),
  )
  .openapi(r.deadLetter, async (c) =>
    c.json(await svc.getDeadLetter(scopeOf(c), c.req.valid("param").id), 200),
  )
  .openapi(r.retry, async (c) =>
    c.json(await svc.resolve(scopeOf(c), c.req.valid("param").id, "retried"), 200),
  )
  .openapi(r.discard, async (c) =>
    c.json(await svc.resolve(scopeOf(c), c.req.valid("param").id, "discarded"), 200),
  );
