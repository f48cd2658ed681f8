/**
 * Offline Upstash-REST-compatible server, so Haven's Worker can keep using the real
 * `@upstash/redis` client with no network: point UPSTASH_REDIS_REST_URL/TOKEN at it.
 *
 * Wire protocol (matched to @upstash/redis 1.39's HttpClient):
 * - `POST /` body `["SET","k","v","EX",10]` → `{result}`; `POST /pipeline` and
 *   `POST /multi-exec` bodies are arrays of commands → `[{result}|{error}, ...]`. The client
 *   auto-pipelines by default, so most single calls actually arrive on `/pipeline`.
 * - `Authorization: Bearer <token>` (or `?_token=`); otherwise 401 `{"error":"Unauthorized"}`.
 * - `Upstash-Encoding: base64` (the client default): every string in a result is base64 of
 *   its UTF-8 bytes, recursively in arrays, except the status reply "OK", which the client
 *   special-cases; integers and nil stay JSON numbers/null.
 * - Command errors: HTTP 400 `{"error":"ERR ..."}` (inside a pipeline: 200 with per-entry error).
 * - Every response carries `upstash-sync-token` (the client stores it for read-your-writes);
 *   telemetry and other Upstash-* request headers are accepted and ignored.
 * - Path form `POST|GET /set/k/v` (Upstash REST API) also works; a POST body is the last argument.
 *
 * Backends: real Redis when `redisUrl` is set, else the embedded store. Only route, command
 * names and failure messages are ever logged, never arguments or values.
 */

import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { MemoryStore } from "./memory-store.ts";
import { RedisBackend } from "./redis-backend.ts";
import { requestIdRecorder, requestIdsAnswer } from "./request-ids.ts";
import type { Reply } from "./resp.ts";
import { ReplyError } from "./resp.ts";

/** What the HTTP layer needs from a backend; both execute commands given as string arrays. */
export interface Backend {
  readonly kind: "redis" | "memory";
  single(cmd: string[]): Promise<Reply>;
  pipeline(cmds: string[][]): Promise<Reply[]>;
  /** Atomic; a ReplyError means the whole transaction was discarded (EXECABORT). */
  transaction(cmds: string[][]): Promise<Reply[] | ReplyError>;
  close(): Promise<void>;
}

/** A running server; `url` and `token` plug straight into `new Redis({ url, token })`. */
export interface UpstashServer {
  url: string;
  token: string;
  backend: "redis" | "memory";
  close(): Promise<void>;
}

/** Options; `port` 0/undefined picks a free port, `redisUrl` selects real Redis, `persistFile` persists the embedded store. */
export interface StartUpstashOptions {
  port?: number;
  host?: string;
  token: string;
  redisUrl?: string;
  persistFile?: string;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;
const STREAMING_PATHS = new Set(["subscribe", "psubscribe", "monitor"]);

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Converts a reply to Upstash JSON; `b64` mirrors the client's Upstash-Encoding header. */
export function toUpstashJson(r: Reply, b64: boolean): unknown {
  if (r === null || typeof r === "number") return r;
  if (r instanceof ReplyError) return r.message;
  if (Array.isArray(r)) return r.map((x) => toUpstashJson(x, b64));
  if (typeof r === "string") return b64 && r !== "OK" ? Buffer.from(r, "utf8").toString("base64") : r;
  return b64 ? r.toString("base64") : r.toString("utf8");
}

function entry(r: Reply, b64: boolean): { result: unknown } | { error: string } {
  return r instanceof ReplyError ? { error: r.message } : { result: toUpstashJson(r, b64) };
}

/** Validates one command: a non-empty array of strings/numbers/booleans, stringified like Upstash. */
function toCommand(v: unknown): string[] {
  if (!Array.isArray(v) || v.length === 0)
    throw new HttpError(400, "ERR command must be a non-empty JSON array");
  return v.map((x: unknown) => {
    if (typeof x === "string") return x;
    if (typeof x === "number" || typeof x === "boolean") return String(x);
    throw new HttpError(400, "ERR command arguments must be strings or numbers");
  });
}

function toCommands(v: unknown): string[][] {
  if (!Array.isArray(v) || v.length === 0)
    throw new HttpError(400, "ERR body must be a non-empty array of commands");
  return v.map(toCommand);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "ERR request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "ERR failed to parse request body as JSON");
  }
}

