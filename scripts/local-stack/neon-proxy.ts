/**
 * Offline stand-in for Neon's serverless endpoints, so the real `@neondatabase/serverless` driver
 * (and drizzle-orm/neon-http) run unchanged against local Postgres:
 *
 * - `POST /sql`: Neon's SQL-over-HTTP. Same headers, bodies, result and error JSON the driver
 *   produces and parses. Values are returned as Postgres text and the driver's own type parsers
 *   turn them into JS values, exactly as with Neon. A batch (`{queries}`) is one transaction.
 * - `GET /v2?address=host:port` with a WebSocket upgrade: Neon's WebSocket-to-TCP proxy, used by
 *   the driver's `Pool`/`Client` (set `neonConfig.wsProxy` to {@link NeonProxy.wsProxy}).
 *
 * Only loopback databases are reachable, so the proxy cannot be used to reach other hosts. Errors
 * are logged as one JSON line with SQLSTATE or errno codes only, never SQL text, parameters or rows.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import type { CustomTypesConfig, PoolClient, QueryConfig, QueryResult } from "pg";
import pg from "pg";
import type { RawData, WebSocket } from "ws";
import { WebSocketServer } from "ws";

/** A running proxy. */
export interface NeonProxy {
  port: number;
  /** Value for `neonConfig.fetchEndpoint`, e.g. http://127.0.0.1:PORT/sql */
  fetchEndpoint: string;
  /** Value for `neonConfig.wsProxy`: host:port/path with no scheme, e.g. 127.0.0.1:PORT/v2 */
  wsProxy: string;
  /** Open WebSocket-to-TCP tunnels; lets tests prove a Pool released its connections. */
  openTunnels(): number;
  close(): Promise<void>;
}

const MAX_BODY = 10 * 1024 * 1024;
const WS_HIGH_WATER = 1024 * 1024;
/** Fields the driver copies from a 400 response onto its NeonDbError. */
const ERROR_FIELDS = [
  "severity",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
] as const;
const ISOLATION: Record<string, string> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};
const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers":
    "Authorization, Content-Type, Neon-Connection-String, Neon-Raw-Text-Output, Neon-Array-Mode, " +
    "Neon-Batch-Isolation-Level, Neon-Batch-Read-Only, Neon-Batch-Deferrable, Neon-Pool-Opt-In",
  "access-control-max-age": "86400",
};

/** Every value stays Postgres text: the driver parses types itself, as it does with Neon. */
const rawTypes = { getTypeParser: () => (value: string) => value } as unknown as CustomTypesConfig;

type Param = string | null;
type SqlRequest = { query: string; params: Param[] };
/** An error answered to the client: `status` plus the JSON body the driver reads. */
class HttpError extends Error {
  status: number;
  body: Record<string, string>;
  constructor(status: number, body: Record<string, string>) {
    super(body.message);
    this.status = status;
    this.body = body;
  }
}

function log(fields: Record<string, string | number | boolean>): void {
  console.error(JSON.stringify({ level: "error", component: "neon-proxy", ...fields }));
}

