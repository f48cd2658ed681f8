import type { Channel } from "../../db/schema";
import {
  addDelivery,
  claimDelivery,
  type DeliveryRow,
  deliveriesOf,
  deliveryQuery,
  finishDelivery,
  insertDeadLetter,
  type NotificationRow,
} from "../../lib/care-data/notifications";
import { dropPushEndpoint } from "../../lib/care-data/notify-settings";
import { inc, observe } from "../../lib/metrics/recorder";
import type { Scope } from "../../lib/scope";
import type { Region } from "../../lib/vocabulary";
import { POLICY } from "./catalog";
import { type DeliveryMessage, eventTypeOf } from "./consumer";
import type { OutboundMessage, Providers, SendResult } from "./providers";
import { appOrigin, loadRecipient, type Recipient } from "./recipient";
import { backoffSeconds, formatLocal, planChannels, RETRY } from "./rules";
import { opsVars, render, type TemplateVars } from "./templates";

/**
 * One delivery attempt, as the deliveries queue consumer runs it:
 *  1. claim the delivery (a sent one is never claimed again: a redelivered message sends nothing);
 *  2. render the template for the recipient's locale and send through the channel's provider;
 *  3. on success record `sent`; on a transient or rate-limit error put it back and ask the queue to
 *     retry after exponential backoff with jitter; after the last attempt, or on a permanent error,
 *     record the failure, keep a dead letter an admin can retry, and fail over to the next channel
 *     the person allows.
 */
export type AttemptOutcome =
  | { kind: "skipped" }
  | { kind: "sent" }
  | { kind: "retry"; delaySeconds: number }
  | { kind: "failed"; failover: DeliveryMessage | null; deadLetter: boolean };

export async function attemptDelivery(
  scope: Scope,
  msg: DeliveryMessage,
  providers: Providers,
  random: () => number = Math.random,
): Promise<AttemptOutcome> {
  const db = scope.db(msg.region);
  const [claimed] = await claimDelivery(db, msg.deliveryId);
  if (!claimed) return { kind: "skipped" };
  const [row] = await deliveryQuery(db, msg.deliveryId);
  if (!row) return { kind: "skipped" };
  const { notification } = row;
  const recipient = await loadRecipient(scope, claimed.recipientId);
  const result: SendResult = recipient
    ? await send(scope, claimed, notification, recipient, providers)
    : { ok: false, cls: "permanent", code: "recipient_gone" };
  if (result.ok) {
    // A push service's 201 means it holds the message for the device (RFC 8030 §5): delivered to
    // the push service. Email and SMS stay `sent` until the provider's receipt (webhooks.ts).
    const status = result.delivered ? "delivered" : "sent";
    await finishDelivery(db, claimed.id, status, {
      providerMessageId: result.providerMessageId,
      lastError: null,
    });
    inc("notifications_total", { channel: claimed.channel, outcome: status });
    const age = Math.max(0, (Date.now() - claimed.createdAt.getTime()) / 1000);
    observe("notification_delivery_seconds", { channel: claimed.channel, stage: status }, age);
    // The local providers post their delivery receipt once the send is on record.
    if (result.afterRecord)
      await result
        .afterRecord()
        .catch((err) =>
          scope.log.warn("dev_receipt_failed", { deliveryId: claimed.id, error: (err as Error).name }),
        );
    return { kind: "sent" };
  }
  if (result.cls === "transient" || result.cls === "rate_limited") {
    const { maxAttempts } = RETRY[result.cls];
    if (claimed.attempts < maxAttempts) {
      const delaySeconds = backoffSeconds(result.cls, claimed.attempts, random(), result.retryAfterSec);
      // `releaseAt`: when the queue brings it back; the stuck-delivery sweep leaves it until then.
      await finishDelivery(db, claimed.id, "queued", {
        lastError: result.code,
        releaseAt: new Date(Date.now() + delaySeconds * 1000),
      });
      return { kind: "retry", delaySeconds };
    }
  }
  const dead = result.cls !== "gone";
  await finishDelivery(db, claimed.id, dead ? "dead" : "failed", { lastError: result.code });
  inc("notifications_total", { channel: claimed.channel, outcome: dead ? "dead_lettered" : "failed" });
  if (dead) {
    await insertDeadLetter(db, {
      messageId: `delivery:${claimed.id}:${crypto.randomUUID()}`,
      queue: "haven-deliveries",
      deliveryId: claimed.id,
      eventType: eventTypeOf(notification),
      channel: claimed.channel,
      errorCode: result.code,
      attempts: claimed.attempts,
      body: { deliveryId: claimed.id, region: msg.region },
    });
  }
  scope.log.warn("delivery_failed", {
    deliveryId: claimed.id,
    channel: claimed.channel,
    code: result.code,
    attempts: claimed.attempts,
  });
  const failover = recipient
    ? await failOver(scope, msg.region, notification, claimed.channel, recipient)
    : null;
  return { kind: "failed", failover, deadLetter: dead };
}

