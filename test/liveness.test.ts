import { createExecutionContext, env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../workers/app";
import { isLivenessProbe } from "../workers/features/health/liveness";

/**
 * `GET /health` answers before the app (issue 16: the middleware chain made the probe 1.6× a bare
 * Worker). The fast answer must be the route's answer: same status, body and headers.
 */

const entry = (path: string, headers: Record<string, string> = {}) =>
  exports.default.fetch(new Request(`http://haven.test${path}`, { headers }));
const viaApp = (path: string, headers: Record<string, string> = {}) =>
  app.fetch(new Request(`http://haven.test${path}`, { headers }), env, createExecutionContext());

const headersOf = (res: Response) =>
  Object.fromEntries([...res.headers].filter(([k]) => k !== "x-request-id" && k !== "content-length"));

afterEach(() => vi.restoreAllMocks());

describe("the liveness fast path", () => {
  it("recognises exactly GET /health from a non-browser prober", () => {
    const req = (url: string, init: RequestInit = {}) => new Request(url, init);
    expect(isLivenessProbe(req("https://api.haven.example/health"))).toBe(true);
    expect(isLivenessProbe(req("https://api.haven.example/health?probe=1"))).toBe(true);
    expect(isLivenessProbe(req("http://127.0.0.1:8787/health"))).toBe(true);
    expect(isLivenessProbe(req("https://api.haven.example/healthz"))).toBe(false);
    expect(isLivenessProbe(req("https://api.haven.example/health/x"))).toBe(false);
    expect(isLivenessProbe(req("https://api.haven.example/v1/health"))).toBe(false);
    expect(isLivenessProbe(req("https://api.haven.example/health", { method: "POST" }))).toBe(false);
    expect(isLivenessProbe(req("https://api.haven.example/health", { method: "HEAD" }))).toBe(false);
    expect(
      isLivenessProbe(req("https://api.haven.example/health", { headers: { origin: "https://x.example" } })),
    ).toBe(false);
  });

  it("answers what the route answers: body, status and every header", async () => {
    const variants: Array<Record<string, string>> = [
      {},
      { authorization: "Bearer x" },
      { cookie: "haven_at=abc" },
    ];
    for (const headers of variants) {
      const fast = await entry("/health", headers);
      const route = await viaApp("/health", headers);
      expect(fast.status).toBe(200);
      expect(await fast.json()).toEqual(await route.json());
      expect(headersOf(fast)).toEqual(headersOf(route));
    }
    expect((await entry("/health", { authorization: "Bearer x" })).headers.get("cache-control")).toBe(
      "no-store",
    );
  });

  it("keeps a well-formed request id and replaces a malformed one", async () => {
    expect((await entry("/health", { "x-request-id": "trace-abc-12345" })).headers.get("x-request-id")).toBe(
      "trace-abc-12345",
    );
    expect((await entry("/health", { "x-request-id": "<script>" })).headers.get("x-request-id")).toMatch(
      /^[0-9a-f-]{36}$/,
    );
  });

  it("writes no log line per probe", async () => {
    const spies = (["log", "info", "warn", "error"] as const).map((m) =>
      vi.spyOn(console, m).mockImplementation(() => undefined),
    );
    for (let i = 0; i < 3; i++) expect((await entry("/health")).status).toBe(200);
    for (const s of spies) expect(s).not.toHaveBeenCalled();
  });
});
