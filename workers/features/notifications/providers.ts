import { buildPushPayload, type VapidKeys } from "@block65/webcrypto-web-push";
import type { Channel } from "../../db/schema";
import type { Config } from "../../lib/config";
import { correlatedFetch } from "../../lib/correlation";
import type { Scope } from "../../lib/scope";
import { sendMail } from "../accounts/mail";
import { postDevEmailReceipt, postDevSmsReceipt, SMS_WEBHOOK_PATH } from "./dev-receipts";
import { appOrigin } from "./recipient";
import { classifyStatus, type ErrorClass } from "./rules";

/**
 * Channel providers behind one interface. Each has a production adapter speaking a real HTTP API
 * (Resend-compatible email, Twilio-compatible SMS, RFC 8030 Web Push with RFC 8291 encryption and
 * RFC 8292 VAPID) and a local counterpart that works offline (the dev mailbox, the dev SMS outbox,
 * the dev push service). Outcomes are classified for retries; error codes carry no content.
 */

export interface OutboundMessage {
  /** Email address, E.164 number, or push subscription (endpoint + keys). */
  to: string | PushTarget;
  title: string;
  preview: string;
  text: string;
  html: string;
  sms: string;
  /** Where the notification opens (push `data.url`). */
  url: string;
  /** The delivery id: the idempotency key providers that support one receive. */
  idempotencyKey: string;
  critical: boolean;
  /** The notification id (push `tag`, so a repeated push replaces rather than stacks). */
  tag: string;
}

export interface PushTarget {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export type SendResult =
  | {
      ok: true;
      providerMessageId: string | null;
      /** The service holds it for the device (a push service's 201), not just accepted. */
      delivered?: boolean;
      /** Local providers: posts the provider's delivery receipt once the send is recorded. */
      afterRecord?: () => Promise<void>;
    }
  | { ok: false; cls: ErrorClass; code: string; retryAfterSec?: number };

export interface Provider {
  send(msg: OutboundMessage): Promise<SendResult>;
}

export type Providers = Record<Exclude<Channel, "in_app">, Provider>;
export type Fetch = (input: Request | string, init?: RequestInit) => Promise<Response>;

const failure = (res: Response, prefix: string): SendResult => {
  const retryAfter = Number(res.headers.get("retry-after"));
  return {
    ok: false,
    cls: classifyStatus(res.status),
    code: `${prefix}_${res.status}`,
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSec: retryAfter } : {}),
  };
};

/** A thrown fetch (DNS, reset, timeout) is transient. */
async function attempt(prefix: string, run: () => Promise<SendResult>): Promise<SendResult> {
  try {
    return await run();
  } catch (err) {
    return {
      ok: false,
      cls: "transient",
      code: `${prefix}_${(err as Error).name === "TimeoutError" ? "timeout" : "network"}`,
    };
  }
}

const notConfigured = (channel: string): SendResult => ({
  ok: false,
  cls: "permanent",
  code: `${channel}_not_configured`,
});

// ---- email ---------------------------------------------------------------------------------------

