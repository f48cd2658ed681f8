import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { verifyAccessToken } from "../features/auth/jwt";
import type { AppEnv } from "../lib/context";
import { timingSafeEqual, utf8Encode } from "../lib/crypto/encoding";
import { AppError } from "../lib/errors";
import { inc } from "../lib/metrics/recorder";
import {
  COOKIE_ACCESS,
  COOKIE_CSRF,
  denylistKey,
  type Principal,
  sessionDenylistKey,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
} from "../lib/principal";
import { withPrincipal } from "../lib/scope";
import type { Role } from "../lib/vocabulary";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function bearer(c: Context<AppEnv>): string | undefined {
  const h = c.req.header("authorization");
  if (!h) return undefined;
  const m = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(h);
  if (!m) throw new AppError("unauthorized", "Malformed Authorization header");
  return m[1];
}

/**
 * Establishes `principal` from a Bearer token (mobile) or the access cookie (web). A presented
 * but invalid, expired or revoked token is a 401 — never silently anonymous. Cookie-authenticated
 * mutations must echo the CSRF cookie in `X-CSRF-Token` (double submit). One Redis read (the jti
 * denylist) per authenticated request.
 */
export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const fromHeader = bearer(c);
  const token = fromHeader ?? getCookie(c, COOKIE_ACCESS);
  if (!token) return next();
  const config = c.get("config");
  const secrets = [config.JWT_SECRET, config.JWT_SECRET_PREVIOUS].filter((s): s is string => Boolean(s));
  const result = await verifyAccessToken(token, secrets, { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE });
  if (!result.ok) {
    inc("auth_failures_total", { reason: result.reason === "expired" ? "expired" : "bad_token" });
    c.get("log").info("token_rejected", { reason: result.reason });
    throw new AppError("unauthorized", "Invalid or expired credentials");
  }
  const { claims } = result;
  // Every authenticated request reads the Redis denylist first. (An in-statement session check in
  // place of it was tried for GET /v1/me and withdrawn: a revocation whose Postgres write fails
  // after its denylist write would leave such a route serving — test/faults/revocation.fault.ts.
  // GET /v1/me still checks the session in its own statement as well, lib/session-check.ts.)
  if ((await c.get("scope").redis().exists(denylistKey(claims.jti), sessionDenylistKey(claims.sid))) > 0) {
    inc("auth_failures_total", { reason: "revoked" });
    throw new AppError("unauthorized", "Invalid or expired credentials");
  }
  const via = fromHeader ? "bearer" : "cookie";
  if (via === "cookie" && !SAFE_METHODS.has(c.req.method)) assertCsrf(c);
  const principal: Principal = {
    userId: claims.sub,
    role: claims.role,
    region: claims.region,
    sessionId: claims.sid,
    jti: claims.jti,
    exp: claims.exp,
    mfa: claims.mfa === true,
    via,
  };
  c.set("principal", principal);
  c.set("log", c.get("log").child({ actor: claims.sub }));
  c.set("scope", withPrincipal(c.get("scope"), principal));
  await next();
};

/** Double-submit CSRF check for cookie sessions: the header must equal the CSRF cookie. */
export function assertCsrf(c: Context<AppEnv>): void {
  const cookie = getCookie(c, COOKIE_CSRF) ?? "";
  const header = c.req.header("x-csrf-token") ?? "";
  if (!cookie || !timingSafeEqual(utf8Encode(cookie), utf8Encode(header))) {
    throw new AppError("forbidden", "Missing or invalid CSRF token");
  }
}

/**
 * Requires an authenticated principal, optionally of given roles. A role that may not use a
 * route gets the same 404 as an unknown path (the route does not exist for them), and gets it
 * before the MFA check: a clinician without MFA must not learn from a 403 that an admin route
 * exists. Clinicians and admins must have passed MFA in this session for the routes they may use.
 */
export function requireAuth(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = requirePrincipal(c);
    if (roles.length > 0 && !roles.includes(p.role)) throw new AppError("not_found", "No such resource");
    if (p.role !== "patient" && !p.mfa) {
      throw new AppError(
        "forbidden",
        "Two-factor authentication is required for your role: set it up in your account",
      );
    }
    return next();
  };
}

/**
 * Requires a session but not MFA: only for the account's own security routes (MFA enrolment,
 * sessions, sign-out, reading one's own account), which a clinician needs before enrolling.
 */
export const requireSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  requirePrincipal(c);
  return next();
};

function requirePrincipal(c: Context<AppEnv>): Principal {
  const p = c.get("principal");
  if (!p)
    throw new AppError("unauthorized", "Sign in to continue", { headers: { "www-authenticate": "Bearer" } });
  return p;
}

/** The principal of a route behind `requireAuth`. */
export function principalOf(c: Context<AppEnv>): Principal {
  const p = c.get("principal");
  if (!p) throw new AppError("unauthorized", "Sign in to continue");
  return p;
}