/** Plans the next channel after `failed` that the person allows and that has not been tried. */
export async function failOver(
  scope: Scope,
  region: Region,
  n: NotificationRow,
  failed: Channel,
  recipient: Recipient,
): Promise<DeliveryMessage | null> {
  const db = scope.db(region);
  const type = eventTypeOf(n);
  const plan = planChannels({
    type,
    critical: n.critical,
    role: recipient.role,
    onCall: recipient.onCall,
    prefs: recipient.prefs,
    reachable: recipient.reachable,
    quiet: recipient.quiet,
    digestMinutes: 0,
    now: new Date(),
  });
  const tried = new Set((await deliveriesOf(db, n.id)).map((d) => d.channel));
  const order = POLICY[type].channels;
  const next = plan.channels.find((c) => !tried.has(c) && order.indexOf(c) > order.indexOf(failed));
  if (!next) {
    scope.log.error("delivery_exhausted", { notificationId: n.id, critical: n.critical });
    return null;
  }
  const [added] = await addDelivery(db, {
    notificationId: n.id,
    recipientId: n.recipientId,
    channel: next,
    status: "queued",
  });
  return added ? { deliveryId: added.id, region } : null;
}

/** Renders and sends one delivery; push goes to every subscription of the person (any success counts). */
async function send(
  scope: Scope,
  d: DeliveryRow,
  n: NotificationRow,
  recipient: Recipient,
  providers: Providers,
): Promise<SendResult> {
  const type = eventTypeOf(n);
  const link = new URL(POLICY[type].link, appOrigin(scope.config)).toString();
  const vars: TemplateVars = { link };
  const startsAt = n.data?.startsAt;
  if (typeof startsAt === "string")
    vars.when = formatLocal(new Date(startsAt), recipient.timeZone, recipient.locale);
  Object.assign(vars, opsVars(n.data));
  const r = render(type, recipient.locale, vars);
  const base: Omit<OutboundMessage, "to"> = {
    title: r.title,
    preview: r.preview,
    text: r.text,
    html: r.html,
    sms: r.sms,
    url: link,
    idempotencyKey: d.id,
    critical: n.critical,
    tag: n.id,
  };
  switch (d.channel) {
    case "email": {
      const to = await recipient.email();
      return to
        ? providers.email.send({ ...base, to })
        : { ok: false, cls: "permanent", code: "email_unavailable" };
    }
    case "sms": {
      const to = await recipient.phone();
      return to
        ? providers.sms.send({ ...base, to })
        : { ok: false, cls: "permanent", code: "sms_no_number" };
    }
    case "push": {
      if (recipient.push.length === 0) return { ok: false, cls: "gone", code: "push_no_subscription" };
      const results = await Promise.all(
        recipient.push.map(async (s) => {
          const res = await providers.push.send({
            ...base,
            to: { endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } },
          });
          if (!res.ok && res.cls === "gone") await dropPushEndpoint(scope.db(recipient.region), s.endpoint);
          return res;
        }),
      );
      const ok = results.find((x) => x.ok);
      if (ok) return ok;
      // The most retryable failure decides: one transient endpoint is worth retrying.
      const rank = { transient: 0, rate_limited: 1, permanent: 2, gone: 3 } as const;
      return results.sort((a, b) => (a.ok || b.ok ? 0 : rank[a.cls] - rank[b.cls]))[0] as SendResult;
    }
    case "in_app":
      return { ok: true, providerMessageId: null };
  }
}
