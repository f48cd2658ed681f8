/**
 * Offline stand-in for Neon's serverless endpoints, so the real `@neondatabase/serverless` driver
 * (HTTP `neon()`, drizzle-orm/neon-http, WebSocket `Pool`) runs unchanged against local Postgres:
 * `POST /sql` is Neon's SQL-over-HTTP (same headers, bodies, result and error JSON; values stay
 * Postgres text for the driver's own parsers; a `{queries}` batch is one transaction), and a
 * WebSocket upgrade on `/v2?address=host:port` is Neon's WebSocket-to-TCP proxy. Only loopback
 * databases are reachable. Errors are logged as one JSON line with SQLSTATE/errno codes only.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { connect } from "node:net";
import type { CustomTypesConfig, PoolClient, QueryConfig, QueryResult } from "pg";
import pg from "pg";
import type { RawData, WebSocket } from "ws";
import { WebSocketServer } from "ws";
import { requestIdRecorder, requestIdsAnswer } from "./request-ids.ts";

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
const ISOLATION_LEVELS = new Set(["ReadUncommitted", "ReadCommitted", "RepeatableRead", "Serializable"]);
const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers": "Authorization, *", // Authorization is not covered by the wildcard
};

/** Every value stays Postgres text: the driver parses types itself, as it does with Neon. */
const rawTypes = { getTypeParser: () => (value: string) => value } as unknown as CustomTypesConfig;

type Param = string | null;
type SqlRequest = { query: string; params: Param[] };
/** An error answered to the client: `status` plus the JSON body the driver reads. */
class HttpError extends Error {
  status: number;
  body: Record<string, string>;
  constructor(status: number, message: string, fields: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.body = { message, ...fields };
  }
}

function log(fields: Record<string, string | number>): void {
  console.error(JSON.stringify({ level: "error", component: "neon-proxy", ...fields }));
}
const logErr = (event: string) => (err: NodeJS.ErrnoException) => log({ event, code: err.code ?? err.name });

/** Loopback only: the proxy must never become a way to reach other hosts. */
function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function parseRequest(v: unknown): SqlRequest {
  const { query, params = [] } = (v ?? {}) as { query?: unknown; params?: unknown };
  if (typeof query !== "string") throw new HttpError(400, "request must have a string `query`");
  if (!Array.isArray(params)) throw new HttpError(400, "`params` must be an array");
  // The driver sends only strings and nulls (arrays already as literals); other JSON becomes text.
  const toText = (p: unknown): Param => (p === null || typeof p === "string" ? p : JSON.stringify(p));
  return { query, params: (params as unknown[]).map(toText) };
}

/** Maps any failure to the response Neon would give: Postgres errors are 400 with every field. */
function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof pg.DatabaseError) {
    // Its own string properties are exactly what the driver copies onto NeonDbError: severity, code,
    // detail, hint, position, internalPosition, internalQuery, where, schema, table, column, ... routine.
    const fields = Object.entries(err).filter(([k, v]) => typeof v === "string" && k !== "name");
    return new HttpError(400, err.message, Object.fromEntries(fields) as Record<string, string>);
  }
  if (err instanceof SyntaxError) return new HttpError(400, "request body is not valid JSON");
  const code = (err as NodeJS.ErrnoException).code ?? "unknown";
  return new HttpError(502, `Couldn't connect to database: ${code}`, { code });
}

/** Reads the body; past {@link MAX_BODY} rejects with 413 after draining it, so the reply is seen. */
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
        ? reject(new HttpError(413, "request too large"))
        : resolve(Buffer.concat(chunks).toString()),
    );
  });
}

/** Runs one statement the way Neon does: extended protocol (so one statement only), text results. */
async function runQuery(client: PoolClient, q: SqlRequest, arrayMode: boolean): Promise<object> {
  const rowMode = arrayMode ? { rowMode: "array" } : {};
  const config = { text: q.query, values: q.params, types: rawTypes, queryMode: "extended", ...rowMode };
  const r: QueryResult = await client.query(config as QueryConfig);
  // pg's field objects have exactly Neon's keys (name, tableID, columnID, dataTypeID, dataType*, format).
  return { fields: r.fields, command: r.command, rowCount: r.rowCount, rows: r.rows, rowAsArray: arrayMode };
}

function batchBegin(req: IncomingMessage): string {
  const iso = req.headers["neon-batch-isolation-level"];
  const ro = req.headers["neon-batch-read-only"];
  const def = req.headers["neon-batch-deferrable"];
  let sql = "BEGIN";
  if (typeof iso === "string") {
    if (!ISOLATION_LEVELS.has(iso)) throw new HttpError(400, "invalid Neon-Batch-Isolation-Level");
    sql += ` ISOLATION LEVEL ${iso.replace(/\B(?=[A-Z])/g, " ").toUpperCase()}`;
  }
  if (typeof ro === "string") sql += ro === "true" ? " READ ONLY" : " READ WRITE";
  if (typeof def === "string") sql += def === "true" ? " DEFERRABLE" : " NOT DEFERRABLE";
  return sql;
}

