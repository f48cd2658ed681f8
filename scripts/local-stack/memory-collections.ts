/**
 * Embedded-store commands for hashes, lists and sets, with Redis 7 semantics: empty
 * collections disappear, wrong types raise WRONGTYPE, and replies have Redis' shapes.
 */

import type { CommandSpec, Keyspace } from "./memory-keyspace.ts";
import { fail, inInt64, parseBigInt, parseIntArg } from "./memory-keyspace.ts";
import type { Reply } from "./resp.ts";

const a = (args: string[], i: number): string => args[i] ?? "";
const wrongArgs = (name: string): never => fail(`ERR wrong number of arguments for '${name}' command`);

/** Resolves Redis' inclusive, possibly negative [start, stop] into a JS slice range. */
export function rangeIndexes(len: number, start: number, stop: number): [number, number] {
  let s = start < 0 ? Math.max(0, start + len) : start;
  const e = stop < 0 ? stop + len : Math.min(stop, len - 1);
  if (s > e || s >= len) s = e + 1;
  return [s, Math.max(s, e + 1)];
}

function hset(ks: Keyspace, args: string[], name: string): Reply {
  if (args.length % 2 !== 1) wrongArgs(name);
  const h = ks.write(a(args, 0), "hash", () => new Map<string, string>()).value;
  let added = 0;
  for (let i = 1; i < args.length; i += 2) {
    if (!h.has(a(args, i))) added++;
    h.set(a(args, i), a(args, i + 1));
  }
  return name === "hmset" ? "OK" : added;
}

function push(ks: Keyspace, args: string[], left: boolean): Reply {
  const list = ks.write(a(args, 0), "list", () => []).value;
  for (const v of args.slice(1)) {
    if (left) list.unshift(v);
    else list.push(v);
  }
  return list.length;
}

function pop(ks: Keyspace, args: string[], left: boolean): Reply {
  if (args.length > 2) fail("ERR syntax error");
  const count =
    args.length === 2 ? parseIntArg(a(args, 1), "ERR value is out of range, must be positive") : null;
  if (count !== null && count < 0) fail("ERR value is out of range, must be positive");
  const e = ks.read(a(args, 0), "list");
  if (!e) return null;
  const n = Math.min(count ?? 1, e.value.length);
  const out = left ? e.value.splice(0, n) : e.value.splice(e.value.length - n, n).reverse();
  ks.dirty = true;
  ks.dropIfEmpty(a(args, 0), e);
  return count === null ? (out[0] ?? null) : out;
}

