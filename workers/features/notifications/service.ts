import type { z } from "@hono/zod-openapi";
import { auditInsert } from "../../lib/audit";
import {
  DEAD_LETTER_LIST,
  DEAD_LETTER_RESOLVE,
  type DeadLetterRow,
  deadLetterQuery,
  deadLettersQuery,
  deliveriesOf,
  inboxQuery,
  markReadWrites,
  NOTIFICATION_LIST,
  NOTIFICATION_READ,
  type NotificationRow,
  resolveDeadLetter,
  reviveDelivery,
} from "../../lib/care-data/notifications";
import {
  addPushSubscription,
  deleteSchedule,
  removePushSubscription,
  schedulesOf,
  setPreferences,
  upsertSettings,
} from "../../lib/care-data/notify-settings";
import { careData } from "../../lib/care-data/repository";
import { AppError } from "../../lib/errors";
import { DomainEvent, EVENT_TYPES, type EventType } from "../../lib/events";
import type { Principal } from "../../lib/principal";
import type { Scope } from "../../lib/scope";
import { userCipher } from "../../lib/user-cipher";
import { REGIONS, type Region } from "../../lib/vocabulary";
import { POLICY } from "./catalog";
import { countUnread, eventTypeOf } from "./consumer";
import { scheduleReminder } from "./cron";
import { DEV_PUSH_ORIGIN } from "./providers";
import { enqueue } from "./queue";
import { appOrigin, loadRecipient, type Recipient } from "./recipient";
import { formatLocal, refusesCriticalOptOut } from "./rules";
import type * as s from "./schema";
import { opsVars, render, type TemplateVars } from "./templates";

function me(scope: Scope): Principal {
  if (!scope.principal) throw new AppError("unauthorized", "Sign in to continue");
  return scope.principal;
}

async function self(scope: Scope): Promise<Recipient> {
  const r = await loadRecipient(scope, me(scope).userId);
  if (!r) throw new AppError("not_found", "No such account");
  return r;
}

function toOut(n: NotificationRow, r: Recipient, origin: string) {
  const type = eventTypeOf(n);
  const vars: TemplateVars = { link: new URL(POLICY[type].link, origin).toString() };
  if (typeof n.data?.startsAt === "string")
    vars.when = formatLocal(new Date(n.data.startsAt), r.timeZone, r.locale);
  Object.assign(vars, opsVars(n.data));
  const t = render(type, r.locale, vars);
  return {
    id: n.id,
    eventType: type,
    title: t.title,
    text: t.text.split("\n\n")[0] ?? t.title,
    critical: n.critical,
    patientId: n.patientId,
    readAt: n.readAt?.toISOString() ?? null,
    createdAt: n.createdAt.toISOString(),
  };
}

/** The inbox from every region (a notification lives in its patient's region), newest first, audited per region. */
export async function inbox(scope: Scope) {
  const r = await self(scope);
  const perRegion = await careData(scope).everyRegion(NOTIFICATION_LIST, (db, userId) => [
    inboxQuery(db, userId, 100),
  ]);
  const rows = perRegion
    .flatMap(([rows]) => rows)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
    .slice(0, 100);
  const origin = appOrigin(scope.config);
  return {
    unread: await countUnread(scope, r.userId),
    notifications: rows.filter((n) => EVENT_TYPES.includes(eventTypeOf(n))).map((n) => toOut(n, r, origin)),
  };
}

/**
 * Marks notifications read: only the caller's own (another person's id matches nothing), each
 * once. The unread count is counted from the rows afterwards, so concurrent marks cannot skew it.
 */
export async function markRead(scope: Scope, body: z.infer<typeof s.MarkRead>) {
  const p = me(scope);
  const ids = body.all ? ("all" as const) : (body.ids ?? []);
  const marked = await Promise.all(
    REGIONS.map(async (region) => {
      const db = scope.db(region);
      const [rows] = await db.batch([
        markReadWrites(db, p.userId, ids),
        auditInsert(db, scope, { ...NOTIFICATION_READ, outcome: "success" }),
      ]);
      return rows.length;
    }),
  );
  return { unread: await countUnread(scope, p.userId), marked: marked.reduce((a, b) => a + b, 0) };
}

