/**
 * Embedded-store commands for strings, counters, expiry and the key space. Semantics and
 * error texts follow Redis 7 so code written against the embedded store behaves the same
 * when REDIS_URL points at a real server.
 */

import type { CommandSpec, Keyspace, ValueType } from "./memory-keyspace.ts";
import {
  fail,
  globToRegExp,
  inInt64,
  parseBigInt,
  parseFloatArg,
  parseIntArg,
  SYNTAX,
} from "./memory-keyspace.ts";
import type { Reply } from "./resp.ts";

const a = (args: string[], i: number): string => args[i] ?? "";

function stringValue(ks: Keyspace, key: string): string | null {
  const e = ks.read(key, "string");
  return e ? e.value : null;
}

function set(ks: Keyspace, args: string[]): Reply {
  const key = a(args, 0);
  let nx = false;
  let xx = false;
  let get = false;
  let keepTtl = false;
  let expireAt: number | null = null;
  for (let i = 2; i < args.length; i++) {
    const opt = a(args, i).toUpperCase();
    if (opt === "NX" && !xx) nx = true;
    else if (opt === "XX" && !nx) xx = true;
    else if (opt === "GET") get = true;
    else if (opt === "KEEPTTL" && expireAt === null) keepTtl = true;
    else if (
      ["EX", "PX", "EXAT", "PXAT"].includes(opt) &&
      expireAt === null &&
      !keepTtl &&
      i + 1 < args.length
    ) {
      const n = parseIntArg(a(args, ++i));
      if (n <= 0) fail("ERR invalid expire time in 'set' command");
      const now = ks.now();
      expireAt = opt === "EX" ? now + n * 1000 : opt === "PX" ? now + n : opt === "EXAT" ? n * 1000 : n;
    } else fail(SYNTAX);
  }
  const old = ks.lookup(key);
  const oldValue = get ? stringValue(ks, key) : null;
  if ((nx && old) || (xx && !old)) return get ? oldValue : null;
  ks.setString(key, a(args, 1), keepTtl && old ? old.expireAt : expireAt);
  return get ? oldValue : "OK";
}

function incrBy(ks: Keyspace, key: string, by: bigint): Reply {
  const e = ks.read(key, "string");
  const cur = e ? parseBigInt(e.value) : 0n;
  const next = cur + by;
  if (!inInt64(next)) fail("ERR increment or decrement would overflow");
  ks.setString(key, next.toString(), e ? e.expireAt : null);
  return Number(next);
}

/** INCRBYFLOAT result text; Redis prints a long double with trailing zeros removed. */
function formatLongDouble(n: number): string {
  const s = String(Number(n.toPrecision(15)));
  return s.includes("e") ? n.toFixed(20).replace(/\.?0+$/, "") : s;
}

