/**
 * `GET /metrics`: Prometheus text exposition (0.0.4) of every shard of the `MetricsHub`, plus
 * values computed at scrape time. Never public: a bearer token or basic-auth password equal to
 * the `METRICS_TOKEN` secret (compared in constant time). Without the secret configured, every
 * scrape is refused.
 */

import { withDeadline } from "../../lib/deadline";
import {
  type MergedSeries,
  mergeSnapshots,
  renderExposition,
  type ScrapeSample,
} from "../../lib/metrics/exposition";
import { type HubSnapshot, hub, METRICS_SHARDS, shipNow } from "../../lib/metrics/ship";
import type { Scope } from "../../lib/scope";
import { scrapeCollectors } from "./collectors";

/** A scrape answers within this budget even if a shard or a collector hangs. */
const SHARD_TIMEOUT_MS = 2_000;

export function metricsCredential(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.split(/\s+/, 2);
  if (!scheme || !value) return null;
  if (scheme.toLowerCase() === "bearer") return value;
  if (scheme.toLowerCase() === "basic") {
    try {
      const decoded = atob(value);
      const colon = decoded.indexOf(":");
      return colon >= 0 ? decoded.slice(colon + 1) : null;
    } catch {
      return null;
    }
  }
  return null;
}

/** Constant-time comparison of the presented credential with the configured secret. */
export async function credentialMatches(
  presented: string | null,
  secret: string | undefined,
): Promise<boolean> {
  if (!presented || !secret || secret.length < 16) return false;
  const enc = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(presented)),
    crypto.subtle.digest("SHA-256", enc.encode(secret)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** Reads every shard (in parallel, bounded) and the collectors; returns the exposition text. */
export async function scrape(scope: Scope): Promise<string> {
  return renderExposition(await collect(scope));
}

/** Every series, merged across shards, with the scrape-time values. */
export async function collect(scope: Scope): Promise<Map<string, MergedSeries[]>> {
  await shipNow(scope.env);
  const shards = await Promise.allSettled(
    Array.from({ length: METRICS_SHARDS }, (_, i) =>
      withDeadline(hub(scope.env, i).snapshot(), SHARD_TIMEOUT_MS),
    ),
  );
  const snapshots: HubSnapshot[] = shards.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = shards.length - snapshots.length;
  const collected = await Promise.allSettled(
    scrapeCollectors.map((collect) => withDeadline(collect(scope), SHARD_TIMEOUT_MS)),
  );
  const samples: ScrapeSample[] = collected.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
  samples.push({ name: "metrics_scrape_shards_failed", labels: {}, value: failed });
  if (failed > 0) scope.log.warn("metrics_shard_unavailable", { failed });
  return mergeSnapshots(snapshots, samples);
}
