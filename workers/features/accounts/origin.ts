import { AppError } from "../../lib/errors";

/**
 * The origins a cookie-authenticated call may come from: the Worker's own origin and the
 * configured CORS origins (comma-separated, e.g. the dev server's page origin).
 */
export function trustedOrigins(requestUrl: string, corsOrigins: string): Set<string> {
  const own = new URL(requestUrl).origin;
  const listed = corsOrigins
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  return new Set([own, ...listed]);
}

/**
 * Refuses (403) a call carrying credentials the browser attaches on its own (cookies) unless the
 * `Origin` header names a trusted origin. A missing Origin is refused too: every browser sends
 * it on a cross-origin or POST request, so only a non-browser client omits it, and those present
 * the refresh token in the body instead.
 */
export function assertTrustedOrigin(
  origin: string | undefined,
  requestUrl: string,
  corsOrigins: string,
): void {
  if (!origin || !trustedOrigins(requestUrl, corsOrigins).has(origin)) {
    throw new AppError("forbidden", "Refreshing by cookie is only allowed from Haven's own pages");
  }
}

/**
 * The path to continue to after sign-in, when `next` is a same-origin path: it must start with
 * one `/` (not `//` or `/\`, which browsers read as another host), carry no scheme, no control
 * characters and no backslashes, and resolve to the same origin. Anything else → `fallback`.
 *
 * @example safeNext("/chat?x=1", "/account") // "/chat?x=1"
 * @example safeNext("//evil.example/", "/account") // "/account"
 */
export function safeNext(next: string | undefined | null, fallback: string): string {
  if (!next || next.length > 512) return fallback;
  if (!next.startsWith("/") || next.startsWith("//") || next.includes("\\")) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
  if (/[\u0000-\u001F\u007F]/.test(next)) return fallback;
  const base = "https://haven.invalid";
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Sign-in pages would loop; API paths are not pages.
  if (/^\/(login|logout|signup|v1)(\/|$|\?)/.test(path)) return fallback;
  return path;
}
