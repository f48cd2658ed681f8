/**
 * Per-isolate metric accumulator. Requests, Durable Objects and queue consumers record into
 * memory (no I/O, microseconds); `shipMetrics` sends the accumulated deltas to a `MetricsHub`
 * Durable Object shard in the background (`waitUntil`) at most every SHIP_INTERVAL_MS, so the
 * request path never waits for metrics. The hub keeps the true cumulative values in SQLite.
 *
 * What an isolate has not shipped when it is evicted is lost (at most SHIP_INTERVAL_MS of
 * counts); counters in the hub still never go backwards. Warning/error log events ride along
 * (ids and codes only) for the ops view's log search.
 */
import { LATENCY_BUCKETS, labelValue, METRIC_BY_NAME, type MetricName } from "./registry";

export const SHIP_INTERVAL_MS = 2_000;
/** `max` gauges: the hub keeps the largest report of a window this long (see registry). */
export const MAX_GAUGE_WINDOW_MS = 120_000;
/** Ship early once this many series have pending changes, whatever the interval. */
const SHIP_PENDING_SERIES = 400;
const MAX_PENDING_EVENTS = 200;

/** One change to one series: add to it, or set it (gauges with `set` semantics). */
export interface SeriesOp {
  /** Canonical series key: `name{a="x",b="y"}` with labels sorted. */
  key: string;
  /** The metric family (histogram series name their family, e.g. `x` for `x_bucket`). */
  family: string;
  op: "add" | "set" | "max";
  value: number;
}

/** A warning or error log event, reduced to identifiers and codes. */
export interface OpsEvent {
  time: string;
  level: "warn" | "error";
  event: string;
  requestId?: string;
  route?: string;
  status?: number;
  code?: string;
  dependency?: string;
}

export interface MetricsBatch {
  ops: SeriesOp[];
  events: OpsEvent[];
}

const pending = new Map<string, SeriesOp>();
let events: OpsEvent[] = [];
let lastShip = 0;

function seriesKey(name: string, labels: Record<string, string>): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return name;
  return `${name}{${names.map((n) => `${n}="${escapeLabel(labels[n] ?? "")}"`).join(",")}}`;
}

/** Prometheus text format escaping for label values: backslash, double quote, newline. */
export function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function clampLabels(name: MetricName, labels: Record<string, string>): Record<string, string> {
  const def = METRIC_BY_NAME.get(name);
  if (!def) throw new Error(`unknown metric ${name}`);
  const out: Record<string, string> = {};
  for (const [label, rule] of Object.entries(def.labels)) out[label] = labelValue(rule, labels[label] ?? "");
  return out;
}

function add(family: string, key: string, value: number): void {
  const cur = pending.get(key);
  if (cur && cur.op === "add") cur.value += value;
  else if (cur)
    cur.value += value; // a set followed by an add in the same window: apply on top
  else pending.set(key, { key, family, op: "add", value });
}

/** Counter increment (or `add` gauge change). */
export function inc(name: MetricName, labels: Record<string, string> = {}, by = 1): void {
  if (!Number.isFinite(by)) return;
  const l = clampLabels(name, labels);
  add(name, seriesKey(name, l), by);
}

/** Gauge set: last report wins, or for a `max` gauge the largest report (kept until shipped). */
export function set(name: MetricName, labels: Record<string, string>, value: number): void {
  if (!Number.isFinite(value)) return;
  const l = clampLabels(name, labels);
  const key = seriesKey(name, l);
  if (METRIC_BY_NAME.get(name)?.gauge === "max") {
    const cur = pending.get(key);
    if (cur?.op !== "max" || value > cur.value) pending.set(key, { key, family: name, op: "max", value });
    return;
  }
  pending.set(key, { key, family: name, op: "set", value });
}

/**
 * Histogram observation: stored cumulatively (every bucket whose bound is ≥ the value, +Inf,
 * _sum and _count move together), so every scrape is consistent by construction.
 */
export function observe(name: MetricName, labels: Record<string, string>, value: number): void {
  if (!Number.isFinite(value) || value < 0) return;
  const def = METRIC_BY_NAME.get(name);
  const buckets = def?.buckets ?? LATENCY_BUCKETS;
  const l = clampLabels(name, labels);
  for (const le of buckets)
    if (value <= le) add(name, seriesKey(`${name}_bucket`, { ...l, le: String(le) }), 1);
  add(name, seriesKey(`${name}_bucket`, { ...l, le: "+Inf" }), 1);
  add(name, seriesKey(`${name}_sum`, l), value);
  add(name, seriesKey(`${name}_count`, l), 1);
}

/** Remembers a warn/error log event for the ops view (bounded; oldest dropped first). */
export function recordEvent(e: OpsEvent): void {
  events.push(e);
  if (events.length > MAX_PENDING_EVENTS) events = events.slice(-MAX_PENDING_EVENTS);
  inc("ops_log_events_total", { level: e.level });
}

/** Takes everything pending (and resets), e.g. to ship it or to merge it into a scrape. */
export function drain(): MetricsBatch {
  const batch = { ops: [...pending.values()], events };
  pending.clear();
  events = [];
  lastShip = Date.now();
  return batch;
}

/** Puts a batch back (the shipment failed): counts are added again, sets only if none newer. */
export function restore(batch: MetricsBatch): void {
  for (const op of batch.ops) {
    if (op.op === "add") add(op.family, op.key, op.value);
    else if (op.op === "max") {
      const cur = pending.get(op.key);
      if (!cur || cur.value < op.value) pending.set(op.key, op);
    } else if (!pending.has(op.key)) pending.set(op.key, op);
  }
  events = [...batch.events, ...events].slice(-MAX_PENDING_EVENTS);
}

export function hasPending(): boolean {
  return pending.size > 0 || events.length > 0;
}

/** True when a shipment is due: interval elapsed or many series changed. */
export function shipDue(now = Date.now()): boolean {
  return hasPending() && (now - lastShip >= SHIP_INTERVAL_MS || pending.size >= SHIP_PENDING_SERIES);
}

/** One call to a dependency: counted by outcome, timed. */
export function recordUpstream(
  dependency: "postgres" | "redis" | "model" | "queue" | "email" | "sms" | "push" | "r2",
  outcome: "ok" | "error" | "timeout" | "rejected",
  seconds: number,
): void {
  inc("upstream_requests_total", { dependency, outcome });
  observe("upstream_request_duration_seconds", { dependency }, seconds);
}
