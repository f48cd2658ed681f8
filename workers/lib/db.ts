import { neon, neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle as drizzleHttp } from "drizzle-orm/neon-http";
import { drizzle as drizzleWs } from "drizzle-orm/neon-serverless";
import * as schema from "../db/schema";
import { type Config, databaseUrl } from "./config";
import { withRequestIdHeader } from "./correlation";
import { breakerFor, DependencyError, deadlineFetch, isDependencyError, withRetry } from "./resilience";
import type { Region } from "./vocabulary";

export type Database = ReturnType<typeof createDatabase>;
export type PoolDatabase = ReturnType<typeof drizzleWs<typeof schema>>;

let localConfigured = false;

/**
 * Points the Neon driver at the local Neon-compatible endpoint and WebSocket proxy. Only in
 * local mode: in staging/production the driver talks to Neon directly.
 */
function configureLocalNeon(config: Config): void {
  if (localConfigured || config.ENVIRONMENT !== "local" || !config.NEON_LOCAL_FETCH_ENDPOINT) return;
  neonConfig.fetchEndpoint = config.NEON_LOCAL_FETCH_ENDPOINT;
  if (config.NEON_LOCAL_WS_PROXY) neonConfig.wsProxy = config.NEON_LOCAL_WS_PROXY;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineConnect = false;
  localConfigured = true;
}

/** `host/dbname` of a connection string: which region a Neon HTTP request is for. */
function databaseKey(connectionString: string): string {
  try {
    const u = new URL(connectionString);
    return `${u.host}${u.pathname}`;
  } catch {
    return "unknown";
  }
}

const regionOfDatabase = new Map<string, Region>();
const deadlineOfDatabase = new Map<string, { timeoutMs: number; cooldownMs: number }>();

/** Only a plain SELECT (no row locks) may be sent twice: a write that timed out may have committed. */
export function isReadOnlySql(body: unknown): boolean {
  const queries =
    typeof body === "object" && body !== null && "queries" in body && Array.isArray(body.queries)
      ? (body.queries as unknown[])
      : [body];
  return queries.every((q) => {
    const text = typeof q === "object" && q !== null && "query" in q ? String(q.query) : "";
    return (
      /^\s*select\b/i.test(text) && !/\bfor\s+(update|no\s+key\s+update|share|key\s+share)\b/i.test(text)
    );
  });
}

/**
 * The Neon driver's fetch: the current request id as `x-request-id`, a deadline per query (or batch), the breaker of the query's region,
 * and one retry with jitter for read-only queries that failed in transport (never after a
 * timeout: that would double the wait, and never for a write: it may have committed).
 */
const neonFetch = async (input: RequestInfo | URL, given: RequestInit = {}): Promise<Response> => {
  // The driver is shared per isolate; the request id is read per call (workers/lib/correlation.ts).
  const headers = withRequestIdHeader(given.headers);
  const init: RequestInit = { ...given, headers };
  const key = databaseKey(headers.get("neon-connection-string") ?? "");
  const region = regionOfDatabase.get(key) ?? "unknown";
  const limits = deadlineOfDatabase.get(key) ?? { timeoutMs: 5000, cooldownMs: 5000 };
  // One breaker per region AND endpoint: a region moved to another host is another dependency.
  const breakerKey = `${region}@${key.split("/")[0]}`;
  let parsed: unknown;
  try {
    parsed = typeof init.body === "string" ? JSON.parse(init.body) : undefined;
  } catch {
    parsed = undefined;
  }
  const readOnly = isReadOnlySql(parsed);
  const breaker = breakerFor("database", breakerKey, { threshold: 3, cooldownMs: limits.cooldownMs });
  return breaker.run(() =>
    withRetry(() => deadlineFetch("database", limits.timeoutMs, input, init), {
      retries: readOnly ? 1 : 0,
      baseDelayMs: 50,
      retryable: (err) => isDependencyError(err) && err.kind !== "timeout",
    }),
  );
};

/**
 * A drizzle database over Neon's HTTP mode for one region: every query (or non-interactive
 * `db.batch`) is one HTTP round trip and nothing is set up per request. Every round trip has a
 * deadline (DB_TIMEOUT_MS) and goes through the region's circuit breaker; a failure surfaces as
 * a {@link DependencyError} (wrapped by the driver; see `findDependencyError`), answered 503.
 */
export function createDatabase(config: Config, region: Region) {
  configureLocalNeon(config);
  neonConfig.fetchFunction = neonFetch;
  const url = databaseUrl(config, region);
  regionOfDatabase.set(databaseKey(url), region);
  deadlineOfDatabase.set(databaseKey(url), {
    timeoutMs: config.DB_TIMEOUT_MS,
    cooldownMs: config.BREAKER_COOLDOWN_MS,
  });
  return drizzleHttp({ client: neon(url), schema });
}

/**
 * Runs an interactive transaction over a WebSocket Pool created for this call and ended after it.
 * Reserve it for the rare case that must read-then-write inside one transaction: it costs a
 * connection set-up (SCRAM in JavaScript), which HTTP mode avoids. A module-level Pool would hang
 * the next request in workerd, so the pool never outlives the call.
 */
export async function withInteractiveTransaction<T>(
  config: Config,
  region: Region,
  work: (tx: Parameters<Parameters<PoolDatabase["transaction"]>[0]>[0]) => Promise<T>,
): Promise<T> {
  configureLocalNeon(config);
  const url = databaseUrl(config, region);
  const breaker = breakerFor("database", `${region}@${databaseKey(url).split("/")[0]}:ws`, {
    threshold: 3,
    cooldownMs: config.BREAKER_COOLDOWN_MS,
  });
  return breaker.run(async () => {
    const pool = new Pool({
      connectionString: url,
      max: 1,
      connectionTimeoutMillis: config.DB_TIMEOUT_MS,
    });
    let poolError: unknown;
    pool.on("error", (err: unknown) => {
      poolError = err;
    });
    let timer: ReturnType<typeof setTimeout> | null = null;
    // The whole transaction (connect, statements, commit) shares one deadline; on expiry the
    // pool is ended, which rolls back whatever the server had not committed.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DependencyError("database", "timeout", 1)),
        config.DB_TIMEOUT_MS * 2,
      );
    });
    try {
      const db = drizzleWs({ client: pool, schema });
      const result = await Promise.race([db.transaction(work), deadline]).catch((err: unknown) => {
        if (isDependencyError(err) || !isConnectionFailure(err)) throw err;
        throw new DependencyError("database", "network", 1);
      });
      if (poolError) throw new DependencyError("database", "network", 1);
      return result;
    } finally {
      if (timer !== null) clearTimeout(timer);
      await pool.end().catch(() => undefined);
    }
  });
}

/** A socket-level failure (not a SQL error, which carries a five-character SQLSTATE). */
function isConnectionFailure(err: unknown): boolean {
  if (!(err instanceof Error) || err.name === "AppError") return false;
  const code = "code" in err ? String(err.code) : "";
  if (/^[0-9A-Z]{5}$/.test(code)) return code.startsWith("08");
  return /connect|socket|terminat|closed|ECONN|timeout/i.test(err.message);
}
