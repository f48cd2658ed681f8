import { Redis } from "@upstash/redis/cloudflare";
import type { Config } from "./config";

/**
 * An Upstash REST client for this request. It holds no connection; each command or pipeline is
 * one HTTPS request, so building it per request is free.
 */
export function createRedis(config: Config, opts: { timeoutMs?: number } = {}): Redis {
  return new Redis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    enableTelemetry: false,
    retry: { retries: 1, backoff: () => 50 },
    ...(opts.timeoutMs ? { signal: () => AbortSignal.timeout(opts.timeoutMs as number) } : {}),
  });
}
