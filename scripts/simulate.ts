/**
 * `npm run simulate -- --devices 50 --minutes 5`: realistic wearables posting to a running
 * `npm run dev` (default http://127.0.0.1:8787, data folder .data). Each device first backfills
 * the last day (circadian heart rate, steps by day, sleep stages at night, SpO2, HRV, respiratory
 * rate, skin temperature), then streams live every few seconds for --minutes, with late
 * redeliveries and duplicate resends. Device 0 belongs to the demo patient; with --anomaly (on by
 * default) its SpO2 sits at 86–88 % for the last 8 minutes of the backfill, which alerts the demo
 * clinician. Prints a progress bar and a summary: sent, accepted, rejected, duplicates ignored,
 * latency p50/p99.
 *
 * Options: --url U, --data-dir D, --devices N, --minutes M, --interval S (live post period,
 * default 5), --backfill-hours H (default 24), --no-anomaly, --late 0.05, --dup 0.05.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:8787" },
    "data-dir": { type: "string", default: ".data" },
    devices: { type: "string", default: "50" },
    minutes: { type: "string", default: "5" },
    interval: { type: "string", default: "5" },
    "backfill-hours": { type: "string", default: "24" },
    "no-anomaly": { type: "boolean", default: false },
    late: { type: "string", default: "0.05" },
    dup: { type: "string", default: "0.05" },
  },
});
const URL_BASE = String(values.url).replace(/\/$/, "");
const DEVICES = Number(values.devices);
const MINUTES = Number(values.minutes);
const INTERVAL_S = Number(values.interval);
const BACKFILL_H = Number(values["backfill-hours"]);
const LATE = Number(values.late);
const DUP = Number(values.dup);
const MIN = 60_000;

interface Reading {
  type: string;
  ts: string;
  value: number;
  unit?: string;
  stage?: string;
}

// ---- deterministic randomness per device -------------------------------------------------------
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** RFC 3339 with the device's local offset (minutes east of UTC). */
function rfc3339(ms: number, offsetMin: number): string {
  const local = new Date(ms + offsetMin * MIN).toISOString().replace("Z", "");
  const sign = offsetMin < 0 ? "-" : "+";
  const a = Math.abs(offsetMin);
  return `${local}${sign}${String(Math.floor(a / 60)).padStart(2, "0")}:${String(a % 60).padStart(2, "0")}`;
}

class Device {
  readonly rand: () => number;
  readonly offsetMin: number;
  readonly restHr: number;
  readonly bedHour: number;
  anomalyUntil = 0;
  anomalyFrom = 0;
  readonly index: number;
  readonly token: string;
  constructor(index: number, token: string) {
    this.index = index;
    this.token = token;
    this.rand = rng(index * 7919 + 17);
    this.offsetMin = [-300, -240, 0, 60, 120][index % 5] as number;
    this.restHr = 55 + Math.floor(this.rand() * 15);
    this.bedHour = 22.5 + this.rand() * 1.5;
  }

  private localHour(ms: number): number {
    return ((((ms + this.offsetMin * MIN) / 3600_000) % 24) + 24) % 24;
  }

  asleep(ms: number): boolean {
    const h = this.localHour(ms);
    return h >= this.bedHour || h < 6.8;
  }

