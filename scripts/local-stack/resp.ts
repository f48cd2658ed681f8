/**
 * Minimal RESP2 client over `node:net`, used by the local Upstash-compatible server to
 * forward commands to a real Redis. Written by hand so the local stack needs no Redis
 * client dependency; it supports exactly what the server needs: pipelined batches on a
 * leased connection (so MULTI/EXEC never interleaves with other requests), AUTH/SELECT
 * from a `redis://` URL, and replies kept as raw bytes so binary values survive.
 */

import type { Socket } from "node:net";
import { connect } from "node:net";

/** A command failure reply (`-ERR ...`), kept as a value so pipelines can carry per-command errors. */
export class ReplyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplyError";
  }
}

/**
 * A decoded reply shared by both backends: `string` is a status reply (or a memory-store
 * bulk value), `Buffer` a bulk reply from real Redis, `number` an integer, `null` a nil.
 */
export type Reply = string | number | Buffer | null | ReplyError | Reply[];

/** Connection settings parsed from `redis://[user:pass@]host:port[/db]`. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
}

/** Parses a `redis://` URL so the pool can AUTH and SELECT on every new connection. */
export function parseRedisUrl(url: string): RedisTarget {
  const u = new URL(url);
  if (u.protocol !== "redis:") throw new Error("redisUrl must start with redis:// (TLS is not supported)");
  const dbPart = u.pathname.replace(/^\//, "");
  const db = dbPart === "" ? 0 : Number(dbPart);
  if (!Number.isInteger(db) || db < 0) throw new Error("redisUrl database must be a non-negative integer");
  const target: RedisTarget = { host: u.hostname || "127.0.0.1", port: u.port ? Number(u.port) : 6379, db };
  if (u.username) target.username = decodeURIComponent(u.username);
  if (u.password) target.password = decodeURIComponent(u.password);
  return target;
}

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.from(a, "utf8");
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

interface Parsed {
  value: Reply;
  end: number;
}

/** Parses one reply starting at `pos`; `undefined` means more bytes are needed. */
function parseAt(buf: Buffer, pos: number): Parsed | undefined {
  const lineEnd = buf.indexOf("\r\n", pos);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[pos] ?? 0);
  const line = buf.toString("utf8", pos + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case "+":
      return { value: line, end: next };
    case "-":
      return { value: new ReplyError(line), end: next };
    case ":":
      return { value: Number(line), end: next };
    case "$": {
      const len = Number(line);
      if (len < 0) return { value: null, end: next };
      if (buf.length < next + len + 2) return undefined;
      return { value: Buffer.from(buf.subarray(next, next + len)), end: next + len + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: Reply[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseAt(buf, at);
        if (!item) return undefined;
        items.push(item.value);
        at = item.end;
      }
      return { value: items, end: at };
    }
    default:
      throw new Error(`RESP protocol error: unexpected type byte ${JSON.stringify(type)}`);
  }
}

interface Pending {
  resolve(r: Reply): void;
  reject(e: Error): void;
}

/** One RESP connection; replies are matched to requests in order (RESP pipelining). */
export class RespConnection {
  #socket: Socket;
  #buf: Buffer = Buffer.alloc(0);
  #pending: Pending[] = [];
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("error", (err) => this.#fail(err));
    socket.on("close", () => this.#fail(new Error("Redis connection closed")));
  }

  /** Opens a connection, then AUTHs and SELECTs per `target`; rejects if Redis refuses either. */
  static async open(target: RedisTarget): Promise<RespConnection> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: target.host, port: target.port });
      s.once("connect", () => {
        s.off("error", reject);
        resolve(s);
      });
      s.once("error", reject);
    });
    socket.setNoDelay(true);
    const conn = new RespConnection(socket);
    const setup: string[][] = [];
    if (target.password !== undefined) {
      setup.push(target.username ? ["AUTH", target.username, target.password] : ["AUTH", target.password]);
    }
    if (target.db !== 0) setup.push(["SELECT", String(target.db)]);
    for (const r of await conn.batch(setup)) {
      if (r instanceof ReplyError) {
        conn.close();
        throw new Error(`Redis connection setup failed: ${r.message}`);
      }
    }
    return conn;
  }

  /** False once the socket errored or closed; the pool then drops this connection. */
  get usable(): boolean {
    return !this.#closed;
  }

  /** Sends a single command. */
  async call(args: readonly string[]): Promise<Reply> {
    const [r] = await this.batch([args]);
    return r ?? null;
  }

  /** Sends all commands in one write and resolves with their replies in order. */
  batch(cmds: readonly (readonly string[])[]): Promise<Reply[]> {
    if (cmds.length === 0) return Promise.resolve([]);
    if (this.#closed) return Promise.reject(new Error("Redis connection closed"));
    const promises = cmds.map(
      () => new Promise<Reply>((resolve, reject) => this.#pending.push({ resolve, reject })),
    );
    this.#socket.write(Buffer.concat(cmds.map(encodeCommand)));
    return Promise.all(promises);
  }

  /** Closes the socket; pending requests are rejected. */
  close(): void {
    this.#fail(new Error("Redis connection closed"));
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    let pos = 0;
    try {
      for (;;) {
        if (pos >= this.#buf.length) break;
        const parsed = parseAt(this.#buf, pos);
        if (!parsed) break;
        pos = parsed.end;
        const p = this.#pending.shift();
        if (!p) throw new Error("RESP protocol error: reply without a request");
        p.resolve(parsed.value);
      }
    } catch (err) {
      this.#fail(err instanceof Error ? err : new Error(String(err)));
      this.#socket.destroy();
      return;
    }
    this.#buf = pos >= this.#buf.length ? Buffer.alloc(0) : this.#buf.subarray(pos);
  }

  #fail(err: Error): void {
    this.#closed = true;
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) p.reject(err);
  }
}

/**
 * A small pool of leased connections. Each HTTP request leases one connection for its
 * whole batch, so a MULTI ... EXEC sequence always runs on a connection nobody else uses.
 */
export class RespPool {
  #target: RedisTarget;
  #max: number;
  #idle: RespConnection[] = [];
  #open = 0;
  #waiters: ((c: RespConnection | Error) => void)[] = [];
  #closed = false;

  constructor(target: RedisTarget, max = 8) {
    this.#target = target;
    this.#max = max;
  }

  /** Leases a connection for `fn` and returns it afterwards (or drops it if it broke). */
  async with<T>(fn: (c: RespConnection) => Promise<T>): Promise<T> {
    const conn = await this.#acquire();
    try {
      return await fn(conn);
    } finally {
      this.#release(conn);
    }
  }

  /** Closes all idle connections; leased ones close when released. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const c of this.#idle) c.close();
    this.#idle = [];
    for (const w of this.#waiters.splice(0)) w(new Error("Redis pool closed"));
  }

  async #acquire(): Promise<RespConnection> {
    if (this.#closed) throw new Error("Redis pool closed");
    for (let c = this.#idle.pop(); c; c = this.#idle.pop()) {
      if (c.usable) return c;
      this.#open--;
    }
    if (this.#open < this.#max) {
      this.#open++;
      try {
        return await RespConnection.open(this.#target);
      } catch (err) {
        this.#open--;
        throw err;
      }
    }
    const got = await new Promise<RespConnection | Error>((resolve) => this.#waiters.push(resolve));
    if (got instanceof Error) throw got;
    return got;
  }

  #release(conn: RespConnection): void {
    if (this.#closed || !conn.usable) {
      this.#open--;
      conn.close();
      const w = this.#waiters.shift();
      if (w) this.#acquire().then(w, w);
      return;
    }
    const w = this.#waiters.shift();
    if (w) w(conn);
    else this.#idle.push(conn);
  }
}
