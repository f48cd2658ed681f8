import { z } from "zod";
import { AppError } from "./errors";
import type { Logger } from "./logger";

import type { Region } from "./vocabulary";

const url = z.string().url();

/**
 * Every var and secret the Worker reads, validated once per isolate per env object. Only the
 * variable NAMES ever reach logs; values (connection strings, keys) never do.
 */
export const ConfigSchema = z.object({
  ENVIRONMENT: z.enum(["local", "staging", "production"]),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  CORS_ORIGINS: z.string().default(""),
  DATABASE_URL_US: url,
  DATABASE_URL_EU: url,
  DATABASE_URL_APAC: url,
  UPSTASH_REDIS_REST_URL: url,
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1),
  OPENAI_BASE_URL: url,
  OPENAI_API_KEY: z.string().min(1),
  OPENAI_MODEL: z.string().min(1),
  /** HS256 signing keys for access tokens: current first, then previous ones during rotation. */
  JWT_SECRET: z.string().min(32),
  JWT_SECRET_PREVIOUS: z.string().min(32).optional(),
  /** Versioned AES-256 master keys (`v2:<b64>,v1:<b64>`, current first) that wrap per-user data keys. */
  MASTER_KEYS: z.string().min(10),
  /** HMAC key for the email lookup hash (the cross-region directory holds only this hash). */
  EMAIL_HASH_KEY: z.string().min(32),
  /** Local mode only: lets `npm run dev` seed demo accounts through the Worker's own services. */
  DEV_SEED_TOKEN: z.string().min(16).optional(),
  /** Local mode only: the Neon-compatible HTTP endpoint started by scripts/local-stack. */
  NEON_LOCAL_FETCH_ENDPOINT: url.optional(),
  /** Local mode only: the WebSocket proxy as host:port/path (no scheme). */
  NEON_LOCAL_WS_PROXY: z.string().min(1).optional(),
  /**
   * "true" adds the moderation endpoint's self-harm categories as a SECOND safety layer after the
   * edge detector (never instead of it). Off by default: it adds a round trip before each reply.
   */
  OPENAI_MODERATION: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  /**
   * "true" runs layer 3 of the safety net: a model-based risk classifier (strict JSON schema)
   * concurrently with each companion reply, holding the reply until it answers or
   * SAFETY_MODEL_TIMEOUT_MS passes. Never the only layer; it can only raise risk.
   */
  SAFETY_MODEL_CHECK: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  /** Model for layer 3 (default: OPENAI_MODEL). */
  SAFETY_MODEL: z.string().min(1).optional(),
  SAFETY_MODEL_TIMEOUT_MS: z.coerce.number().int().min(100).max(10_000).default(1200),
  /**
   * Embedding model for the companion's library retrieval (any OpenAI-compatible `/embeddings`).
   * The offline server answers `haven-offline-embed` deterministically.
   */
  EMBEDDING_MODEL: z.string().min(1).default("text-embedding-3-small"),
  /** Minimum cosine similarity for a library item to ground a reply (model-specific). */
  LIBRARY_MIN_SCORE: z.coerce.number().min(0).max(1).default(0.3),
  /**
   * ICE servers for video visits, JSON `[{ "urls": "turn:…", "username": "…", "credential": "…" }]`
   * (Cloudflare TURN or any TURN server). Unset: none (host candidates only, enough on one machine).
   */
  VISIT_ICE_SERVERS: z.string().max(4000).optional(),
  /**
   * Deadlines per dependency call (ms) and the circuit breaker's cool-down (see lib/resilience.ts).
   * Postgres allows for a Neon compute waking up; Redis answers in single-digit ms when healthy.
   */
  DB_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(5000),
  REDIS_TIMEOUT_MS: z.coerce.number().int().min(100).max(10_000).default(1500),
  BREAKER_COOLDOWN_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  /** Minutes before an unacknowledged high-risk care alert is re-sent (the cron re-alert job). */
  REALERT_AFTER_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  /** Hours after a therapy session's end without a signed note before its clinician is reminded. */
  NOTE_REMINDER_HOURS: z.coerce.number().int().min(1).max(720).default(24),
  /** True when OPENAI_* point at the bundled offline server; the UI labels replies as offline. */
  OPENAI_OFFLINE: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  /** Web Push (RFC 8292): base64url raw P-256 public key and private scalar; `mailto:` or https subject. */
  VAPID_PUBLIC_KEY: z.string().min(80).optional(),
  VAPID_PRIVATE_KEY: z.string().min(40).optional(),
  VAPID_SUBJECT: z.string().min(6).default("mailto:security@haven.example"),
  /** Email provider (Resend-compatible `POST {url}/emails`, Bearer key); local mode uses the dev mailbox. */
  EMAIL_API_URL: url.optional(),
  EMAIL_API_KEY: z.string().min(1).optional(),
  EMAIL_FROM: z.string().min(3).default("Haven <no-reply@haven.example>"),
  /** Signing secret of the provider's delivery webhook (Svix `whsec_…`); unset: receipts are refused. */
  EMAIL_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/)
    .optional(),
  /** SMS provider (Twilio-compatible Messages API); local mode uses the dev outbox (/dev/sms). */
  SMS_API_URL: url.optional(),
  SMS_ACCOUNT_SID: z.string().min(1).optional(),
  SMS_AUTH_TOKEN: z.string().min(1).optional(),
  SMS_FROM: z.string().min(3).optional(),
});

export type Config = z.infer<typeof ConfigSchema>;

const cache = new WeakMap<object, Config>();

/**
 * Validates `env` with zod. A missing or malformed secret is a deployment error: the log line
 * names the variable, the client gets a generic 500 with the request id.
 */
export function loadConfig(env: Env, log: Logger): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const variables = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? "?")))].join(",");
    log.error("config_invalid", { variables });
    throw new AppError(
      "internal",
      "The service is misconfigured. Quote the request id if you contact support.",
    );
  }
  cache.set(env, parsed.data);
  return parsed.data;
}

/** The connection string of a region's database. */
export function databaseUrl(config: Config, region: Region): string {
  return region === "us"
    ? config.DATABASE_URL_US
    : region === "eu"
      ? config.DATABASE_URL_EU
      : config.DATABASE_URL_APAC;
}