/** Checks a `Neon-Connection-String` and returns the URL pg should use (no TLS on loopback). */
function backendUrl(connectionString: string): string {
  const url = URL.canParse(connectionString) ? new URL(connectionString) : null;
  if (!url || !/^postgres(ql)?:$/.test(url.protocol)) throw new HttpError(400, "invalid connection string");
  if (!isLoopback(url.hostname)) throw new HttpError(400, "only loopback databases are allowed locally");
  for (const k of ["sslmode", "sslrootcert", "channel_binding"]) url.searchParams.delete(k);
  return url.toString();
}

/** Pipes one WebSocket to a TCP connection, binary both ways. */
function tunnel(ws: WebSocket, host: string, port: number, onClosed: () => void): Socket {
  const tcp = connect({ host, port });
  tcp.setNoDelay(true);
  const sawTerminate = terminateDetector();
  let failed = false;
  ws.on("message", (data: RawData) => {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (!tcp.write(buf)) ws.pause();
    if (sawTerminate(buf)) tcp.end();
  });
  tcp.on("drain", () => ws.resume());
  tcp.on("data", (d: Buffer) => ws.readyState === ws.OPEN && ws.send(d, { binary: true }));
  tcp.on("error", (err: NodeJS.ErrnoException) => {
    failed = true;
    logErr("tunnel_tcp_error")(err);
  });
  tcp.on("close", () => {
    onClosed();
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(failed ? 1011 : 1000);
  });
  ws.on("error", logErr("tunnel_ws_error"));
  ws.on("close", () => {
    tcp.end();
    setTimeout(() => tcp.destroy(), 1000).unref();
  });
  return tcp;
}

/** Starts the HTTP + WebSocket proxy; pools to each distinct database live until `close()`. */
export async function startNeonProxy(opts: { port?: number; host?: string }): Promise<NeonProxy> {
  const host = opts.host ?? "127.0.0.1";
  const pools = new Map<string, pg.Pool>();
  const tunnels = new Map<WebSocket, Socket>();
  // Round trips seen (HTTP requests to /sql, statements in them, WebSocket tunnels opened): `GET /__counters`.
  const counters = { requests: 0, statements: 0, tunnels: 0 };
  const requestIds = requestIdRecorder();

  const poolFor = (connectionString: string): pg.Pool => {
    const existing = pools.get(connectionString);
    if (existing) return existing;
    const pool = new pg.Pool({ connectionString: backendUrl(connectionString), ssl: false });
    pool.on("error", logErr("pool_client_error"));
    pools.set(connectionString, pool);
    return pool;
  };

  const handleSql = async (req: IncomingMessage): Promise<object> => {
    const target = req.headers["neon-connection-string"];
    if (typeof target !== "string") throw new HttpError(400, "missing Neon-Connection-String header");
    const pool = poolFor(target);
    const body: unknown = JSON.parse(await readBody(req));
    const arrayMode = req.headers["neon-array-mode"] === "true";
    const queries = (body as { queries?: unknown } | null)?.queries;
    const batch = Array.isArray(queries) ? queries.map(parseRequest) : null;
    const single = batch ? null : parseRequest(body);
    const begin = batch ? batchBegin(req) : "";
    counters.requests++;
    counters.statements += batch ? batch.length : 1;
    const client = await pool.connect();
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
    } finally {
      // Like Neon, never reuse a connection left inside a transaction (e.g. a lone `BEGIN`).
      if (!discard && client.getTransactionStatus() !== "I") discard = new Error("left in a transaction");
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
    if (path === "/__counters" && req.method === "GET") return send(200, counters);
    const ids = requestIdsAnswer(requestIds, req.method, new URL(req.url ?? "/", "http://local"));
    if (ids) return send(200, ids);
    if (path !== "/sql") return send(404, { message: "not found" });
    requestIds.note(req);
    if (req.method !== "POST") return send(405, { message: "method not allowed" });
    handleSql(req).then(
      (result) => send(200, result),
      (err: unknown) => {
        const e = toHttpError(err);
        log({ event: "sql_error", status: e.status, code: e.body.code ?? "none", ms: Date.now() - started });
        send(e.status, e.body);
      },
    );
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024 });
  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
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
      counters.tunnels++;
      const tcp = tunnel(ws, targetHost, targetPort, () => tunnels.delete(ws));
      tunnels.set(ws, tcp);
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
      for (const [ws, tcp] of tunnels) {
        tcp.destroy();
        ws.terminate();
      }
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
 * Stops looking after an SSLRequest (what follows could be TLS) or a malformed length.
 */
function terminateDetector(): (chunk: Buffer) => boolean {
  let pending: Buffer = Buffer.alloc(0); // unparsed bytes, starting at a message boundary
  let skip = 0; // bytes of the current message still to arrive
  let startup = true; // untyped packets (length + code) until the StartupMessage
  let off = false;
  return (chunk) => {
    const n = Math.min(skip, chunk.length);
    skip -= n;
    pending = Buffer.concat([pending, chunk.subarray(n)]);
    for (let need = startup ? 8 : 5; !off && pending.length >= need; need = startup ? 8 : 5) {
      if (!startup && pending[0] === 0x58) return true;
      const code = startup ? pending.readInt32BE(4) : 0;
      const len = startup ? pending.readInt32BE(0) : pending.readInt32BE(1) + 1;
      off = code === 80877103 || len < need;
      startup = code === 80877103 || code === 80877104; // SSL/GSSENC requests precede the StartupMessage
      skip = Math.max(0, len - pending.length);
      pending = pending.subarray(Math.min(len, pending.length));
    }
    return false;
  };
}
