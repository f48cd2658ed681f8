import { Hono, type MiddlewareHandler } from "hono";
import { MailboxPage } from "../../../web/pages/dev/mailbox";
import type { AppEnv } from "../../lib/context";
import { timingSafeEqual, utf8Encode } from "../../lib/crypto/encoding";
import { AppError } from "../../lib/errors";
import type { MetricsBatch } from "../../lib/metrics/recorder";
import { scopeOf, services } from "../../middleware/services";
import { readMailbox } from "../accounts/mail";
import { seedDemo } from "./seed";
import { simulatedDevices } from "./wearables";

/**
 * Local-only developer routes: demo seeding (called by `npm run dev`) and the dev mailbox. In any
 * other environment they do not exist (404).
 */
const localOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get("config").ENVIRONMENT !== "local") throw new AppError("not_found", "No such resource");
  return next();
};

// Middleware is scoped to the dev paths: a `use("*")` here would run for every route mounted
// after this sub-app and 404 the whole site outside local mode.
export const devRoutes = new Hono<AppEnv>()
  .use("/__dev/*", services, localOnly)
  .use("/dev/*", services, localOnly)
  .post("/__dev/seed", async (c) => {
    const expected = c.get("config").DEV_SEED_TOKEN ?? "";
    const given = (c.req.header("authorization") ?? "").replace(/^Bearer /, "");
    if (!expected || !timingSafeEqual(utf8Encode(expected), utf8Encode(given)))
      throw new AppError("not_found", "No such resource");
    return c.text(await seedDemo(scopeOf(c)));
  })
  .post("/__dev/wearables/devices", async (c) => {
    const expected = c.get("config").DEV_SEED_TOKEN ?? "";
    const given = (c.req.header("authorization") ?? "").replace(/^Bearer /, "");
    if (!expected || !timingSafeEqual(utf8Encode(expected), utf8Encode(given)))
      throw new AppError("not_found", "No such resource");
    const count = Math.min(200, Math.max(1, Number(c.req.query("count") ?? 1) || 1));
    return c.json({ devices: await simulatedDevices(scopeOf(c), count) });
  })
  .get("/dev/mailbox", async (c) => c.html(<MailboxPage mails={await readMailbox(scopeOf(c))} />))
  // `npm run bench:metrics`: how many shipments per second one MetricsHub object absorbs.
  .post("/__dev/metrics-hub-bench", async (c) => {
    const expected = c.get("config").DEV_SEED_TOKEN ?? "";
    const given = (c.req.header("authorization") ?? "").replace(/^Bearer /, "");
    if (!expected || !timingSafeEqual(utf8Encode(expected), utf8Encode(given)))
      throw new AppError("not_found", "No such resource");
    const calls = Math.min(Math.max(Number(c.req.query("calls") ?? 200), 1), 5_000);
    const concurrency = Math.min(Math.max(Number(c.req.query("concurrency") ?? 8), 1), 64);
    return c.json(await benchMetricsHub(c.env, calls, concurrency));
  });

/** A shipment as one busy isolate sends it: ~60 series (routes × statuses, histogram buckets). */
function sampleBatch(i: number): MetricsBatch {
  const ops: MetricsBatch["ops"] = [];
  for (let r = 0; r < 4; r++) {
    const route = `/bench/route-${r}`;
    ops.push({
      key: `http_requests_total{method="GET",route="${route}",status="200"}`,
      family: "http_requests_total",
      op: "add",
      value: 25,
    });
    for (const le of ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"])
      ops.push({
        key: `http_request_duration_seconds_bucket{route="${route}",le="${le}"}`,
        family: "http_request_duration_seconds",
        op: "add",
        value: 25,
      });
    ops.push({
      key: `http_request_duration_seconds_sum{route="${route}"}`,
      family: "http_request_duration_seconds",
      op: "add",
      value: 0.4 + i * 0,
    });
    ops.push({
      key: `http_request_duration_seconds_count{route="${route}"}`,
      family: "http_request_duration_seconds",
      op: "add",
      value: 25,
    });
  }
  return { ops, events: [] };
}

async function benchMetricsHub(env: Env, calls: number, concurrency: number) {
  const stub = env.METRICS_HUB.get(env.METRICS_HUB.idFromName("bench-shard"));
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < calls) {
        const i = next++;
        await stub.record(sampleBatch(i));
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const series = sampleBatch(0).ops.length;
  return {
    calls,
    concurrency,
    seriesPerCall: series,
    seconds,
    callsPerSecond: calls / seconds,
    seriesPerSecond: (calls * series) / seconds,
  };
}
