import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../workers/app";
import { call, problem } from "./helpers";

describe("probes", () => {
  it("/health answers ok without touching dependencies", async () => {
    const res = await call("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("/ready checks every regional Postgres and Redis", async () => {
    const res = await call("/ready");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: "ok",
      checks: { postgres_us: "ok", postgres_eu: "ok", postgres_apac: "ok", redis: "ok" },
    });
  });

  it("/ready answers 503 naming the database that is down", async () => {
    // The EU database points at a port where no Postgres listens: from the Worker's side this is
    // exactly a stopped server (the Neon endpoint cannot connect and answers an error).
    const downEnv = { ...env, DATABASE_URL_EU: "postgres://postgres:local@127.0.0.1:1/down" };
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request("http://haven.test/ready"), downEnv, ctx);
    expect(res.status).toBe(503);
    const body = await problem(res);
    expect(body.code).toBe("service_unavailable");
    expect(body.detail).toBe("Not ready: postgres_eu unavailable");
    expect(body.checks).toEqual({ postgres_us: "ok", postgres_eu: "down", postgres_apac: "ok", redis: "ok" });
  });

  it("/health and /ready are not rate limited", async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 120; i++) statuses.add((await call("/health", { ip: "203.0.113.9" })).status);
    expect([...statuses]).toEqual([200]);
  });
});

describe("request id and headers", () => {
  it("echoes a well-formed X-Request-Id and generates one otherwise", async () => {
    const given = await call("/health", { headers: { "x-request-id": "trace-abc-12345" } });
    expect(given.headers.get("x-request-id")).toBe("trace-abc-12345");
    const bad = await call("/health", { headers: { "x-request-id": "<script>" } });
    expect(bad.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sets security headers on API responses and pages", async () => {
    const api = await call("/health");
    expect(api.headers.get("strict-transport-security")).toContain("max-age=63072000");
    expect(api.headers.get("x-content-type-options")).toBe("nosniff");
    expect(api.headers.get("referrer-policy")).toBe("no-referrer");
    expect(api.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    const page = await call("/");
    expect(page.headers.get("content-type")).toContain("text/html");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
  });

  it("allows configured CORS origins only", async () => {
    const ok = await call("/health", { headers: { origin: "http://localhost:8787" } });
    expect(ok.headers.get("access-control-allow-origin")).toBe("http://localhost:8787");
    const other = await call("/health", { headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("problem+json errors", () => {
  it("unknown route → 404", async () => {
    const res = await call("/v1/nope");
    expect(res.status).toBe(404);
    const body = await problem(res);
    expect(body).toMatchObject({ status: 404, code: "not_found", title: "Not found" });
    expect(body.requestId).toBe(res.headers.get("x-request-id"));
  });

  it("wrong method → 405 with Allow", async () => {
    const res = await call("/health", { method: "POST" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
    expect((await problem(res)).code).toBe("method_not_allowed");
  });
});

describe("API surface", () => {
  it("/v1/meta reports the deployment", async () => {
    const res = await call("/v1/meta");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      name: "haven",
      apiVersion: "v1",
      environment: "local",
      regions: ["us", "eu", "apac"],
      companionOffline: true,
    });
  });

  it("serves an OpenAPI 3.1 document generated from the zod schemas", async () => {
    const res = await call("/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/health", "/ready", "/v1/meta"]));
  });

  it("serves the interactive reference and home page as HTML", async () => {
    const docs = await call("/docs");
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("/vendor/swagger-ui/swagger-ui-bundle.js");
    const home = await call("/");
    const html = await home.text();
    expect(html).toContain("<title>Home · Haven</title>");
    expect(html).toContain('name="viewport"');
  });
});

describe("rate limiting", () => {
  it("answers 429 problem+json with Retry-After past 100 requests a minute per IP", async () => {
    const ip = "198.51.100.77";
    let first429: Response | undefined;
    let okCount = 0;
    for (let i = 0; i < 105 && !first429; i++) {
      const res = await call("/v1/meta", { ip });
      if (res.status === 429) first429 = res;
      else if (res.status === 200) okCount++;
    }
    expect(okCount).toBe(100);
    expect(first429?.headers.get("retry-after")).toBe("60");
    expect((await problem(first429 as Response)).code).toBe("rate_limited");
    // Another client is unaffected.
    expect((await call("/v1/meta", { ip: "198.51.100.78" })).status).toBe(200);
  });
});
