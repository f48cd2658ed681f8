/**
 * Wearables ingest benchmark (printed, not asserted). `npm run bench:ingest [-- --seconds 15
 * --connections 50 --no-peer]`. Needs a real Postgres: DATABASE_URL (server) and HAVEN_DB_PREFIX
 * (your own database names), because the peer and COPY need a server.
 *
 * In one run, on the same Postgres:
 * 1. Haven: the dev stack with `--env bench` (wrangler dev: the Worker bundle in workerd, the raised
 *    rate limit), 50 devices (one patient each), 50 connections in closed loops posting
 *    100-reading batches to `POST /v1/telemetry` for --seconds. Figures: accepted readings/s (the
 *    readings are in each patient's Durable Object storage before the 2xx), landed readings/s
 *    (from the load's start until Postgres holds every accepted reading, through the alarm flush),
 *    and workerd CPU per 100-reading batch (utime+stime of the workerd processes from /proc).
 * 2. The flush path alone: the Worker's own `flushTelemetryWrite` (one `unnest` INSERT … ON CONFLICT
 *    DO NOTHING with the rollups, 5,000 rows per statement) through the Neon HTTP driver against
 *    the local Neon-compatible endpoint, sequential (as one Durable Object flushes) — rows/s.
 * 3. The ceiling: Postgres `COPY` of the same rows (psql `\copy` from a CSV file) — rows/s.
 * 4. The peer (../shared/peer, FastAPI + asyncpg `executemany`, 1 uvicorn worker) under wrk with
 *    the same batch size and connections — readings/s.
 *
 * The machine is shared (2 cores, other work running): the load average is printed before and
 * after, and every figure should be read against it.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import pg from "pg";
import { freePort, root, startDevStack } from "./stack.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg("seconds", 15);
const CONNECTIONS = arg("connections", 50);
const BATCH = 100;
const FLUSH_ROWS = 5000;
const FLUSH_TOTAL = arg("flush-rows", 100_000);
const PEER = !process.argv.includes("--no-peer");
const PEER_DIR = join(root, "..", "..", "shared", "peer");

const SERVER = process.env.DATABASE_URL ?? "";
const dbUrl = (name: string) => {
  const u = new URL(SERVER);
  u.pathname = `/${name}`;
  return u.toString();
};

const la = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

function readVars(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m?.[1]) out[m[1]] = JSON.parse(m[2] as string) as string;
  }
  return out;
}

/** utime+stime (seconds) of every workerd process in the dev stack's group listening on `port`. */
function workerdCpu(port: number): number {
  const tick = 100; // USER_HZ
  let total = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (!comm.startsWith("workerd")) continue;
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const pgrp = fields[2];
      const leader = readFileSync(`/proc/${pgrp}/cmdline`, "utf8").split("\0").join(" ");
      if (!leader.includes("scripts/dev.ts") || !leader.includes(`--port ${port}`)) continue;
      total += (Number(fields[11]) + Number(fields[12])) / tick;
    } catch {
      // process gone
    }
  }
  return total;
}

function batchBody(start: number): string {
  const readings = Array.from({ length: BATCH }, (_, i) => ({
    type: i % 4 === 3 ? "spo2" : "heart_rate",
    ts: new Date(start + i * 1000).toISOString(),
    value: i % 4 === 3 ? 96 : 60 + (i % 30),
  }));
  return JSON.stringify({ readings });
}

async function havenLoad(url: string, tokens: string[]) {
  let accepted = 0;
  let batches = 0;
  const failures: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  // Each connection posts for its own device, timestamps moving back 100 s per batch (all new,
  // all within the 30-day window; out of order relative to other devices, as real fleets are).
  await Promise.all(
    tokens.map(async (token, c) => {
      let t = Date.now() - 60_000 - c * 1000;
      while (performance.now() < deadline) {
        t -= BATCH * 1000 * 2;
        const res = await fetch(`${url}/v1/telemetry`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: batchBody(t),
        }).catch(() => null);
        if (!res?.ok) {
          const k = String(res?.status ?? "transport");
          failures[k] = (failures[k] ?? 0) + 1;
          await res?.body?.cancel();
          continue;
        }
        const body = (await res.json()) as { accepted: number };
        accepted += body.accepted;
        batches++;
      }
    }),
  );
  return { accepted, batches, failures, seconds: (performance.now() - started) / 1000, started };
}

