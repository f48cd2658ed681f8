import type { Context, MiddlewareHandler } from "hono";
import { loadConfig } from "../lib/config";
import type { AppEnv } from "../lib/context";
import { createScope, type Scope } from "../lib/scope";

/**
 * Validates configuration and builds the request's scope (lazily built clients, audit metadata).
 * Nothing connects here: a route that never touches Redis never builds a Redis client.
 */
export const services: MiddlewareHandler<AppEnv> = async (c, next) => {
  const config = loadConfig(c.env, c.get("log"));
  c.set("config", config);
  c.set(
    "scope",
    createScope({
      env: c.env,
      config,
      log: c.get("log"),
      origin: new URL(c.req.url).origin,
      locale: requestLocale(c.req.header("accept-language")),
      audit: {
        requestId: c.get("requestId"),
        ip: c.req.header("cf-connecting-ip") ?? null,
        userAgent: (c.req.header("user-agent") ?? "").slice(0, 256) || null,
      },
    }),
  );
  await next();
};

/** The first language tag of Accept-Language ("de-AT"), to pick a country's lines in a multi-country region. */
function requestLocale(header: string | undefined): string | null {
  const first = header?.split(",")[0]?.split(";")[0]?.trim();
  return first && /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/.test(first) ? first : null;
}

/** The request's scope, for a route handing work to a service. */
export function scopeOf(c: Context<AppEnv>): Scope {
  return c.get("scope");
}