/** Loopback only: the proxy must never become a way to reach other hosts. */
function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Params as Neon converts JSON values to Postgres text (the driver already sends strings/null). */
function toParam(v: unknown): Param {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (Array.isArray(v)) {
    const items = v.map((x) => {
      const t = toParam(x);
      return t === null ? "NULL" : Array.isArray(x) ? t : `"${t.replace(/[\\"]/g, "\\$&")}"`;
    });
    return `{${items.join(",")}}`;
  }
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

function parseRequest(v: unknown): SqlRequest {
  if (typeof v !== "object" || v === null || typeof (v as { query?: unknown }).query !== "string") {
    throw new HttpError(400, { message: "request must have a string `query`" });
  }
  const { query, params } = v as { query: string; params?: unknown };
  if (params !== undefined && !Array.isArray(params))
    throw new HttpError(400, { message: "`params` must be an array" });
  return { query, params: (params ?? []).map(toParam) };
}

function dbErrorBody(err: unknown): HttpError {
  if (err instanceof pg.DatabaseError) {
    const body: Record<string, string> = { message: err.message };
    for (const k of ERROR_FIELDS) if (err[k] !== undefined) body[k] = err[k];
    return new HttpError(400, body);
  }
  if (err instanceof HttpError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return new HttpError(502, {
    message: `Couldn't connect to database: ${code ?? "unknown error"}`,
    ...(code ? { code } : {}),
  });
}

/** Reads the body, rejecting (after draining, so the 413 reaches the client) past {@link MAX_BODY}. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on("error", reject);
    req.on("end", () =>
      size > MAX_BODY
        ? reject(new HttpError(413, { message: "request too large" }))
        : resolve(Buffer.concat(chunks).toString("utf8")),
    );
  });
}

/** Runs one statement the way Neon does: extended protocol (one statement only), text results. */
async function runQuery(client: PoolClient, q: SqlRequest, arrayMode: boolean): Promise<object> {
  const config = {
    text: q.query,
    values: q.params,
    types: rawTypes,
    queryMode: "extended",
    ...(arrayMode ? { rowMode: "array" } : {}),
  };
  const r: QueryResult = await client.query(config as QueryConfig);
  const fields = r.fields.map(
    ({ name, dataTypeID, tableID, columnID, dataTypeSize, dataTypeModifier, format }) => ({
      name,
      dataTypeID,
      tableID,
      columnID,
      dataTypeSize,
      dataTypeModifier,
      format,
    }),
  );
  return { fields, command: r.command, rowCount: r.rowCount, rows: r.rows, rowAsArray: arrayMode };
}

function batchBegin(req: IncomingMessage): string {
  const iso = req.headers["neon-batch-isolation-level"];
  const ro = req.headers["neon-batch-read-only"];
  const def = req.headers["neon-batch-deferrable"];
  let sql = "BEGIN";
  if (typeof iso === "string") {
    const level = ISOLATION[iso];
    if (!level) throw new HttpError(400, { message: "invalid Neon-Batch-Isolation-Level" });
    sql += ` ISOLATION LEVEL ${level}`;
  }
  if (typeof ro === "string") sql += ro === "true" ? " READ ONLY" : " READ WRITE";
  if (typeof def === "string") sql += def === "true" ? " DEFERRABLE" : " NOT DEFERRABLE";
  return sql;
}

/** Starts the HTTP + WebSocket proxy; pools to each distinct database live until `close()`. */
export async function startNeonProxy(opts: { port?: number; host?: string }): Promise<NeonProxy> {
  const host = opts.host ?? "127.0.0.1";
  const pools = new Map<string, pg.Pool>();
  const tunnels = new Set<{ ws: WebSocket; destroy(): void }>();

  const poolFor = (connectionString: string): pg.Pool => {
    let pool = pools.get(connectionString);
    if (!pool) {
      const url = new URL(connectionString);
      if (url.protocol !== "postgres:" && url.protocol !== "postgresql:")
        throw new HttpError(400, { message: "invalid connection string" });
      if (!isLoopback(url.hostname))
        throw new HttpError(400, { message: "only loopback databases are allowed locally" });
      for (const k of ["sslmode", "sslrootcert", "sslcert", "sslkey", "channel_binding"])
        url.searchParams.delete(k);
      pool = new pg.Pool({
        connectionString: url.toString(),
        ssl: false,
        max: 10,
        idleTimeoutMillis: 30_000,
      });
      pool.on("error", (err: NodeJS.ErrnoException) =>
        log({ event: "pool_client_error", code: err.code ?? err.name }),
      );
      pools.set(connectionString, pool);
    }
    return pool;
  };

  const handleSql = async (req: IncomingMessage): Promise<object> => {
    const connectionString = req.headers["neon-connection-string"];
    if (typeof connectionString !== "string")
      throw new HttpError(400, { message: "missing Neon-Connection-String header" });
    let pool: pg.Pool;
    try {
      pool = poolFor(connectionString);
    } catch (err) {
      throw err instanceof HttpError ? err : new HttpError(400, { message: "invalid connection string" });
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (err) {
      throw err instanceof HttpError
        ? err
        : new HttpError(400, { message: "request body is not valid JSON" });
    }
    const arrayMode = req.headers["neon-array-mode"] === "true";
    const queries = (body as { queries?: unknown }).queries;
    const batch = Array.isArray(queries) ? queries.map(parseRequest) : null;
    const single = batch ? null : parseRequest(body);
    const begin = batch ? batchBegin(req) : "";
    const client = await pool.connect().catch((err: unknown) => Promise.reject(dbErrorBody(err)));
    let discard: Error | undefined;
    try {
      if (single) return await runQuery(client, single, arrayMode);
      await client.query(begin);
      try {
        const results: object[] = [];
        for (const q of batch ?? []) results.push(await runQuery(client, q, arrayMode));
        await client.query("COMMIT");
        return { results };
      } catch (err) {
        await client.query("ROLLBACK").catch((e: Error) => (discard = e));
        throw err;
      }
    } catch (err) {
      throw dbErrorBody(err);
    } finally {
      // Like Neon, never reuse a connection left inside a transaction (e.g. a lone `BEGIN`).
      if (!discard && client.getTransactionStatus() !== "I")
        discard = new Error("connection left in a transaction");
      client.release(discard);
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const send = (status: number, body: object | null): void => {
      res.writeHead(status, { ...CORS, ...(body ? { "content-type": "application/json" } : {}) });
      res.end(body ? JSON.stringify(body) : undefined);
    };
    const path = new URL(req.url ?? "/", "http://local").pathname;
    if (req.method === "OPTIONS") return send(204, null);
    if (path !== "/sql") return send(404, { message: "not found" });
    if (req.method !== "POST") return send(405, { message: "method not allowed" });
    handleSql(req).then(
      (result) => send(200, result),
      (err: unknown) => {
        const e = err instanceof HttpError ? err : dbErrorBody(err);
        log({ event: "sql_error", status: e.status, code: e.body.code ?? "none", ms: Date.now() - started });
        send(e.status, e.body);
      },
    );
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024 });
  server.on("upgrade", (req: IncomingMessage, socket, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://local");
    const address = url.searchParams.get("address") ?? "";
    const colon = address.lastIndexOf(":");
    const targetHost = address.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
    const targetPort = Number(address.slice(colon + 1));
    if (url.pathname !== "/v2" || colon < 0 || !isLoopback(targetHost) || !Number.isInteger(targetPort)) {
      log({ event: "ws_rejected", reason: url.pathname !== "/v2" ? "path" : "address" });
      socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const tcp = connect({ host: targetHost, port: targetPort });
      tcp.setNoDelay(true);
      const tunnel = { ws, destroy: () => (tcp.destroy(), ws.terminate()) };
      tunnels.add(tunnel);
      const sawTerminate = terminateDetector();
      ws.on("message", (data: RawData) => {
        const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        if (!tcp.write(buf)) ws.pause();
        if (sawTerminate(buf)) tcp.end();
      });
      tcp.on("drain", () => ws.resume());
      tcp.on("data", (d: Buffer) => {
        if (ws.readyState !== ws.OPEN) return;
        ws.send(d, { binary: true }, () => {
          if (tcp.isPaused() && ws.bufferedAmount < WS_HIGH_WATER) tcp.resume();
        });
        if (ws.bufferedAmount >= WS_HIGH_WATER) tcp.pause();
      });
      tcp.on("error", (err: NodeJS.ErrnoException) =>
        log({ event: "tunnel_tcp_error", code: err.code ?? err.name }),
      );
      tcp.on("close", () => {
        tunnels.delete(tunnel);
        if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000);
      });
      ws.on("error", (err: NodeJS.ErrnoException) =>
        log({ event: "tunnel_ws_error", code: err.code ?? err.name }),
      );
      ws.on("close", () => {
        tcp.end();
        setTimeout(() => tcp.destroy(), 1000).unref();
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    port,
    fetchEndpoint: `http://${urlHost}:${port}/sql`,
    wsProxy: `${urlHost}:${port}/v2`,
    openTunnels: () => tunnels.size,
    close: async () => {
      for (const t of tunnels) t.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await Promise.all([...pools.values()].map((p) => p.end()));
    },
  };
}

/**
 * Follows the frontend message framing of a Postgres connection and reports when the client sent
 * Terminate ('X'), so the TCP side is closed promptly rather than when the WebSocket closes.
 * Stops looking after an SSLRequest, since the rest could be TLS.
 */
function terminateDetector(): (chunk: Buffer) => boolean {
  let startup = true;
  let off = false;
  let skip = 0;
  let head: Buffer = Buffer.alloc(0);
  return (chunk) => {
    let i = 0;
    while (!off && i < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i);
        skip -= n;
        i += n;
        continue;
      }
      const need = startup ? 8 : 5;
      const take = chunk.subarray(i, i + need - head.length);
      head = Buffer.concat([head, take]);
      i += take.length;
      if (head.length < need) break;
      if (startup) {
        const code = head.readInt32BE(4);
        if (code === 80877103)
          off = true; // SSLRequest
        else if (code !== 80877104) startup = false; // not GSSENCRequest: the StartupMessage
        skip = head.readInt32BE(0) - 8;
      } else {
        if (head[0] === 0x58) return true;
        skip = head.readInt32BE(1) - 4;
      }
      head = Buffer.alloc(0);
    }
    return false;
  };
}
