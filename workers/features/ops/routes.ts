import { z } from "@hono/zod-openapi";
import { auditInsert } from "../../lib/audit";
import { AppError } from "../../lib/errors";
import {
  FLAG_KEYS,
  FLAGS,
  FlagKeySchema,
  FlagRule,
  flagRules,
  ruleAdmits,
  writeFlagRule,
} from "../../lib/flags";
import { EXPOSITION_CONTENT_TYPE } from "../../lib/metrics/exposition";
import { hub, METRICS_SHARDS } from "../../lib/metrics/ship";
import { bearer, jsonBody, ok, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { principalOf, requireAuth } from "../../middleware/auth";
import { scopeOf, services } from "../../middleware/services";
import { AlertmanagerPayload, receiveAlerts } from "./alertmanager";
import { collect, credentialMatches, metricsCredential, scrape } from "./metrics";

const metrics = route({
  method: "get",
  path: "/metrics",
  tags: ["ops"],
  summary: "Prometheus metrics (text exposition 0.0.4). Bearer token or basic-auth password = METRICS_TOKEN.",
  middleware: [services] as const,
  rateLimited: false,
  problems: [401],
  responses: {
    200: { description: "Metrics", content: { "text/plain": { schema: z.string() } } },
  },
});

const alertmanagerWebhook = route({
  method: "post",
  path: "/ops/alertmanager",
  tags: ["ops"],
  summary:
    "Alertmanager webhook receiver (bearer = OPS_WEBHOOK_TOKEN): alerts reach the admin console and, as ops.alert events, every admin's notifications.",
  middleware: [services] as const,
  rateLimited: false,
  problems: [401, 503],
  request: { body: jsonBody(AlertmanagerPayload) },
  responses: { 200: ok(z.object({ received: z.number().int() }).openapi("AlertmanagerReceipt"), "Stored") },
});

/** Routes outside `/v1`: their own bearer secrets, not user tokens. */
export const opsPublicRoutes = createRouter()
  .openapi(metrics, async (c) => {
    const presented = metricsCredential(c.req.header("authorization"));
    if (!(await credentialMatches(presented, c.env.METRICS_TOKEN))) {
      throw new AppError("unauthorized", "Metrics need the scrape credential", {
        headers: { "www-authenticate": 'Bearer realm="metrics", Basic realm="metrics"' },
      });
    }
    const body = await scrape(scopeOf(c));
    return c.text(body, 200, { "content-type": EXPOSITION_CONTENT_TYPE, "cache-control": "no-store" });
  })
  .openapi(alertmanagerWebhook, async (c) => {
    const presented = metricsCredential(c.req.header("authorization"));
    if (!(await credentialMatches(presented, c.env.OPS_WEBHOOK_TOKEN))) {
      throw new AppError("unauthorized", "The webhook needs its credential");
    }
    const received = await receiveAlerts(scopeOf(c), c.req.valid("json"));
    return c.json({ received }, 200);
  });

const Series = z
  .object({
    name: z.string(),
    labels: z.record(z.string(), z.string()),
    value: z.number(),
  })
  .openapi("MetricSeries");

const overview = route({
  method: "get",
  path: "/ops/overview",
  tags: ["ops"],
  summary: "Every metric series, merged across shards (the ops view computes rates from two polls)",
  security: bearer,
  middleware: [requireAuth("admin")] as const,
  problems: [403, 404],
  responses: {
    200: ok(z.object({ generatedAt: z.string(), series: z.array(Series) }).openapi("OpsOverview"), "Series"),
  },
});

const OpsEvent = z
  .object({
    time: z.string(),
    level: z.string(),
    event: z.string(),
    requestId: z.string().nullable(),
    route: z.string().nullable(),
    status: z.number().nullable(),
    code: z.string().nullable(),
    dependency: z.string().nullable(),
  })
  .openapi("OpsLogEvent");

const events = route({
  method: "get",
  path: "/ops/events",
  tags: ["ops"],
  summary: "Recent warning/error log events (ids and codes only), optionally for one request id",
  security: bearer,
  middleware: [requireAuth("admin")] as const,
  problems: [403, 404],
  request: {
    query: z.object({
      requestId: z
        .string()
        .regex(/^[A-Za-z0-9._:-]{8,128}$/)
        .optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
  },
  responses: {
    200: ok(z.object({ events: z.array(OpsEvent) }).openapi("OpsEvents"), "Events, newest first"),
  },
});

const OpsAlert = z
  .object({
    fingerprint: z.string(),
    status: z.enum(["firing", "resolved"]),
    alertname: z.string(),
    severity: z.string(),
    summary: z.string(),
    startsAt: z.string(),
    endsAt: z.string().nullable(),
    receivedAt: z.string(),
  })
  .openapi("OpsAlert");

const alerts = route({
  method: "get",
  path: "/ops/alerts",
  tags: ["ops"],
  summary: "Recent Alertmanager notifications received by Haven",
  security: bearer,
  middleware: [requireAuth("admin")] as const,
  problems: [403, 404],
  responses: {
    200: ok(z.object({ alerts: z.array(OpsAlert) }).openapi("OpsAlerts"), "Alerts, newest first"),
  },
});

const Flag = z
  .object({
    key: FlagKeySchema,
    description: z.string(),
    rule: FlagRule,
    isDefault: z.boolean(),
    enabledForYou: z.boolean(),
  })
  .openapi("FeatureFlag");

const listFlags = route({
  method: "get",
  path: "/admin/flags",
  tags: ["admin"],
  summary: "Feature flags and their rollout rules",
  security: bearer,
  middleware: [requireAuth("admin")] as const,
  problems: [403, 404],
  responses: { 200: ok(z.object({ flags: z.array(Flag) }).openapi("FeatureFlags"), "Flags") },
});

const putFlag = route({
  method: "put",
  path: "/admin/flags/{key}",
  tags: ["admin"],
  summary: "Change a flag's rollout rule (audited; isolates pick it up within 30 s)",
  security: bearer,
  middleware: [requireAuth("admin")] as const,
  problems: [403, 404],
  request: { params: z.object({ key: z.string().max(64) }), body: jsonBody(FlagRule) },
  responses: { 200: ok(Flag, "The flag as now stored") },
});

/** The admin's ops API under `/v1`. */
export const opsRoutes = createRouter()
  .openapi(overview, async (c) => {
    const families = await collect(scopeOf(c));
    const series = [...families.values()].flat().map((s) => ({
      name: s.name,
      labels: Object.fromEntries(s.labels),
      value: s.value,
    }));
    return c.json({ generatedAt: new Date().toISOString(), series }, 200);
  })
  .openapi(events, async (c) => {
    const { requestId, limit } = c.req.valid("query");
    const env = scopeOf(c).env;
    const perShard = await Promise.allSettled(
      Array.from({ length: METRICS_SHARDS }, (_, i) => hub(env, i).recentEvents({ requestId, limit })),
    );
    const merged = perShard
      .flatMap((r) => (r.status === "fulfilled" ? r.value : []))
      .sort((a, b) => b.time.localeCompare(a.time))
      .slice(0, limit);
    return c.json({ events: merged }, 200);
  })
  .openapi(alerts, async (c) => {
    const list = await hub(scopeOf(c).env, 0).recentAlerts(50);
    return c.json({ alerts: list }, 200);
  })
  .openapi(listFlags, async (c) => {
    const scope = scopeOf(c);
    const p = principalOf(c);
    const rules = await flagRules(scope);
    const flags = FLAG_KEYS.map((key) => ({
      key,
      description: FLAGS[key].description,
      rule: rules[key],
      isDefault: JSON.stringify(rules[key]) === JSON.stringify(FlagRule.parse(FLAGS[key].default)),
      enabledForYou: ruleAdmits(key, rules[key], {
        environment: scope.config.ENVIRONMENT,
        role: p.role,
        userId: p.userId,
      }),
    }));
    return c.json({ flags }, 200);
  })
  .openapi(putFlag, async (c) => {
    const scope = scopeOf(c);
    const p = principalOf(c);
    const parsed = FlagKeySchema.safeParse(c.req.valid("param").key);
    if (!parsed.success) throw new AppError("not_found", "No such flag");
    const key = parsed.data;
    const rule = c.req.valid("json");
    const db = scope.db(p.region);
    try {
      await writeFlagRule(scope, key, rule);
    } catch (err) {
      await auditInsert(db, scope, {
        action: "admin.flag_change",
        resourceType: "feature_flag",
        resourceId: key,
        outcome: "failure",
      });
      throw err;
    }
    await auditInsert(db, scope, {
      action: "admin.flag_change",
      resourceType: "feature_flag",
      resourceId: key,
      outcome: "success",
    });
    return c.json(
      {
        key,
        description: FLAGS[key].description,
        rule,
        isDefault: false,
        enabledForYou: ruleAdmits(key, rule, {
          environment: scope.config.ENVIRONMENT,
          role: p.role,
          userId: p.userId,
        }),
      },
      200,
    );
  });
