/**
 * Smoke test of the local Upstash server: the same assertions through the real
 * `@upstash/redis` client against the embedded store and against real Redis (db 13 of
 * REDIS_URL, default redis://127.0.0.1:6379/13), so both backends are proven to behave
 * alike on the wire. Run: node --experimental-strip-types scripts/local-stack/upstash-smoke.ts
 */
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "@upstash/redis/cloudflare";
import type { UpstashServer } from "./upstash.ts";
import { startUpstash } from "./upstash.ts";
import { rejects, runCases } from "./upstash-smoke-cases.ts";

const TOKEN = "smoke-token";
const REDIS_URL = process.env.SMOKE_REDIS_URL ?? "redis://127.0.0.1:6379/13";

type Config = ConstructorParameters<typeof Redis>[0];
const VARIANTS: [string, Partial<Config>][] = [
  ["default", {}],
  ["automaticDeserialization:false", { automaticDeserialization: false }],
  ["no-autopipeline,no-base64", { enableAutoPipelining: false, responseEncoding: false }],
];

const client = (s: UpstashServer, extra: Partial<Config> = {}): Redis =>
  new Redis({ url: s.url, token: s.token, retry: false, ...extra });

async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor: string | number = "0";
  do {
    const [next, keys]: [string | number, string[]] = await redis.scan(cursor, {
      match: `${prefix}*`,
      count: 500,
    });
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (String(cursor) !== "0");
}

/** Checks that never go through the client's happy path: auth, aborts, path form, refused commands. */
async function protocolChecks(s: UpstashServer, p: string): Promise<void> {
  await rejects(client(s, { token: "wrong" }).get(`${p}x`), /^Unauthorized/);
  const post = (path: string, body: unknown) =>
    fetch(`${s.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });
  const abort = await post("/multi-exec", [["SET", `${p}abort`, "1"], ["NOSUCHCMD"]]);
  assert.equal(abort.status, 400);
  assert.match(((await abort.json()) as { error: string }).error, /^EXECABORT/);
  assert.equal(await client(s).exists(`${p}abort`), 0, "an aborted transaction applies nothing");
  const pathForm = await fetch(`${s.url}/set/${encodeURIComponent(`${p}path`)}/v%2Fw`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.deepEqual(await pathForm.json(), { result: "OK" });
  assert.equal(await client(s).get(`${p}path`), "v/w");
  const bad = await post("/", ["GET"]);
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /^ERR wrong number of arguments/);
}

async function runBackend(s: UpstashServer): Promise<void> {
  const base = `haven-smoke:${process.pid}:`;
  try {
    for (const [name, extra] of VARIANTS) {
      const started = Date.now();
      const groups = await runCases({
        redis: client(s, extra),
        p: `${base}${name}:`,
        raw: extra.automaticDeserialization === false,
      });
      console.log(`  ${s.backend}/${name}: ${groups} case groups ok (${Date.now() - started} ms)`);
    }
    await protocolChecks(s, base);
    const redis = client(s);
    if (s.backend === "memory") {
      await rejects(
        redis.exec(["xadd", `${base}stream`, "*", "f", "v"]),
        /unknown command 'xadd' \(not supported by Haven's embedded store; set REDIS_URL/,
      );
    } else {
      assert.match(String(await redis.exec(["xadd", `${base}stream`, "*", "f", "v"])), /^\d+-\d+$/);
      await rejects(redis.exec(["blpop", `${base}list`, "1"]), /'blpop' is not allowed/);
      await rejects(redis.exec(["config", "get", "maxmemory"]), /'config' is not allowed/);
    }
    console.log(
      `  ${s.backend}: protocol checks ok (401, EXECABORT, path form, arity, unsupported/refused commands)`,
    );
  } finally {
    await deletePrefix(client(s), base);
  }
}

async function persistenceCheck(dir: string): Promise<void> {
  const file = join(dir, "upstash.json");
  const first = await startUpstash({ token: TOKEN, persistFile: file });
  const r1 = client(first);
  await r1.set("keep", "héllo ✓\n", { ex: 300 });
  await r1.set("gone", "soon", { px: 100 });
  await r1.hset("h", { a: 1 });
  await r1.exec(["zadd", "z", "+inf", "top", "1.5", "mid"]); // JSON cannot carry Infinity, so send Redis text
  await r1.rpush("l", "x", "y");
  await r1.sadd("s", "m");
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(await readdir(dir), ["upstash.json"], "debounced save wrote the file, no temp file left");
  await r1.incr("late");
  await first.close();
  const second = await startUpstash({ token: TOKEN, persistFile: file });
  try {
    const r2 = client(second);
    assert.equal(await r2.get("keep"), "héllo ✓\n");
    assert.ok((await r2.ttl("keep")) > 290, "TTL survives restart");
    assert.equal(await r2.get("gone"), null);
    assert.deepEqual(await r2.hgetall("h"), { a: 1 });
    assert.deepEqual(await r2.zrange("z", 0, -1, { withScores: true }), ["mid", 1.5, "top", "inf"]);
    assert.deepEqual(await r2.lrange("l", 0, -1), ["x", "y"]);
    assert.deepEqual(await r2.smembers("s"), ["m"]);
    assert.equal(await r2.get("late"), 1, "close() flushes pending writes");
  } finally {
    await second.close();
  }
  console.log("  memory: persistence across restart ok (values, TTLs, expiry, close flush)");
}

const dir = await mkdtemp(join(tmpdir(), "haven-upstash-smoke-"));
try {
  console.log("memory backend");
  const mem = await startUpstash({ token: TOKEN });
  assert.equal(mem.backend, "memory");
  try {
    await runBackend(mem);
  } finally {
    await mem.close();
  }
  await persistenceCheck(dir);
  console.log(`redis backend (${REDIS_URL})`);
  const real = await startUpstash({ token: TOKEN, redisUrl: REDIS_URL });
  assert.equal(real.backend, "redis");
  try {
    await runBackend(real);
  } finally {
    await real.close();
  }
  console.log("upstash smoke: all ok");
} finally {
  await rm(dir, { recursive: true, force: true });
}
