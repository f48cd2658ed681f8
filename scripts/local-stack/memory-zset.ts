/**
 * Embedded-store sorted-set commands (rate-limit windows, leaderboards, schedules) with
 * Redis 7 ordering (score, then member bytes), ZRANGE's BYSCORE/BYLEX/REV/LIMIT forms and
 * Redis 7.0's `%.17g` score text, so ZSCORE/WITHSCORES read the same on both backends.
 */

import { rangeIndexes } from "./memory-collections.ts";
import type { CommandSpec, Keyspace } from "./memory-keyspace.ts";
import { fail, formatDouble, parseFloatArg, parseIntArg, SYNTAX } from "./memory-keyspace.ts";
import type { Reply } from "./resp.ts";

const a = (args: string[], i: number): string => args[i] ?? "";

/** Compares by Unicode code point, which equals Redis' byte order for UTF-8 members. */
function cmpMember(x: string, y: string): number {
  if (x === y) return 0;
  const xs = [...x];
  const ys = [...y];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const d = (xs[i]?.codePointAt(0) ?? 0) - (ys[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return xs.length - ys.length;
}

type Item = [member: string, score: number];

function sorted(z: Map<string, number>): Item[] {
  return [...z].sort((p, q) => p[1] - q[1] || cmpMember(p[0], q[0]));
}

type Test = (item: Item) => boolean;

function scoreBound(s: string, isMin: boolean): Test {
  const excl = s.startsWith("(");
  const v = parseFloatArg(excl ? s.slice(1) : s, "ERR min or max is not a float");
  if (isMin) return excl ? (it) => it[1] > v : (it) => it[1] >= v;
  return excl ? (it) => it[1] < v : (it) => it[1] <= v;
}

function lexBound(s: string, isMin: boolean): Test {
  if (s === "-") return () => isMin;
  if (s === "+") return () => !isMin;
  const v = s.slice(1);
  if (!s.startsWith("[") && !s.startsWith("(")) fail("ERR min or max not valid string range item");
  const excl = s.startsWith("(");
  if (isMin) return excl ? (it) => cmpMember(it[0], v) > 0 : (it) => cmpMember(it[0], v) >= 0;
  return excl ? (it) => cmpMember(it[0], v) < 0 : (it) => cmpMember(it[0], v) <= 0;
}

interface RangeOpts {
  by: "index" | "score" | "lex";
  rev: boolean;
  limit: [number, number] | null;
  withScores: boolean;
}

/** Shared engine of ZRANGE and ZRANGEBYSCORE; `lo`/`hi` are as typed (REV already swapped). */
function zrange(ks: Keyspace, key: string, lo: string, hi: string, o: RangeOpts): Reply {
  let items: Item[];
  if (o.by === "index") {
    const start = parseIntArg(lo);
    const stop = parseIntArg(hi);
    const all = sorted(ks.read(key, "zset")?.value ?? new Map<string, number>());
    if (o.rev) all.reverse();
    items = all.slice(...rangeIndexes(all.length, start, stop));
  } else {
    const bound = o.by === "score" ? scoreBound : lexBound;
    const min = bound(o.rev ? hi : lo, true);
    const max = bound(o.rev ? lo : hi, false);
    items = sorted(ks.read(key, "zset")?.value ?? new Map<string, number>()).filter(
      (it) => min(it) && max(it),
    );
    if (o.rev) items.reverse();
    if (o.limit) {
      const [offset, count] = o.limit;
      items = offset < 0 ? [] : items.slice(offset, count < 0 ? undefined : offset + count);
    }
  }
  return o.withScores ? items.flatMap(([m, s]) => [m, formatDouble(s)]) : items.map(([m]) => m);
}

function parseRangeOpts(args: string[], from: number, o: RangeOpts, allowBy: boolean): void {
  for (let i = from; i < args.length; i++) {
    const opt = a(args, i).toUpperCase();
    if (opt === "WITHSCORES") o.withScores = true;
    else if (opt === "LIMIT" && i + 2 < args.length) {
      o.limit = [parseIntArg(a(args, i + 1)), parseIntArg(a(args, i + 2))];
      i += 2;
    } else if (allowBy && opt === "BYSCORE" && o.by === "index") o.by = "score";
    else if (allowBy && opt === "BYLEX" && o.by === "index") o.by = "lex";
    else if (allowBy && opt === "REV") o.rev = true;
    else fail(SYNTAX);
  }
  if (o.limit && o.by === "index") {
    fail("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (o.withScores && o.by === "lex") {
    fail("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  }
}

function zadd(ks: Keyspace, args: string[]): Reply {
  const flags = new Set<string>();
  let i = 1;
  for (; i < args.length; i++) {
    const f = a(args, i).toUpperCase();
    if (!["NX", "XX", "GT", "LT", "CH", "INCR"].includes(f)) break;
    flags.add(f);
  }
  const pairs = args.slice(i);
  if (pairs.length === 0 || pairs.length % 2 !== 0) fail(SYNTAX);
  if (flags.has("NX") && flags.has("XX")) fail("ERR XX and NX options at the same time are not compatible");
  if ((flags.has("GT") && flags.has("LT")) || (flags.has("NX") && (flags.has("GT") || flags.has("LT")))) {
    fail("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  const incr = flags.has("INCR");
  if (incr && pairs.length > 2) fail("ERR INCR option supports a single increment-element pair");
  const scores = pairs.filter((_, j) => j % 2 === 0).map((s) => parseFloatArg(s));
  const entry = ks.write(a(args, 0), "zset", () => new Map<string, number>());
  const z = entry.value;
  let added = 0;
  let changed = 0;
  let incrResult: number | null = null;
  try {
    for (let p = 0; p < scores.length; p++) {
      const member = a(pairs, p * 2 + 1);
      const cur = z.get(member);
      if ((flags.has("NX") && cur !== undefined) || (flags.has("XX") && cur === undefined)) continue;
      const next = incr && cur !== undefined ? cur + (scores[p] ?? 0) : (scores[p] ?? 0);
      if (Number.isNaN(next)) fail("ERR resulting score is not a number (NaN)");
      if (cur !== undefined && ((flags.has("GT") && next <= cur) || (flags.has("LT") && next >= cur)))
        continue;
      if (cur === undefined) added++;
      else if (next !== cur) changed++;
      z.set(member, next);
      incrResult = next;
    }
  } finally {
    ks.dropIfEmpty(a(args, 0), entry);
  }
  if (incr) return incrResult === null ? null : formatDouble(incrResult);
  return flags.has("CH") ? added + changed : added;
}

const base = (): RangeOpts => ({ by: "index", rev: false, limit: null, withScores: false });

/** Sorted-set commands of the embedded store. */
export const zsetCommands: Record<string, CommandSpec> = {
  ZADD: { arity: -4, run: zadd },
  ZRANGE: {
    arity: -4,

    run: (ks, args) => {
      const o = base();
      parseRangeOpts(args, 3, o, true);
      return zrange(ks, a(args, 0), a(args, 1), a(args, 2), o);
    },
  },
  ZRANGEBYSCORE: {
    arity: -4,

    run: (ks, args) => {
      const o: RangeOpts = { ...base(), by: "score" };
      parseRangeOpts(args, 3, o, false);
      return zrange(ks, a(args, 0), a(args, 1), a(args, 2), o);
    },
  },
  ZCOUNT: {
    arity: 4,

    run: (ks, args) => {
      const min = scoreBound(a(args, 1), true);
      const max = scoreBound(a(args, 2), false);
      return [...(ks.read(a(args, 0), "zset")?.value ?? [])].filter((it) => min(it) && max(it)).length;
    },
  },
  ZREM: {
    arity: -3,

    run: (ks, args) => {
      const e = ks.read(a(args, 0), "zset");
      if (!e) return 0;
      const removed = args.slice(1).filter((m) => e.value.delete(m)).length;
      ks.dirty = true;
      ks.dropIfEmpty(a(args, 0), e);
      return removed;
    },
  },
  ZREMRANGEBYSCORE: {
    arity: 4,

    run: (ks, args) => {
      const min = scoreBound(a(args, 1), true);
      const max = scoreBound(a(args, 2), false);
      const e = ks.read(a(args, 0), "zset");
      if (!e) return 0;
      let removed = 0;
      for (const it of [...e.value]) {
        if (min(it) && max(it)) removed += e.value.delete(it[0]) ? 1 : 0;
      }
      ks.dirty = true;
      ks.dropIfEmpty(a(args, 0), e);
      return removed;
    },
  },
  ZCARD: { arity: 2, run: (ks, args) => ks.read(a(args, 0), "zset")?.value.size ?? 0 },
  ZSCORE: {
    arity: 3,

    run: (ks, args) => {
      const s = ks.read(a(args, 0), "zset")?.value.get(a(args, 1));
      return s === undefined ? null : formatDouble(s);
    },
  },
  ZINCRBY: {
    arity: 4,

    run: (ks, args) => {
      const by = parseFloatArg(a(args, 1));
      const next = (ks.read(a(args, 0), "zset")?.value.get(a(args, 2)) ?? 0) + by;
      if (Number.isNaN(next)) fail("ERR resulting score is not a number (NaN)");
      ks.write(a(args, 0), "zset", () => new Map<string, number>()).value.set(a(args, 2), next);
      return formatDouble(next);
    },
  },
};
