/**
 * Renders merged hub snapshots in the Prometheus text exposition format 0.0.4.
 *
 * Merging shards: `add` series (counters, histogram buckets/sums/counts, `add` gauges) are summed;
 * `set` gauges take the most recent report and are dropped when older than STALE_GAUGE_MS (an
 * isolate that reported "breaker open" and then went away must not keep it open forever); `max`
 * gauges take the largest shard value whose window began within two windows.
 */
import { escapeLabel, MAX_GAUGE_WINDOW_MS } from "./recorder";
import { METRICS, type MetricDef } from "./registry";
import type { HubSnapshot } from "./ship";

export const STALE_GAUGE_MS = 10 * 60_000;
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** A value computed at scrape time (e.g. compliance score, queue depth). */
export interface ScrapeSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses a canonical series key `name{a="x",b="y"}` (as written by the recorder). */
export function parseKey(key: string): { name: string; labels: Array<[string, string]> } {
  const brace = key.indexOf("{");
  if (brace < 0) return { name: key, labels: [] };
  const name = key.slice(0, brace);
  const labels: Array<[string, string]> = [];
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const m of key.slice(brace + 1, -1).matchAll(re)) {
    labels.push([m[1] ?? "", (m[2] ?? "").replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\")]);
  }
  return { name, labels };
}

function format(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
}

function line(name: string, labels: Array<[string, string]>, value: number): string {
  const l = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}` : "";
  return `${name}${l} ${format(value)}`;
}

function leValue(labels: Array<[string, string]>): number {
  const le = labels.find(([k]) => k === "le")?.[1];
  return le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le);
}

function withoutLe(labels: Array<[string, string]>): string {
  return labels
    .filter(([k]) => k !== "le")
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

export interface MergedSeries {
  name: string;
  labels: Array<[string, string]>;
  value: number;
}

/** Merges shard snapshots and scrape-time samples into series grouped by metric family. */
export function mergeSnapshots(
  snapshots: HubSnapshot[],
  samples: ScrapeSample[],
  now = Date.now(),
): Map<string, MergedSeries[]> {
  const byKey = new Map<
    string,
    { family: string; op: "add" | "set" | "max"; value: number; updatedAt: number }
  >();
  for (const snap of snapshots) {
    for (const s of snap.series) {
      // A `max` window older than two windows has no current report: not merged, not rendered.
      if (s.op === "max" && now - s.updatedAt > 2 * MAX_GAUGE_WINDOW_MS) continue;
      const cur = byKey.get(s.key);
      if (!cur) byKey.set(s.key, { ...s });
      else if (s.op === "add") cur.value += s.value;
      else if (s.op === "max") cur.value = Math.max(cur.value, s.value);
      else if (s.updatedAt > cur.updatedAt) byKey.set(s.key, { ...s });
    }
  }
  const families = new Map<string, MergedSeries[]>();
  for (const [key, s] of byKey) {
    if (s.op === "set" && now - s.updatedAt > STALE_GAUGE_MS) continue;
    const { name, labels } = parseKey(key);
    const list = families.get(s.family) ?? [];
    list.push({ name, labels, value: s.value });
    families.set(s.family, list);
  }
  for (const sample of samples) {
    const labels = Object.entries(sample.labels).sort(([a], [b]) => a.localeCompare(b));
    const list = (families.get(sample.name) ?? []).filter(
      (m) => m.name !== sample.name || JSON.stringify(m.labels) !== JSON.stringify(labels),
    );
    list.push({ name: sample.name, labels, value: sample.value });
    families.set(sample.name, list);
  }
  return families;
}

/** Renders merged series as one exposition document, every declared family in registry order. */
export function renderExposition(families: Map<string, MergedSeries[]>): string {
  const out: string[] = [];
  for (const def of METRICS as readonly MetricDef[]) {
    const series = families.get(def.name) ?? [];
    out.push(`# HELP ${def.name} ${def.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
    out.push(`# TYPE ${def.name} ${def.kind}`);
    if (def.kind === "histogram") {
      out.push(...renderHistogram(def, series));
    } else {
      if (series.length === 0 && Object.keys(def.labels).length === 0) out.push(line(def.name, [], 0));
      series.sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
      for (const s of series) out.push(line(s.name, s.labels, s.value));
    }
  }
  return `${out.join("\n")}\n`;
}

function renderHistogram(def: MetricDef, series: MergedSeries[]): string[] {
  const groups = new Map<string, MergedSeries[]>();
  for (const s of series) {
    const g = withoutLe(s.labels);
    groups.set(g, [...(groups.get(g) ?? []), s]);
  }
  const out: string[] = [];
  for (const g of [...groups.keys()].sort()) {
    const members = groups.get(g) ?? [];
    const buckets = members
      .filter((m) => m.name === `${def.name}_bucket`)
      .sort((a, b) => leValue(a.labels) - leValue(b.labels));
    const base = buckets[0]?.labels.filter(([k]) => k !== "le") ?? members[0]?.labels ?? [];
    const count = members.find((m) => m.name === `${def.name}_count`)?.value ?? 0;
    const sum = members.find((m) => m.name === `${def.name}_sum`)?.value ?? 0;
    // Every declared bound is printed (a bucket no observation reached holds the count of the
    // bucket below it), so each label set has the same, cumulative, monotone bucket list.
    let running = 0;
    for (const le of [...(def.buckets ?? []), Number.POSITIVE_INFINITY]) {
      const b = buckets.find((x) => leValue(x.labels) === le);
      running = Math.max(running, b?.value ?? 0);
      const leLabel = le === Number.POSITIVE_INFINITY ? "+Inf" : String(le);
      // `le` last, as Prometheus' own client libraries print it.
      out.push(
        line(
          `${def.name}_bucket`,
          [...base, ["le", leLabel]],
          le === Number.POSITIVE_INFINITY ? count : running,
        ),
      );
    }
    out.push(line(`${def.name}_sum`, base, sum));
    out.push(line(`${def.name}_count`, base, count));
  }
  return out;
}
