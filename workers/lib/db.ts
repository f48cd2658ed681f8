import { neon, neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle as drizzleHttp } from "drizzle-orm/neon-http";
import { drizzle as drizzleWs } from "drizzle-orm/neon-serverless";
import * as schema from "../db/schema";
import { type Config, databaseUrl } from "./config";
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

/**
 * A drizzle database over Neon's HTTP mode for one region: every query (or non-interactive
 * `db.batch`) is one HTTP round trip and nothing is set up per request.
 */
export function createDatabase(config: Config, region: Region) {
  configureLocalNeon(config);
  return drizzleHttp({ client: neon(databaseUrl(config, region)), schema });
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
  const pool = new Pool({ connectionString: databaseUrl(config, region), max: 1 });
  let poolError: unknown;
  pool.on("error", (err: unknown) => {
    poolError = err;
  });
  try {
    const db = drizzleWs({ client: pool, schema });
    const result = await db.transaction(work);
    if (poolError) throw poolError;
    return result;
  } finally {
    await pool.end().catch(() => undefined);
  }
}
