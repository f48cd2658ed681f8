/**
 * Starts Haven's local counterparts of its cloud dependencies, each behind the protocol the real
 * client speaks: Postgres (PGlite or DATABASE_URL) behind a Neon-compatible HTTP endpoint and
 * WebSocket proxy, Redis (embedded store or REDIS_URL) behind an Upstash-compatible REST endpoint,
 * and an OpenAI-compatible server unless OPENAI_BASE_URL is given. Used by `npm run dev`, the
 * vitest globalSetup and the benches, so all three run the same stack.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startNeonProxy } from "./neon-proxy.ts";
import { startOpenAIServer } from "./openai-server.ts";
import { applyMigrations, startPostgres } from "./postgres.ts";
import { startUpstash } from "./upstash.ts";

export interface LocalStackOptions {
  /** dev persists under dataDir; test and bench start empty databases. */
  mode: "dev" | "test" | "bench";
  root: string;
  /** Where dev mode persists (default `<root>/.data`). */
  dataDir?: string | undefined;
  databaseUrl?: string | undefined;
  redisUrl?: string | undefined;
  openai?: { baseUrl: string; apiKey: string; model: string } | undefined;
  host?: string;
  ports?: { neon?: number; upstash?: number; openai?: number };
  /** Milliseconds between streamed tokens of the offline model (dev: visible streaming; bench: 0). */
  tokenDelayMs?: number;
}

export interface LocalStack {
  /** Vars and secrets for the Worker (what `.dev.vars` holds locally, `wrangler secret put` in the cloud). */
  bindings: Record<string, string>;
  summary: string[];
  openaiControlUrl: string | undefined;
  close(): Promise<void>;
}

/** A VAPID key pair (RFC 8292) as base64url: the raw uncompressed public point and the private scalar. */
function vapidKeys(): { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string } {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = privateKey.export({ format: "jwk" });
  const pub = publicKey.export({ format: "jwk" });
  const raw = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(String(pub.x), "base64url"),
    Buffer.from(String(pub.y), "base64url"),
  ]);
  return { VAPID_PUBLIC_KEY: raw.toString("base64url"), VAPID_PRIVATE_KEY: String(jwk.d) };
}

/** Local secrets are generated once per data folder, so restarts keep sessions and ciphertext valid. */
function localSecrets(dir: string | undefined): Record<string, string> {
  const fresh = () => ({
    JWT_SECRET: randomBytes(32).toString("base64url"),
    MASTER_KEYS: `v1:${randomBytes(32).toString("base64")}`,
    EMAIL_HASH_KEY: randomBytes(32).toString("base64url"),
    DEV_SEED_TOKEN: randomBytes(24).toString("base64url"),
    METRICS_TOKEN: randomBytes(24).toString("base64url"),
    OPS_WEBHOOK_TOKEN: randomBytes(24).toString("base64url"),
    ...vapidKeys(),
  });
  if (!dir) return fresh();
  const file = join(dir, "local-secrets.json");
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
    const merged = { ...fresh(), ...saved };
    // A secret added since this folder was made is generated once and kept from then on.
    if (Object.keys(merged).length > Object.keys(saved).length)
      writeFileSync(file, JSON.stringify(merged, null, 2), { mode: 0o600 });
    return merged;
  }
  const s = fresh();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
  return s;
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const host = opts.host ?? "127.0.0.1";
  const dataDir = opts.mode === "dev" ? (opts.dataDir ?? join(opts.root, ".data")) : undefined;
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const pg = await startPostgres({
      databaseUrl: opts.databaseUrl,
      // HAVEN_DB_PREFIX lets several checkouts share one Postgres server without dropping each
      // other's databases (tests recreate theirs at every run).
      dbPrefix:
        process.env.HAVEN_DB_PREFIX ||
        (opts.mode === "dev" ? "haven" : opts.mode === "test" ? "haven_test" : "haven_bench"),
      dataDir: dataDir ? join(dataDir, "pglite") : undefined,
      fresh: opts.mode !== "dev",
      host,
    });
    closers.push(() => pg.close());
    await applyMigrations(pg.urls, join(opts.root, "migrations"));

    const neon = await startNeonProxy({ host, port: opts.ports?.neon ?? 0 });
    closers.push(() => neon.close());

    const upstashToken = randomBytes(24).toString("base64url");
    const upstash = await startUpstash({
      host,
      port: opts.ports?.upstash ?? 0,
      token: upstashToken,
      redisUrl: opts.redisUrl,
      persistFile: dataDir ? join(dataDir, "redis.json") : undefined,
    });
    closers.push(() => upstash.close());

    let openai = opts.openai;
    let openaiControlUrl: string | undefined;
    if (!openai) {
      const server = await startOpenAIServer({
        host,
        port: opts.ports?.openai ?? 0,
        tokenDelayMs: opts.tokenDelayMs,
      });
      closers.push(() => server.close());
      openai = { baseUrl: server.baseUrl, apiKey: server.apiKey, model: server.model };
      openaiControlUrl = server.baseUrl.replace(/\/v1$/, "/__control");
    }

    const bindings: Record<string, string> = {
      DATABASE_URL_US: pg.urls.us,
      DATABASE_URL_EU: pg.urls.eu,
      DATABASE_URL_APAC: pg.urls.apac,
      NEON_LOCAL_FETCH_ENDPOINT: neon.fetchEndpoint,
      NEON_LOCAL_WS_PROXY: neon.wsProxy,
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstashToken,
      OPENAI_BASE_URL: openai.baseUrl,
      OPENAI_API_KEY: openai.apiKey,
      OPENAI_MODEL: openai.model,
      OPENAI_OFFLINE: openaiControlUrl ? "true" : "false",
      ...localSecrets(dataDir),
    };
    const summary = [
      `postgres   ${pg.kind === "pglite" ? "embedded PGlite" : "DATABASE_URL server"} (us, eu, apac databases)`,
      `neon http  ${neon.fetchEndpoint}   ws proxy ${neon.wsProxy}`,
      `upstash    ${upstash.url} (${upstash.backend === "redis" ? "REDIS_URL server" : "embedded store"})`,
      `openai     ${openai.baseUrl} (${openaiControlUrl ? "offline model" : `model ${openai.model}`})`,
    ];
    return { bindings, summary, openaiControlUrl, close };
  } catch (err) {
    await close();
    throw err;
  }
}
