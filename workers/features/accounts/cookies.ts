import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../../lib/context";
import {
  ACCESS_TTL_SECONDS,
  COOKIE_ACCESS,
  COOKIE_CSRF,
  COOKIE_REFRESH,
  REFRESH_TTL_SECONDS,
} from "../../lib/principal";
import { randomToken } from "../auth/jwt";
import type { IssuedTokens } from "./sessions";

/** Web sessions: HttpOnly Secure SameSite=Strict cookies plus a readable CSRF cookie. */
export function setSessionCookies(c: Context<AppEnv>, tokens: IssuedTokens): void {
  const secure = c.get("config").ENVIRONMENT !== "local" || new URL(c.req.url).protocol === "https:";
  const base = { httpOnly: true, secure, sameSite: "Strict" as const, path: "/" };
  setCookie(c, COOKIE_ACCESS, tokens.accessToken, { ...base, maxAge: ACCESS_TTL_SECONDS });
  setCookie(c, COOKIE_REFRESH, tokens.refreshToken, { ...base, path: "/", maxAge: REFRESH_TTL_SECONDS });
  setCookie(c, COOKIE_CSRF, randomToken(16), { ...base, httpOnly: false, maxAge: REFRESH_TTL_SECONDS });
}

export function clearSessionCookies(c: Context<AppEnv>): void {
  for (const name of [COOKIE_ACCESS, COOKIE_REFRESH, COOKIE_CSRF]) deleteCookie(c, name, { path: "/" });
}
