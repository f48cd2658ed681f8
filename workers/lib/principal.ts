import type { Region, Role } from "./vocabulary";

/**
 * Who is acting on this request, established from a verified access token. Every repository call
 * takes one: access rules live in the data layer, not only in route guards.
 */
export interface Principal {
  userId: string;
  role: Role;
  region: Region;
  sessionId: string;
  jti: string;
  /** Token expiry (epoch seconds): a denylisted jti only needs to be remembered until then. */
  exp: number;
  mfa: boolean;
  /** How the token arrived: cookie-authenticated mutations must carry a CSRF token. */
  via: "bearer" | "cookie";
}

/** Token issuer and audience, fixed so a token minted for another service is refused. */
export const TOKEN_ISSUER = "haven";
export const TOKEN_AUDIENCE = "haven-api";
/** Access tokens live 15 minutes; refresh tokens 7 days. */
export const ACCESS_TTL_SECONDS = 15 * 60;
export const REFRESH_TTL_SECONDS = 7 * 24 * 3600;

export const COOKIE_ACCESS = "haven_at";
export const COOKIE_REFRESH = "haven_rt";
export const COOKIE_CSRF = "haven_csrf";

/** Redis key marking a revoked access token until it would have expired anyway. */
export const denylistKey = (jti: string) => `denylist:jti:${jti}`;

/**
 * Redis key marking a revoked session: every access token of that session is refused until the
 * longest-lived one would have expired (`ACCESS_TTL_SECONDS`). Checked by `authenticate`.
 */
export const sessionDenylistKey = (sessionId: string) => `denylist:sid:${sessionId}`;