function expireGeneric(ks: Keyspace, args: string[], toMs: (n: number, now: number) => number): Reply {
  const at = toMs(parseIntArg(a(args, 1)), ks.now());
  const flags = new Set(args.slice(2).map((f) => f.toUpperCase()));
  for (const f of flags) if (!["NX", "XX", "GT", "LT"].includes(f)) fail(`ERR Unsupported option ${f}`);
  if (flags.has("NX") && (flags.has("XX") || flags.has("GT") || flags.has("LT"))) {
    fail("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (flags.has("GT") && flags.has("LT")) fail("ERR GT and LT options at the same time are not compatible");
  const e = ks.lookup(a(args, 0));
  if (!e) return 0;
  const cur = e.expireAt ?? Infinity;
  if (flags.has("NX") && e.expireAt !== null) return 0;
  if (flags.has("XX") && e.expireAt === null) return 0;
  if (flags.has("GT") && !(at > cur)) return 0;
  if (flags.has("LT") && !(at < cur)) return 0;
  if (at <= ks.now()) ks.delete(a(args, 0));
  else e.expireAt = at;
  ks.dirty = true;
  return 1;
}

function ttl(ks: Keyspace, key: string, ms: boolean): Reply {
  const e = ks.lookup(key);
  if (!e) return -2;
  if (e.expireAt === null) return -1;
  const left = Math.max(0, e.expireAt - ks.now());
  return ms ? left : Math.floor((left + 500) / 1000);
}

function scan(ks: Keyspace, args: string[]): Reply {
  const cursor = a(args, 0);
  if (!/^\d+$/.test(cursor)) fail("ERR invalid cursor");
  let match: RegExp | null = null;
  let count = 10;
  let type: string | null = null;
  for (let i = 1; i < args.length; i += 2) {
    const opt = a(args, i).toUpperCase();
    if (i + 1 >= args.length) fail(SYNTAX);
    if (opt === "MATCH") match = globToRegExp(a(args, i + 1));
    else if (opt === "COUNT") count = parseIntArg(a(args, i + 1));
    else if (opt === "TYPE") type = a(args, i + 1).toLowerCase();
    else fail(SYNTAX);
  }
  if (count < 1) fail(SYNTAX);
  const from = Number(cursor);
  const keys: string[] = [];
  let examined = 0;
  let next = "0";
  for (const [key, e] of ks.entries()) {
    if (e.seq < from) continue;
    if (examined === count) {
      next = String(e.seq);
      break;
    }
    examined++;
    if ((match === null || match.test(key)) && (type === null || e.type === type)) keys.push(key);
  }
  return [next, keys];
}

function flush(ks: Keyspace, args: string[]): Reply {
  const mode = a(args, 0).toUpperCase();
  if (args.length > 1 || (args.length === 1 && mode !== "ASYNC" && mode !== "SYNC")) fail(SYNTAX);
  ks.clear();
  return "OK";
}

/** String, counter, expiry and key-space commands of the embedded store. */
export const stringCommands: Record<string, CommandSpec> = {
  PING: {
    arity: -1,

    run: (_ks, args) =>
      args.length > 1 ? fail("ERR wrong number of arguments for 'ping' command") : (args[0] ?? "PONG"),
  },
  ECHO: { arity: 2, run: (_ks, args) => a(args, 0) },
  GET: { arity: 2, run: (ks, args) => stringValue(ks, a(args, 0)) },
  SET: { arity: -3, run: set },
  SETEX: {
    arity: 4,

    run: (ks, args) => {
      const s = parseIntArg(a(args, 1));
      if (s <= 0) fail("ERR invalid expire time in 'setex' command");
      ks.setString(a(args, 0), a(args, 2), ks.now() + s * 1000);
      return "OK";
    },
  },
  GETDEL: {
    arity: 2,

    run: (ks, args) => {
      const v = stringValue(ks, a(args, 0));
      if (v !== null) ks.delete(a(args, 0));
      return v;
    },
  },
  MGET: {
    arity: -2,

    run: (ks, args) =>
      args.map((k) => {
        const e = ks.lookup(k);
        return e && e.type === "string" ? (e.value as string) : null;
      }),
  },
  MSET: {
    arity: -3,

    run: (ks, args) => {
      if (args.length % 2 !== 0) fail("ERR wrong number of arguments for 'mset' command");
      for (let i = 0; i < args.length; i += 2) ks.setString(a(args, i), a(args, i + 1), null);
      return "OK";
    },
  },
  SETNX: {
    arity: 3,

    run: (ks, args) => {
      if (ks.lookup(a(args, 0))) return 0;
      ks.setString(a(args, 0), a(args, 1), null);
      return 1;
    },
  },
  DEL: { arity: -2, run: (ks, args) => args.filter((k) => ks.delete(k)).length },
  UNLINK: { arity: -2, run: (ks, args) => args.filter((k) => ks.delete(k)).length },
  EXISTS: { arity: -2, run: (ks, args) => args.filter((k) => ks.lookup(k) !== undefined).length },
  INCR: { arity: 2, run: (ks, args) => incrBy(ks, a(args, 0), 1n) },
  DECR: { arity: 2, run: (ks, args) => incrBy(ks, a(args, 0), -1n) },
  INCRBY: { arity: 3, run: (ks, args) => incrBy(ks, a(args, 0), parseBigInt(a(args, 1))) },
  DECRBY: {
    arity: 3,

    run: (ks, args) => {
      const by = parseBigInt(a(args, 1));
      if (by === -(2n ** 63n)) fail("ERR decrement would overflow");
      return incrBy(ks, a(args, 0), -by);
    },
  },
  INCRBYFLOAT: {
    arity: 3,

    run: (ks, args) => {
      const e = ks.read(a(args, 0), "string");
      const next = (e ? parseFloatArg(e.value) : 0) + parseFloatArg(a(args, 1));
      if (!Number.isFinite(next)) fail("ERR increment would produce NaN or Infinity");
      const text = formatLongDouble(next);
      ks.setString(a(args, 0), text, e ? e.expireAt : null);
      return text;
    },
  },
  EXPIRE: { arity: -3, run: (ks, args) => expireGeneric(ks, args, (n, now) => now + n * 1000) },
  PEXPIRE: { arity: -3, run: (ks, args) => expireGeneric(ks, args, (n, now) => now + n) },
  EXPIREAT: { arity: -3, run: (ks, args) => expireGeneric(ks, args, (n) => n * 1000) },
  PEXPIREAT: { arity: -3, run: (ks, args) => expireGeneric(ks, args, (n) => n) },
  TTL: { arity: 2, run: (ks, args) => ttl(ks, a(args, 0), false) },
  PTTL: { arity: 2, run: (ks, args) => ttl(ks, a(args, 0), true) },
  PERSIST: {
    arity: 2,

    run: (ks, args) => {
      const e = ks.lookup(a(args, 0));
      if (!e || e.expireAt === null) return 0;
      e.expireAt = null;
      ks.dirty = true;
      return 1;
    },
  },
  TYPE: {
    arity: 2,

    run: (ks, args): ValueType | "none" => ks.lookup(a(args, 0))?.type ?? "none",
  },
  KEYS: {
    arity: 2,

    run: (ks, args) => {
      const re = globToRegExp(a(args, 0));
      return [...ks.entries()].map(([k]) => k).filter((k) => re.test(k));
    },
  },
  SCAN: { arity: -2, run: scan },
  DBSIZE: { arity: 1, run: (ks) => ks.size() },
  FLUSHDB: { arity: -1, run: flush },
  FLUSHALL: { arity: -1, run: flush },
};
