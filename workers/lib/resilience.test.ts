import { describe, expect, it } from "vitest";
import { isReadOnlySql } from "./db";
import { isIdempotentRedisRequest } from "./redis";
import { backoffDelay, CircuitBreaker, DependencyError, findDependencyError, withRetry } from "./resilience";

const down = () => Promise.reject(new DependencyError("database", "timeout", 1));

describe("CircuitBreaker", () => {
  it("opens after the threshold, fails fast while open, lets one probe through after the cool-down", async () => {
    let now = 0;
    const b = new CircuitBreaker("database:us", "database", { threshold: 3, cooldownMs: 1000 }, () => now);
    for (let i = 0; i < 3; i++) await expect(b.run(down)).rejects.toMatchObject({ kind: "timeout" });
    expect(b.status).toBe("open");
    let called = 0;
    await expect(b.run(async () => ++called)).rejects.toMatchObject({ kind: "circuit_open", retryAfter: 1 });
    expect(called).toBe(0);
    now = 1000;
    // One probe at a time: a second caller still fails fast while the probe is out.
    let release: (v: number) => void = () => undefined;
    const probe = b.run(() => new Promise<number>((r) => (release = r)));
    await expect(b.run(async () => 1)).rejects.toMatchObject({ kind: "circuit_open" });
    release(7);
    expect(await probe).toBe(7);
    expect(b.status).toBe("closed");
  });

  it("a failed probe reopens it; answers that are errors (SQL, 4xx) do not count", async () => {
    let now = 0;
    const b = new CircuitBreaker("cache:global", "cache", { threshold: 2, cooldownMs: 500 }, () => now);
    await expect(b.run(() => Promise.reject(new Error("duplicate key")))).rejects.toThrow("duplicate key");
    await expect(b.run(() => Promise.reject(new Error("duplicate key")))).rejects.toThrow("duplicate key");
    expect(b.status).toBe("closed");
    await expect(b.run(down)).rejects.toBeInstanceOf(DependencyError);
    await expect(b.run(down)).rejects.toBeInstanceOf(DependencyError);
    expect(b.status).toBe("open");
    now = 500;
    await expect(b.run(down)).rejects.toMatchObject({ kind: "timeout" });
    expect(b.status).toBe("open");
    expect(b.retryAfterSeconds()).toBe(1);
  });
});

describe("retries", () => {
  it("retries only what `retryable` allows, at most `retries` times", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new DependencyError("cache", "network", 1);
        },
        { retries: 1, baseDelayMs: 1, retryable: () => true },
      ),
    ).rejects.toBeInstanceOf(DependencyError);
    expect(calls).toBe(2);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new DependencyError("cache", "timeout", 1);
        },
        { retries: 3, baseDelayMs: 1, retryable: (e) => (e as DependencyError).kind !== "timeout" },
      ),
    ).rejects.toBeInstanceOf(DependencyError);
    expect(calls).toBe(1);
  });

  it("backoff is full jitter under base · 2^attempt", () => {
    expect(backoffDelay(0, 50, () => 0.999)).toBe(49);
    expect(backoffDelay(3, 50, () => 0.5)).toBe(200);
    expect(backoffDelay(2, 50, () => 0)).toBe(0);
  });
});

describe("what may be sent twice", () => {
  it("SQL: a plain SELECT yes; writes, locking reads and batches with a write no", () => {
    expect(isReadOnlySql({ query: "select * from users where id = $1", params: [] })).toBe(true);
    expect(isReadOnlySql({ queries: [{ query: "select 1" }, { query: " SELECT 2" }] })).toBe(true);
    expect(isReadOnlySql({ query: "insert into audit_log values ($1)" })).toBe(false);
    expect(isReadOnlySql({ query: "select * from users for update" })).toBe(false);
    expect(isReadOnlySql({ queries: [{ query: "select 1" }, { query: "update users set x = 1" }] })).toBe(
      false,
    );
    expect(isReadOnlySql(undefined)).toBe(false);
  });

  it("Redis: reads, DEL and EXPIRE yes; INCR, LPUSH, SET and a pipeline holding one no", () => {
    expect(isIdempotentRedisRequest(["get", "k"])).toBe(true);
    expect(
      isIdempotentRedisRequest([
        ["exists", "a"],
        ["ttl", "a"],
      ]),
    ).toBe(true);
    expect(isIdempotentRedisRequest(["incr", "k"])).toBe(false);
    expect(isIdempotentRedisRequest(["set", "k", "v", "nx"])).toBe(false);
    expect(
      isIdempotentRedisRequest([
        ["get", "a"],
        ["incr", "a"],
      ]),
    ).toBe(false);
    expect(isIdempotentRedisRequest(["LPUSH", "k", "v"])).toBe(false);
  });
});

describe("findDependencyError", () => {
  it("unwraps the Neon driver's sourceError and drizzle's cause", () => {
    const dep = new DependencyError("database", "network", 2);
    const neon = Object.assign(new Error("Error connecting to database"), { sourceError: dep });
    const drizzle = Object.assign(new Error("Failed query"), { cause: neon });
    expect(findDependencyError(drizzle)).toBe(dep);
    expect(findDependencyError(new Error("x"))).toBeUndefined();
  });
});
