import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/context";
import { AppError } from "../../lib/errors";
import { route } from "../../lib/openapi";
import { createRedis } from "../../lib/redis";
import { REGIONS } from "../../lib/vocabulary";
import { scopeOf, services } from "../../middleware/services";

const CHECK_TIMEOUT_MS = 2_000;

const HealthSchema = z.object({ status: z.literal("ok") }).openapi("Health");
const ReadySchema = z
  .object({
    status: z.literal("ok"),
    checks: z.record(z.string(), z.enum(["ok", "down"])),
  })
  .openapi("Ready");

const health = route({
  method: "get",
  path: "/health",
  tags: ["ops"],
  summary: "Liveness: the Worker is up. Touches no dependency.",
  rateLimited: false,
  responses: { 200: { description: "Alive", content: { "application/json": { schema: HealthSchema } } } },
});

const ready = route({
  method: "get",
  path: "/ready",
  tags: ["ops"],
  summary: "Readiness: every regional Postgres and Redis answer within 2 s.",
  middleware: [services] as const,
  rateLimited: false,
  responses: {
    200: { description: "Ready", content: { "application/json": { schema: ReadySchema } } },
    503: { description: "A dependency is down; the problem document names which." },
  },
});

/** Probes answer without rate limiting: load balancers call them often. */
export const healthRoutes = new OpenAPIHono<AppEnv>()
  .openapi(health, (c) => c.json({ status: "ok" as const }, 200))
  .openapi(ready, async (c) => {
    const config = c.get("config");
    const log = c.get("log");
    const probes: Array<[string, () => Promise<unknown>]> = [
      ...REGIONS.map((region): [string, () => Promise<unknown>] => [
        `postgres_${region}`,
        () =>
          scopeOf(c)
            .db(region)
            .$client.query("select 1", [], {
              fetchOptions: { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) },
            }),
      ]),
      ["redis", () => createRedis(config, { timeoutMs: CHECK_TIMEOUT_MS }).ping()],
    ];
    const results = await Promise.allSettled(probes.map(([, probe]) => probe()));
    const checks: Record<string, "ok" | "down"> = {};
    results.forEach((r, i) => {
      const name = probes[i]![0];
      checks[name] = r.status === "fulfilled" ? "ok" : "down";
      if (r.status === "rejected") log.warn("readiness_check_failed", { check: name });
    });
    const down = Object.keys(checks).filter((k) => checks[k] === "down");
    if (down.length > 0) {
      throw new AppError("service_unavailable", `Not ready: ${down.join(", ")} unavailable`, {
        headers: { "retry-after": "5" },
        extensions: { checks },
      });
    }
    return c.json({ status: "ok" as const, checks }, 200);
  });