/** Hash, list and set commands of the embedded store. */
export const collectionCommands: Record<string, CommandSpec> = {
  HSET: { arity: -4, run: (ks, args) => hset(ks, args, "hset") },
  HMSET: { arity: -4, run: (ks, args) => hset(ks, args, "hmset") },
  HSETNX: {
    arity: 4,

    run: (ks, args) => {
      const h = ks.write(a(args, 0), "hash", () => new Map<string, string>()).value;
      if (h.has(a(args, 1))) return 0;
      h.set(a(args, 1), a(args, 2));
      return 1;
    },
  },
  HGET: { arity: 3, run: (ks, args) => ks.read(a(args, 0), "hash")?.value.get(a(args, 1)) ?? null },
  HMGET: {
    arity: -3,

    run: (ks, args) => {
      const h = ks.read(a(args, 0), "hash")?.value;
      return args.slice(1).map((f) => h?.get(f) ?? null);
    },
  },
  HGETALL: {
    arity: 2,

    run: (ks, args) => [...(ks.read(a(args, 0), "hash")?.value ?? new Map<string, string>())].flat(),
  },
  HKEYS: { arity: 2, run: (ks, args) => [...(ks.read(a(args, 0), "hash")?.value.keys() ?? [])] },
  HVALS: { arity: 2, run: (ks, args) => [...(ks.read(a(args, 0), "hash")?.value.values() ?? [])] },
  HDEL: {
    arity: -3,

    run: (ks, args) => {
      const e = ks.read(a(args, 0), "hash");
      if (!e) return 0;
      const removed = args.slice(1).filter((f) => e.value.delete(f)).length;
      ks.dirty = true;
      ks.dropIfEmpty(a(args, 0), e);
      return removed;
    },
  },
  HINCRBY: {
    arity: 4,

    run: (ks, args) => {
      const by = parseBigInt(a(args, 2));
      const h = ks.read(a(args, 0), "hash")?.value;
      const cur = h?.get(a(args, 1));
      const next = (cur === undefined ? 0n : parseBigInt(cur, "ERR hash value is not an integer")) + by;
      if (!inInt64(next)) fail("ERR increment or decrement would overflow");
      ks.write(a(args, 0), "hash", () => new Map<string, string>()).value.set(a(args, 1), next.toString());
      return Number(next);
    },
  },
  HEXISTS: { arity: 3, run: (ks, args) => (ks.read(a(args, 0), "hash")?.value.has(a(args, 1)) ? 1 : 0) },
  HLEN: { arity: 2, run: (ks, args) => ks.read(a(args, 0), "hash")?.value.size ?? 0 },

  LPUSH: { arity: -3, run: (ks, args) => push(ks, args, true) },
  RPUSH: { arity: -3, run: (ks, args) => push(ks, args, false) },
  LPOP: { arity: -2, run: (ks, args) => pop(ks, args, true) },
  RPOP: { arity: -2, run: (ks, args) => pop(ks, args, false) },
  LRANGE: {
    arity: 4,

    run: (ks, args) => {
      const start = parseIntArg(a(args, 1));
      const stop = parseIntArg(a(args, 2));
      const list = ks.read(a(args, 0), "list")?.value ?? [];
      return list.slice(...rangeIndexes(list.length, start, stop));
    },
  },
  LINDEX: {
    arity: 3,

    run: (ks, args) => {
      const i = parseIntArg(a(args, 1));
      const list = ks.read(a(args, 0), "list")?.value ?? [];
      return list[i < 0 ? list.length + i : i] ?? null;
    },
  },
  LTRIM: {
    arity: 4,

    run: (ks, args) => {
      const start = parseIntArg(a(args, 1));
      const stop = parseIntArg(a(args, 2));
      const e = ks.read(a(args, 0), "list");
      if (!e) return "OK";
      e.value = e.value.slice(...rangeIndexes(e.value.length, start, stop));
      ks.dirty = true;
      ks.dropIfEmpty(a(args, 0), e);
      return "OK";
    },
  },
  LLEN: { arity: 2, run: (ks, args) => ks.read(a(args, 0), "list")?.value.length ?? 0 },

  SADD: {
    arity: -3,

    run: (ks, args) => {
      const s = ks.write(a(args, 0), "set", () => new Set<string>()).value;
      let added = 0;
      for (const m of args.slice(1)) {
        if (!s.has(m)) added++;
        s.add(m);
      }
      return added;
    },
  },
  SREM: {
    arity: -3,

    run: (ks, args) => {
      const e = ks.read(a(args, 0), "set");
      if (!e) return 0;
      const removed = args.slice(1).filter((m) => e.value.delete(m)).length;
      ks.dirty = true;
      ks.dropIfEmpty(a(args, 0), e);
      return removed;
    },
  },
  SMEMBERS: { arity: 2, run: (ks, args) => [...(ks.read(a(args, 0), "set")?.value ?? [])] },
  SISMEMBER: { arity: 3, run: (ks, args) => (ks.read(a(args, 0), "set")?.value.has(a(args, 1)) ? 1 : 0) },
  SMISMEMBER: {
    arity: -3,

    run: (ks, args) => {
      const s = ks.read(a(args, 0), "set")?.value;
      return args.slice(1).map((m) => (s?.has(m) ? 1 : 0));
    },
  },
  SCARD: { arity: 2, run: (ks, args) => ks.read(a(args, 0), "set")?.value.size ?? 0 },
};
