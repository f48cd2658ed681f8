import { afterEach, describe, expect, it } from "vitest";
import { createRedis } from "../../workers/lib/redis";
import { connect, modelMode, say } from "../chat-helpers";
import { createUser, testConfig } from "../fixtures";
import { call, problem, uniqueIp, until } from "../helpers";
import { allPass, fault, timed } from "./control";

/**
 * The whole-request deadline (workers/middleware/deadline.ts), REQUEST_DEADLINE_MS=2000 here.
 * Postgres answers every call 750 ms late — each call within its own 1 s deadline, so no
 * dependency error is raised, but a route making three round trips overruns its budget: it must
 * answer 503 at the budget, and the work it had started must still land whole, not be dropped
 * half-way. A WebSocket must outlive the budget.
 */

afterEach(allPass);

const PASSWORD = "Velvet-Orchard-Lantern-93!";
const json = { "content-type": "application/json" };
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(path, {
    method: "POST",
    headers: { ...json, ...headers },
    body: JSON.stringify(body),
    ip: uniqueIp(),
  });

async function signUpVerified(): Promise<string> {
  const email = `d-${crypto.randomUUID().slice(0, 8)}@example.test`;
  const res = await post("/v1/auth/signup", {
    email,
    password: PASSWORD,
    displayName: "Dee",
    region: "us",
    consents: { healthData: true, aiCompanion: true },
  });
  expect(res.status).toBe(202);
  const token = await until(async () => {
    const inbox = await createRedis(testConfig()).lrange<{ to: string; text: string }>(
      "devmail:inbox",
      0,
      99,
    );
    const mail = inbox.find((m) => m.to === email);
    return mail ? /token=([A-Za-z0-9._-]+)/.exec(mail.text)?.[1] : undefined;
  });
  expect((await post("/v1/auth/verify-email", { token })).status).toBe(200);
  return email;
}

async function login(email: string, password: string): Promise<Response> {
  return post("/v1/auth/login", { email, password });
}

describe("the whole-request deadline", () => {
  it("a route slower than its budget answers 503 with Retry-After at the budget; its write still lands whole", async () => {
    const email = await signUpVerified();
    const here = (await (await login(email, PASSWORD)).json()) as { accessToken: string };
    const there = (await (await login(email, PASSWORD)).json()) as { accessToken: string };
    const next = "a fresh and long passphrase 9";

    await fault("neon", "lag", { delayMs: 750 });
    const { res, ms } = await timed("/v1/me/password", {
      method: "POST",
      headers: { ...json, authorization: `Bearer ${here.accessToken}` },
      body: JSON.stringify({ currentPassword: PASSWORD, newPassword: next }),
    });
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = await problem(res);
    expect(body).toMatchObject({ code: "service_unavailable", status: 503, reason: "deadline" });
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(3500);
    await fault("neon", "pass");

    // The change was not cut off half-way: it completes, with the other session signed out.
    const changed = await until(async () => {
      const r = await login(email, next);
      return r.status === 200 ? r : undefined;
    }, 15_000);
    expect(changed.status).toBe(200);
    expect((await login(email, PASSWORD)).status).toBe(401);
    const other = await call("/v1/me/sessions", {
      headers: { authorization: `Bearer ${there.accessToken}` },
    });
    expect(other.status).toBe(401);
  });

  it("a route within its budget is untouched by it", async () => {
    const patient = await createUser("patient");
    await fault("neon", "lag", { delayMs: 300 });
    const { res } = await timed("/v1/me", { headers: patient.auth });
    expect(res.status).toBe(200);
  });

  it("a WebSocket lives on past the budget (it is bounded until its 101 only)", async () => {
    await modelMode("reset");
    const client = await connect(await createUser("patient"));
    await new Promise((r) => setTimeout(r, 2600));
    const { ack, reply } = await say(client, "still here after the request budget");
    expect(ack.seq).toBe(1);
    expect(reply.outcome).toBe("ok");
    client.close();
  });
});
