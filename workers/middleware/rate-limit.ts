import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/context";
import { AppError } from "../lib/errors";
import { inc } from "../lib/metrics/recorder";

/** The binding's period (seconds), from `[[ratelimits]] simple.period` in wrangler.toml. */
const PERIOD_SECONDS = 60;

/**
 * Cloudflare rate limiting bindings: USER_RATE_LIMITER keyed by user when authenticated (600 a
 * minute), RATE_LIMITER keyed by client IP otherwise (100 a minute). The limits are configuration
 * (`[[ratelimits]]`), not code. Over the limit: 429 with
 * Retry-After. The key never leaves the Worker (no IP in logs or analytics).
 */
export const rateLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const userId = c.get("principal")?.userId;
  const key = rateLimitKey(c.req.raw, userId);
  // Signed-in users have their own (higher) per-user limit; anonymous clients the per-IP one.
  const limiter = userId ? c.env.USER_RATE_LIMITER : c.env.RATE_LIMITER;
  const { success } = await limiter.limit({ key });
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
