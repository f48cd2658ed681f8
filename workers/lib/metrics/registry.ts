/**
 * Every Prometheus series Haven exports, declared once: name, type, help, and the label names
 * with the values each may take. Label values outside their set become "other", so no request,
 * user or patient can ever create a new series (bounded cardinality, no PHI). The Grafana
 * dashboards and the alert rules are tested against this list.
 */

export type MetricKind = "counter" | "gauge" | "histogram";

/** A label is either one of a fixed set of values or a value a pattern accepts (capped length). */
export type LabelRule = { values: readonly string[] } | { pattern: RegExp; max: number };

export interface MetricDef {
  name: string;
  kind: MetricKind;
  help: string;
  labels: Record<string, LabelRule>;
  /** Histogram upper bounds (seconds), ascending; `+Inf` is implied. */
  buckets?: readonly number[];
  /**
   * Gauge semantics: `set` = last report wins; `add` = reports are increments (+1/-1); `max` =
   * the largest report of the current window (MAX_GAUGE_WINDOW_MS): many reporters (e.g. every
   * wearable stream's flush lag) where the worst one matters and a healthy one must not hide it.
   */
  gauge?: "set" | "add" | "max";
}

const ROUTE: LabelRule = { pattern: /^(\/[A-Za-z0-9_:.{}*-]*)+$|^unmatched$/, max: 96 };
const STATUS: LabelRule = { pattern: /^[1-5][0-9][0-9]$/, max: 3 };
const METHOD: LabelRule = { values: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] };
export const DEPENDENCIES = ["postgres", "redis", "model", "queue", "email", "sms", "push", "r2"] as const;
const DEPENDENCY: LabelRule = { values: DEPENDENCIES };
const REGION: LabelRule = { values: ["us", "eu", "apac", "global"] };
const OUTCOME_CALL: LabelRule = { values: ["ok", "error", "timeout", "rejected"] };

export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
const ACK_BUCKETS = [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 86400] as const;

