import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { chatMessages, notifications, riskEvents } from "../../workers/db/schema";
import { createDatabase } from "../../workers/lib/db";
import { createRedis } from "../../workers/lib/redis";
import { addToCareTeam, connect, modelMode, say } from "../chat-helpers";
import { createUser, testConfig } from "../fixtures";
import { call, problem, until } from "../helpers";
import { allPass, fault, recovered, timed } from "./control";

/**
 * The fault suite: Haven's Worker against the local stack behind controllable proxies. Each
 * outage must end in a bounded answer (503 problem+json with Retry-After and the dependency
 * class, never a 500 or a hang), recovery must need no restart, nothing may happen twice after
 * recovery, and the crisis path must keep working while Postgres is away.
 *
 * Deadlines here: DB_TIMEOUT_MS=1000, REDIS_TIMEOUT_MS=500, breaker cool-down 1000 ms. The
 * elapsed-time bounds are generous multiples of those (they guard against a hang, not speed).
 */

afterEach(allPass);

describe("Postgres outage", () => {
  for (const mode of ["hang", "refuse", "slow", "drop", "cut"] as const) {
    it(`${mode}: GET /v1/me answers 503 database_unavailable with Retry-After, then recovers`, async () => {
      const patient = await createUser("patient");
      expect((await call("/v1/me", { headers: patient.auth })).status).toBe(200);
      await fault("neon", mode, { bytes: 20, delayMs: 3000 });
      const { res, ms } = await timed("/v1/me", { headers: patient.auth });
      expect(res.status).toBe(503);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      const body = await problem(res);
      expect(body).toMatchObject({ code: "database_unavailable", status: 503, dependency: "database" });
      expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|localhost|postgres:\/\//);
      expect(ms).toBeLessThan(5_000);
      // While the breaker is open, further calls fail fast without waiting for the deadline.
      const again = await timed("/v1/me", { headers: patient.auth });
      expect(again.res.status).toBe(503);
      await fault("neon", "pass");
      const back = await recovered("/v1/me", patient.auth);
      expect(((await back.json()) as { id: string }).id).toBe(patient.id);
    });
  }

  it("login answers 503 (not 500) while Postgres hangs", async () => {
    await fault("neon", "hang");
    const { res, ms } = await timed("/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: `nobody-${crypto.randomUUID()}@example.test`, password: "x".repeat(14) }),
    });
    expect(res.status).toBe(503);
    expect((await problem(res)).code).toMatch(/^(database|cache)_unavailable$/);
    expect(ms).toBeLessThan(8_000);
  });
});

describe("Redis outage", () => {
  it("hang: an authenticated route answers 503 cache_unavailable (denylist fails closed)", async () => {
    const patient = await createUser("patient");
    await fault("upstash", "hang");
    const { res, ms } = await timed("/v1/me", { headers: patient.auth });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await problem(res)).code).toBe("cache_unavailable");
    expect(ms).toBeLessThan(5_000);
    await fault("upstash", "pass");
    await recovered("/v1/me", patient.auth);
  });

  it("a public route that needs no dependency keeps answering during the outage", async () => {
    await fault("upstash", "refuse");
    await fault("neon", "refuse");
    const res = await call("/v1/meta");
    expect(res.status).toBe(200);
  });

  it("an INCR whose answer is lost is not re-sent: after recovery it counted once", async () => {
    const config = testConfig();
    const key = `fault:incr:${crypto.randomUUID()}`;
    await fault("upstash", "drop");
    await expect(createRedis(config).incr(key)).rejects.toMatchObject({ name: "DependencyError" });
    await fault("upstash", "pass");
    const value = await until(async () => {
      try {
        return (await createRedis(config).get<number>(key)) ?? 0;
      } catch {
        return undefined;
      }
    }, 10_000);
    expect(value).toBe(1);
  });

  it("wrong passwords during an outage do not lock the account after recovery", async () => {
    // Sign-up path: create an account through the routes so the directory and throttle are real.
    const email = `fault-${crypto.randomUUID()}@example.test`;
    const password = `Fx-${crypto.randomUUID()}`;
    const signup = await call("/v1/auth/signup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        email,
        password,
        displayName: "Fault Test",
        region: "us",
        consents: { healthData: true, aiCompanion: false },
      }),
    });
    expect(signup.status).toBe(202);
    const ip = "2001:db8:fa17::1";
    const login = (pw: string) =>
      call("/v1/auth/login", {
        method: "POST",
        ip,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: pw }),
      });
    await fault("upstash", "drop");
    for (let i = 0; i < 6; i++) expect((await login("wrong password 123456")).status).toBe(503);
    await fault("upstash", "pass");
    const after = await until(async () => {
      const res = await login(password);
      return res.status === 503 ? undefined : res;
    }, 10_000);
    // 403: email not verified yet — the password was accepted, so no lock-out happened.
    expect(after.status).toBe(403);
  });
});

describe("model outage and the crisis path", () => {
  it("model refusing: the companion answers with the safe fallback, then recovers", async () => {
    await modelMode("reset");
    const client = await connect(await createUser("patient"));
    await fault("openai", "refuse");
    const { reply } = await say(client, "hello, how are you today");
    expect(reply.outcome).toBe("error");
    await fault("openai", "pass");
    const ok = await until(async () => {
      const r = await say(client, "hello again");
      return r.reply.outcome === "ok" ? r.reply : undefined;
    }, 15_000);
    expect(ok.outcome).toBe("ok");
    client.close();
  });

  it("Postgres hung: the crisis response arrives; messages, risk event and care-team alert land after recovery", async () => {
    await modelMode("reset");
    const patient = await createUser("patient");
    const clinician = await createUser("clinician");
    await addToCareTeam(patient, clinician);
    const dashboard = await connect(clinician);
    const client = await connect(patient);
    await fault("neon", "hang");
    client.send({ type: "message", text: "I am going to kill myself tonight", clientId: "c1" });
    const crisis = await client.waitFor((f) => f.type === "crisis", 25_000);
    expect(JSON.stringify(crisis.resources)).toMatch(/988|911/);
    await fault("neon", "pass");
    // The live alert is pushed once its inbox row is recorded, so it follows Postgres' recovery.
    await dashboard.waitFor((f) => f.type === "crisis_alert", 20_000);
    const db = createDatabase(testConfig(), "us");
    const risk = await until(
      async () => (await db.select().from(riskEvents).where(eq(riskEvents.userId, patient.id)))[0],
      20_000,
    );
    expect(risk.seq).toBe(1);
    const alerts = await until(async () => {
      const rows = await db
        .select()
        .from(notifications)
        .where(and(eq(notifications.patientId, patient.id), eq(notifications.recipientId, clinician.id)));
      return rows.length > 0 ? rows : undefined;
    }, 20_000);
    expect(alerts).toHaveLength(1);
    const stored = await until(async () => {
      const rows = await db.select().from(chatMessages).where(eq(chatMessages.userId, patient.id));
      return rows.length > 0 ? rows : undefined;
    }, 20_000);
    expect(stored.filter((m) => m.seq === 1)).toHaveLength(1);
    client.close();
    dashboard.close();
  });
});
