import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/context";
import { AppError } from "../lib/errors";
import { inc } from "../lib/metrics/recorder";

/** The binding's period (seconds), from `[[ratelimits]] simple.period` in wrangler.toml. */
const PERIOD_SECONDS = 60;

/**
 * Cloudflare rate limiting binding, keyed by user when authenticated and by client IP otherwise.
 * The limit itself is configuration (`[[ratelimits]]`), not code. Over the limit: 429 with
 * Retry-After. The key never leaves the Worker (no IP in logs or analytics).
 */
export const rateLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = rateLimitKey(c.req.raw, c.get("principal")?.userId);
  const { success } = await c.env.RATE_LIMITER.limit({ key });
  if (!success) {
    inc("rate_limit_refusals_total", {
      limiter: c.req.path.startsWith("/v1/auth/")
        ? "auth"
        : c.req.path.startsWith("/v1/")
          ? "api"
          : c.req.path === "/docs"
            ? "docs"
            : "other",
    });
    throw new AppError("rate_limited", "Too many requests. Please wait before trying again.", {
      headers: { "retry-after": String(PERIOD_SECONDS) },
    });
  }
  await next();
};

/** `user:<id>` once identity exists on the request, else `ip:<CF-Connecting-IP>`. */
export function rateLimitKey(req: Request, userId?: string): string {
  if (userId) return `user:${userId}`;
  return `ip:${req.headers.get("cf-connecting-ip") ?? "unknown"}`;
}
