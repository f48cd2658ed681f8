import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notificationDeliveries, pushSubscriptions } from "../workers/db/schema";
import { type DeliveryMessage, materialize } from "../workers/features/notifications/consumer";
import { DEV_PUSH_ORIGIN, type Providers, providersFor } from "../workers/features/notifications/providers";
import { handleDeliveries } from "../workers/features/notifications/queue";
import {
  DEV_EMAIL_WEBHOOK_SECRET,
  DEV_SMS_AUTH_TOKEN,
  svixSign,
  svixVerify,
  twilioSign,
  twilioVerify,
} from "../workers/features/notifications/webhook-auth";
import { makeEvent } from "../workers/lib/events";
import { connect } from "./chat-helpers";
import { createUser, type TestUser } from "./fixtures";
import { call, problem } from "./helpers";
import {
  db,
  deliveriesFor,
  delivery,
  fakeProviders,
  jobScope,
  notificationsOf,
  pushSub,
} from "./notify-helpers";

const EMAIL_URL = "/v1/notifications/webhooks/email";
const SMS_URL = "/v1/notifications/webhooks/sms";

const batchOf = (msg: DeliveryMessage) =>
  createMessageBatch<unknown>("haven-deliveries", [
    { id: crypto.randomUUID(), timestamp: Date.now(), attempts: 1, body: msg },
  ]);

/** Sends one delivery through the real consumer with `providers`; returns the delivery row. */
async function deliver(msg: DeliveryMessage, providers?: (scope: ReturnType<typeof jobScope>) => Providers) {
  const batch = batchOf(msg);
  await handleDeliveries(batch, env, providers);
  expect((await getQueueResult(batch, createExecutionContext())).explicitAcks.length).toBe(1);
  return delivery(msg.deliveryId);
}

/** A sign-in notice for `u` (email channel), sent with a provider answering `providerMessageId`. */
async function sentEmail(u: TestUser, providerMessageId: string) {
  const [msg] = await materialize(
    jobScope(),
    makeEvent({ type: "security.sign_in", v: 1, region: "us", userId: u.id, sessionId: crypto.randomUUID() }),
  );
  const fake = fakeProviders(() => ({ ok: true, providerMessageId }));
  const row = await deliver(msg as DeliveryMessage, () => fake.providers);
  expect(row).toMatchObject({ channel: "email", status: "sent", providerMessageId });
  return row;
}

async function emailHook(
  event: unknown,
  opts: { secret?: string; ts?: number; signature?: string; raw?: string; ip?: string } = {},
) {
  const body = opts.raw ?? JSON.stringify(event);
  const id = `msg_${crypto.randomUUID().replaceAll("-", "")}`;
  const ts = opts.ts ?? Math.floor(Date.now() / 1000);
  const signature = opts.signature ?? (await svixSign(opts.secret ?? DEV_EMAIL_WEBHOOK_SECRET, id, ts, body));
  return call(EMAIL_URL, {
    method: "POST",
    ...(opts.ip ? { ip: opts.ip } : {}),
    headers: {
      "content-type": "application/json",
      "svix-id": id,
      "svix-timestamp": String(ts),
      "svix-signature": signature,
    },
    body,
  });
}

async function smsHook(fields: Record<string, string>, token = DEV_SMS_AUTH_TOKEN) {
  const form = new URLSearchParams(fields);
  return call(SMS_URL, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": await twilioSign(token, `http://haven.test${SMS_URL}`, form),
    },
    body: form.toString(),
  });
}

/** One series of the scrape (pending deltas of this isolate merged with the hub). */
async function counter(channel: string, outcome: string): Promise<number> {
  const token = (env as unknown as { METRICS_TOKEN: string }).METRICS_TOKEN;
  const text = await (await call("/metrics", { headers: { authorization: `Bearer ${token}` } })).text();
  const m = new RegExp(
    `^notifications_total\\{channel="${channel}",outcome="${outcome}"\\} (\\S+)$`,
    "m",
  ).exec(text);
  return m ? Number(m[1]) : 0;
}

