import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { careAlerts, notificationDeliveries } from "../workers/db/schema";
import { type DeliveryMessage, materialize } from "../workers/features/notifications/consumer";
import { fireDueSchedules, scheduleReminder } from "../workers/features/notifications/cron";
import { localPushes } from "../workers/features/notifications/dev-push";
import { DEV_PUSH_ORIGIN, providersFor } from "../workers/features/notifications/providers";
import { handleDeliveries } from "../workers/features/notifications/queue";
import { base64UrlBytes, decryptPush, newUserAgentKeys } from "../workers/features/notifications/rfc8291";
import { type DomainEvent, makeEvent, type NewEvent } from "../workers/lib/events";
import { addToCareTeam, connect } from "./chat-helpers";
import { createUser, type TestUser } from "./fixtures";
import { call, until } from "./helpers";
import {
  db,
  deadLettersOf,
  deliveriesFor,
  delivery,
  fakeProviders,
  jobScope,
  notificationsOf,
  pushSub,
  settings,
} from "./notify-helpers";

const json = (method: string, body: unknown, user: TestUser) => ({
  method,
  headers: { ...user.auth, "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** The first external channel planned for each of `user`'s notifications of `event`. */
async function planned(
  event: DomainEvent,
  user: TestUser,
): Promise<{ critical: boolean; channels: string[] } | null> {
  const n = (await notificationsOf(user, event.region)).find(
    (x) =>
      x.eventId === event.id ||
      (x.kind === "crisis_alert" && event.type === "crisis.detected" && x.seq === event.seq),
  );
  if (!n) return null;
  const ds = await deliveriesFor(n.id, event.region);
  return {
    critical: n.critical,
    channels: ds
      .map((d) => d.channel)
      .filter((c) => c !== "in_app")
      .sort(),
  };
}

async function crisisRows(patient: TestUser, clinicians: TestUser[], seq: number) {
  await db(patient.region)
    .insert(careAlerts)
    .values(clinicians.map((c) => ({ clinicianId: c.id, patientId: patient.id, seq, severity: "high" })));
}

/**
 * A batch that records what the consumer asked for (the test harness's getQueueResult does not
 * report retry delays).
 */
function recordingBatch(body: DeliveryMessage, attempts: number) {
  const seen: { acked: boolean; retryDelay: number | null } = { acked: false, retryDelay: null };
  const message = {
    id: crypto.randomUUID(),
    timestamp: new Date(),
    attempts,
    body,
    ack: () => {
      seen.acked = true;
    },
    retry: (o?: { delaySeconds?: number }) => {
      seen.retryDelay = o?.delaySeconds ?? 0;
    },
  };
  const batch = { queue: "haven-deliveries", messages: [message], ackAll: () => {}, retryAll: () => {} };
  return { batch: batch as unknown as MessageBatch<unknown>, seen };
}

const batchOf = (msg: DeliveryMessage, attempts = 1, id = crypto.randomUUID()) =>
  createMessageBatch<unknown>("haven-deliveries", [{ id, timestamp: Date.now(), attempts, body: msg }]);

describe("each event type notifies the right people on the right channel", () => {
  it("follows recipients, defaults, reachability and preferences", async () => {
    const scope = jobScope();
    const p = await createUser("patient");
    const c1 = await createUser("clinician");
    const c2 = await createUser("clinician");
    await addToCareTeam(p, c1);
    await addToCareTeam(p, c2);
    await pushSub(c1);
    await crisisRows(p, [c1, c2], 7);
    const at = new Date(Date.now() + 86400_000).toISOString();
    const ev = (e: NewEvent) => makeEvent(e);
    const base = { v: 1 as const, region: "us" as const };
    const cases: Array<[DomainEvent, Array<[TestUser, string[] | null]>]> = [
      [
        ev({ ...base, type: "crisis.detected", patientId: p.id, seq: 7, severity: "high" }),
        [
          [c1, ["email", "push"]],
          [c2, ["email"]],
          [p, null],
        ],
      ],
      [
        ev({
          ...base,
          type: "alert.acknowledged",
          alertId: crypto.randomUUID(),
          patientId: p.id,
          clinicianId: c1.id,
        }),
        [
          [c1, null],
          [c2, []],
        ],
      ],
      [
        ev({ ...base, type: "assessment.due", patientId: p.id, instrument: "phq-9" }),
        [
          [p, ["email"]],
          [c1, null],
        ],
      ],
      [
        ev({
          ...base,
          type: "assessment.submitted",
          patientId: p.id,
          instrument: "phq-9",
          responseId: crypto.randomUUID(),
        }),
        [
          [c1, ["email"]],
          [c2, ["email"]],
          [p, null],
        ],
      ],
      [
        ev({ ...base, type: "anomaly.detected", patientId: p.id, metric: "hr_rest", critical: false }),
        [
          [c1, ["push"]],
          [c2, []],
        ],
      ],
      [
        ev({
          ...base,
          type: "booking.created",
          bookingId: crypto.randomUUID(),
          patientId: p.id,
          clinicianId: c1.id,
          startsAt: at,
        }),
        [
          [p, ["email"]],
          [c1, ["email"]],
          [c2, null],
        ],
      ],
      [
        ev({
          ...base,
          type: "booking.changed",
          bookingId: crypto.randomUUID(),
          patientId: p.id,
          clinicianId: c1.id,
          startsAt: at,
        }),
        [
          [p, ["email"]],
          [c1, ["email"]],
        ],
      ],
      [
        ev({
          ...base,
          type: "booking.cancelled",
          bookingId: crypto.randomUUID(),
          patientId: p.id,
          clinicianId: c2.id,
          startsAt: at,
        }),
        [
          [p, ["email"]],
          [c2, ["email"]],
        ],
      ],
      [
        ev({
          ...base,
          type: "session.reminder",
          bookingId: crypto.randomUUID(),
          patientId: p.id,
          clinicianId: c1.id,
          startsAt: at,
        }),
        [
          [p, ["email"]],
          [c1, ["push"]],
        ],
      ],
      [
        ev({ ...base, type: "medication.reminder", patientId: p.id, scheduleId: crypto.randomUUID() }),
        [[p, []]],
      ],
      [
        ev({ ...base, type: "note.unsigned", noteId: crypto.randomUUID(), clinicianId: c2.id }),
        [
          [c2, ["email"]],
          [c1, null],
        ],
      ],
      [
        ev({ ...base, type: "security.sign_in", userId: p.id, sessionId: crypto.randomUUID() }),
        [[p, ["email"]]],
      ],
      [ev({ ...base, type: "security.mfa_changed", userId: c1.id, change: "enabled" }), [[c1, ["email"]]]],
    ];
    for (const [event, expected] of cases) {
      await materialize(scope, event);
      for (const [user, channels] of expected) {
        const got = await planned(event, user);
        expect({ type: event.type, user: user.id, channels: got?.channels ?? null }).toEqual({
          type: event.type,
          user: user.id,
          channels,
        });
        if (got) expect(got.critical).toBe(event.type === "crisis.detected");
      }
    }
    // Preferences: the patient turns email off for booking changes and SMS on, with a number.
    expect(
      (await call("/v1/me/notification-settings", json("PATCH", { phone: "+14155550123" }, p))).status,
    ).toBe(200);
    const put = await call(
      "/v1/me/notification-preferences",
      json(
        "PUT",
        {
          preferences: [
            { eventType: "booking.changed", channel: "email", enabled: false },
            { eventType: "booking.changed", channel: "sms", enabled: true },
          ],
        },
        p,
      ),
    );
    expect(put.status).toBe(200);
    const changed = ev({
      ...base,
      type: "booking.changed",
      bookingId: crypto.randomUUID(),
      patientId: p.id,
      clinicianId: c1.id,
      startsAt: at,
    });
    await materialize(scope, changed);
    expect((await planned(changed, p))?.channels).toEqual(["sms"]);
  });

  it("quiet hours hold non-critical notifications and pass critical ones", async () => {
    const scope = jobScope();
    const p = await createUser("patient");
    const c = await createUser("clinician");
    await addToCareTeam(p, c);
    const allDay = { timeZone: "Europe/Berlin", quietStart: 0, quietEnd: 23 * 60 + 59 };
    await settings(p, allDay);
    await settings(c, allDay);
    await crisisRows(p, [c], 11);
    const due = makeEvent({
      type: "assessment.due",
      v: 1,
      region: "us",
      patientId: p.id,
      instrument: "phq-9",
    });
    const crisis = makeEvent({
      type: "crisis.detected",
      v: 1,
      region: "us",
      patientId: p.id,
      seq: 11,
      severity: "imminent",
    });
    const sendNow = [...(await materialize(scope, due)), ...(await materialize(scope, crisis))];
    const [held] = (
      await deliveriesFor((await notificationsOf(p)).find((n) => n.eventId === due.id)?.id ?? "")
    ).filter((d) => d.channel === "email");
    expect(held?.status).toBe("held");
    expect(held?.releaseAt?.getTime()).toBeGreaterThan(Date.now());
    const crisisN = (await notificationsOf(c)).find((n) => n.seq === 11);
    const [email] = (await deliveriesFor(crisisN?.id ?? "")).filter((d) => d.channel === "email");
    expect(email?.status).toBe("queued");
    expect(sendNow.map((m) => m.deliveryId)).toEqual([email?.id]);
  });
});

describe("delivery", () => {
  it("a redelivered queue message sends once", async () => {
    const u = await createUser("patient");
    const event = makeEvent({
      type: "security.sign_in",
      v: 1,
      region: "us",
      userId: u.id,
      sessionId: crypto.randomUUID(),
    });
    const [msg] = await materialize(jobScope(), event);
    // The event itself redelivered: nothing new is planned.
    expect(await materialize(jobScope(), event)).toEqual([msg]);
    expect((await notificationsOf(u)).length).toBe(1);
    const fake = fakeProviders();
    for (let i = 1; i <= 3; i++) {
      const batch = batchOf(msg as DeliveryMessage, i, "same-message");
      await handleDeliveries(batch, env, () => fake.providers);
      expect((await getQueueResult(batch, createExecutionContext())).explicitAcks).toEqual(["same-message"]);
    }
    expect(fake.counts.email).toBe(1);
    expect((await delivery((msg as DeliveryMessage).deliveryId)).status).toBe("sent");
    expect(fake.sent[0]?.msg.title).toBe("Haven: new sign-in to your account");
  });

  it("a provider answering 5xx is retried with backoff, then the alert fails over (push → SMS)", async () => {
    const p = await createUser("patient");
    const c = await createUser("clinician");
    await addToCareTeam(p, c);
    await pushSub(c);
    expect(
      (await call("/v1/me/notification-settings", json("PATCH", { phone: "+14155550199" }, c))).status,
    ).toBe(200);
    // Email off for this clinician (not on call), so the failover path is push → SMS only.
    expect(
      (
        await call(
          "/v1/me/notification-preferences",
          json(
            "PUT",
            { preferences: [{ eventType: "crisis.detected", channel: "email", enabled: false }] },
            c,
          ),
        )
      ).status,
    ).toBe(200);
    await crisisRows(p, [c], 21);
    const [msg] = await materialize(
      jobScope(),
      makeEvent({ type: "crisis.detected", v: 1, region: "us", patientId: p.id, seq: 21, severity: "high" }),
    );
    const pushMsg = msg as DeliveryMessage;
    let requests = 0;
    const failing = async (input: Request | string, init?: RequestInit) => {
      requests++;
      const req = new Request(input, init);
      expect(req.headers.get("content-encoding")).toBe("aes128gcm");
      expect(req.headers.get("urgency")).toBe("high");
      return new Response("unavailable", { status: 503 });
    };
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const { batch, seen } = recordingBatch(pushMsg, attempt);
      await handleDeliveries(batch, env, (scope) => providersFor(scope, { fetch: failing }));
      if (attempt < 5) {
        expect(seen.acked).toBe(false);
        delays.push(seen.retryDelay ?? -1);
        expect((await delivery(pushMsg.deliveryId)).status).toBe("queued");
      } else expect(seen).toEqual({ acked: true, retryDelay: null });
    }
    expect(requests).toBe(5);
    // Exponential with equal jitter: attempt n waits within [5·2^(n-1)/2, 5·2^(n-1)].
    delays.forEach((d, i) => {
      const exp = 5 * 2 ** i;
      expect(d).toBeGreaterThanOrEqual(Math.floor(exp / 2));
      expect(d).toBeLessThanOrEqual(exp);
    });
    const dead = await delivery(pushMsg.deliveryId);
    expect(dead).toMatchObject({ status: "dead", attempts: 5, lastError: "push_503" });
    expect((await deadLettersOf(pushMsg.deliveryId)).map((d) => d.errorCode)).toEqual(["push_503"]);
    // The failover (SMS) went to the real deliveries queue; the consumer sends it to the dev outbox.
    const sms = await until(async () => {
      const rows = await db()
        .select()
        .from(notificationDeliveries)
        .where(eq(notificationDeliveries.notificationId, dead.notificationId));
      const s = rows.find((r) => r.channel === "sms");
      // The dev outbox posts its Twilio-format status callback: delivered.
      return s?.status === "delivered" ? s : undefined;
    }, 15_000);
    expect(sms.attempts).toBe(1);
  });

  it("a permanently failing delivery becomes a dead letter an admin inspects and retries once", async () => {
    const u = await createUser("patient");
    const admin = await createUser("admin");
    const [msg] = await materialize(
      jobScope(),
      makeEvent({ type: "security.mfa_changed", v: 1, region: "us", userId: u.id, change: "enabled" }),
    );
    const m = msg as DeliveryMessage;
    const refusing = fakeProviders(() => ({ ok: false, cls: "permanent", code: "email_422" }));
    const batch = batchOf(m);
    await handleDeliveries(batch, env, () => refusing.providers);
    expect((await getQueueResult(batch, createExecutionContext())).explicitAcks.length).toBe(1);
    expect((await delivery(m.deliveryId)).status).toBe("dead");
    const [dl] = await deadLettersOf(m.deliveryId);
    expect(dl).toBeDefined();
    const list = await call("/v1/admin/notifications/dead-letters", { headers: admin.auth });
    expect(list.status).toBe(200);
    const listed = ((await list.json()) as { deadLetters: Array<{ id: string; errorCode: string }> })
      .deadLetters;
    expect(listed.find((d) => d.id === dl?.id)?.errorCode).toBe("email_422");
    const one = await call(`/v1/admin/notifications/dead-letters/${dl?.id}`, { headers: admin.auth });
    const body = (await one.json()) as { body: Record<string, unknown> };
    expect(body.body).toEqual({ deliveryId: m.deliveryId, region: "us" });
    // Not for anyone else.
    expect((await call("/v1/admin/notifications/dead-letters", { headers: u.auth })).status).toBe(404);
    const retry = await call(`/v1/admin/notifications/dead-letters/${dl?.id}/retry`, {
      method: "POST",
      headers: admin.auth,
    });
    expect(retry.status).toBe(200);
    expect(
      (
        await call(`/v1/admin/notifications/dead-letters/${dl?.id}/retry`, {
          method: "POST",
          headers: admin.auth,
        })
      ).status,
    ).toBe(409);
    // The real consumer now sends it (dev mailbox, which reports it delivered), once.
    const sent = await until(async () => {
      const d = await delivery(m.deliveryId);
      return d.status === "delivered" ? d : undefined;
    }, 15_000);
    expect(sent.attempts).toBe(1);
  });
});

describe("a push service that refuses the sender", () => {
  it("is a permanent failure: dead letter at once, while the critical alert's email goes out", async () => {
    const p = await createUser("patient");
    const c = await createUser("clinician");
    await addToCareTeam(p, c);
    await pushSub(c, `${DEV_PUSH_ORIGIN}/refuse/${crypto.randomUUID()}`);
    await crisisRows(p, [c], 5);
    const msgs = await materialize(
      jobScope(),
      makeEvent({ type: "crisis.detected", v: 1, region: "us", patientId: p.id, seq: 5, severity: "high" }),
    );
    expect(msgs.length).toBe(2);
    for (const m of msgs) {
      const batch = batchOf(m);
      await handleDeliveries(batch, env);
      expect((await getQueueResult(batch, createExecutionContext())).explicitAcks.length).toBe(1);
    }
    const [push, email] = [
      await delivery(msgs[0]?.deliveryId ?? ""),
      await delivery(msgs[1]?.deliveryId ?? ""),
    ];
    expect(push).toMatchObject({ channel: "push", status: "dead", attempts: 1, lastError: "push_403" });
    expect(email).toMatchObject({ channel: "email", status: "delivered" });
    expect((await deadLettersOf(push.id)).map((d) => d.errorCode)).toEqual(["push_403"]);
  });
});

describe("inbox", () => {
  it("the unread count is right after concurrent, overlapping marks", async () => {
    const u = await createUser("patient");
    const scope = jobScope();
    for (let i = 0; i < 10; i++)
      await materialize(
        scope,
        makeEvent({
          type: "security.sign_in",
          v: 1,
          region: "us",
          userId: u.id,
          sessionId: crypto.randomUUID(),
        }),
      );
    const inbox = await call("/v1/me/notifications", { headers: u.auth });
    const { unread, notifications } = (await inbox.json()) as {
      unread: number;
      notifications: Array<{ id: string; title: string }>;
    };
    expect(unread).toBe(10);
    expect(notifications[0]?.title).toBe("Haven: new sign-in to your account");
    const ids = notifications.map((n) => n.id);
    const sets = [ids.slice(0, 3), ids.slice(1, 4), ids.slice(2, 6), ids.slice(0, 6), ids.slice(3, 5)];
    const results = await Promise.all(
      sets.map((s) => call("/v1/me/notifications/read", json("POST", { ids: s }, u))),
    );
    const bodies = (await Promise.all(results.map((r) => r.json()))) as Array<{ marked: number }>;
    expect(bodies.reduce((a, b) => a + b.marked, 0)).toBe(6);
    const after = (await (await call("/v1/me/notifications", { headers: u.auth })).json()) as {
      unread: number;
    };
    expect(after.unread).toBe(4);
    // Someone else's ids change nothing.
    const other = await createUser("patient");
    const foreign = await call("/v1/me/notifications/read", json("POST", { ids: ids.slice(6) }, other));
    expect(((await foreign.json()) as { marked: number }).marked).toBe(0);
  });

  it("a clinician on call cannot turn off critical alerts (409), off call they can", async () => {
    const c = await createUser("clinician");
    const off = { preferences: [{ eventType: "crisis.detected", channel: "push", enabled: false }] };
    expect((await call("/v1/me/notification-settings", json("PATCH", { onCall: true }, c))).status).toBe(200);
    expect((await call("/v1/me/notification-preferences", json("PUT", off, c))).status).toBe(409);
    expect((await call("/v1/me/notification-settings", json("PATCH", { onCall: false }, c))).status).toBe(
      200,
    );
    expect((await call("/v1/me/notification-preferences", json("PUT", off, c))).status).toBe(200);
    const p = await createUser("patient");
    expect((await call("/v1/me/notification-settings", json("PATCH", { onCall: true }, p))).status).toBe(422);
  });
});

describe("scheduled reminders", () => {
  it("a daily reminder fires at the right local time across the DST change, once per firing", async () => {
    const u = await createUser("patient");
    const scope = jobScope();
    const published: DomainEvent[] = [];
    const publish = async (e: NewEvent) => void published.push(makeEvent(e));
    const row = await scheduleReminder(
      scope,
      "us",
      u.id,
      { kind: "daily", localTime: "09:00", timeZone: "America/New_York" },
      { type: "medication.reminder", v: 1, region: "us", patientId: u.id, scheduleId: crypto.randomUUID() },
      new Date("2026-03-07T10:00:00Z"),
    );
    expect(row?.nextFireAt?.toISOString()).toBe("2026-03-07T14:00:00.000Z");
    // Before it is due nothing fires; at 14:00Z it fires once (a second cron run in the same minute does not).
    await fireDueSchedules(scope, "us", new Date("2026-03-07T13:59:00Z"), publish);
    expect(published.length).toBe(0);
    await fireDueSchedules(scope, "us", new Date("2026-03-07T14:00:30Z"), publish);
    await fireDueSchedules(scope, "us", new Date("2026-03-07T14:00:45Z"), publish);
    expect(published.length).toBe(1);
    // Sunday 8 March: clocks went forward at 02:00, so 09:00 local is 13:00Z.
    await fireDueSchedules(scope, "us", new Date("2026-03-08T12:59:00Z"), publish);
    expect(published.length).toBe(1);
    await fireDueSchedules(scope, "us", new Date("2026-03-08T13:00:10Z"), publish);
    expect(published.length).toBe(2);
    expect(published.map((e) => e.occurredAt)).toEqual([
      "2026-03-07T14:00:00.000Z",
      "2026-03-08T13:00:00.000Z",
    ]);
    // A firing has a stable id: the same firing republished notifies once.
    expect(new Set(published.map((e) => e.id)).size).toBe(2);
  });
});

describe("crisis end to end", () => {
  it("a crisis in chat reaches the clinician in-app, by Web Push (decrypted with the browser's keys) and by email", async () => {
    const p = await createUser("patient");
    const c = await createUser("clinician");
    await addToCareTeam(p, c);
    const ua = await newUserAgentKeys();
    const path = `/sub/${crypto.randomUUID()}`;
    const sub = await call(
      "/v1/me/push-subscriptions",
      json(
        "POST",
        { endpoint: `${DEV_PUSH_ORIGIN}${path}`, keys: { p256dh: ua.publicKey, auth: ua.auth } },
        c,
      ),
    );
    expect(sub.status).toBe(201);
    const dashboard = await connect(c);
    const client = await connect(p);
    client.send({
      type: "message",
      text: "I want to kill myself tonight, I have the pills",
      clientId: crypto.randomUUID(),
    });
    const live = await dashboard.waitFor((f) => f.type === "notification", 15_000);
    expect(live).toMatchObject({
      eventType: "crisis.detected",
      title: "Haven: urgent care-team alert",
      critical: true,
    });
    expect(JSON.stringify(live)).not.toContain(p.id);
    const [push] = await until(async () => {
      const got = await localPushes(jobScope(), path);
      return got.length > 0 ? got : undefined;
    }, 15_000);
    expect(push?.urgency).toBe("high");
    const payload = JSON.parse(await decryptPush(base64UrlBytes(String(push?.body)), ua)) as Record<
      string,
      unknown
    >;
    expect(payload).toMatchObject({
      title: "Haven: urgent care-team alert",
      body: "Open Haven now to review.",
      critical: true,
    });
    expect(JSON.stringify(payload)).not.toContain(p.id);
    const n = (await notificationsOf(c)).find((x) => x.kind === "crisis_alert");
    const email = await until(async () => {
      const ds = await deliveriesFor(n?.id ?? "");
      const e = ds.find((d) => d.channel === "email");
      return e?.status === "delivered" ? e : undefined;
    }, 15_000);
    expect(email.providerMessageId).toMatch(/^devmail:/);
  });
});

describe("push subscriptions", () => {
  it("accept known push services only (the Worker POSTs to the endpoint)", async () => {
    const u = await createUser("patient");
    const keys = {
      p256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
      auth: "BTBZMqHH6r4Tts7J_aSIgg",
    };
    expect(
      (
        await call(
          "/v1/me/push-subscriptions",
          json("POST", { endpoint: "https://169.254.169.254/latest", keys }, u),
        )
      ).status,
    ).toBe(422);
    const ok = await call(
      "/v1/me/push-subscriptions",
      json("POST", { endpoint: "https://fcm.googleapis.com/fcm/send/abc", keys }, u),
    );
    expect(ok.status).toBe(201);
    const { id } = (await ok.json()) as { id: string };
    const other = await createUser("patient");
    expect(
      (await call(`/v1/me/push-subscriptions/${id}`, { method: "DELETE", headers: other.auth })).status,
    ).toBe(404);
    expect(
      (await call(`/v1/me/push-subscriptions/${id}`, { method: "DELETE", headers: u.auth })).status,
    ).toBe(204);
  });
});
