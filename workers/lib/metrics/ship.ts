/**
 * Ships an isolate's pending metric deltas to its `MetricsHub` shard in the background.
 * Called after each request (and by Durable Objects and queue consumers after their work); it
 * does nothing until a shipment is due, so a request pays one timestamp comparison.
 */
import { drain, hasPending, type MetricsBatch, restore, shipDue } from "./recorder";

/** Hub shards: one object absorbs far more than one isolate sends (see README "Observability"). */
export const METRICS_SHARDS = 4;

/** The RPC surface of the `MetricsHub` Durable Object that lib/ relies on (lib imports no DO). */
export interface MetricsHubRpc {
  record(batch: MetricsBatch): Promise<void>;
  snapshot(): Promise<HubSnapshot>;
  recentEvents(filter: { requestId?: string; limit?: number }): Promise<HubEvent[]>;
  recordAlerts(alerts: HubAlert[]): Promise<void>;
  recentAlerts(limit?: number): Promise<HubAlert[]>;
}

export interface HubSnapshot {
  /** `updatedAt`: for `max` series, when the current window began. */
  series: Array<{ key: string; family: string; op: "add" | "set" | "max"; value: number; updatedAt: number }>;
}
export interface HubEvent {
  time: string;
  level: string;
  event: string;
  requestId: string | null;
  route: string | null;
  status: number | null;
  code: string | null;
  dependency: string | null;
}
export interface HubAlert {
  fingerprint: string;
  status: "firing" | "resolved";
  alertname: string;
  severity: string;
  summary: string;
  startsAt: string;
  endsAt: string | null;
  receivedAt: string;
}

/** This isolate's shard: fixed for its lifetime, so its deltas always land in one place. */
const SHARD = Math.floor(Math.random() * METRICS_SHARDS);

export function hub(env: Env, shard: number): MetricsHubRpc {
  const ns = env.METRICS_HUB;
  return ns.get(ns.idFromName(`shard-${shard}`)) as unknown as MetricsHubRpc;
}

/** Sends pending deltas when due (or now, with `force`); a failed shipment is put back. */
export function shipMetrics(env: Env, waitUntil: (p: Promise<unknown>) => void, force = false): void {
  if (!env.METRICS_HUB) return;
  if (!(force ? hasPending() : shipDue())) return;
  const batch = drain();
  waitUntil(
    hub(env, SHARD)
      .record(batch)
      .catch(() => restore(batch)),
  );
}

/** Ships what is pending and waits for it (the scrape does this so its own isolate is current). */
export async function shipNow(env: Env): Promise<void> {
  if (!env.METRICS_HUB || !hasPending()) return;
  const batch = drain();
  await hub(env, SHARD)
    .record(batch)
    .catch(() => restore(batch));
}
