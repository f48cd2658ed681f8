import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../lib/context";

/** Pages: scripts and styles only from our own origin (no inline script), no framing. */
const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** API responses are data, never documents: nothing may load or frame them. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * True when the response may carry personal or health data and so must never be stored by a
 * browser or a shared cache: every API response under /v1 (authenticated or about an account),
 * every page (pages are rendered per viewer; PHI pages among them), and any response to a request
 * carrying credentials.
 */
function mustNotStore(c: Context<AppEnv>, isHtml: boolean): boolean {
  if (c.req.path.startsWith("/v1/") || isHtml) return true;
  if (c.req.header("authorization")) return true;
  return /(?:^|;\s*)haven_(?:at|rt)=/.test(c.req.header("cookie") ?? "");
}

/**
 * Security headers on every response: HSTS, nosniff, no referrer leakage (URLs of a health app
 * can reveal what someone was looking at), no framing, and a CSP chosen by content type.
 * `Cache-Control: no-store` on everything that may hold personal data (see {@link mustNotStore}),
 * unless the route chose a policy itself. Static assets are served before the Worker runs; their
 * headers come from web/public/_headers.
 */
export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const h = c.res.headers;
  const isHtml = (h.get("content-type") ?? "").includes("text/html");
  applySecurityHeaders(h, isHtml, () => mustNotStore(c, isHtml));
};

/**
 * The headers {@link securityHeaders} sets, for a response built outside Hono (the liveness probe's
 * fast path). `noStore` is asked only when the route chose no Cache-Control itself.
 */
export function applySecurityHeaders(h: Headers, isHtml: boolean, noStore: () => boolean): void {
  if (!h.has("cache-control") && noStore()) h.set("cache-control", "no-store");
  h.set("strict-transport-security", "max-age=63072000; includeSubDomains; preload");
  h.set("x-content-type-options", "nosniff");
  h.set("referrer-policy", "no-referrer");
  h.set("x-frame-options", "DENY");
  h.set("cross-origin-opener-policy", "same-origin");
  // The video-visit page alone allows its own camera and microphone (it sets its header itself).
  if (!isHtml || !h.has("permissions-policy"))
    h.set("permissions-policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()");
  h.set("content-security-policy", isHtml ? PAGE_CSP : API_CSP);
}
