import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { careAlerts, notificationDeliveries } from "../workers/db/schema";
import { type DeliveryMessage, materialize } from "../workers/features/notifications/consumer";
import { runNotificationCron, sweepStuckDeliveries } from "../workers/features/notifications/cron";
import { handleDeliveries } from "../workers/features/notifications/queue";
import { applyReceipt } from "../workers/features/notifications/webhooks";
import { makeEvent } from "../workers/lib/events";
import { createLogger } from "../workers/lib/logger";
import { createScope, jobAudit, type Scope } from "../workers/lib/scope";
import { addToCareTeam } from "./chat-helpers";
import { createUser, type TestUser, testConfig } from "./fixtures";
import { call } from "./helpers";
import {
  db,
  deadLettersOf,
  deliveriesFor,
  delivery,
  fakeProviders,
  jobScope,
  notificationsOf,
  pushSub,
} from "./notify-helpers";

/** The Worker's env with a deliveries queue whose every send throws (a queue outage). */
const brokenQueueEnv = {
  ...env,
  DELIVERIES: {
    send: async () => {
      throw new Error("queue unavailable");
    },
    sendBatch: async () => {
      throw new Error("queue unavailable");
    },
  },
} as unknown as Env;

const brokenScope = (): Scope =>
  createScope({
    env: brokenQueueEnv,
    config: testConfig(),
    log: createLogger("error"),
    audit: jobAudit("test.notify"),
  });

const batchOf = (msg: DeliveryMessage, attempts = 1, id: string = crypto.randomUUID()) =>
  createMessageBatch<unknown>("haven-deliveries", [{ id, timestamp: Date.now(), attempts, body: msg }]);

/** Runs one message through the real delivery consumer; returns whether it was acknowledged. */
async function consume(msg: DeliveryMessage, e: Env, providers: ReturnType<typeof fakeProviders>) {
  const batch = batchOf(msg);
  await handleDeliveries(batch, e, () => providers.providers);
  return (await getQueueResult(batch, createExecutionContext())).explicitAcks.length === 1;
}

/** Moves a delivery's last change `seconds` into the past (as if it had waited that long). */
async function age(id: string, seconds: number) {
  await db()
    .update(notificationDeliveries)
    .set({ updatedAt: sql`now() - ${seconds}::int * interval '1 second'` })
    .where(eq(notificationDeliveries.id, id));
}

/** The minute cron, recording what it enqueues instead of sending it to the real queue. */
async function cronRun(): Promise<string[]> {
  const enqueued: string[] = [];
  await runNotificationCron(jobScope(), fakeProviders().providers, async (m) => {
    enqueued.push(...m.map((x) => x.deliveryId));
  });
  return enqueued;
}

/** `notifications_total{channel,outcome="requeued"}` as /metrics shows it (this isolate merged with the hub). */
async function requeuedCount(channel: string): Promise<number> {
  const token = (env as unknown as { METRICS_TOKEN: string }).METRICS_TOKEN;
  const text = await (await call("/metrics", { headers: { authorization: `Bearer ${token}` } })).text();
  const m = new RegExp(`^notifications_total\\{channel="${channel}",outcome="requeued"\\} (\\S+)$`, "m").exec(
    text,
  );
  return m ? Number(m[1]) : 0;
}

/** An assessment reminder for a patient with push (push → email), planned: the push delivery's message. */
async function pushReminder(p: TestUser): Promise<DeliveryMessage> {
  await pushSub(p);
  const msgs = await materialize(
    jobScope(),
    makeEvent({ type: "assessment.due", v: 1, region: "us", patientId: p.id, instrument: "phq-9" }),
  );
  expect(msgs.length).toBe(1);
  return msgs[0] as DeliveryMessage;
}

