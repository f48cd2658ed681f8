import { createExecutionContext, env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../workers/app";
import { loadConfig } from "../workers/lib/config";
import { createLogger } from "../workers/lib/logger";
import { createScope } from "../workers/lib/scope";

const ctx = createExecutionContext();

function capture() {
  const lines: string[] = [];
  for (const m of ["log", "info", "warn", "error"] as const)
    vi.spyOn(console, m).mockImplementation((l: unknown) => void lines.push(String(l)));
  return lines;
}

const send = (path: string, vars: Record<string, string>) =>
  app.fetch(
    new Request(`http://haven.test${path}`, { headers: { "cf-connecting-ip": "192.0.2.60" } }),
    { ...env, LOG_LEVEL: "info", ...vars } as unknown as Env,
    ctx,
  );

afterEach(() => {
  vi.restoreAllMocks();
});

describe("access log", () => {
  it('"all" (production): one JSON line per request with the route template, never the query', async () => {
    const lines = capture();
    const res = await send("/health?email=someone%40example.com", { ACCESS_LOG: "all" });
    expect(res.status).toBe(200);
    const access = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.event === "request");
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({ method: "GET", route: "/health", status: 200 });
    expect(access[0]?.requestId).toBe(res.headers.get("x-request-id"));
    expect(lines.join("\n")).not.toContain("someone");
  });

  it('"errors" (npm run dev): a fast success writes nothing', async () => {
    const lines = capture();
    const res = await send("/health", { ACCESS_LOG: "errors" });
    expect(res.status).toBe(200);
    expect(lines).toEqual([]);
  });

  it('"errors": a 4xx writes one short readable line (status, method, route template, request id)', async () => {
    const lines = capture();
    const res = await send("/v1/no-such-thing/secret-looking-path?x=1", { ACCESS_LOG: "errors" });
    expect(res.status).toBe(404);
    const requestId = res.headers.get("x-request-id");
    expect(lines).toEqual([`404 GET unmatched ${lines[0]?.split(" ")[3]} ms  request ${requestId}`]);
    expect(lines[0]).not.toContain("secret-looking-path");
  });
});

describe("access log at LOG_LEVEL=error (the test suite's level)", () => {
  it('"errors": a 4xx stays quiet, a 5xx still writes its line', async () => {
    const lines = capture();
    const notFound = await send("/v1/no-such-thing", { ACCESS_LOG: "errors", LOG_LEVEL: "error" });
    expect(notFound.status).toBe(404);
    expect(lines).toEqual([]);
    const broken = await send("/v1/meta", { ACCESS_LOG: "errors", LOG_LEVEL: "error", OPENAI_API_KEY: "" });
    expect(broken.status).toBe(500);
    const requestId = broken.headers.get("x-request-id");
    expect(lines.filter((l) => l.startsWith("500 GET "))).toEqual([
      expect.stringMatching(new RegExp(`^500 GET \\S+ \\d+ ms  request ${requestId}$`)),
    ]);
  });
});

describe("per-isolate clients", () => {
  it("scopes built from the same config share one database instance per region", () => {
    const config = loadConfig(env as unknown as Env, createLogger("error"));
    const audit = { requestId: "t", ip: null, userAgent: null };
    const a = createScope({ env: env as unknown as Env, config, log: createLogger("error"), audit });
    const b = createScope({ env: env as unknown as Env, config, log: createLogger("error"), audit });
    expect(a.db("us")).toBe(b.db("us"));
    expect(a.db("eu")).not.toBe(a.db("us"));
    // The Redis client stays per scope (its auto-pipeline must not mix requests' I/O).
    expect(a.redis()).not.toBe(b.redis());
  });
});
