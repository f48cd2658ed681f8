import type { Redis } from "@upstash/redis/cloudflare";
import type { Config } from "./config";
import { createDatabase, type Database } from "./db";
import type { Logger } from "./logger";
import type { Principal } from "./principal";
import { createRedis } from "./redis";
import type { Region } from "./vocabulary";

/** Who and what an audit row records besides the event: the request (or job) it came from. */
export interface AuditMeta {
  /** The request id, or `job:<name>:<uuid>` for a Durable Object alarm, queue batch or cron run. */
  requestId: string;
  ip: string | null;
  userAgent: string | null;
  /** True for work that is not a request (set only by {@link jobAudit}, never from a header). */
  job?: boolean;
}

/**
 * Everything a service needs for one unit of work — an HTTP request, a Durable Object alarm, a
 * queue batch, a cron run — and nothing from HTTP. Services take a Scope, never Hono's Context,
 * so the same code runs in every one of them. Clients are built lazily (building one opens no
 * connection: Neon HTTP and Upstash REST are plain fetches): databases once per isolate, the
 * Redis client once per scope (its auto-pipeline would otherwise batch commands of concurrent
 * requests into one fetch, i.e. share I/O across requests, which workerd forbids).
 */
export interface Scope {
  readonly env: Env;
  readonly config: Config;
  readonly log: Logger;
  /** The drizzle database of one residency region. */
  db(region: Region): Database;
  redis(): Redis;
  /** Who is acting; null before authentication and for system jobs (audited as actor "system"). */
  readonly principal: Principal | null;
  readonly audit: AuditMeta;
  /** The public origin for links in mail (`https://haven.example`); null in jobs. */
  readonly origin: string | null;
  /** The first Accept-Language tag ("de-AT"), to pick a country's crisis lines; null in jobs. */
  readonly locale: string | null;
}

export interface ScopeInit {
  env: Env;
  config: Config;
  log: Logger;
  audit: AuditMeta;
  principal?: Principal | null;
  origin?: string | null;
  locale?: string | null;
  /** Options for the Redis client, e.g. a short timeout inside a Durable Object. */
  redisTimeoutMs?: number;
}

/**
 * Drizzle databases per isolate, by configuration and region. A drizzle/neon-http instance holds
 * no connection and no per-request state (every query is its own fetch), but building one walks
 * the whole schema for the relational query config: reusing it saves that on every request.
 * Keyed by the parsed Config object, which `loadConfig` caches per env (one per isolate).
 */
const databases = new WeakMap<Config, Map<Region, Database>>();

function databaseFor(config: Config, region: Region): Database {
  let byRegion = databases.get(config);
  if (!byRegion) {
    byRegion = new Map();
    databases.set(config, byRegion);
  }
  let db = byRegion.get(region);
  if (!db) {
    db = createDatabase(config, region);
    byRegion.set(region, db);
  }
  return db;
}

/**
 * Builds a scope: the same way for a request (the `services` middleware), a Durable Object, a
 * queue consumer or a scheduled job.
 *
 * @example const scope = createScope({ env, config, log, audit: jobAudit("chat.flush") });
 */
export function createScope(init: ScopeInit): Scope {
  let redis: Redis | undefined;
  const clients = {
    db(region: Region) {
      return databaseFor(init.config, region);
    },
    redis() {
      redis ??= createRedis(init.config, {
        requestId: init.audit.requestId,
        ...(init.redisTimeoutMs ? { timeoutMs: init.redisTimeoutMs } : {}),
      });
      return redis;
    },
  };
  return {
    env: init.env,
    config: init.config,
    log: init.log,
    principal: init.principal ?? null,
    audit: init.audit,
    origin: init.origin ?? null,
    locale: init.locale ?? null,
    ...clients,
  };
}

/** The same scope (same clients) acting as `principal`, as `authenticate` establishes it. */
export function withPrincipal(scope: Scope, principal: Principal): Scope {
  return { ...scope, principal, log: scope.log.child({ actor: principal.userId }) };
}

/** Audit metadata for work that is not a request: a fresh job id, no IP or user agent. */
export function jobAudit(name: string): AuditMeta {
  return { requestId: `job:${name}:${crypto.randomUUID()}`, ip: null, userAgent: null, job: true };
}
