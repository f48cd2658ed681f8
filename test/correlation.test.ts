import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { streamStub } from "../durable-objects/wearable-stub";
import { providersFor } from "../workers/features/notifications/providers";
import { runWithRequestId } from "../workers/lib/correlation";
import { createLogger } from "../workers/lib/logger";
import { createScope, jobAudit } from "../workers/lib/scope";
import { createUser, testConfig } from "./fixtures";
import { call, until } from "./helpers";

/**
 * Request-id propagation, proven at the far end: the local stand-ins (Neon HTTP, Upstash REST, the
 * OpenAI-compatible server) count the `x-request-id` headers they receive (`GET /__request-ids`),
 * so each test sends a request with a fresh id and asks every stand-in whether that id reached it.
 */

const neonSeen = async (id: string) => seen(String(env.NEON_LOCAL_FETCH_ENDPOINT).replace(/\/sql$/, ""), id);
const upstashSeen = async (id: string) => seen(env.UPSTASH_REDIS_REST_URL, id);
const modelSeen = async (id: string) =>
  seen(env.OPENAI_BASE_URL.replace(/\/v1$/, ""), id, { authorization: `Bearer ${env.OPENAI_API_KEY}` });

async function seen(base: string, id: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${base}/__request-ids?id=${encodeURIComponent(id)}`, { headers });
  expect(res.status).toBe(200);
  return ((await res.json()) as { seen: number }).seen;
}

const freshId = (what: string) => `test-${what}-${crypto.randomUUID()}`;

describe("request ids reach every upstream", () => {
  it("Neon (drizzle over the shared neon() client) and Upstash carry the request's id", async () => {
    const id = freshId("ready");
    const res = await call("/ready", { headers: { "x-request-id": id } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe(id);
    // Three regions' probes and one PING.
    expect(await neonSeen(id)).toBe(3);
    expect(await upstashSeen(id)).toBe(1);
    // Another request's id is not mixed in: the clients are shared per isolate, the id is per call.
    const other = freshId("ready");
    await call("/ready", { headers: { "x-request-id": other } });
    expect(await neonSeen(other)).toBe(3);
    expect(await neonSeen(id)).toBe(3);
  });

  it("concurrent requests on the same isolate each send their own id", async () => {
    const ids = Array.from({ length: 6 }, () => freshId("concurrent"));
    await Promise.all(ids.map((id) => call("/ready", { headers: { "x-request-id": id } })));
    for (const id of ids) {
      expect(await neonSeen(id)).toBe(3);
      expect(await upstashSeen(id)).toBe(1);
    }
  });

  it("the chat room (Durable Object) sends the request's id with its model call", async () => {
    const patient = await createUser("patient");
    const id = freshId("chat");
    const res = await call("/v1/chat/messages", {
      method: "POST",
      headers: { ...patient.auth, "content-type": "application/json", "x-request-id": id },
      body: JSON.stringify({ text: "I had a long day at work", clientId: crypto.randomUUID() }),
    });
    expect(res.status).toBe(200);
    await res.text();
    // Moderation and the companion reply, both from inside the room.
    expect(await until(async () => ((await modelSeen(id)) >= 2 ? true : undefined), 15_000)).toBe(true);
  });

  it("the wearable stream (Durable Object) reads Postgres under the request's id", async () => {
    // A new stream has no devices yet: an ingest call makes it seed its registry from Postgres,
    // from inside the object — the only Neon call this id can reach.
    const patient = await createUser("patient");
    const id = freshId("stream");
    const ref = { userId: patient.id, region: patient.region };
    const answer = await runWithRequestId(id, () =>
      streamStub(env, patient.id, patient.region).ingest(ref, {
        tokenHash: "0".repeat(64),
        readings: "[]",
        idempotencyKey: null,
        rejected: [],
      }),
    );
    expect(answer).toEqual({ ok: false, error: "unauthorized" });
    expect(await neonSeen(id)).toBeGreaterThanOrEqual(1);
  });

  it("a queued event carries the id to its consumer, whose Neon and Upstash calls send it", async () => {
    await createUser("admin");
    const id = freshId("queue");
    const res = await call("/ops/alertmanager", {
      method: "POST",
      headers: {
        authorization: `Bearer ${env.OPS_WEBHOOK_TOKEN}`,
        "content-type": "application/json",
        "x-request-id": id,
      },
      body: JSON.stringify({
        version: "4",
        status: "firing",
        receiver: "haven-ops-warning",
        alerts: [
          {
            status: "firing",
            labels: { alertname: "HavenHighLatency", severity: "warning" },
            annotations: {},
            startsAt: new Date().toISOString(),
            fingerprint: crypto.randomUUID().replaceAll("-", "").slice(0, 16),
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    // The webhook itself touches neither database nor Redis: whatever carries the id was sent by
    // the events consumer (admins per region, recipients) and the deliveries consumer (the mailbox).
    expect(await neonSeen(id)).toBe(0);
    expect(await until(async () => ((await neonSeen(id)) >= 3 ? true : undefined), 20_000)).toBe(true);
    expect(await until(async () => ((await upstashSeen(id)) >= 1 ? true : undefined), 20_000)).toBe(true);
  });

  it("email, SMS and push providers send the current id", async () => {
    const headers: Array<string | null> = [];
    const capture = async (_input: Request | string, init?: RequestInit) => {
      headers.push(new Headers(init?.headers).get("x-request-id"));
      return Response.json({ id: "p1", sid: "s1" }, { status: 201 });
    };
    const config = {
      ...testConfig(),
      EMAIL_API_URL: "https://email.provider.test",
      EMAIL_API_KEY: "k",
      SMS_API_URL: "https://sms.provider.test",
      SMS_ACCOUNT_SID: "AC1",
      SMS_AUTH_TOKEN: "t",
      SMS_FROM: "+15550000000",
    };
    const scope = createScope({ env, config, log: createLogger("error"), audit: jobAudit("test.providers") });
    const p = providersFor(scope, { fetch: capture });
    const msg = {
      title: "t",
      preview: "p",
      text: "x",
      html: "<p>x</p>",
      sms: "s",
      url: "https://haven.test/",
      idempotencyKey: crypto.randomUUID(),
      critical: false,
      tag: crypto.randomUUID(),
    };
    const id = freshId("providers");
    await runWithRequestId(id, async () => {
      expect((await p.email.send({ ...msg, to: "a@example.test" })).ok).toBe(true);
      expect((await p.sms.send({ ...msg, to: "+15551234567" })).ok).toBe(true);
      const push = await p.push.send({
        ...msg,
        to: {
          endpoint: "https://fcm.googleapis.com/fcm/send/x",
          keys: {
            p256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
            auth: "BTBZMqHH6r4Tts7J_aSIgg",
          },
        },
      });
      expect(push.ok).toBe(true);
    });
    expect(headers).toEqual([id, id, id]);
  });
});
