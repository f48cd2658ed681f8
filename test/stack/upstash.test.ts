/**
 * The REAL `@upstash/redis/cloudflare` client, built by the app's `createRedis`, running in workerd
 * against the local Upstash-compatible REST endpoint (embedded store, or real Redis via REDIS_URL).
 */
import { env } from "cloudflare:test";
import { errors } from "@upstash/redis/cloudflare";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigSchema } from "../../workers/lib/config";
import { createRedis } from "../../workers/lib/redis";

const redis = createRedis(ConfigSchema.parse(env));

/** This run's keys live under one root, removed afterwards (REDIS_URL may be a shared server). */
const root = `test:upstash:${crypto.randomUUID()}:`;
/** A key prefix unique to one test, so tests never share keys (across files or runs). */
const prefix = () => `${root}${crypto.randomUUID()}:`;

afterAll(async () => {
  const keys = await redis.keys(`${root}*`);
  if (keys.length > 0) expect(await redis.del(...keys)).toBe(keys.length);
  expect(await redis.keys(`${root}*`)).toEqual([]);
});

describe("@upstash/redis against the local endpoint", () => {
  it("set/get serialises objects and plain values", async () => {
    const p = prefix();
    const doc = { name: "Ada", tags: ["a", "b"], nested: { n: 1, ok: true, none: null } };
    expect(await redis.set(`${p}obj`, doc)).toBe("OK");
    expect(await redis.get(`${p}obj`)).toEqual(doc);
    expect(await redis.set(`${p}num`, 42)).toBe("OK");
    expect(await redis.get<number>(`${p}num`)).toBe(42);
    expect(await redis.set(`${p}str`, "plain text")).toBe("OK");
    expect(await redis.get(`${p}str`)).toBe("plain text");
    expect(await redis.get(`${p}missing`)).toBeNull();
    expect(await redis.exists(`${p}obj`, `${p}num`, `${p}missing`)).toBe(2);
    expect(await redis.del(`${p}obj`, `${p}num`, `${p}str`)).toBe(3);
    expect(await redis.get(`${p}obj`)).toBeNull();
  });

  it("set with EX gives a TTL; NX refuses an existing key", async () => {
    const p = prefix();
    expect(await redis.set(`${p}k`, "v", { ex: 60 })).toBe("OK");
    const ttl = await redis.ttl(`${p}k`);
    expect(ttl).toBeGreaterThanOrEqual(58);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await redis.set(`${p}k`, "other", { nx: true })).toBeNull();
    expect(await redis.get(`${p}k`)).toBe("v");
    expect(await redis.set(`${p}forever`, "v")).toBe("OK");
    expect(await redis.ttl(`${p}forever`)).toBe(-1);
    expect(await redis.ttl(`${p}missing`)).toBe(-2);
    const pttl = await redis.pttl(`${p}k`);
    expect(pttl).toBeGreaterThan(57_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
  });

  it("incr/expire counters (the rate-limit pattern)", async () => {
    const key = `${prefix()}counter`;
    expect(await redis.incr(key)).toBe(1);
    expect(await redis.incr(key)).toBe(2);
    expect(await redis.incrby(key, 5)).toBe(7);
    expect(await redis.decr(key)).toBe(6);
    expect(await redis.expire(key, 30)).toBe(1);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThanOrEqual(28);
    expect(ttl).toBeLessThanOrEqual(30);
    expect(await redis.get<number>(key)).toBe(6);
    expect(await redis.expire(`${key}:missing`, 30)).toBe(0);
    expect(await redis.persist(key)).toBe(1);
    expect(await redis.ttl(key)).toBe(-1);
  });

  it("hash operations", async () => {
    const key = `${prefix()}hash`;
    expect(await redis.hset(key, { name: "Ada", role: "patient", visits: 1 })).toBe(3);
    expect(await redis.hget(key, "name")).toBe("Ada");
    expect(await redis.hget(key, "nope")).toBeNull();
    expect(await redis.hincrby(key, "visits", 4)).toBe(5);
    expect(await redis.hgetall(key)).toEqual({ name: "Ada", role: "patient", visits: 5 });
    expect(await redis.hmget(key, "name", "visits", "nope")).toEqual({ name: "Ada", visits: 5, nope: null });
    expect(await redis.hexists(key, "role")).toBe(1);
    expect(await redis.hlen(key)).toBe(3);
    expect(await redis.hdel(key, "role", "nope")).toBe(1);
    expect((await redis.hkeys(key)).sort()).toEqual(["name", "visits"]);
    expect(await redis.hgetall(`${key}:missing`)).toBeNull();
  });

  it("pipeline() returns each command's result in order", async () => {
    const p = prefix();
    const results = await redis
      .pipeline()
      .set(`${p}a`, "one")
      .get(`${p}a`)
      .incr(`${p}n`)
      .incrby(`${p}n`, 10)
      .hset(`${p}h`, { f: "v" })
      .hget(`${p}h`, "f")
      .rpush(`${p}l`, "x", "y", "z")
      .lrange(`${p}l`, 0, -1)
      .del(`${p}a`)
      .exists(`${p}a`)
      .exec();
    expect(results).toEqual(["OK", "one", 1, 11, 1, "v", 3, ["x", "y", "z"], 1, 0]);
  });

  it("a failing pipeline command throws; keepErrors reports it per entry", async () => {
    const p = prefix();
    await redis.set(`${p}s`, "not a number");
    await expect(redis.pipeline().get(`${p}s`).incr(`${p}s`).exec()).rejects.toThrow(
      /Command 2 \[ incr \] failed: ERR value is not an integer/,
    );
    const kept = await redis.pipeline().get(`${p}s`).incr(`${p}s`).exec({ keepErrors: true });
    expect(kept[0]).toEqual({ error: undefined, result: "not a number" });
    expect(kept[1]?.result).toBeUndefined();
    expect(kept[1]?.error).toMatch(/^ERR value is not an integer/);
  });

  it("multi() runs atomically and returns exact results", async () => {
    const p = prefix();
    const results = await redis
      .multi()
      .set(`${p}k`, { v: 1 })
      .get(`${p}k`)
      .incr(`${p}c`)
      .incr(`${p}c`)
      .expire(`${p}c`, 100)
      .ttl(`${p}c`)
      .exec();
    expect(results).toEqual(["OK", { v: 1 }, 1, 2, 1, 100]);
    expect(await redis.get(`${p}k`)).toEqual({ v: 1 });
  });

  it("a command error surfaces as a thrown UpstashError", async () => {
    const p = prefix();
    await redis.set(`${p}s`, "text");
    const err = await redis.incr(`${p}s`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(errors.UpstashError);
    expect((err as Error).message).toMatch(/ERR value is not an integer or out of range/);
    await expect(redis.lpush(`${p}s`, "x")).rejects.toThrow(/WRONGTYPE/);
    // The failed commands changed nothing.
    expect(await redis.get(`${p}s`)).toBe("text");
  });

  it("non-ASCII values and keys round-trip as UTF-8", async () => {
    const p = prefix();
    const text = "héllo ✓";
    expect(await redis.set(`${p}ü`, text)).toBe("OK");
    expect(await redis.get(`${p}ü`)).toBe(text);
    expect(await redis.exists(`${p}ü`)).toBe(1);
    expect(await redis.exists(`${p}u`)).toBe(0); // "ü" is not folded to "u"
    expect(await redis.mset({ [`${p}emoji`]: "🙂 ok", [`${p}cjk`]: "日本語" })).toBe("OK");
    expect(await redis.mget(`${p}ü`, `${p}emoji`, `${p}cjk`)).toEqual([text, "🙂 ok", "日本語"]);
    await redis.hset(`${p}h`, { "clé ✓": { note: "naïve café 日本語" } });
    expect(await redis.hget(`${p}h`, "clé ✓")).toEqual({ note: "naïve café 日本語" });
    expect(await redis.hkeys(`${p}h`)).toEqual(["clé ✓"]);
    await redis.rpush(`${p}l`, "é", "✓");
    const [got, list] = await redis.pipeline().get(`${p}ü`).lrange(`${p}l`, 0, -1).exec();
    expect(got).toBe(text);
    expect(list).toEqual(["é", "✓"]);
    const keys = await redis.keys(`${p}*`);
    expect(keys.sort()).toEqual([`${p}cjk`, `${p}emoji`, `${p}h`, `${p}l`, `${p}ü`].sort());
  });
});
