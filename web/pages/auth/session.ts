import type { Context, MiddlewareHandler } from "hono";
import { tryGetContext } from "hono/context-storage";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { setSessionCookies } from "../../../workers/features/accounts/cookies";
import { rotateRefreshToken } from "../../../workers/features/accounts/sessions";
import { randomToken } from "../../../workers/features/auth/jwt";
import type { AppEnv } from "../../../workers/lib/context";
import { timingSafeEqual, utf8Encode } from "../../../workers/lib/crypto/encoding";
import { AppError } from "../../../workers/lib/errors";
import {
  COOKIE_ACCESS,
  COOKIE_CSRF,
  COOKIE_REFRESH,
  REFRESH_TTL_SECONDS,
} from "../../../workers/lib/principal";
import type { Role } from "../../../workers/lib/vocabulary";
import { authenticate } from "../../../workers/middleware/auth";
import { scopeOf } from "../../../workers/middleware/services";

type Ctx = Context<AppEnv>;

/** The CSRF token this response's forms must carry (set in this response, or the request's cookie). */
const issuedCsrf = new WeakMap<object, string>();

function secureCookies(c: Ctx): boolean {
  return c.get("config").ENVIRONMENT !== "local" || new URL(c.req.url).protocol === "https:";
}

/** The CSRF value for hidden `csrf` fields on this page ("" when none exists yet). */
export function csrfToken(c: Ctx): string {
  return issuedCsrf.get(c) ?? getCookie(c, COOKIE_CSRF) ?? "";
}

/**
 * GET pages with forms: a visitor without a CSRF cookie (before sign-in) gets one, with the same
 * attributes as the one `setSessionCookies` issues at sign-in, so one double-submit check serves both.
 */
export const ensureCsrfCookie: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!getCookie(c, COOKIE_CSRF)) {
    const token = randomToken(16);
    setCookie(c, COOKIE_CSRF, token, {
      path: "/",
      sameSite: "Strict",
      secure: secureCookies(c),
      maxAge: REFRESH_TTL_SECONDS,
    });
    issuedCsrf.set(c, token);
  }
  await next();
};

/** Replaces one request header (the incoming Request's headers are immutable). */
function withHeader(c: Ctx, name: string, value: string): void {
  const headers = new Headers(c.req.raw.headers);
  headers.set(name, value);
  c.req.raw = new Request(c.req.raw, { headers });
}

/** Runs `authenticate` without letting a bad cookie become a 401 page: the visitor is just signed out. */
async function tryAuthenticate(c: Ctx): Promise<boolean> {
  try {
    await authenticate(c, async () => {});
    return true;
  } catch (err) {
    if (err instanceof AppError && err.code === "unauthorized") return false;
    throw err;
  }
}

/**
 * Establishes the viewer of a page through the API's own `authenticate`. An expired access cookie
 * with a live refresh cookie is renewed on GET (15-minute access tokens would otherwise sign a
 * reader out mid-page); anything invalid clears the cookies and continues signed out.
 */
export async function resolveViewer(c: Ctx): Promise<void> {
  const hasAccess = Boolean(getCookie(c, COOKIE_ACCESS));
  if (hasAccess && (await tryAuthenticate(c))) return;
  const refresh = getCookie(c, COOKIE_REFRESH);
  const safe = c.req.method === "GET" || c.req.method === "HEAD";
  if (safe && refresh) {
    try {
      const tokens = await rotateRefreshToken(scopeOf(c), refresh);
      setSessionCookies(c, tokens);
      const csrf = /haven_csrf=([^;]+)/.exec(c.res.headers.getSetCookie().join(";"))?.[1];
      if (csrf) issuedCsrf.set(c, csrf);
      const others = (c.req.header("cookie") ?? "")
        .split(/;\s*/)
        .filter((p) => p && !p.startsWith(`${COOKIE_ACCESS}=`));
      withHeader(c, "cookie", [...others, `${COOKIE_ACCESS}=${tokens.accessToken}`].join("; "));
      if (await tryAuthenticate(c)) return;
    } catch (err) {
      if (!(err instanceof AppError && err.code === "unauthorized")) throw err;
    }
  }
  if (hasAccess || refresh) {
    deleteCookie(c, COOKIE_ACCESS, { path: "/" });
    deleteCookie(c, COOKIE_REFRESH, { path: "/" });
  }
}

/** Every page: who is looking (for the nav), never failing the page over a stale cookie. */
export const viewer: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === "GET" || c.req.method === "HEAD") await resolveViewer(c);
  await next();
};

/**
 * HTML form POSTs: the hidden `csrf` field must equal the CSRF cookie (double submit; forms cannot
 * send the `X-CSRF-Token` header the API checks, so the field is copied into it for `authenticate`).
 */
export const formCsrf: MiddlewareHandler<AppEnv> = async (c, next) => {
  const body = await c.req.raw
    .clone()
    .formData()
    .catch(() => null);
  const field = body?.get("csrf");
  const cookie = getCookie(c, COOKIE_CSRF) ?? "";
  if (!cookie || typeof field !== "string" || !timingSafeEqual(utf8Encode(cookie), utf8Encode(field))) {
    throw new AppError("forbidden", "This form has expired. Go back, reload the page and try again.");
  }
  withHeader(c, "x-csrf-token", field);
  await resolveViewer(c);
  await next();
};

/** The signed-in principal of the current page, from any component (needs `contextStorage()`). */
export function currentViewer(): { signedIn: boolean; csrf: string; role: Role | null } | null {
  const c = tryGetContext<AppEnv>();
  if (!c) return null;
  const p = c.get("principal");
  return { signedIn: Boolean(p), csrf: csrfToken(c), role: p?.role ?? null };
}