/** Delivery tracking of one of the caller's notifications. */
export async function deliveries(scope: Scope, id: string) {
  const p = me(scope);
  for (const region of REGIONS) {
    const [own] = await inboxQuery(scope.db(region), p.userId, 500).then((rows) =>
      rows.filter((n) => n.id === id),
    );
    if (!own) continue;
    const rows = await deliveriesOf(scope.db(region), id);
    return {
      deliveries: rows.map((d) => ({
        channel: d.channel,
        status: d.status,
        attempts: d.attempts,
        lastError: d.lastError,
        updatedAt: d.updatedAt.toISOString(),
      })),
    };
  }
  throw new AppError("not_found", "No such notification");
}

const toHhmm = (m: number | null) =>
  m === null ? null : `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
const fromHhmm = (v: string | null) => {
  if (v === null) return null;
  const [h, m] = v.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

export async function getSettings(scope: Scope) {
  const r = await self(scope);
  const q = r.quiet;
  return {
    timeZone: r.timeZone,
    locale: r.locale,
    quietStart: toHhmm(q.start),
    quietEnd: toHhmm(q.end),
    digestMinutes: r.digestMinutes,
    onCall: r.onCall,
    phone: await r.phone(),
  };
}

export async function updateSettings(scope: Scope, body: z.infer<typeof s.SettingsUpdate>) {
  const p = me(scope);
  const r = await self(scope);
  if (body.onCall !== undefined && p.role !== "clinician" && body.onCall)
    throw new AppError("validation_failed", "Only clinicians go on call", {
      errors: [{ path: "body.onCall", message: "Only clinicians go on call" }],
    });
  if ((body.quietStart === undefined) !== (body.quietEnd === undefined))
    throw new AppError("validation_failed", "Give both ends of quiet hours", {
      errors: [{ path: "body.quietEnd", message: "Give quietStart and quietEnd together" }],
    });
  let phoneEnc: string | null | undefined;
  if (body.phone !== undefined) {
    const [user] = await scope.db(p.region).query.users.findMany({
      where: (u, { eq }) => eq(u.id, p.userId),
      columns: { dataKeyWrapped: true },
    });
    const cipher = await userCipher(scope.config, p.userId, user?.dataKeyWrapped ?? null);
    if (!cipher) throw new AppError("conflict", "This account's data key is gone");
    phoneEnc = body.phone === null ? null : await cipher.encrypt("notify.phone", body.phone);
  }
  await upsertSettings(scope.db(p.region), {
    userId: p.userId,
    timeZone: body.timeZone ?? r.timeZone,
    locale: body.locale ?? r.locale,
    quietStart: body.quietStart !== undefined ? fromHhmm(body.quietStart) : r.quiet.start,
    quietEnd: body.quietEnd !== undefined ? fromHhmm(body.quietEnd) : r.quiet.end,
    digestMinutes: body.digestMinutes ?? r.digestMinutes,
    onCall: body.onCall ?? r.onCall,
    ...(phoneEnc !== undefined ? { phoneEnc } : {}),
  });
  return getSettings(scope);
}

/** The effective preference of every (event type, channel) this person can receive. */
export async function getPreferences(scope: Scope) {
  const r = await self(scope);
  const out: z.infer<typeof s.Preferences>["preferences"] = [];
  for (const type of EVENT_TYPES) {
    const policy = POLICY[type];
    for (const channel of policy.channels) {
      if (channel === "in_app") continue;
      const pref = r.prefs.find((x) => x.eventType === type && x.channel === channel);
      const locked = !policy.optional || refusesCriticalOptOut(r.role, r.onCall, type, false);
      out.push({
        eventType: type,
        channel,
        enabled: locked || (pref?.enabled ?? policy.defaults.includes(channel)),
        digest: pref?.digest ?? false,
        critical: policy.critical,
        locked,
      });
    }
  }
  return { preferences: out };
}

/**
 * Sets preferences. Refused (409) as a whole when any change would turn off a critical alert for a
 * clinician on call, or a security notice for anyone; digest is ignored for kinds that never digest.
 */
export async function updatePreferences(scope: Scope, body: z.infer<typeof s.PreferencesUpdate>) {
  const p = me(scope);
  const r = await self(scope);
  for (const pref of body.preferences) {
    const type = pref.eventType as EventType;
    if (!POLICY[type].channels.includes(pref.channel))
      throw new AppError("validation_failed", "That channel is not used for this kind", {
        errors: [{ path: "body.preferences", message: `${pref.channel} is not a channel of ${type}` }],
      });
    if (refusesCriticalOptOut(r.role, r.onCall, type, pref.enabled))
      throw new AppError("conflict", "Critical alerts cannot be turned off while you are on call");
    if (!POLICY[type].optional && !pref.enabled)
      throw new AppError("conflict", "Security notices cannot be turned off");
  }
  await setPreferences(
    scope.db(p.region),
    body.preferences.map((x) => ({
      userId: p.userId,
      eventType: x.eventType,
      channel: x.channel,
      enabled: x.enabled,
      digest: x.digest && POLICY[x.eventType as EventType].digestable,
    })),
  );
  return getPreferences(scope);
}

/** Push services a subscription may point at (the Worker POSTs there: no arbitrary URLs). */
const PUSH_HOSTS = [
  /^fcm\.googleapis\.com$/,
  /^updates\.push\.services\.mozilla\.com$/,
  /(^|\.)push\.services\.mozilla\.com$/,
  /(^|\.)notify\.windows\.com$/,
  /(^|\.)push\.apple\.com$/,
];

export async function subscribePush(scope: Scope, body: z.infer<typeof s.PushSubscriptionBody>) {
  const p = me(scope);
  const url = new URL(body.endpoint);
  const local = scope.config.ENVIRONMENT === "local" && url.origin === DEV_PUSH_ORIGIN;
  if (!local && !PUSH_HOSTS.some((h) => h.test(url.hostname)))
    throw new AppError("validation_failed", "Not a known push service", {
      errors: [{ path: "body.endpoint", message: "Not a known push service" }],
    });
  const [row] = await addPushSubscription(scope.db(p.region), {
    userId: p.userId,
    endpoint: body.endpoint,
    p256dh: body.keys.p256dh,
    auth: body.keys.auth,
  });
  if (!row) throw new AppError("conflict", "Could not save the subscription");
  return { id: row.id };
}

export async function unsubscribePush(scope: Scope, id: string) {
  const p = me(scope);
  const [gone] = await removePushSubscription(scope.db(p.region), p.userId, id);
  if (!gone) throw new AppError("not_found", "No such subscription");
}

export async function addDailyReminder(scope: Scope, body: z.infer<typeof s.ReminderBody>) {
  const p = me(scope);
  if (p.role !== "patient") throw new AppError("not_found", "No such resource");
  const row = await scheduleReminder(
    scope,
    p.region,
    p.userId,
    { kind: "daily", localTime: body.localTime, timeZone: body.timeZone },
    {
      type: "medication.reminder",
      v: 1,
      patientId: p.userId,
      region: p.region,
      scheduleId: crypto.randomUUID(),
    },
  );
  if (!row) throw new AppError("conflict", "Could not save the reminder");
  return reminderOut(row);
}

const reminderOut = (row: Awaited<ReturnType<typeof schedulesOf>>[number]) => ({
  id: row.id,
  kind: row.kind,
  eventType: String((row.event as { type?: unknown }).type ?? "unknown"),
  localTime: row.localTime,
  timeZone: row.timeZone,
  nextFireAt: row.nextFireAt?.toISOString() ?? null,
});

export async function listReminders(scope: Scope) {
  const p = me(scope);
  return { reminders: (await schedulesOf(scope.db(p.region), p.userId)).map(reminderOut) };
}

export async function removeReminder(scope: Scope, id: string) {
  const p = me(scope);
  const [gone] = await deleteSchedule(scope.db(p.region), p.userId, id);
  if (!gone) throw new AppError("not_found", "No such reminder");
}

// ---- admin: dead letters ---------------------------------------------------------------------------

const deadOut = (region: Region, d: DeadLetterRow) => ({
  id: d.id,
  region,
  queue: d.queue,
  deliveryId: d.deliveryId,
  eventType: d.eventType,
  channel: d.channel,
  errorCode: d.errorCode,
  attempts: d.attempts,
  status: d.status,
  body: (d.body ?? {}) as Record<string, unknown>,
  createdAt: d.createdAt.toISOString(),
  resolvedAt: d.resolvedAt?.toISOString() ?? null,
});

export async function listDeadLetters(scope: Scope, status: "open" | "retried" | "discarded") {
  const perRegion = await Promise.all(
    REGIONS.map(async (region) => {
      const db = scope.db(region);
      const [rows] = await db.batch([
        deadLettersQuery(db, status),
        auditInsert(db, scope, { ...DEAD_LETTER_LIST, outcome: "success" }),
      ]);
      return rows.map((d) => deadOut(region, d));
    }),
  );
  return { deadLetters: perRegion.flat().sort((a, b) => b.createdAt.localeCompare(a.createdAt)) };
}

async function findDeadLetter(scope: Scope, id: string) {
  for (const region of REGIONS) {
    const [row] = await deadLetterQuery(scope.db(region), id);
    if (row) return { region, row };
  }
  throw new AppError("not_found", "No such dead letter");
}

export async function getDeadLetter(scope: Scope, id: string) {
  const { region, row } = await findDeadLetter(scope, id);
  await auditInsert(scope.db(region), scope, { ...DEAD_LETTER_LIST, resourceId: id, outcome: "success" });
  return deadOut(region, row);
}

/**
 * Retries a dead letter: a delivery gets a fresh series of attempts (its idempotent claim still
 * guarantees one send), an event is published again (notifications are idempotent by event id).
 * Resolving is compare-and-set: two admins clicking at once retry it once (the second gets 409).
 */
export async function resolve(scope: Scope, id: string, action: "retried" | "discarded") {
  const admin = me(scope);
  const { region, row } = await findDeadLetter(scope, id);
  const db = scope.db(region);
  // An event dead letter is re-published BEFORE it is marked retried: events are idempotent by id,
  // so a send that then races a second retry costs nothing, while marking first and failing to
  // send would lose the event behind a "retried" status.
  if (action === "retried" && !row.deliveryId && row.status === "open") {
    const event = DomainEvent.safeParse(row.body);
    if (event.success) {
      try {
        await scope.env.EVENTS.send(event.data, { contentType: "json" });
      } catch (err) {
        scope.log.warn("retry_publish_failed", { id, error: (err as Error).name });
        throw new AppError(
          "service_unavailable",
          "The event queue is not answering right now. Try again in 5 s.",
          {
            headers: { "retry-after": "5" },
          },
        );
      }
    }
  }
  const [resolved] = await db.batch([
    resolveDeadLetter(db, id, action, admin.userId),
    auditInsert(db, scope, { ...DEAD_LETTER_RESOLVE, resourceId: id, outcome: "success" }),
  ]);
  const done = resolved[0];
  if (!done) throw new AppError("conflict", `This dead letter was already ${row.status}`);
  if (action === "retried") {
    if (row.deliveryId) {
      const [revived] = await reviveDelivery(db, row.deliveryId);
      // A failed send leaves the revived row queued: the minute sweep sends it (sweepStuckDeliveries).
      if (revived)
        await enqueue(scope.env, [{ deliveryId: revived.id, region }]).catch((err) =>
          scope.log.warn("retry_enqueue_failed", { deliveryId: revived.id, error: (err as Error).name }),
        );
    }
  }
  return deadOut(region, done);
}