async function countRows(client: pg.Client): Promise<number> {
  const r = await client.query("select count(*)::int as n from telemetry_readings");
  return r.rows[0].n as number;
}

async function flushAlone(vars: Record<string, string>, client: pg.Client) {
  const dir = await mkdtemp(join(tmpdir(), "haven-ingest-"));
  try {
    const entry = join(dir, "entry.ts");
    writeFileSync(
      entry,
      `export { flushTelemetryWrite } from "${join(root, "workers/lib/care-data/wearables")}";
export { drizzle } from "drizzle-orm/neon-http";
export { neon, neonConfig } from "@neondatabase/serverless";
export * as schema from "${join(root, "workers/db/schema")}";`,
    );
    const out = join(dir, "probe.mjs");
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: out,
      nodePaths: [join(root, "node_modules")],
      logLevel: "error",
    });
    const m = await import(pathToFileURL(out).href);
    m.neonConfig.fetchEndpoint = vars.NEON_LOCAL_FETCH_ENDPOINT;
    const db = m.drizzle({ client: m.neon(vars.DATABASE_URL_US), schema: m.schema });
    const user = (await client.query("select id from users where role = 'patient' limit 1")).rows[0]
      .id as string;
    const device = crypto.randomUUID();
    const base = Date.now() - 20 * 24 * 3600_000;
    let rows = 0;
    const t0 = performance.now();
    for (let off = 0; off < FLUSH_TOTAL; off += FLUSH_ROWS) {
      const n = Math.min(FLUSH_ROWS, FLUSH_TOTAL - off);
      const ts = Array.from({ length: n }, (_, i) => base + (off + i) * 1000);
      await m.flushTelemetryWrite(db, user, {
        deviceIds: ts.map(() => device),
        types: ts.map(() => "heart_rate"),
        ts,
        values: ts.map((_, i) => 60 + (i % 30)),
        stages: ts.map(() => null),
      });
      rows += n;
    }
    return { rows, perSecond: rows / ((performance.now() - t0) / 1000), user };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function copyCeiling(dsn: string, user: string): { rows: number; perSecond: number } {
  const file = join(tmpdir(), `haven-copy-${process.pid}.csv`);
  const device = crypto.randomUUID();
  const base = Date.now() - 25 * 24 * 3600_000;
  const lines: string[] = [];
  for (let i = 0; i < FLUSH_TOTAL; i++)
    lines.push(`${user},${device},heart_rate,${new Date(base + i * 1000).toISOString()},${60 + (i % 30)}`);
  writeFileSync(file, `${lines.join("\n")}\n`);
  const t0 = performance.now();
  const r = spawnSync(
    "psql",
    [
      dsn,
      "-v",
      "ON_ERROR_STOP=1",
      "-c",
      `\\copy telemetry_readings (user_id, device_id, type, ts, value) from '${file}' csv`,
    ],
    { encoding: "utf8" },
  );
  const seconds = (performance.now() - t0) / 1000;
  spawnSync("rm", ["-f", file]);
  if (r.status !== 0) throw new Error(`COPY failed: ${r.stderr}`);
  return { rows: FLUSH_TOTAL, perSecond: FLUSH_TOTAL / seconds };
}