describe("stuck deliveries: queued rows whose queue message was never sent", () => {
  it("a failover whose queue send fails is re-sent by the minute sweep and delivered once", async () => {
    const p = await createUser("patient");
    const push = await pushReminder(p);
    // Push is refused for good: the consumer records it dead and plans email, but the queue is down.
    const providers = fakeProviders((ch) =>
      ch === "push"
        ? { ok: false, cls: "permanent", code: "push_403" }
        : { ok: true, providerMessageId: "e1" },
    );
    expect(await consume(push, brokenQueueEnv, providers)).toBe(false); // retried: the failover send threw
    // The queue redelivers the push message: already dead, so nothing more is planned or sent.
    expect(await consume(push, env, providers)).toBe(true);
    const n = (await notificationsOf(p)).find((x) => x.kind === "assessment.due");
    const email = (await deliveriesFor(n?.id ?? "")).find((d) => d.channel === "email");
    expect(email).toMatchObject({ status: "queued", attempts: 0 });
    const emailId = email?.id ?? "";

    // Just written: not swept (its message may be on its way).
    expect(await cronRun()).not.toContain(emailId);
    // Left queued past the bound: swept, counted.
    await age(emailId, 180);
    const before = await requeuedCount("email");
    expect(await cronRun()).toContain(emailId);
    // At least ours (rows other test files left may be swept in the same run).
    expect(await requeuedCount("email")).toBeGreaterThanOrEqual(before + 1);
    // Marked when re-enqueued: the next run does not pile another message on.
    expect(await cronRun()).not.toContain(emailId);

    // The sweep's message is delivered; the original message arriving late (or the sweep's twice) sends nothing more.
    const msg = { deliveryId: emailId, region: "us" as const };
    expect(await consume(msg, env, providers)).toBe(true);
    expect(await consume(msg, env, providers)).toBe(true);
    expect(providers.counts.email).toBe(1);
    expect(await delivery(emailId)).toMatchObject({ status: "sent", attempts: 1, providerMessageId: "e1" });
    await age(emailId, 3600);
    expect(await cronRun()).not.toContain(emailId);
  });

  it("a sweep whose own queue send fails leaves the row for the next run", async () => {
    const p = await createUser("patient");
    const push = await pushReminder(p);
    await age(push.deliveryId, 180);
    await expect(
      sweepStuckDeliveries(jobScope(), "us", async () => {
        throw new Error("queue unavailable");
      }),
    ).rejects.toThrow();
    expect(await delivery(push.deliveryId)).toMatchObject({ status: "queued" });
    expect(await cronRun()).toContain(push.deliveryId);
  });

  it("a failover after a bounce whose queue send fails answers applied and is swept", async () => {
    const p = await createUser("patient");
    const c = await createUser("clinician");
    await pushSub(p);
    // booking.changed: email first, then push.
    const [msg] = await materialize(
      jobScope(),
      makeEvent({
        type: "booking.changed",
        v: 1,
        region: "us",
        bookingId: crypto.randomUUID(),
        patientId: p.id,
        clinicianId: c.id,
        startsAt: new Date(Date.now() + 86400_000).toISOString(),
      }),
    );
    const emailMsg = msg as DeliveryMessage;
    const providerId = `bounce-${crypto.randomUUID()}`;
    const providers = fakeProviders(() => ({ ok: true, providerMessageId: providerId }));
    expect(await consume(emailMsg, env, providers)).toBe(true);
    expect(await delivery(emailMsg.deliveryId)).toMatchObject({ channel: "email", status: "sent" });
    const bounced = { status: "bounced" as const, code: "email_bounce_permanent" };
    expect(await applyReceipt(brokenScope(), "email", providerId, bounced)).toBe("applied");
    // The provider's retry of the receipt changes nothing: before the sweep, nothing re-queued it.
    expect(await applyReceipt(jobScope(), "email", providerId, bounced)).toBe("unchanged");
    const row = await delivery(emailMsg.deliveryId);
    const pushRow = (await deliveriesFor(row.notificationId)).find((d) => d.channel === "push");
    expect(pushRow).toMatchObject({ status: "queued", attempts: 0 });
    await age(pushRow?.id ?? "", 180);
    expect(await cronRun()).toContain(pushRow?.id);
  });

  it("a delivery waiting on a queue retry delay is left until it is due", async () => {
    const p = await createUser("patient");
    const push = await pushReminder(p);
    const providers = fakeProviders(() => ({
      ok: false,
      cls: "rate_limited",
      code: "push_429",
      retryAfterSec: 600,
    }));
    expect(await consume(push, env, providers)).toBe(false); // msg.retry(≥ 600 s)
    const row = await delivery(push.deliveryId);
    expect(row.status).toBe("queued");
    expect(row.releaseAt?.getTime()).toBeGreaterThan(Date.now() + 590_000);
    await age(push.deliveryId, 180);
    expect(await cronRun()).not.toContain(push.deliveryId);
    // The queue's retry lost (retries exhausted): once due and past the bound, swept.
    await db()
      .update(notificationDeliveries)
      .set({ releaseAt: new Date(Date.now() - 180_000) })
      .where(eq(notificationDeliveries.id, push.deliveryId));
    expect(await cronRun()).toContain(push.deliveryId);
  });

  it("a quiet-hours release whose queue send fails is swept by a later run", async () => {
    const p = await createUser("patient");
    const push = await pushReminder(p);
    // Held until ten minutes ago (quiet hours over, the cron was down): the next run releases it,
    // but the queue is down.
    await db()
      .update(notificationDeliveries)
      .set({ status: "held", releaseAt: new Date(Date.now() - 600_000) })
      .where(eq(notificationDeliveries.id, push.deliveryId));
    await runNotificationCron(jobScope(), fakeProviders().providers, async () => {
      throw new Error("queue unavailable");
    });
    expect(await delivery(push.deliveryId)).toMatchObject({ status: "queued", attempts: 0 });
    expect(await cronRun()).not.toContain(push.deliveryId);
    await age(push.deliveryId, 180);
    expect(await cronRun()).toContain(push.deliveryId);
  });

  it("a delivery stuck in sending (its consumer died) is swept after ten minutes, then claimed once", async () => {
    const p = await createUser("patient");
    const push = await pushReminder(p);
    await db()
      .update(notificationDeliveries)
      .set({ status: "sending", attempts: 1 })
      .where(eq(notificationDeliveries.id, push.deliveryId));
    await age(push.deliveryId, 300);
    expect(await cronRun()).not.toContain(push.deliveryId);
    await age(push.deliveryId, 660);
    expect(await cronRun()).toContain(push.deliveryId);
    const providers = fakeProviders();
    expect(await consume(push, env, providers)).toBe(true);
    expect(await consume(push, env, providers)).toBe(true);
    expect(providers.counts.push).toBe(1);
    expect(await delivery(push.deliveryId)).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("a delivery whose consumer died on every attempt becomes a dead letter and fails over", async () => {
    const p = await createUser("patient");
    const push = await pushReminder(p);
    await db()
      .update(notificationDeliveries)
      .set({ status: "sending", attempts: 5 })
      .where(eq(notificationDeliveries.id, push.deliveryId));
    await age(push.deliveryId, 660);
    const swept = await cronRun();
    expect(swept).not.toContain(push.deliveryId);
    const row = await delivery(push.deliveryId);
    expect(row).toMatchObject({ status: "dead", lastError: "delivery_stuck", attempts: 5 });
    expect((await deadLettersOf(push.deliveryId)).map((d) => [d.errorCode, d.status])).toEqual([
      ["delivery_stuck", "open"],
    ]);
    const email = (await deliveriesFor(row.notificationId)).find((d) => d.channel === "email");
    expect(email).toMatchObject({ status: "queued" });
    expect(swept).toContain(email?.id);
    // Once: the next run neither dead-letters it again nor re-plans.
    await age(push.deliveryId, 660);
    await cronRun();
    expect((await deadLettersOf(push.deliveryId)).length).toBe(1);
  });

  it("crisis alert deliveries are swept first when a run is bounded", async () => {
    const p = await createUser("patient");
    const c = await createUser("clinician");
    await addToCareTeam(p, c);
    const reminder = await pushReminder(p);
    await db().insert(careAlerts).values({ clinicianId: c.id, patientId: p.id, seq: 3, severity: "high" });
    const crisis = await materialize(
      jobScope(),
      makeEvent({ type: "crisis.detected", v: 1, region: "us", patientId: p.id, seq: 3, severity: "high" }),
    );
    expect(crisis.length).toBe(1);
    const crisisId = (crisis[0] as DeliveryMessage).deliveryId;
    // The reminder has waited longer, but the crisis alert goes first.
    await age(reminder.deliveryId, 20 * 86400);
    await age(crisisId, 10 * 86400);
    const take = async (limit: number) => {
      const got: string[] = [];
      await sweepStuckDeliveries(
        jobScope(),
        "us",
        async (m) => void got.push(...m.map((x) => x.deliveryId)),
        { queuedSec: 120, sendingSec: 600, limit },
      );
      return got;
    };
    expect(await take(1)).toEqual([crisisId]);
    // The swept one is marked; the next bounded run takes the reminder.
    expect(await take(1)).toEqual([reminder.deliveryId]);
    const rows = await db()
      .select({ id: notificationDeliveries.id, status: notificationDeliveries.status })
      .from(notificationDeliveries)
      .where(inArray(notificationDeliveries.id, [crisisId, reminder.deliveryId]));
    expect(rows.every((r) => r.status === "queued")).toBe(true);
  });
});
