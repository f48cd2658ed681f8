import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { AppEnv } from "../lib/context";
import { createLogger, type LogLevel } from "../lib/logger";
import { inc, observe } from "../lib/metrics/recorder";
import { shipMetrics } from "../lib/metrics/ship";

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Assigns the request id (a well-formed incoming `X-Request-Id` is kept, so traces join up
 * across services), echoes it, writes one access-log line and one Analytics Engine data point.
 * Only the route TEMPLATE is recorded (`/v1/patients/:id`), never the concrete path, query, user
 * or IP — those can identify a person.
 */
export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = Date.now();
  const incoming = c.req.header("x-request-id");
  const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
  const level = (c.env.LOG_LEVEL as LogLevel | undefined) ?? "info";
  const log = createLogger(level, { requestId });
  c.set("requestId", requestId);
  c.set("log", log);
  await next();
  c.res.headers.set("x-request-id", requestId);
  const route = c.res.status === 404 && !matched(c) ? "unmatched" : routePath(c);
  const durationMs = Date.now() - started;
  log.info("request", { method: c.req.method, route, status: c.res.status, durationMs });
  c.env.ANALYTICS?.writeDataPoint({
    indexes: [route.slice(0, 96)],
    blobs: [route, c.req.method, c.env.ENVIRONMENT ?? "unknown"],
    doubles: [c.res.status, durationMs],
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

function matched(c: Parameters<MiddlewareHandler<AppEnv>>[0]): boolean {
  const path = routePath(c);
  return path !== "*" && path !== "/*";
}
