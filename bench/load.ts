/**
 * Closed-loop HTTP load generator: `concurrency` loops, each sending one request at a time over
 * keep-alive connections (undici Pool, one connection per loop). Requests started during the
 * warm-up are not recorded; no request starts after the deadline, so every run is bounded.
 */
import { performance } from "node:perf_hooks";
import { Pool } from "undici";

export interface Scenario {
  name: string;
  method?: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export interface LoadResult {
  name: string;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  /** Status code (or "error") → count, for everything outside 2xx, warm-up included. */
  failures: Record<string, number>;
}

/** Nearest-rank percentile of an ascending array (ms). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? Number.NaN;
}

const MAX_SAMPLES = 2_000_000;

export async function runLoad(origin: string, scenario: Scenario, opts: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: opts.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
  const samples = new Float64Array(MAX_SAMPLES);
  let count = 0;
  const failures: Record<string, number> = {};
  const fail = (key: string) => {
    failures[key] = (failures[key] ?? 0) + 1;
  };
  const start = performance.now();
  const measureFrom = start + opts.warmupMs;
  const deadline = measureFrom + opts.durationMs;

  const loop = async () => {
    while (performance.now() < deadline && count < MAX_SAMPLES) {
      const t0 = performance.now();
      try {
        const res = await pool.request({
          origin,
          method: scenario.method ?? "GET",
          path: scenario.path,
          headers: scenario.headers ?? {},
          body: scenario.body ?? null,
        });
        await res.body.dump();
        if (res.statusCode < 200 || res.statusCode > 299) fail(String(res.statusCode));
      } catch (err) {
        fail(`error ${err instanceof Error ? err.message : String(err)}`);
        await new Promise((r) => setTimeout(r, 10)); // never spin on a dead server
      }
      const t1 = performance.now();
      if (t0 >= measureFrom && t1 <= deadline) samples[count++] = t1 - t0;
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, loop));
  } finally {
    await pool.close();
  }
  const sorted = samples.subarray(0, count).sort();
  const seconds = opts.durationMs / 1000;
  return {
    name: scenario.name,
    requests: count,
    seconds,
    rps: count / seconds,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    failures,
  };
}

/** Sequential requests, one at a time (for costly endpoints such as login): latencies in ms. */
export async function timeSequential(
  n: number,
  once: (i: number) => Promise<void>,
): Promise<{ p50: number; p99: number; samples: number[] }> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await once(i);
    samples.push(performance.now() - t0);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), samples };
}
