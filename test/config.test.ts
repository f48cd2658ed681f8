import { createExecutionContext, env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../workers/app";
import { problem } from "./helpers";

const ctx = createExecutionContext();

/** Every secret value the Worker holds: none may ever appear in a response. */
const SECRET_NAMES = [
  "DATABASE_URL_US",
  "DATABASE_URL_EU",
  "DATABASE_URL_APAC",
  "UPSTASH_REDIS_REST_URL",
  "UPSTASH_REDIS_REST_TOKEN",
  "OPENAI_BASE_URL",
  "OPENAI_API_KEY",
  "JWT_SECRET",
  "MASTER_KEYS",
  "EMAIL_HASH_KEY",
  "DEV_SEED_TOKEN",
] as const;
const secretValues = SECRET_NAMES.map((name) => (env as unknown as Record<string, unknown>)[name]).filter(
  (v): v is string => typeof v === "string" && v.length > 0,
);

const send = (path: string, brokenEnv: Env) =>
  app.fetch(
    new Request(`http://haven.test${path}`, { headers: { "cf-connecting-ip": "192.0.2.50" } }),
    brokenEnv,
    ctx,
  );

afterEach(() => {
  vi.restoreAllMocks();
});

describe("configuration errors", () => {
  it("the test env carries every secret (so the leak checks below are meaningful)", () => {
    expect(secretValues).toHaveLength(SECRET_NAMES.length);
  });

  it("a missing secret gives a generic 500 problem+json with a request id and no secret in it", async () => {
    const logged: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: unknown) => void logged.push(String(line)));
    const brokenEnv = { ...env, OPENAI_API_KEY: undefined } as unknown as Env;
    const res = await send("/v1/meta", brokenEnv);
    expect(res.status).toBe(500);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const text = await res.clone().text();
    const body = await problem(res);
    expect(body).toMatchObject({
      status: 500,
      code: "internal",
      title: "Unexpected error",
      type: "https://haven.health/problems/internal",
    });
    expect(body.detail).toBe("The service is misconfigured. Quote the request id if you contact support.");
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.requestId).toBe(res.headers.get("x-request-id"));
    expect(text).not.toContain("OPENAI");
    expect(text).not.toMatch(/API_KEY|DATABASE_URL|UPSTASH|JWT|MASTER_KEYS|EMAIL_HASH/);
    for (const value of secretValues) expect(text).not.toContain(value);

    // The log line names the variable (for the operator) but never a value.
    const line = logged.find((l) => l.includes("config_invalid"));
    expect(line).toBeDefined();
    const entry = JSON.parse(line as string) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: "error", event: "config_invalid", variables: "OPENAI_API_KEY" });
    expect(entry.requestId).toBe(body.requestId);
    for (const l of logged) for (const value of secretValues) expect(l).not.toContain(value);
  });

  it("a malformed secret is reported the same way, without echoing the bad value", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const badValue = "not-a-url-but-a-secret-0123456789";
    const brokenEnv = { ...env, DATABASE_URL_EU: badValue, JWT_SECRET: "short" } as unknown as Env;
    const res = await send("/v1/meta", brokenEnv);
    expect(res.status).toBe(500);
    const text = await res.clone().text();
    expect((await problem(res)).code).toBe("internal");
    expect(text).not.toContain(badValue);
    expect(text).not.toContain("short");
    expect(text).not.toMatch(/DATABASE_URL|JWT/);
  });

  it("/health still answers 200 with the same broken env (probes need no config)", async () => {
    const brokenEnv = { ...env, OPENAI_API_KEY: undefined } as unknown as Env;
    const res = await send("/health", brokenEnv);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("the same request with the intact env succeeds", async () => {
    const res = await send("/v1/meta", env);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: "haven", apiVersion: "v1" });
  });
});