function authorized(req: IncomingMessage, url: URL, expected: Buffer): boolean {
  const header = req.headers.authorization ?? "";
  const given = header.startsWith("Bearer ") ? header.slice(7) : (url.searchParams.get("_token") ?? "");
  const g = Buffer.from(given);
  return g.length === expected.length && timingSafeEqual(g, expected);
}

function names(cmds: string[][]): string {
  return cmds.map((c) => (c[0] ?? "").toLowerCase()).join(",");
}

/** Starts the server and its backend; rejects if real Redis is unreachable or the persist file is corrupt. */
export async function startUpstash(opts: StartUpstashOptions): Promise<UpstashServer> {
  if (!opts.token) throw new Error("startUpstash: token is required");
  const backend: Backend = opts.redisUrl
    ? await RedisBackend.open(opts.redisUrl)
    : await MemoryStore.open(opts.persistFile);
  const expected = Buffer.from(opts.token);
  let syncCounter = 0;
  // Round trips seen (HTTP requests and the commands in them): `GET /__counters`, no token needed.
  const counters = { requests: 0, commands: 0 };
  const requestIds = requestIdRecorder();

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, {
      "content-type": "application/json",
      "upstash-sync-token": String(++syncCounter),
    });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://local");
    let route = "command";
    let cmds: string[][] = [];
    try {
      if (url.pathname === "/__counters" && req.method === "GET") return send(res, 200, counters);
      const ids = requestIdsAnswer(requestIds, req.method, url);
      if (ids) return send(res, 200, ids);
      requestIds.note(req);
      counters.requests++;
      if (!authorized(req, url, expected)) return send(res, 401, { error: "Unauthorized" });
      if (req.method !== "POST" && req.method !== "GET") throw new HttpError(405, "ERR method not allowed");
      const segments = url.pathname
        .split("/")
        .filter((s) => s !== "")
        .map(decodeURIComponent);
      const body = await readBody(req);
      const b64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
      const first = (segments[0] ?? "").toLowerCase();
      if (segments.length === 1 && (first === "pipeline" || first === "multi-exec")) {
        route = first;
        cmds = toCommands(parseJson(body));
        counters.commands += cmds.length;
        if (route === "pipeline") {
          const replies = await backend.pipeline(cmds);
          return send(
            res,
            200,
            replies.map((r) => entry(r, b64)),
          );
        }
        const replies = await backend.transaction(cmds);
        if (replies instanceof ReplyError) return send(res, 400, { error: replies.message });
        return send(
          res,
          200,
          replies.map((r) => entry(r, b64)),
        );
      }
      if (STREAMING_PATHS.has(first)) {
        throw new HttpError(400, `ERR '${first}' streaming is not supported by Haven's local Upstash server`);
      }
      const cmd =
        segments.length === 0 ? toCommand(parseJson(body)) : body !== "" ? [...segments, body] : segments;
      cmds = [cmd];
      counters.commands++;
      const reply = await backend.single(cmd);
      if (reply instanceof ReplyError) return send(res, 400, { error: reply.message });
      return send(res, 200, { result: toUpstashJson(reply, b64) });
    } catch (err) {
      if (err instanceof HttpError) return send(res, err.status, { error: err.message });
      const message = err instanceof Error ? err.message : String(err);
      console.error(`[upstash] ${route}(${names(cmds)}) failed on ${backend.kind} backend: ${message}`);
      return send(res, 500, { error: `ERR local Upstash ${backend.kind} backend failure: ${message}` });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error(`[upstash] request handling failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) res.destroy();
    });
  });
  const host = opts.host ?? "127.0.0.1";
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    await backend.close();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${port}`,
    token: opts.token,
    backend: backend.kind,
    close: () => {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await backend.close();
      })();
      return closing;
    },
  };
}
