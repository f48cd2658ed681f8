/**
 * Data model of Haven's embedded Redis-like store: typed entries with millisecond expiry,
 * lazy expiry on every access, and Redis' exact error texts, shared by the command modules
 * so both local backends (embedded and real Redis) answer the client identically.
 */

import type { Reply } from "./resp.ts";
import { ReplyError } from "./resp.ts";

/** Value types, named as Redis' TYPE command names them. */
export interface TypeMap {
  string: string;
  hash: Map<string, string>;
  list: string[];
  set: Set<string>;
  zset: Map<string, number>;
}
export type ValueType = keyof TypeMap;

/** One key. `seq` orders keys for SCAN cursors; `expireAt` is epoch ms or null. */
export interface Entry<T extends ValueType = ValueType> {
  type: T;
  value: TypeMap[T];
  expireAt: number | null;
  seq: number;
}

/** A command implementation; receives arguments without the command name. */
export type Handler = (ks: Keyspace, args: string[]) => Reply;

/** Command metadata; `arity` follows Redis (counts the name; negative = at least). */
export interface CommandSpec {
  arity: number;
  run: Handler;
}

export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
export const NOT_INT = "ERR value is not an integer or out of range";
export const NOT_FLOAT = "ERR value is not a valid float";
export const SYNTAX = "ERR syntax error";

/** Throws a command error; the store turns it into an `{error}` reply. */
export function fail(message: string): never {
  throw new ReplyError(message);
}

const INT_RE = /^(0|-?[1-9]\d*)$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Parses a 64-bit integer argument exactly as Redis' string2ll does. */
export function parseBigInt(s: string, message = NOT_INT): bigint {
  if (!INT_RE.test(s)) fail(message);
  const n = BigInt(s);
  if (n < INT64_MIN || n > INT64_MAX) fail(message);
  return n;
}

/** Parses an integer argument that must fit a JS safe integer (counts, indexes, TTLs). */
export function parseIntArg(s: string, message = NOT_INT): number {
  const n = parseBigInt(s, message);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) fail(message);
  return Number(n);
}

/** True when `n` is inside Redis' signed 64-bit integer range. */
export function inInt64(n: bigint): boolean {
  return n >= INT64_MIN && n <= INT64_MAX;
}

/** Parses a float argument like strtold: accepts inf/-inf, rejects empty, spaces and NaN. */
export function parseFloatArg(s: string, message = NOT_FLOAT): number {
  const lower = s.toLowerCase();
  if (lower === "inf" || lower === "+inf" || lower === "infinity" || lower === "+infinity") return Infinity;
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  if (s === "" || /\s/.test(s) || /^[+-]?(0x|0b|0o)/i.test(s)) fail(message);
  const n = Number(s);
  if (Number.isNaN(n)) fail(message);
  return n;
}

/** Formats a double like Redis 7.0's `%.17g` replies (ZSCORE, ZINCRBY, WITHSCORES). */
export function formatDouble(n: number): string {
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  if (n === 0) return "0";
  const [mant = "0", expPart = "0"] = n.toExponential(16).split("e");
  const exp = Number(expPart);
  if (exp < -4 || exp >= 17) {
    const m = mant.includes(".") ? mant.replace(/0+$/, "").replace(/\.$/, "") : mant;
    const e = Math.abs(exp);
    return `${m}e${exp < 0 ? "-" : "+"}${e < 10 ? `0${e}` : e}`;
  }
  const fixed = n.toFixed(16 - exp);
  return fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
}

/** Converts a glob (Redis KEYS/SCAN MATCH syntax) into an anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? "";
    if (c === "*") re += "[\\s\\S]*";
    else if (c === "?") re += "[\\s\\S]";
    else if (c === "\\" && i + 1 < glob.length) re += escapeRe(glob[++i] ?? "");
    else if (c === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close < 0) {
        re += "\\[";
        continue;
      }
      let body = glob.slice(i + 1, close);
      const negate = body.startsWith("^");
      if (negate) body = body.slice(1);
      re += `[${negate ? "^" : ""}${body.replace(/[\]\\]/g, "\\$&")}]`;
      i = close;
    } else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, "u");
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The key space: a Map in SCAN order plus expiry bookkeeping. */
export class Keyspace {
  #data = new Map<string, Entry>();
  #seq = 0;
  /** Set by any write so the store knows to persist. */
  dirty = false;

  /** Current time in ms; one place so expiry is consistent. */
  now(): number {
    return Date.now();
  }

  /** Returns the live entry for `key`, deleting it first if it has expired. */
  lookup(key: string): Entry | undefined {
    const e = this.#data.get(key);
    if (!e) return undefined;
    if (e.expireAt !== null && e.expireAt <= this.now()) {
      this.#data.delete(key);
      this.dirty = true;
      return undefined;
    }
    return e;
  }

  /** Typed read: undefined if missing, WRONGTYPE error if another type. */
  read<T extends ValueType>(key: string, type: T): Entry<T> | undefined {
    const e = this.lookup(key);
    if (!e) return undefined;
    if (e.type !== type) fail(WRONGTYPE);
    return e as Entry<T>;
  }

  /** Typed read-or-create for collection writes (the caller drops it again if left empty). */
  write<T extends ValueType>(key: string, type: T, create: () => TypeMap[T]): Entry<T> {
    const existing = this.read(key, type);
    this.dirty = true;
    if (existing) return existing;
    const e: Entry<T> = { type, value: create(), expireAt: null, seq: ++this.#seq };
    this.#data.set(key, e);
    return e;
  }

  /** Replaces `key` with a string value (any old type), keeping SCAN position if it existed. */
  setString(key: string, value: string, expireAt: number | null): void {
    const old = this.lookup(key);
    this.#data.set(key, { type: "string", value, expireAt, seq: old ? old.seq : ++this.#seq });
    this.dirty = true;
  }

  /** Inserts a fully built entry (used when loading a persisted snapshot). */
  restore(key: string, type: ValueType, value: TypeMap[ValueType], expireAt: number | null): void {
    this.#data.set(key, { type, value, expireAt, seq: ++this.#seq } as Entry);
  }

  /** Deletes `key`; true if a live key was removed. */
  delete(key: string): boolean {
    if (!this.lookup(key)) return false;
    this.#data.delete(key);
    this.dirty = true;
    return true;
  }

  /** Removes a collection key whose last element was removed, as Redis does. */
  dropIfEmpty(key: string, e: Entry): void {
    const v = e.value;
    const size = typeof v === "string" ? 1 : Array.isArray(v) ? v.length : v.size;
    if (size === 0) this.#data.delete(key);
  }

  /** Live entries in SCAN (insertion) order. */
  *entries(): Generator<[string, Entry]> {
    for (const key of [...this.#data.keys()]) {
      const e = this.lookup(key);
      if (e) yield [key, e];
    }
  }

  /** Number of stored keys, after removing expired ones. */
  size(): number {
    this.sweep();
    return this.#data.size;
  }

  /** Deletes every key. */
  clear(): void {
    this.#data.clear();
    this.dirty = true;
  }

  /** Active expiry: removes every expired key (called periodically by the store). */
  sweep(): void {
    const now = this.now();
    for (const [key, e] of this.#data) {
      if (e.expireAt !== null && e.expireAt <= now) {
        this.#data.delete(key);
        this.dirty = true;
      }
    }
  }

  /** Raw entries for persistence (expired ones are dropped first). */
  snapshot(): [string, Entry][] {
    this.sweep();
    return [...this.#data];
  }
}