export const METRICS = [
  {
    name: "http_requests_total",
    kind: "counter",
    help: "HTTP requests answered by the Worker, by route template, method and status.",
    labels: { route: ROUTE, method: METHOD, status: STATUS },
  },
  {
    name: "http_request_duration_seconds",
    kind: "histogram",
    help: "Wall time from request to response headers, by route template.",
    labels: { route: ROUTE },
    buckets: LATENCY_BUCKETS,
  },
  {
    name: "upstream_requests_total",
    kind: "counter",
    help: "Calls to dependencies, by dependency and outcome.",
    labels: { dependency: DEPENDENCY, outcome: OUTCOME_CALL },
  },
  {
    name: "upstream_request_duration_seconds",
    kind: "histogram",
    help: "Latency of calls to dependencies.",
    labels: { dependency: DEPENDENCY },
    buckets: LATENCY_BUCKETS,
  },
  {
    name: "circuit_breaker_open",
    kind: "gauge",
    gauge: "set",
    help: "1 while the circuit breaker of a dependency in a region is open (as last reported by an isolate).",
    labels: { dependency: DEPENDENCY, region: REGION },
  },
  {
    name: "chat_messages_total",
    kind: "counter",
    help: "Chat messages stored, by author role.",
    labels: { role: { values: ["patient", "clinician"] } },
  },
  {
    name: "crisis_detections_total",
    kind: "counter",
    help: "Messages or answers the safety net flagged, by severity and the source that raised them.",
    labels: {
      severity: { values: ["check_in", "low", "moderate", "elevated", "high", "imminent"] },
      source: {
        values: ["chat", "screener", "assessment", "session", "wearable", "moderation", "model", "note"],
      },
    },
  },
  {
    name: "care_alerts_total",
    kind: "counter",
    help: "Care-team alerts by outcome (created, delivered live, acknowledged, redelivered).",
    labels: { outcome: { values: ["created", "delivered", "acknowledged", "redelivered", "failed"] } },
  },
  {
    name: "care_alert_ack_seconds",
    kind: "histogram",
    help: "Time from a care-team alert to its acknowledgement.",
    labels: {},
    buckets: ACK_BUCKETS,
  },
  {
    name: "care_alerts_unacknowledged",
    kind: "gauge",
    gauge: "set",
    help: "High-risk care-team alerts not yet acknowledged, and the age in seconds of the oldest.",
    labels: { measure: { values: ["count", "oldest_age_seconds"] } },
  },
  {
    name: "telemetry_readings_total",
    kind: "counter",
    help: "Wearable readings by outcome (accepted, duplicate, rejected, landed in Postgres).",
    labels: { outcome: { values: ["accepted", "duplicate", "rejected", "landed"] } },
  },
  {
    name: "telemetry_flush_lag_seconds",
    kind: "gauge",
    gauge: "max",
    help: "Age of the oldest reading held in a wearable stream and not yet in Postgres: the largest report of any stream in the last 2 minutes (each stream reports at every flush attempt).",
    labels: {},
  },
  {
    name: "notifications_total",
    kind: "counter",
    help: "Notification deliveries by channel and outcome.",
    labels: {
      channel: { values: ["in_app", "email", "sms", "push"] },
      outcome: {
        values: [
          "queued",
          "sent",
          "delivered",
          "failed",
          "bounced",
          "dead_lettered",
          "suppressed",
          "requeued",
        ],
      },
    },
  },
  {
    name: "notification_delivery_seconds",
    kind: "histogram",
    help: "Time from a delivery being planned to the provider accepting it (sent) or confirming it (delivered).",
    labels: {
      channel: { values: ["in_app", "email", "sms", "push"] },
      stage: { values: ["sent", "delivered"] },
    },
    buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
  },
  {
    name: "queue_depth",
    kind: "gauge",
    gauge: "set",
    help: 'Messages waiting, by queue (dead letters included as queue="dead_letter").',
    labels: { queue: { values: ["events", "notifications", "exports", "dead_letter"] } },
  },
  {
    name: "active_sessions",
    kind: "gauge",
    gauge: "add",
    help: "Live WebSocket connections to patient rooms (users with a live socket).",
    labels: {},
  },
  {
    name: "active_appointments",
    kind: "gauge",
    gauge: "set",
    help: "Therapy sessions in progress and booked for today.",
    labels: { state: { values: ["in_progress", "today"] } },
  },
  {
    name: "assessments_submitted_total",
    kind: "counter",
    help: "Completed assessments by instrument.",
    labels: { instrument: { values: ["phq9", "gad7", "who5", "pss10", "cssrs"] } },
  },
  {
    name: "compliance_score",
    kind: "gauge",
    gauge: "set",
    help: "Share of passing compliance controls, 0–1.",
    labels: {},
  },
  {
    name: "compliance_failing_controls",
    kind: "gauge",
    gauge: "set",
    help: "Number of failing compliance controls.",
    labels: {},
  },
  {
    name: "rate_limit_refusals_total",
    kind: "counter",
    help: "Requests refused by a rate limit.",
    labels: { limiter: { values: ["api", "auth", "docs", "other"] } },
  },
  {
    name: "auth_failures_total",
    kind: "counter",
    help: "Failed authentications by reason.",
    labels: {
      reason: {
        values: [
          "bad_password",
          "bad_mfa",
          "locked",
          "bad_token",
          "revoked",
          "expired",
          "refresh_reuse",
          "other",
        ],
      },
    },
  },
  {
    name: "ops_log_events_total",
    kind: "counter",
    help: "Warning and error log events by level.",
    labels: { level: { values: ["warn", "error"] } },
  },
  {
    name: "metrics_scrape_shards_failed",
    kind: "gauge",
    gauge: "set",
    help: "Metric shards that did not answer during the last scrape (their series are missing from it).",
    labels: {},
  },
] as const satisfies readonly MetricDef[];

export type MetricName = (typeof METRICS)[number]["name"];

export const METRIC_BY_NAME: ReadonlyMap<string, MetricDef> = new Map(
  METRICS.map((m) => [m.name, m as MetricDef]),
);

/** Every series name that appears in the exposition (histograms add _bucket, _sum, _count). */
export function exportedSeriesNames(): string[] {
  return METRICS.flatMap((m) =>
    m.kind === "histogram" ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name],
  );
}

/** Clamps a label value to what its rule allows; anything else is "other". */
export function labelValue(rule: LabelRule, value: string): string {
  if ("values" in rule) return rule.values.includes(value) ? value : "other";
  return value.length <= rule.max && rule.pattern.test(value) ? value : "other";
}
