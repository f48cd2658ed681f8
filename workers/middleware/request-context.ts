import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { AppEnv } from "../lib/context";
import { REQUEST_ID_PATTERN, runWithRequestId } from "../lib/correlation";
import { createLogger, type LogLevel } from "../lib/logger";
import { inc, observe } from "../lib/metrics/recorder";
import { shipMetrics } from "../lib/metrics/ship";

/** In "errors" mode, requests at least this slow are logged even when they succeed. */
export const SLOW_REQUEST_MS = 1000;

/**
 * Which requests get an access-log line (`ACCESS_LOG` var):
 * - "all" (default; staging, production, bench): one JSON line per request, for Workers Logs.
 * - "errors" (local `npm run dev`): only responses ≥ 400 and requests slower than
 *   {@link SLOW_REQUEST_MS}, as one short human-readable line (5xx always; 4xx and slow ones only
 *   at LOG_LEVEL info/debug, so the test suite's LOG_LEVEL=error stays quiet). `wrangler dev` carries every console
 *   line through its inspector into its own Node process, which cost more than the request itself
 *   (issue 16: ~1.25 ms CPU per line across three processes, against ~0.5 ms for /health).
 */
export type AccessLogMode = "all" | "errors";

export function accessLogMode(value: unknown): AccessLogMode {
  return value === "errors" ? "errors" : "all";
}

/**
 * Assigns the request id (a well-formed incoming `X-Request-Id` is kept, so traces join up
 * across services), makes it the current id for everything the request does, echoes it, writes the access-log line (see {@link AccessLogMode}) and one
 * Analytics Engine data point. Only the route TEMPLATE is recorded (`/v1/patients/:id`), never the
 * concrete path, query, user or IP — those can identify a person.
 */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = Date.now();
  const incoming = c.req.header("x-request-id");
  const requestId = incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : crypto.randomUUID();
  const level = (c.env.LOG_LEVEL as LogLevel | undefined) ?? "info";
  const log = createLogger(level, { requestId });
  c.set("requestId", requestId);
  c.set("log", log);
  // Everything the request does, including its waitUntil work, runs with its id as the current one:
  // upstream calls send it as x-request-id, events carry it (workers/lib/correlation.ts).
  await runWithRequestId(requestId, () => next());
  c.res.headers.set("x-request-id", requestId);
  const path = routePath(c);
  const status = c.res.status;
  const route = status === 404 && (path === "*" || path === "/*") ? "unmatched" : path;
  const durationMs = Date.now() - started;
  if (accessLogMode(c.env.ACCESS_LOG) === "all") {
    log.info("request", { method: c.req.method, route, status, durationMs });
  } else if (
    status >= 500 ||
    ((level === "info" || level === "debug") && (status >= 400 || durationMs >= SLOW_REQUEST_MS))
  ) {
    // Local only: readable at a glance in the dev terminal; the same fields, no PHI.
    const line = `${status} ${c.req.method} ${route} ${durationMs} ms  request ${requestId}`;
    if (status >= 500) console.error(line);
    else console.log(line);
  }
  c.env.ANALYTICS?.writeDataPoint({
    indexes: [route.slice(0, 96)],
    blobs: [route, c.req.method, c.env.ENVIRONMENT ?? "unknown"],
    doubles: [status, durationMs],
  });
  // Prometheus series: recorded in memory, shipped to the metrics hub in the background.
  inc("http_requests_total", { route, method: c.req.method, status: String(c.res.status) });
  observe("http_request_duration_seconds", { route }, durationMs / 1000);
  try {
    const ctx = c.executionCtx;
    shipMetrics(c.env, (p) => ctx.waitUntil(p));
  } catch {
    // No execution context (a unit test calling the app without one): nothing to ship with.
  }
};
