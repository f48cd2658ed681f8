import { Redis } from "@upstash/redis/cloudflare";
import type { Config } from "./config";
import { currentRequestId, REQUEST_ID_HEADER } from "./correlation";
import { breakerFor, DependencyError, isDependencyError, withRetry } from "./resilience";

/**
 * Commands that leave the same state however often they run, so a call that failed in
 * transport may be sent again. INCR, LPUSH, RPUSH, SET … NX/GET and friends are not here:
 * after a timeout the first call may have been applied, and a second one would count a failed
 * sign-in twice or duplicate a message (found in the hardening review: a re-sent INCR locked
 * an account after an outage).
 */
const IDEMPOTENT = new Set([
  "get",
  "mget",
  "exists",
  "ttl",
  "pttl",
  "type",
  "strlen",
  "lrange",
  "llen",
  "lindex",
  "hget",
  "hgetall",
  "hmget",
  "hexists",
  "hlen",
  "smembers",
  "sismember",
  "scard",
  "zrange",
  "zscore",
  "zcard",
  "zcount",
  "zrangebyscore",
  "scan",
  "ping",
  "del",
  "unlink",
  "expire",
  "pexpire",
  "persist",
]);

/** A command array as the Upstash REST API receives it: `["incr", "key"]`. */
function commandName(cmd: unknown): string {
  return Array.isArray(cmd) && typeof cmd[0] === "string" ? cmd[0].toLowerCase() : "";
}

/** True when every command of a request (one command, or a pipeline's list) may be re-sent. */
export function isIdempotentRedisRequest(body: unknown): boolean {
  const commands = Array.isArray(body) && Array.isArray(body[0]) ? (body as unknown[]) : [body];
  return commands.every((cmd) => IDEMPOTENT.has(commandName(cmd)));
}

interface Requester {
  request: (req: {
    body?: unknown;
    path?: string[];
    signal?: unknown;
    headers?: Record<string, string>;
  }) => Promise<unknown>;
}

/**
 * An Upstash REST client for this request. It holds no connection; each command or pipeline is
 * one HTTPS request, so building it per request is free.
 *
 * Every request carries the current request id (`x-request-id`), has a deadline (REDIS_TIMEOUT_MS, or `timeoutMs`) and goes through the Redis
 * circuit breaker. The client's own retry is off (it re-sends any command after any transport
 * error); ours retries once, with jitter, only idempotent commands and never after a timeout.
 * Failures surface as a {@link DependencyError} ("cache"), which the error handler answers 503.
 */
export function createRedis(config: Config, opts: { timeoutMs?: number; requestId?: string } = {}): Redis {
  const timeoutMs = opts.timeoutMs ?? config.REDIS_TIMEOUT_MS;
  const redis = new Redis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    enableTelemetry: false,
    retry: { retries: 0, backoff: () => 0 },
    signal: () => AbortSignal.timeout(timeoutMs),
  });
  const client = (redis as unknown as { client: Requester }).client;
  const send = client.request.bind(client);
  // Redis is global (one endpoint for every region): one breaker per endpoint.
  const breaker = breakerFor("cache", new URL(config.UPSTASH_REDIS_REST_URL).host, {
    threshold: 3,
    cooldownMs: config.BREAKER_COOLDOWN_MS,
  });
  // The request id goes on every REST call (per call: the current unit of work, else the scope's).
  const correlated = (req: Parameters<Requester["request"]>[0]) => {
    const id = currentRequestId() ?? opts.requestId;
    return id ? { ...req, headers: { ...req.headers, [REQUEST_ID_HEADER]: id } } : req;
  };
  client.request = (given) => {
    const req = correlated(given);
    return breaker.run(() =>
      withRetry(
        async () => {
          try {
            return await send(req);
          } catch (err) {
            throw toDependencyError(err);
          }
        },
        {
          retries: isIdempotentRedisRequest(req.body) ? 1 : 0,
          baseDelayMs: 25,
          retryable: (err) => isDependencyError(err) && err.kind !== "timeout",
        },
      ),
    );
  };
  return redis;
}

/**
 * Transport failures become DependencyErrors; a command error (wrong type, bad argument), which
 * the Upstash client raises as UpstashError with an HTTP 4xx behind it, stays what it is.
 */
function toDependencyError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  if (err.name === "TimeoutError" || err.name === "AbortError")
    return new DependencyError("cache", "timeout", 1);
  if (err.name === "UpstashError") {
    const reason = err.message.split(", command was:")[0] ?? "";
    return /unavailable|internal|overload|502|503|504/i.test(reason)
      ? new DependencyError("cache", "upstream", 1)
      : err;
  }
  // Refused, reset, dropped mid-body or an unparseable (truncated) body: workerd raises these as
  // TypeError or a plain Error ("Network connection lost"), the client as UpstashJSONParseError.
  return new DependencyError("cache", "network", 1);
}