/** Resend-compatible: `POST {EMAIL_API_URL}/emails`, Bearer key, `Idempotency-Key` header. */
export function httpEmail(config: Config, fetcher: Fetch): Provider {
  return {
    send: (msg) =>
      attempt("email", async () => {
        if (!config.EMAIL_API_URL || !config.EMAIL_API_KEY) return notConfigured("email");
        const res = await fetcher(`${config.EMAIL_API_URL.replace(/\/$/, "")}/emails`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${config.EMAIL_API_KEY}`,
            "content-type": "application/json",
            "idempotency-key": msg.idempotencyKey,
          },
          body: JSON.stringify({
            from: config.EMAIL_FROM,
            to: [msg.to],
            subject: msg.title,
            text: msg.text,
            html: msg.html,
          }),
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) return failure(res, "email");
        const body = (await res.json().catch(() => ({}))) as { id?: unknown };
        return { ok: true, providerMessageId: typeof body.id === "string" ? body.id : null };
      }),
  };
}

/** Local: the dev mailbox (/dev/mailbox). */
export function devEmail(scope: Scope): Provider {
  return {
    send: (msg) =>
      attempt("email", async () => {
        const to = String(msg.to);
        await sendMail(scope, { to, subject: msg.title, text: msg.text });
        const id = `devmail:${msg.idempotencyKey}`;
        return { ok: true, providerMessageId: id, afterRecord: () => postDevEmailReceipt(scope, id, to) };
      }),
  };
}

// ---- SMS -----------------------------------------------------------------------------------------

/** Twilio-compatible Messages API: form-encoded `To`, `From`, `Body`, HTTP Basic auth. */
export function httpSms(config: Config, fetcher: Fetch): Provider {
  return {
    send: (msg) =>
      attempt("sms", async () => {
        if (!config.SMS_API_URL || !config.SMS_ACCOUNT_SID || !config.SMS_AUTH_TOKEN || !config.SMS_FROM)
          return notConfigured("sms");
        const url = `${config.SMS_API_URL.replace(/\/$/, "")}/2010-04-01/Accounts/${encodeURIComponent(config.SMS_ACCOUNT_SID)}/Messages.json`;
        const res = await fetcher(url, {
          method: "POST",
          headers: {
            authorization: `Basic ${btoa(`${config.SMS_ACCOUNT_SID}:${config.SMS_AUTH_TOKEN}`)}`,
            "content-type": "application/x-www-form-urlencoded",
            "i-twilio-idempotency-token": msg.idempotencyKey,
          },
          // Twilio posts delivered / undelivered / failed to StatusCallback (webhooks.ts).
          body: new URLSearchParams({
            To: String(msg.to),
            From: config.SMS_FROM,
            Body: msg.sms,
            StatusCallback: new URL(SMS_WEBHOOK_PATH, appOrigin(config)).toString(),
          }).toString(),
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) return failure(res, "sms");
        const body = (await res.json().catch(() => ({}))) as { sid?: unknown };
        return { ok: true, providerMessageId: typeof body.sid === "string" ? body.sid : null };
      }),
  };
}

export const SMS_OUTBOX_KEY = "devsms:outbox";

/** Local: the dev SMS outbox (/dev/sms), newest first. */
export function devSms(scope: Scope): Provider {
  return {
    send: (msg) =>
      attempt("sms", async () => {
        const p = scope.redis().pipeline();
        p.lpush(SMS_OUTBOX_KEY, JSON.stringify({ to: msg.to, body: msg.sms, at: new Date().toISOString() }));
        p.ltrim(SMS_OUTBOX_KEY, 0, 99);
        await p.exec();
        // A Twilio-shaped Message SID (SM + 32 hex), so the status callback parses as Twilio's would.
        const sid = `SM${msg.idempotencyKey.replaceAll("-", "").slice(0, 32).padEnd(32, "0")}`;
        const to = String(msg.to);
        return { ok: true, providerMessageId: sid, afterRecord: () => postDevSmsReceipt(scope, sid, to) };
      }),
  };
}

// ---- Web Push --------------------------------------------------------------------------------------

/** The host of the local push service: subscriptions made in dev point here (see dev-push.ts). */
export const DEV_PUSH_ORIGIN = "https://push.haven.localhost";

/**
 * RFC 8030 delivery of an RFC 8291 (aes128gcm) payload with RFC 8292 VAPID auth. Critical alerts go
 * with `Urgency: high` and a day's TTL; others `normal` and an hour. 404/410 mean the subscription
 * is gone (the caller deletes it); 429/5xx are retried.
 */
export function webPush(config: Config, fetcher: Fetch): Provider {
  return {
    send: (msg) =>
      attempt("push", async () => {
        if (!config.VAPID_PUBLIC_KEY || !config.VAPID_PRIVATE_KEY) return notConfigured("push");
        if (typeof msg.to === "string") return { ok: false, cls: "permanent", code: "push_no_subscription" };
        const vapid: VapidKeys = {
          subject: config.VAPID_SUBJECT,
          publicKey: config.VAPID_PUBLIC_KEY,
          privateKey: config.VAPID_PRIVATE_KEY,
        };
        const payload = await buildPushPayload(
          {
            data: { title: msg.title, body: msg.preview, tag: msg.tag, url: msg.url, critical: msg.critical },
            options: { ttl: msg.critical ? 86_400 : 3_600, urgency: msg.critical ? "high" : "normal" },
          },
          { endpoint: msg.to.endpoint, expirationTime: null, keys: msg.to.keys },
          vapid,
        );
        const res = await fetcher(msg.to.endpoint, {
          method: "POST",
          headers: payload.headers,
          body: payload.body,
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) return failure(res, "push");
        return { ok: true, providerMessageId: res.headers.get("location"), delivered: res.status === 201 };
      }),
  };
}

/**
 * The providers of this environment. Locally email and SMS land in the dev mailbox and outbox;
 * push goes through the real Web Push code to the local push service (`localPush` handles requests
 * for {@link DEV_PUSH_ORIGIN} in-process; any other endpoint is fetched for real).
 */
export function providersFor(scope: Scope, opts: { fetch?: Fetch; localPush?: Fetch } = {}): Providers {
  // Every provider call carries the current request id (x-request-id; workers/lib/correlation.ts).
  const fetcher: Fetch = correlatedFetch(opts.fetch ?? ((input, init) => fetch(input, init)));
  const local = scope.config.ENVIRONMENT === "local";
  const pushFetch: Fetch =
    local && opts.localPush
      ? (input, init) =>
          String(typeof input === "string" ? input : input.url).startsWith(`${DEV_PUSH_ORIGIN}/`)
            ? (opts.localPush as Fetch)(input, init)
            : fetcher(input, init)
      : fetcher;
  return {
    email: local && !scope.config.EMAIL_API_URL ? devEmail(scope) : httpEmail(scope.config, fetcher),
    sms: local && !scope.config.SMS_API_URL ? devSms(scope) : httpSms(scope.config, fetcher),
    push: webPush(scope.config, pushFetch),
  };
}
