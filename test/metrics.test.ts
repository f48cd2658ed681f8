import { env, evictDurableObject } from "cloudflare:test";
import { eq } from "drizzle-orm";
// @ts-expect-error: the package ships no type declarations
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { dataRequests } from "../workers/db/schema";
import { createDatabase } from "../workers/lib/db";
import { mergeSnapshots, renderExposition } from "../workers/lib/metrics/exposition";
import { drain, inc, observe, set } from "../workers/lib/metrics/recorder";
import { exportedSeriesNames, METRICS } from "../workers/lib/metrics/registry";
import { hub, METRICS_SHARDS } from "../workers/lib/metrics/ship";
import { sendOverHttp } from "./chat-helpers";
import { createUser, testConfig } from "./fixtures";
import { call, until } from "./helpers";

type Family = {
  name: string;
  type: string;
  metrics: Array<{
    labels?: Record<string, string>;
    value?: string;
    buckets?: Record<string, string>;
    count?: string;
    sum?: string;
  }>;
};

const token = () => (env as unknown as { METRICS_TOKEN: string }).METRICS_TOKEN;

async function scrapeText(): Promise<string> {
  const res = await call("/metrics", { headers: { authorization: `Bearer ${token()}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  expect(res.headers.get("cache-control")).toBe("no-store");
  return res.text();
}

function families(text: string): Map<string, Family> {
  const parsed = parsePrometheusTextFormat(text) as Family[];
  return new Map(parsed.map((f) => [f.name, f]));
}

function counter(f: Map<string, Family>, name: string, labels: Record<string, string>): number {
  const family = f.get(name);
  const m = family?.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v));
  return m ? Number(m.value) : 0;
}

describe("/metrics", () => {
  it("refuses a scrape without the token, with a wrong one, and with a wrong basic password", async () => {
    expect((await call("/metrics")).status).toBe(401);
    expect(
      (await call("/metrics", { headers: { authorization: "Bearer wrong-token-wrong-token" } })).status,
    ).toBe(401);
    const basic = `Basic ${btoa("prometheus:not-the-token")}`;
    expect((await call("/metrics", { headers: { authorization: basic } })).status).toBe(401);
    const good = `Basic ${btoa(`prometheus:${token()}`)}`;
    expect((await call("/metrics", { headers: { authorization: good } })).status).toBe(200);
  });

  it("parses as Prometheus text and counts requests by route template, method and status", async () => {
    const before = families(await scrapeText());
    const base = counter(before, "http_requests_total", { route: "/health", method: "GET", status: "200" });
    for (let i = 0; i < 3; i++) expect((await call("/health")).status).toBe(200);
    const after = families(await scrapeText());
    expect(counter(after, "http_requests_total", { route: "/health", method: "GET", status: "200" })).toBe(
      base + 3,
    );
    // Scrape-time figures: the compliance share (0–1) and the open dead letters.
    const score = Number(after.get("compliance_score")?.metrics[0]?.value);
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(1);
    expect(after.get("queue_depth")?.metrics.some((m) => m.labels?.queue === "dead_letter")).toBe(true);
    // Every declared family is present with its declared type.
    for (const def of METRICS) expect(after.get(def.name)?.type, def.name).toBe(def.kind.toUpperCase());
  });

  it("queue depths: the delivery and export backlogs as Haven's records see them", async () => {
    const patient = await createUser("patient", "eu");
    const db = createDatabase(testConfig(), "eu");
    const before = families(await scrapeText());
    const exportsBefore = counter(before, "queue_depth", { queue: "exports" });
    expect(before.get("queue_depth")?.metrics.some((m) => m.labels?.queue === "notifications")).toBe(true);
    const [req] = await db
      .insert(dataRequests)
      .values({ patientId: patient.id, requestedBy: patient.id, kind: "export", status: "queued" })
      .returning();
    try {
      const after = families(await scrapeText());
      expect(counter(after, "queue_depth", { queue: "exports" })).toBeGreaterThanOrEqual(exportsBefore + 1);
    } finally {
      if (req) await db.delete(dataRequests).where(eq(dataRequests.id, req.id));
    }
  });

  it("histograms are cumulative, monotone, and their +Inf bucket equals their count", async () => {
    await call("/health");
    await call("/health");
    const text = await scrapeText();
    // The npm parser flattens labelled histograms, so the buckets are checked on the raw lines.
    const groups = new Map<string, { buckets: Array<[number, number]>; count?: number; sum?: number }>();
    for (const line of text.split("\n")) {
      const m = line.match(/^http_request_duration_seconds_(bucket|count|sum)\{(.*)\} (\S+)$/);
      if (!m) continue;
      const [, part, labels = "", value] = m;
      const le = labels.match(/le="([^"]+)"/)?.[1];
      const key = labels.replace(/,?le="[^"]+"/, "");
      const g = groups.get(key) ?? { buckets: [] };
      if (part === "bucket")
        g.buckets.push([le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le), Number(value)]);
      else if (part === "count") g.count = Number(value);
      else g.sum = Number(value);
      groups.set(key, g);
    }
    expect(groups.get('route="/health"')?.count).toBeGreaterThanOrEqual(2);
    for (const [key, g] of groups) {
      const bounds = g.buckets.map(([le]) => le);
      expect(bounds, key).toEqual([...bounds].sort((a, b) => a - b)); // printed in ascending order
      for (let i = 1; i < g.buckets.length; i++)
        expect(g.buckets[i]?.[1], key).toBeGreaterThanOrEqual(g.buckets[i - 1]?.[1] ?? 0);
      expect(g.buckets.at(-1)?.[0], key).toBe(Number.POSITIVE_INFINITY);
      expect(g.buckets.at(-1)?.[1], key).toBe(g.count);
      expect(g.sum, key).toBeGreaterThanOrEqual(0);
    }
  });

  it("labels stay bounded and carry no identifiers: a concrete path or a user id never becomes a label", async () => {
    const user = await createUser("patient");
    await call(`/v1/patients/${user.id}/profile`, { headers: user.auth });
    await call(`/no-such-page/${user.id}`);
    const text = await scrapeText();
    expect(text).not.toContain(user.id);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(text).toMatch(/route="\/v1\/patients\/:patientId\/profile"|route="\/v1\/patients\/:id\/profile"/);
    expect(text).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404"\}/);
  });

  it("counters never go backwards when a hub shard is evicted", async () => {
    for (let i = 0; i < 2; i++) await call("/health");
    const before = counter(families(await scrapeText()), "http_requests_total", {
      route: "/health",
      method: "GET",
      status: "200",
    });
    for (let i = 0; i < METRICS_SHARDS; i++)
      await evictDurableObject(env.METRICS_HUB.get(env.METRICS_HUB.idFromName(`shard-${i}`)));
    const after = counter(families(await scrapeText()), "http_requests_total", {
      route: "/health",
      method: "GET",
      status: "200",
    });
    // The scrape itself is counted once it is shipped, so the value can only grow.
    expect(after).toBeGreaterThanOrEqual(before);
    expect(before).toBeGreaterThan(0);
  });

  it("a crisis message counts a detection and a care-team alert", async () => {
    const crises = (f: Map<string, Family>) =>
      (f.get("crisis_detections_total")?.metrics ?? [])
        .filter((m) => m.labels?.source === "chat")
        .reduce((n, m) => n + Number(m.value), 0);
    const before = families(await scrapeText());
    const patient = await createUser("patient");
    const { res, frames } = await sendOverHttp(patient, {
      text: "I am going to kill myself tonight",
      clientId: crypto.randomUUID(),
    });
    expect(res.status).toBe(200);
    expect((await frames()).some((f) => f.type === "crisis")).toBe(true);
    const after = await until(async () => {
      const f = families(await scrapeText());
      return crises(f) > crises(before) ? f : undefined;
    });
    expect(crises(after)).toBe(crises(before) + 1);
    expect(counter(after, "care_alerts_total", { outcome: "created" })).toBeGreaterThan(
      counter(before, "care_alerts_total", { outcome: "created" }),
    );
    expect(counter(after, "chat_messages_total", { role: "patient" })).toBeGreaterThan(
      counter(before, "chat_messages_total", { role: "patient" }),
    );
  });
});

describe("exposition rendering (pure)", () => {
  it("merges shards: counters add, the newest set-gauge wins, stale set-gauges are dropped", () => {
    const now = Date.now();
    const text = renderExposition(
      mergeSnapshots(
        [
          {
            series: [
              {
                key: 'chat_messages_total{role="patient"}',
                family: "chat_messages_total",
                op: "add",
                value: 2,
                updatedAt: now,
              },
              {
                key: 'circuit_breaker_open{dependency="redis",region="us"}',
                family: "circuit_breaker_open",
                op: "set",
                value: 1,
                updatedAt: now - 5_000,
              },
              {
                key: 'circuit_breaker_open{dependency="postgres",region="eu"}',
                family: "circuit_breaker_open",
                op: "set",
                value: 1,
                updatedAt: now - 3_600_000,
              },
            ],
          },
          {
            series: [
              {
                key: 'chat_messages_total{role="patient"}',
                family: "chat_messages_total",
                op: "add",
                value: 3,
                updatedAt: now,
              },
              {
                key: 'circuit_breaker_open{dependency="redis",region="us"}',
                family: "circuit_breaker_open",
                op: "set",
                value: 0,
                updatedAt: now,
              },
            ],
          },
        ],
        [{ name: "compliance_score", labels: {}, value: 0.875 }],
        now,
      ),
    );
    expect(text).toContain('chat_messages_total{role="patient"} 5');
    expect(text).toContain('circuit_breaker_open{dependency="redis",region="us"} 0');
    expect(text).not.toContain('dependency="postgres",region="eu"');
    expect(text).toContain("compliance_score 0.875");
    expect(() => parsePrometheusTextFormat(text)).not.toThrow();
  });

  it('the recorder clamps unknown label values to "other" and escapes label text', () => {
    drain();
    inc("rate_limit_refusals_total", { limiter: "someone@example.com" });
    set("queue_depth", { queue: 'bad"queue\nname' }, 4);
    observe("http_request_duration_seconds", { route: "/v1/x" }, 0.02);
    const batch = drain();
    const keys = batch.ops.map((o) => o.key);
    expect(keys).toContain('rate_limit_refusals_total{limiter="other"}');
    expect(keys).toContain('queue_depth{queue="other"}');
    expect(keys).toContain('http_request_duration_seconds_bucket{le="0.025",route="/v1/x"}');
    expect(keys).not.toContain('http_request_duration_seconds_bucket{le="0.01",route="/v1/x"}');
  });

  it("every exported series name is unique", () => {
    const names = exportedSeriesNames();
    expect(new Set(names).size).toBe(names.length);
  });

  it("a hub shard keeps counts in storage", async () => {
    const shard = hub(env, 3);
    await shard.record({
      ops: [
        { key: 'auth_failures_total{reason="locked"}', family: "auth_failures_total", op: "add", value: 7 },
      ],
      events: [],
    });
    await evictDurableObject(env.METRICS_HUB.get(env.METRICS_HUB.idFromName("shard-3")));
    const snap = await hub(env, 3).snapshot();
    expect(
      snap.series.find((s) => s.key === 'auth_failures_total{reason="locked"}')?.value,
    ).toBeGreaterThanOrEqual(7);
  });
});

describe("max gauges (telemetry_flush_lag_seconds): the worst reporter is not hidden by healthy ones", () => {
  it("the recorder keeps an isolate's largest report; a shard keeps its window's largest", async () => {
    drain();
    set("telemetry_flush_lag_seconds", {}, 420);
    set("telemetry_flush_lag_seconds", {}, 1);
    const batch = drain();
    expect(batch.ops).toEqual([
      { key: "telemetry_flush_lag_seconds", family: "telemetry_flush_lag_seconds", op: "max", value: 420 },
    ]);
    const shard = hub(env, 2);
    await shard.record(batch);
    await shard.record({
      ops: [
        { key: "telemetry_flush_lag_seconds", family: "telemetry_flush_lag_seconds", op: "max", value: 2 },
      ],
      events: [],
    });
    const s = (await hub(env, 2).snapshot()).series.find((x) => x.key === "telemetry_flush_lag_seconds");
    expect(s).toMatchObject({ op: "max", value: 420 });
  });

  it("merging takes the largest current window across shards and drops windows older than two", () => {
    const now = Date.now();
    const lag = (value: number, updatedAt: number) => ({
      series: [
        {
          key: "telemetry_flush_lag_seconds",
          family: "telemetry_flush_lag_seconds",
          op: "max" as const,
          value,
          updatedAt,
        },
      ],
    });
    const text = (snaps: ReturnType<typeof lag>[]) => renderExposition(mergeSnapshots(snaps, [], now));
    expect(text([lag(3, now), lag(610, now - 60_000)])).toContain("\ntelemetry_flush_lag_seconds 610\n");
    expect(text([lag(3, now), lag(610, now - 5 * 60_000)])).toContain("\ntelemetry_flush_lag_seconds 3\n");
  });
});
