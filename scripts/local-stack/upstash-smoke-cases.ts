/**
 * Assertions shared by both backends of the local Upstash server, run through the real
 * `@upstash/redis` client so they prove wire compatibility, not just store semantics.
 * `raw` is true for `automaticDeserialization: false`, where the client returns Redis' text.
 */
import assert from "node:assert/strict";
import type { Redis } from "@upstash/redis/cloudflare";

/** Per-run context: `p` prefixes every key so runs never touch anything else. */
export interface CaseContext {
  redis: Redis;
  p: string;
  raw: boolean;
}

/** Awaits a rejection whose message matches `re` (the client throws UpstashError). */
export async function rejects(promise: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(promise, (err: Error) => {
    assert.equal(err.name, "UpstashError");
    assert.match(err.message, re);
    return true;
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Tricky strings: non-ASCII, newlines, control bytes, a value that looks like base64, "OK". */
const TRICKY = [
  "héllo ✓",
  "line1\nline2\r\n\ttab 🙂",
  "bin\u0000\u0001\u007f\u00ff",
  "aGVsbG8=",
  "OK",
  " 007 ",
];

/** The shared cases; returns the number of named groups run. */
export async function runCases({ redis, p, raw }: CaseContext): Promise<number> {
  const v = <T, R>(parsed: T, rawValue: R): T | R => (raw ? rawValue : parsed);
  const groups: [string, () => Promise<void>][] = [
    [
      "ping/echo",
      async () => {
        assert.equal(await redis.ping(), "PONG");
        assert.equal(await redis.echo("héllo ✓"), "héllo ✓");
      },
    ],
    [
      "strings + base64",
      async () => {
        for (const [i, s] of TRICKY.entries()) {
          assert.equal(await redis.set(`${p}s${i}`, s), "OK");
          assert.equal(await redis.get(`${p}s${i}`), s);
        }
        assert.deepEqual(await redis.mget(`${p}s0`, `${p}s1`, `${p}missing`), [TRICKY[0], TRICKY[1], null]);
        await redis.set(`${p}n`, "42");
        assert.equal(await redis.get(`${p}n`), v(42, "42"));
      },
    ],
    [
      "objects (client JSON)",
      async () => {
        const obj = { a: 1, b: "héllo ✓\n", nested: { list: [1, "two", null] } };
        await redis.set(`${p}obj`, obj);
        assert.deepEqual(await redis.get(`${p}obj`), v(obj, JSON.stringify(obj)));
      },
    ],
    [
      "SET options + TTL",
      async () => {
        assert.equal(await redis.set(`${p}ex`, "x", { ex: 100 }), "OK");
        const ttl = await redis.ttl(`${p}ex`);
        assert.ok(ttl >= 99 && ttl <= 100, `ttl ${ttl}`);
        await redis.set(`${p}px`, "y", { px: 1500 });
        const pttl = await redis.pttl(`${p}px`);
        assert.ok(pttl > 0 && pttl <= 1500, `pttl ${pttl}`);
        await redis.set(`${p}short`, "z", { px: 50 });
        await sleep(120);
        assert.equal(await redis.get(`${p}short`), null);
        assert.equal(await redis.exists(`${p}short`, `${p}ex`), 1);
        assert.equal(await redis.set(`${p}nx`, "a", { nx: true }), "OK");
        assert.equal(await redis.set(`${p}nx`, "b", { nx: true }), null);
        assert.equal(await redis.set(`${p}nx`, "c", { xx: true, get: true }), "a");
        assert.equal(await redis.set(`${p}ex`, "x2", { keepTtl: true }), "OK");
        assert.ok((await redis.ttl(`${p}ex`)) > 90);
        assert.equal(await redis.ttl(`${p}nx`), -1);
        assert.equal(await redis.ttl(`${p}missing`), -2);
        assert.equal(await redis.persist(`${p}ex`), 1);
        assert.equal(await redis.ttl(`${p}ex`), -1);
        assert.equal(await redis.expireat(`${p}ex`, Math.floor(Date.now() / 1000) + 50), 1);
        assert.ok((await redis.ttl(`${p}ex`)) > 40);
        assert.equal(await redis.setnx(`${p}ex`, "no"), 0);
        assert.equal(await redis.getdel(`${p}nx`), "c");
        assert.equal(await redis.exists(`${p}nx`), 0);
        assert.equal(await redis.type(`${p}ex`), "string");
        assert.equal(await redis.type(`${p}missing`), "none");
      },
    ],
    [
      "counters",
      async () => {
        const c = `${p}ctr`;
        assert.equal(await redis.incr(c), 1);
        assert.equal(await redis.incrby(c, 5), 6);
        assert.equal(await redis.decr(c), 5);
        assert.equal(await redis.decrby(c, 2), 3);
        assert.equal(await redis.expire(c, 60), 1);
        assert.equal(await redis.incr(c), 4);
        assert.ok((await redis.ttl(c)) > 55, "INCR keeps the TTL");
        assert.equal(await redis.incrbyfloat(c, 0.5), v(4.5, "4.5"));
        await redis.set(`${p}word`, "abc");
        await rejects(redis.incr(`${p}word`), /ERR value is not an integer or out of range/);
        assert.equal(await redis.del(c, `${p}word`, `${p}missing`), 2);
      },
    ],
    [
      "hashes",
      async () => {
        const h = `${p}h`;
        assert.equal(await redis.hset(h, { f1: "v1", n: 5, o: { x: 1 } }), 3);
        assert.equal(await redis.hget(h, "f1"), "v1");
        assert.equal(await redis.hget(h, "n"), v(5, "5"));
        assert.deepEqual(await redis.hmget(h, "f1", "nope"), v({ f1: "v1", nope: null }, ["v1", null]));
        assert.deepEqual(
          await redis.hgetall(h),
          v({ f1: "v1", n: 5, o: { x: 1 } }, ["f1", "v1", "n", "5", "o", '{"x":1}']),
        );
        assert.equal(await redis.hincrby(h, "n", 2), 7);
        assert.equal(await redis.hexists(h, "f1"), 1);
        assert.equal(await redis.hlen(h), 3);
        assert.equal(await redis.hdel(h, "f1", "nope"), 1);
        assert.deepEqual(await redis.hgetall(`${p}nohash`), v(null, []));
        await redis.set(`${p}str`, "s");
        await rejects(redis.hset(`${p}str`, { a: 1 }), /WRONGTYPE/);
      },
    ],
    [
      "sorted sets",
      async () => {
        const z = `${p}z`;
        assert.equal(
          await redis.zadd(
            z,
            { score: 1, member: "a" },
            { score: 2.5, member: "b" },
            { score: 3, member: "c" },
          ),
          3,
        );
        assert.equal(await redis.zadd(z, { nx: true }, { score: 9, member: "a" }), 0);
        assert.deepEqual(await redis.zrange(z, 0, -1), ["a", "b", "c"]);
        assert.deepEqual(
          await redis.zrange(z, 0, -1, { withScores: true }),
          v(["a", 1, "b", 2.5, "c", 3], ["a", "1", "b", "2.5", "c", "3"]),
        );
        assert.deepEqual(await redis.zrange(z, "(1", "+inf", { byScore: true }), ["b", "c"]);
        assert.deepEqual(
          await redis.zrange(z, "+inf", "-inf", { byScore: true, rev: true, offset: 0, count: 2 }),
          ["c", "b"],
        );
        assert.equal(await redis.zscore(z, "b"), v(2.5, "2.5"));
        assert.equal(await redis.zscore(z, "nope"), null);
        assert.equal(await redis.zincrby(z, 1, "a"), v(2, "2"));
        assert.deepEqual(await redis.exec(["zrangebyscore", z, "2", "3"]), ["a", "b", "c"]);
        assert.equal(await redis.zcard(z), 3);
        assert.equal(await redis.zrem(z, "a", "nope"), 1);
        assert.equal(await redis.zremrangebyscore(z, 0, 2.5), 1);
        assert.deepEqual(await redis.zrange(z, 0, -1), ["c"]);
      },
    ],
    [
      "lists + sets",
      async () => {
        const l = `${p}l`;
        assert.equal(await redis.rpush(l, "b", "c", "d"), 3);
        assert.equal(await redis.lpush(l, "a"), 4);
        assert.deepEqual(await redis.lrange(l, 0, -1), ["a", "b", "c", "d"]);
        assert.equal(await redis.ltrim(l, 0, 2), "OK");
        assert.equal(await redis.llen(l), 3);
        assert.equal(await redis.lpop(l), "a");
        assert.equal(await redis.rpop(l), "c");
        assert.deepEqual(await redis.lpop(l, 5), ["b"]);
        assert.equal(await redis.exists(l), 0);
        const s = `${p}set`;
        assert.equal(await redis.sadd(s, "x", "y", "x"), 2);
        assert.equal(await redis.sismember(s, "x"), 1);
        assert.deepEqual((await redis.smembers(s)).sort(), ["x", "y"]);
        assert.equal(await redis.srem(s, "x"), 1);
        assert.equal(await redis.scard(s), 1);
      },
    ],
    [
      "pipeline",
      async () => {
        const res = await redis
          .pipeline()
          .set(`${p}pa`, 1)
          .incr(`${p}pa`)
          .get(`${p}pa`)
          .hset(`${p}ph`, { k: "héllo ✓" })
          .hget(`${p}ph`, "k")
          .exec();
        assert.deepEqual(res, ["OK", 2, v(2, "2"), 1, "héllo ✓"]);
        await redis.set(`${p}pw`, "word");
        await rejects(
          redis.pipeline().set(`${p}pa`, 5).incr(`${p}pw`).get(`${p}pa`).exec(),
          /Command 2 \[ incr \] failed: ERR value is not an integer/,
        );
        const kept = await redis.pipeline().incr(`${p}pa`).incr(`${p}pw`).exec({ keepErrors: true });
        assert.deepEqual(kept[0], { error: undefined, result: 6 });
        assert.match(String(kept[1]?.error), /ERR value is not an integer/);
      },
    ],
    [
      "multi/exec",
      async () => {
        const res = await redis.multi().set(`${p}m`, "x").get(`${p}m`).incr(`${p}mc`).incr(`${p}mc`).exec();
        assert.deepEqual(res, ["OK", "x", 1, 2]);
        await rejects(
          redis.multi().incr(`${p}mc`).incr(`${p}m`).exec(),
          /Command 2 \[ incr \] failed: ERR value is not an integer/,
        );
        assert.equal(await redis.get(`${p}mc`), v(3, "3"), "runtime errors do not roll back, as in Redis");
        await Promise.all(
          Array.from({ length: 20 }, () => redis.multi().incr(`${p}atom`).incr(`${p}atom`).exec()),
        );
        assert.equal(await redis.get(`${p}atom`), v(40, "40"));
      },
    ],
    [
      "scan/keys",
      async () => {
        await redis.mset(Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`${p}scan:${i}`, i])));
        const seen = new Set<string>();
        let cursor: string | number = "0";
        do {
          const [next, keys]: [string | number, string[]] = await redis.scan(cursor, {
            match: `${p}scan:*`,
            count: 7,
          });
          for (const k of keys) seen.add(k);
          cursor = next;
        } while (String(cursor) !== "0");
        assert.equal(seen.size, 25);
        assert.equal((await redis.keys(`${p}scan:1?`)).length, 10);
        assert.ok((await redis.dbsize()) >= 25);
        assert.equal(await redis.unlink(...[...seen]), 25);
      },
    ],
  ];
  for (const [name, fn] of groups) {
    try {
      await fn();
    } catch (err) {
      throw new Error(`case "${name}" failed: ${(err as Error).message}`, { cause: err });
    }
  }
  assert.ok(redis.readYourWritesSyncToken, "server sends upstash-sync-token");
  return groups.length;
}