async function peer(): Promise<{ readingsPerSecond: number; requests: number } | { skipped: string }> {
  if (!existsSync(join(PEER_DIR, "py", "tele_app.py"))) return { skipped: "../shared/peer not found" };
  if (spawnSync("which", ["wrk"]).status !== 0) return { skipped: "wrk not installed (apt-get install wrk)" };
  const name = `${process.env.HAVEN_DB_PREFIX}_peer`;
  spawnSync("psql", [SERVER, "-c", `drop database if exists ${name}`], { encoding: "utf8" });
  spawnSync("psql", [SERVER, "-c", `create database ${name}`], { encoding: "utf8" });
  const dsn = dbUrl(name);
  const load = spawnSync("psql", [dsn, "-v", "ON_ERROR_STOP=1", "-f", join(PEER_DIR, "schema.sql")], {
    encoding: "utf8",
  });
  if (load.status !== 0) return { skipped: `peer schema: ${load.stderr.slice(0, 200)}` };
  const port = await freePort();
  const child = spawn(
    "/usr/bin/python3",
    [
      "-m",
      "uvicorn",
      "tele_app:app",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--workers",
      "1",
      "--no-access-log",
    ],
    {
      cwd: join(PEER_DIR, "py"),
      env: { ...process.env, DSN: dsn, INSERT_MODE: "executemany" },
      stdio: "ignore",
      detached: true,
    },
  );
  try {
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const wrk = spawnSync(
      "wrk",
      [
        "-t2",
        `-c${CONNECTIONS}`,
        `-d${SECONDS}s`,
        "-s",
        join(PEER_DIR, "post.lua"),
        `http://127.0.0.1:${port}/`,
      ],
      {
        cwd: PEER_DIR,
        env: { ...process.env, BODY_FILE: join(PEER_DIR, "body100.json"), NONCE: String(Date.now()) },
        encoding: "utf8",
      },
    );
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(wrk.stdout)?.[1] ?? Number.NaN);
    const requests = Number(/(\d+) requests in/.exec(wrk.stdout)?.[1] ?? 0);
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(wrk.stdout)?.[1] ?? 0);
    return { readingsPerSecond: ((requests - non2xx) / requests) * rps * BATCH, requests };
  } finally {
    try {
      if (child.pid) process.kill(-child.pid, "SIGINT");
    } catch {
      // gone
    }
    await new Promise((r) => setTimeout(r, 500));
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // gone
    }
    spawnSync("psql", [SERVER, "-c", `drop database if exists ${name}`], { encoding: "utf8" });
  }
}

/** Devices (one per wrk connection by default) the `npm run bench` telemetry case posts for. */
const CASE_DEVICES = 50;

/**
 * The telemetry row of `npm run bench` (bench/bench.ts imports this module and calls it): the
 * signed-in demo patient (`token`, a session) grants health-data consent and registers
 * {@link CASE_DEVICES} devices through the API; wrk then posts 100-reading batches with those
 * device tokens round-robin (bench/telemetry.lua: every reading new, so every 2xx is 100 accepted
 * readings that are in the patient's Durable Object storage). One patient, one stream: the
 * single-object worst case (a real fleet spreads over many streams).
 */
export async function telemetryCase(o: { url: string; token: string; tmp: string }): Promise<
  | {
      name: string;
      req: {
        url: string;
        method: "POST";
        script: string;
        env: Record<string, string>;
      };
      readingsPerRequest: number;
    }
  | undefined
