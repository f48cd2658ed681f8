import { REQUEST_ID_PATTERN } from "../../lib/correlation";
import { inc, observe } from "../../lib/metrics/recorder";
import { shipMetrics } from "../../lib/metrics/ship";
import { applySecurityHeaders } from "../../middleware/security-headers";

const BODY = JSON.stringify({ status: "ok" });

/**
 * `GET /health` from a prober (no Origin: not a browser's CORS request), answered before the app:
 * the liveness probe touches no dependency and needs no config, and load balancers call it often,
 * so it skips the middleware chain (issue 16: `/health` cost 1.6× a bare Hono Worker). The answer
 * is the one the route gives — same body, request id, security headers and Prometheus series — but
 * no access-log line and no Analytics Engine point per probe. Anything else (HEAD, OPTIONS, a
 * cross-origin GET) goes through the app and its `/health` route.
 */
export function isLivenessProbe(req: Request): boolean {
  if (req.method !== "GET" || req.headers.has("origin")) return false;
  const url = req.url;
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return (
    start > 0 && (url.length === start + 7 || url[start + 7] === "?") && url.startsWith("/health", start)
  );
}

export function liveness(req: Request, env: Env, ctx: ExecutionContext): Response {
  const incoming = req.headers.get("x-request-id");
  const headers = new Headers({
    "content-type": "application/json",
    "x-request-id": incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : crypto.randomUUID(),
    // What the app's CORS middleware adds to a request without Origin (test/liveness.test.ts
    // compares the two answers header by header).
    "access-control-allow-credentials": "true",
    "access-control-expose-headers": "x-request-id,retry-after",
    vary: "Origin",
  });
  applySecurityHeaders(
    headers,
    false,
    () =>
      req.headers.has("authorization") || /(?:^|;\s*)haven_(?:at|rt)=/.test(req.headers.get("cookie") ?? ""),
  );
  inc("http_requests_total", { route: "/health", method: "GET", status: "200" });
  observe("http_request_duration_seconds", { route: "/health" }, 0);
  shipMetrics(env, (p) => ctx.waitUntil(p));
  return new Response(BODY, { status: 200, headers });
}