  /** Readings for the minute starting at `ms` (steps, HR; SpO2, RR, temp every 5–10 min; HRV at 03:00). */
  minute(ms: number, hrEvery = 60): Reading[] {
    const out: Reading[] = [];
    const ts = (t: number) => rfc3339(t, this.offsetMin);
    const h = this.localHour(ms);
    const sleeping = this.asleep(ms);
    const active = !sleeping && this.rand() < (h > 7 && h < 20 ? 0.25 : 0.05);
    const steps = active ? Math.floor(40 + this.rand() * 80) : 0;
    out.push({ type: "steps", ts: ts(ms), value: steps, unit: "steps" });
    const circadian = 6 * Math.sin(((h - 9) / 24) * 2 * Math.PI);
    for (let s = 0; s < 60; s += hrEvery) {
      const hr =
        this.restHr +
        (sleeping ? -6 : circadian) +
        (active ? 25 + this.rand() * 20 : 0) +
        (this.rand() - 0.5) * 4;
      out.push({ type: "heart_rate", ts: ts(ms + s * 1000), value: Math.round(hr), unit: "bpm" });
    }
    const m = Math.floor(ms / MIN);
    const anomalous = ms >= this.anomalyFrom && ms < this.anomalyUntil;
    if (m % 5 === 0 || anomalous)
      out.push({
        type: "spo2",
        ts: ts(ms),
        value: anomalous ? 86 + Math.floor(this.rand() * 3) : 95 + Math.floor(this.rand() * 4),
        unit: "%",
      });
    if (m % 10 === 0) {
      out.push({
        type: "respiratory_rate",
        ts: ts(ms),
        value: Math.round(sleeping ? 13 : 16 + this.rand() * 3),
      });
      out.push({
        type: "skin_temperature",
        ts: ts(ms),
        value: Number((33 + (sleeping ? 0.8 : 0) + this.rand() * 0.4).toFixed(2)),
        unit: "Cel",
      });
    }
    if (sleeping && m % 30 === 0) {
      const stage = ["light", "deep", "rem", "light"][Math.floor(this.rand() * 4)] as string;
      out.push({ type: "sleep_stage", ts: ts(ms), value: 30, unit: "min", stage });
    }
    if (Math.abs(h - 3) < 1 / 60) {
      out.push({ type: "hrv_rmssd", ts: ts(ms), value: Math.round(35 + this.rand() * 15), unit: "ms" });
      out.push({ type: "hrv_sdnn", ts: ts(ms), value: Math.round(45 + this.rand() * 15), unit: "ms" });
      out.push({ type: "resting_heart_rate", ts: ts(ms), value: this.restHr, unit: "bpm" });
    }
    return out;
  }
}

// ---- the run --------------------------------------------------------------------------------------
const stats = {
  sent: 0,
  accepted: 0,
  rejected: 0,
  duplicates: 0,
  batches: 0,
  errors: 0,
  unavailable: 0,
  latencies: [] as number[],
};