> {
  const auth = { authorization: `Bearer ${o.token}` };
  const grant = await fetch(`${o.url}/v1/me/consents/health_data/grant`, { method: "POST", headers: auth });
  await grant.arrayBuffer();
  const tokens: string[] = [];
  for (let i = 0; i < CASE_DEVICES; i++) {
    const res = await fetch(`${o.url}/v1/me/devices`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ kind: "watch", vendor: "Haven Bench", model: `Bench ${i}` }),
    });
    if (!res.ok) {
      console.log(
        `telemetry: registering a device answered ${res.status}: ${(await res.text()).slice(0, 200)}`,
      );
      return undefined;
    }
    tokens.push(((await res.json()) as { token: string }).token);
  }
  const tokensFile = join(o.tmp, "telemetry-tokens.txt");
  writeFileSync(tokensFile, `${tokens.join("\n")}\n`, { mode: 0o600 });
  return {
    name: "POST /v1/telemetry (100 readings)",
    req: {
      url: `${o.url}/v1/telemetry`,
      method: "POST",
      script: join(root, "bench", "telemetry.lua"),
      env: { TOKENS_FILE: tokensFile, BATCH: String(BATCH) },
    },
    readingsPerRequest: BATCH,
  };
}

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL || !process.env.HAVEN_DB_PREFIX) {
    console.error(
      "bench:ingest needs a real Postgres: set DATABASE_URL and HAVEN_DB_PREFIX (your own prefix).",
    );
    process.exit(2);
  }
  console.log(
    `bench:ingest — ${cpus().length} CPUs, load average ${la()} (shared machine: read figures against it)`,
  );
  console.log(`  ${CONNECTIONS} connections, ${BATCH}-reading batches, ${SECONDS} s`);
  const stack = await startDevStack();
  const port = Number(new URL(stack.url).port);
  const results: string[] = [];
  try {
    const vars = readVars(join(root, ".data", "dev.bench.vars"));
    const res = await fetch(`${stack.url}/__dev/wearables/devices?count=${CONNECTIONS}`, {
      method: "POST",
      headers: { authorization: `Bearer ${vars.DEV_SEED_TOKEN}` },
    });
    if (!res.ok) throw new Error(`device set-up answered ${res.status}`);
    const tokens = ((await res.json()) as { devices: { token: string }[] }).devices.map((d) => d.token);
    const client = new pg.Client({ connectionString: vars.DATABASE_URL_US });
    await client.connect();
    try {
      const before = await countRows(client);
      const cpu0 = workerdCpu(port);
      const load = await havenLoad(stack.url, tokens);
      const cpu1 = workerdCpu(port);
      let landedAt = performance.now();
      for (;;) {
        const n = (await countRows(client)) - before;
        landedAt = performance.now();
        if (n >= load.accepted) break;
        if (landedAt - load.started > (SECONDS + 120) * 1000) {
          results.push(`  landed: only ${n} of ${load.accepted} after 120 s past the load`);
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      const cpuPerBatchMs = load.batches ? ((cpu1 - cpu0) * 1000) / load.batches : Number.NaN;
      results.push(
        `Haven  accepted  ${(load.accepted / load.seconds).toFixed(0).padStart(8)} readings/s  (${load.batches} batches, failures ${JSON.stringify(load.failures)})`,
        `Haven  landed    ${(load.accepted / ((landedAt - load.started) / 1000)).toFixed(0).padStart(8)} readings/s  (all ${load.accepted} in Postgres ${((landedAt - load.started) / 1000).toFixed(1)} s after the load began)`,
        `Haven  workerd CPU per 100-reading batch ${cpuPerBatchMs.toFixed(2)} ms (all workerd processes of the stack, /proc utime+stime)`,
      );
      const flush = await flushAlone(vars, client);
      results.push(
        `flush  alone     ${flush.perSecond.toFixed(0).padStart(8)} rows/s  (unnest INSERT … ON CONFLICT DO NOTHING + rollups, ${FLUSH_ROWS} rows/statement, Neon HTTP driver → local endpoint → Postgres)`,
      );
      const copy = copyCeiling(vars.DATABASE_URL_US as string, flush.user);
      results.push(
        `COPY   ceiling   ${copy.perSecond.toFixed(0).padStart(8)} rows/s  (psql \\copy of ${copy.rows} rows into the same partitioned table)`,
        `flush ÷ COPY     ${((100 * flush.perSecond) / copy.perSecond).toFixed(0)} %  (target ≥ 20 %)`,
      );
    } finally {
      await client.end();
    }
  } finally {
    await stack.stop();
  }
  if (PEER) {
    const p = await peer();
    if ("skipped" in p) results.push(`peer   skipped: ${p.skipped}`);
    else {
      results.push(
        `peer   accepted  ${p.readingsPerSecond.toFixed(0).padStart(8)} readings/s  (FastAPI + asyncpg executemany, 1 uvicorn worker, wrk -t2 -c${CONNECTIONS} -d${SECONDS}s, ${p.requests} requests)`,
      );
      const haven = Number(/Haven {2}accepted\s+(\d+)/.exec(results.join("\n"))?.[1] ?? Number.NaN);
      results.push(`Haven ÷ peer     ${(haven / p.readingsPerSecond).toFixed(2)}×  (target ≥ 1.0×)`);
    }
  }
  console.log(results.join("\n"));
  console.log(`load average after: ${la()}`);
}

// Standalone (`npm run bench:ingest`) only: `npm run bench` imports this module for telemetryCase.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