const json = (method: string, body: unknown, user: TestUser) => ({
  method,
  headers: { ...user.auth, "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** A sign-in notice of `u` whose planned delivery is moved onto `channel` (queued, or sent as `sentAs`). */
async function onChannel(u: TestUser, channel: "sms" | "push", sentAs?: string): Promise<DeliveryMessage> {
  const [msg] = await materialize(
    jobScope(),
    makeEvent({ type: "security.sign_in", v: 1, region: "us", userId: u.id, sessionId: crypto.randomUUID() }),
  );
  const m = msg as DeliveryMessage;
  await db()
    .update(notificationDeliveries)
    .set(sentAs ? { channel, status: "sent", providerMessageId: sentAs } : { channel })
    .where(eq(notificationDeliveries.id, m.deliveryId));
  return m;
}

describe("signatures, checked against the providers' published examples", () => {
  it("Twilio: HMAC-SHA1 over the URL and the sorted form (twilio docs example)", async () => {
    const url = "https://mycompany.com/myapp.php?foo=1&bar=2";
    const params = new URLSearchParams({
      CallSid: "CA1234567890ABCDE",
      Caller: "+12349013030",
      Digits: "1234",
      From: "+12349013030",
      To: "+18005551212",
    });
    expect(await twilioSign("12345", url, params)).toBe("0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
    expect(await twilioVerify("12345", "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", url, params)).toBe(true);
    params.set("Digits", "1235");
    expect(await twilioVerify("12345", "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", url, params)).toBe(false);
  });

  it("Svix (Resend): HMAC-SHA256 over id.timestamp.body, within five minutes (svix docs example)", async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const body = '{"test": 2432232314}';
    const headers = {
      id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
      timestamp: "1614265330",
      signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    };
    expect(await svixSign(secret, headers.id, 1614265330, body)).toBe(headers.signature);
    expect(await svixVerify(secret, headers, body, 1614265330 + 60)).toBe(true);
    // Several signatures (key rotation): any one verifies.
    expect(
      await svixVerify(secret, { ...headers, signature: `v1,AAAA ${headers.signature}` }, body, 1614265330),
    ).toBe(true);
    expect(await svixVerify(secret, headers, body, 1614265330 + 301)).toBe(false);
    expect(await svixVerify(secret, headers, `${body} `, 1614265330)).toBe(false);
  });
});

describe("email delivery receipts (Resend-format webhook)", () => {
  it("move a sent email to delivered once; a redelivered receipt changes nothing", async () => {
    const u = await createUser("patient");
    const id = `re_${crypto.randomUUID()}`;
    const row = await sentEmail(u, id);
    const before = await counter("email", "delivered");
    const event = { type: "email.delivered", created_at: new Date().toISOString(), data: { email_id: id } };
    const first = await emailHook(event);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ result: "applied" });
    expect((await delivery(row.id)).status).toBe("delivered");
    const again = await emailHook(event);
    expect(await again.json()).toEqual({ result: "unchanged" });
    expect((await counter("email", "delivered")) - before).toBeGreaterThanOrEqual(1);
    // A late `email.sent` never moves it back.
    expect(await (await emailHook({ type: "email.sent", data: { email_id: id } })).json()).toEqual({
      result: "unchanged",
    });
    expect((await delivery(row.id)).status).toBe("delivered");
    // Opens and clicks change nothing.
    expect(await (await emailHook({ type: "email.opened", data: { email_id: id } })).json()).toEqual({
      result: "ignored",
    });
  });

  it("a bounce records a code (no provider text) and fails over to the next channel the person allows", async () => {
    const p = await createUser("patient");
    const c = await createUser("clinician");
    await pushSub(p, `${DEV_PUSH_ORIGIN}/sub/${crypto.randomUUID()}`);
    const event = makeEvent({
      type: "booking.cancelled",
      v: 1,
      region: "us",
      bookingId: crypto.randomUUID(),
      patientId: p.id,
      clinicianId: c.id,
      startsAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const msgs = await materialize(jobScope(), event);
    const rows = await Promise.all(msgs.map((m) => delivery(m.deliveryId)));
    const mine = rows.find((r) => r.recipientId === p.id);
    // Email first for a cancellation (push is the next channel in its failover order).
    expect(mine?.channel).toBe("email");
    const id = `re_${crypto.randomUUID()}`;
    const fake = fakeProviders(() => ({ ok: true, providerMessageId: id }));
    await deliver({ deliveryId: mine?.id ?? "", region: "us" }, () => fake.providers);
    const res = await emailHook({
      type: "email.bounced",
      data: {
        email_id: id,
        to: ["patient@example.test"],
        bounce: { type: "Permanent", subType: "Suppressed", message: "patient@example.test is suppressed" },
      },
    });
    expect(res.status).toBe(200);
    const bounced = await delivery(mine?.id ?? "");
    expect(bounced).toMatchObject({ status: "bounced", lastError: "email_bounce_permanent" });
    expect(JSON.stringify(bounced)).not.toContain("example.test");
    const push = (await deliveriesFor(bounced.notificationId)).find((d) => d.channel === "push");
    expect(push).toBeDefined();
    // Redelivered, the bounce plans nothing more.
    await emailHook({ type: "email.bounced", data: { email_id: id, bounce: { type: "Permanent" } } });
    expect((await deliveriesFor(bounced.notificationId)).filter((d) => d.channel === "push").length).toBe(1);
  });

  it("refuse what is not signed (401), signed garbage (400/422) and unknown ids (404), as problem+json", async () => {
    const event = { type: "email.delivered", data: { email_id: "re_unknown" } };
    const wrongKey = await emailHook(event, { secret: `whsec_${btoa("another secret entirely!")}` });
    expect(wrongKey.status).toBe(401);
    expect((await problem(wrongKey)).code).toBe("unauthorized");
    const stale = await emailHook(event, { ts: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(401);
    const unsigned = await call(EMAIL_URL, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(event),
    });
    expect(unsigned.status).toBe(401);
    await problem(unsigned);
    const notJson = await emailHook(null, { raw: "{not json" });
    expect(notJson.status).toBe(400);
    await problem(notJson);
    const badShape = await emailHook({ type: "email.delivered", data: { email_id: "has spaces <x>" } });
    expect(badShape.status).toBe(422);
    const body = await problem(badShape);
    expect(JSON.stringify(body)).not.toContain("has spaces");
    const unknown = await emailHook(event);
    expect(unknown.status).toBe(404);
    await problem(unknown);
  });

  it("an address sending unsigned requests past the limiter gets 429; signed receipts are not counted", async () => {
    const ip = "203.0.113.77";
    const unsigned = () =>
      call(EMAIL_URL, { method: "POST", ip, headers: { "content-type": "application/json" }, body: "{}" });
    const statuses: number[] = [];
    for (let i = 0; i < 105; i++) statuses.push((await unsigned()).status);
    expect(statuses.slice(0, 100).every((s) => s === 401)).toBe(true);
    const limited = await unsigned();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect((await problem(limited)).code).toBe("rate_limited");
    // A signed receipt from the same address is still answered (404: no such email id).
    const signed = await emailHook({ type: "email.delivered", data: { email_id: "re_none" } }, { ip });
    expect(signed.status).toBe(404);
  });
});

describe("SMS status callbacks (Twilio format)", () => {
  it("delivered and undelivered map onto the delivery; bad signatures are 401", async () => {
    const u = await createUser("patient");
    const sid = `SM${crypto.randomUUID().replaceAll("-", "")}`;
    const msg = await onChannel(u, "sms", sid);
    const forged = await smsHook({ MessageSid: sid, MessageStatus: "delivered" }, "not the auth token");
    expect(forged.status).toBe(401);
    expect((await problem(forged)).code).toBe("unauthorized");
    const unsigned = await call(SMS_URL, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `MessageSid=${sid}&MessageStatus=delivered`,
    });
    expect(unsigned.status).toBe(401);
    expect((await delivery((msg as DeliveryMessage).deliveryId)).status).toBe("sent");
    const sent = await smsHook({ MessageSid: sid, MessageStatus: "sent" });
    expect(await sent.json()).toEqual({ result: "unchanged" });
    const ok = await smsHook({ MessageSid: sid, MessageStatus: "delivered", To: "+14155550100" });
    expect(await ok.json()).toEqual({ result: "applied" });
    expect((await delivery((msg as DeliveryMessage).deliveryId)).status).toBe("delivered");
    expect(await (await smsHook({ MessageSid: sid, MessageStatus: "delivered" })).json()).toEqual({
      result: "unchanged",
    });
    const failed = await smsHook({ MessageSid: sid, MessageStatus: "undelivered", ErrorCode: "30003" });
    expect(await failed.json()).toEqual({ result: "applied" });
    expect(await delivery((msg as DeliveryMessage).deliveryId)).toMatchObject({
      status: "failed",
      lastError: "sms_30003",
    });
    const bad = await smsHook({ MessageSid: sid, MessageStatus: "exploded" });
    expect(bad.status).toBe(422);
    await problem(bad);
    const json = await call(SMS_URL, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(json.status).toBe(400);
  });
});

describe("local counterparts post the receipts (offline, npm run dev)", () => {
  it("the dev mailbox reports delivered, and a +bounce address bounces", async () => {
    const u = await createUser("patient");
    const msgs = await Promise.all(
      [0, 1].map(async () => {
        const [m] = await materialize(
          jobScope(),
          makeEvent({
            type: "security.sign_in",
            v: 1,
            region: "us",
            userId: u.id,
            sessionId: crypto.randomUUID(),
          }),
        );
        return m as DeliveryMessage;
      }),
    );
    const [ok, bounce] = msgs as [DeliveryMessage, DeliveryMessage];
    expect(await deliver(ok)).toMatchObject({ channel: "email", status: "delivered" });
    const bouncing = (scope: ReturnType<typeof jobScope>): Providers => {
      const real = providersFor(scope);
      return {
        ...real,
        email: { send: (m) => real.email.send({ ...m, to: "someone+bounce@example.test" }) },
      };
    };
    expect(await deliver(bounce, bouncing)).toMatchObject({
      status: "bounced",
      lastError: "email_bounce_permanent",
    });
  });

  it("the dev SMS outbox reports delivered, and Twilio's test range comes back undelivered", async () => {
    const ok = await createUser("patient");
    expect(
      (await call("/v1/me/notification-settings", json("PATCH", { phone: "+14155550123" }, ok))).status,
    ).toBe(200);
    const row = await deliver(await onChannel(ok, "sms"));
    expect(row).toMatchObject({ channel: "sms", status: "delivered" });
    expect(row.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    const bad = await createUser("patient");
    expect(
      (await call("/v1/me/notification-settings", json("PATCH", { phone: "+15005550009" }, bad))).status,
    ).toBe(200);
    expect(await deliver(await onChannel(bad, "sms"))).toMatchObject({
      status: "failed",
      lastError: "sms_30003",
    });
  });
});

describe("Web Push outcomes", () => {
  it("a push service's 201 counts as delivered to the push service; 410 removes the subscription", async () => {
    const u = await createUser("patient");
    await pushSub(u, `${DEV_PUSH_ORIGIN}/sub/${crypto.randomUUID()}`);
    const row = await deliver(await onChannel(u, "push"));
    expect(row).toMatchObject({ channel: "push", status: "delivered" });
    expect(row.providerMessageId).toMatch(/^https:\/\/push\.haven\.localhost\/m\//);

    const v = await createUser("patient");
    const endpoint = `https://fcm.googleapis.com/fcm/send/${crypto.randomUUID()}`;
    await pushSub(v, endpoint);
    const gone = async () => new Response("", { status: 410 });
    const failed = await deliver(await onChannel(v, "push"), (scope) => providersFor(scope, { fetch: gone }));
    expect(failed).toMatchObject({ status: "failed", lastError: "push_410" });
    expect(
      await db().select().from(pushSubscriptions).where(eq(pushSubscriptions.endpoint, endpoint)),
    ).toEqual([]);
  });
});

describe("in-app delivery of appointment notifications", () => {
  it("shows live on the person's socket and counts as delivered (their template needs the time too)", async () => {
    const p = await createUser("patient");
    const c = await createUser("clinician");
    const socket = await connect(p);
    await materialize(
      jobScope(),
      makeEvent({
        type: "booking.created",
        v: 1,
        region: "us",
        bookingId: crypto.randomUUID(),
        patientId: p.id,
        clinicianId: c.id,
        startsAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      }),
    );
    const live = await socket.waitFor((f) => f.type === "notification", 10_000);
    expect(live).toMatchObject({ eventType: "booking.created", title: "Haven: appointment update" });
    const [n] = await notificationsOf(p);
    const inApp = (await deliveriesFor(n?.id ?? "")).find((d) => d.channel === "in_app");
    expect(inApp).toMatchObject({ status: "delivered", providerMessageId: "sockets:1" });
  });
});