async function postBatch(d: Device, readings: Reading[], key?: string, attempt = 0): Promise<void> {
  const started = performance.now();
  if (attempt === 0) {
    stats.sent += readings.length;
    stats.batches++;
  }
  try {
    const res = await fetch(`${URL_BASE}/v1/telemetry`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${d.token}`,
        "content-type": "application/json",
        ...(key ? { "idempotency-key": key } : {}),
      },
      body: JSON.stringify({ readings }),
    });
    stats.latencies.push(performance.now() - started);
    if (res.status === 503 && attempt < 3) {
      // As a device should: wait Retry-After (capped here at 5 s) and resend the same batch.
      stats.unavailable++;
      await res.body?.cancel();
      const wait = Math.min(5, Number(res.headers.get("retry-after") ?? 1)) * 1000;
      await new Promise((r) => setTimeout(r, wait));
      return postBatch(d, readings, key, attempt + 1);
    }
    if (!res.ok) {
      stats.errors++;
      await res.body?.cancel();
      return;
    }
    const body = (await res.json()) as { accepted: number; duplicates: number; rejected: unknown[] };
    stats.accepted += body.accepted;
    stats.duplicates += body.duplicates;
    stats.rejected += body.rejected.length;
  } catch {
    stats.errors++;
  }
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

let progressShown = "";
function progress(done: number, total: number, phase: string): void {
  const width = 30;
  // Clamped: the live phase's last tick can land past its planned end (a loaded machine), and a
  // negative repeat count threw, ending the run with a failure after every reading was sent.
  const ratio = Math.min(1, Math.max(0, done / Math.max(total, 1)));
  const filled = Math.round(ratio * width);
  const line = `${phase.padEnd(8)} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${Math.round(
    100 * ratio,
  )
    .toString()
    .padStart(
      3,
    )}%  sent ${stats.sent.toLocaleString()}  accepted ${stats.accepted.toLocaleString()}  dup ${stats.duplicates.toLocaleString()}  p50 ${pct(stats.latencies, 50).toFixed(0)} ms`;
  if (line !== progressShown) process.stdout.write(`\r${line}`);
  progressShown = line;
}

async function pool<T>(items: T[], n: number, work: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (i < items.length) await work(items[i++] as T);
    }),
  );
}

async function main(): Promise<void> {
  const vars = readFileSync(join(resolve(String(values["data-dir"])), "dev.vars"), "utf8");
  const seedToken = /^DEV_SEED_TOKEN=(.*)$/m.exec(vars)?.[1]?.replace(/^"|"$/g, "");
  if (!seedToken) throw new Error("DEV_SEED_TOKEN not found: is `npm run dev` running with this --data-dir?");
  const res = await fetch(`${URL_BASE}/__dev/wearables/devices?count=${DEVICES}`, {
    method: "POST",
    headers: { authorization: `Bearer ${seedToken}` },
  });
  if (!res.ok) throw new Error(`could not create simulated devices (${res.status})`);
  const { devices } = (await res.json()) as { devices: { token: string; demo: boolean }[] };
  const fleet = devices.map((d, i) => new Device(i, d.token));
  const start = Date.now();
  const demo = fleet[0];
  if (demo && !values["no-anomaly"]) {
    demo.anomalyFrom = start - 8 * MIN;
    demo.anomalyUntil = start;
  }
  console.log(
    `${fleet.length} devices (device 0: ${devices[0]?.demo ? "the demo patient" : "a simulated patient"}), ${BACKFILL_H} h backfill, then ${MINUTES} min live`,
  );

  // Backfill: minute readings for the last H hours, 1,000 per batch, oldest first.
  const batches: { d: Device; readings: Reading[] }[] = [];
  for (const d of fleet) {
    let cur: Reading[] = [];
    for (let t = Math.floor((start - BACKFILL_H * 3600_000) / MIN) * MIN; t < start; t += MIN) {
      for (const r of d.minute(t)) {
        cur.push(r);
        if (cur.length === 1000) {
          batches.push({ d, readings: cur });
          cur = [];
        }
      }
    }
    if (cur.length) batches.push({ d, readings: cur });
  }
  let done = 0;
  await pool(batches, 8, async (b) => {
    await postBatch(b.d, b.readings);
    progress(++done, batches.length, "backfill");
  });
  process.stdout.write("\n");

  // Live: every interval each device posts its last interval (HR every 5 s); some batches arrive
  // late (held back, delivered later), some twice (a redelivery).
  const held: { d: Device; readings: Reading[] }[] = [];
  const end = start + MINUTES * MIN;
  let last = Date.now();
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, INTERVAL_S * 1000));
    const now = Date.now();
    const from = Math.floor(last / 1000) * 1000;
    last = now;
    await Promise.all(
      fleet.map(async (d) => {
        const readings = d.minute(from, 5).filter((r) => Date.parse(r.ts) >= from && Date.parse(r.ts) < now);
        const fix = readings.map((r) =>
          r.type === "heart_rate" ? r : { ...r, ts: rfc3339(from, d.offsetMin) },
        );
        if (fix.length === 0) return;
        if (d.rand() < LATE) {
          held.push({ d, readings: fix });
          return;
        }
        const key = `${d.index}-${from}`;
        await postBatch(d, fix, key);
        if (d.rand() < DUP) await postBatch(d, fix);
      }),
    );
    if (held.length > 0 && Math.random() < 0.3) {
      const batch = held.splice(0, held.length);
      await Promise.all(batch.map((b) => postBatch(b.d, b.readings)));
    }
    progress(now - start, end - start, "live");
  }
  await Promise.all(held.map((b) => postBatch(b.d, b.readings)));
  process.stdout.write("\n");
  console.log(
    [
      "summary",
      `  devices             ${fleet.length}`,
      `  batches             ${stats.batches.toLocaleString()}`,
      `  readings sent       ${stats.sent.toLocaleString()}`,
      `  accepted (new)      ${stats.accepted.toLocaleString()}`,
      `  rejected            ${stats.rejected.toLocaleString()}`,
      `  duplicates ignored  ${stats.duplicates.toLocaleString()}`,
      `  failed batches      ${stats.errors} (503 answers, retried: ${stats.unavailable})`,
      `  latency p50 / p99   ${pct(stats.latencies, 50).toFixed(1)} ms / ${pct(stats.latencies, 99).toFixed(1)} ms`,
      !values["no-anomaly"]
        ? "  anomaly             SpO2 86–88 % for 8 min on device 0 (demo patient): see /clinician and /wearables"
        : "",
    ]
      .filter(Boolean)
      .join("\n"),
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
