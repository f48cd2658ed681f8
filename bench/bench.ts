/**
 * `npm run bench`: what production pays per request. Haven's deploy bundle and a bare Hono hello
 * Worker, each in its own workerd (no wrangler dev proxy), driven by wrk; CPU per request of every
 * process read from /proc; round trips counted by the local Neon/Upstash stand-ins; the
 * conventional stack (../shared/peer, FastAPI + asyncpg) in the same run. See bench/README.md.
 *
 * Options: --seconds S (5 per run) --reps N (3) --connections C (50) --warmup S (1) --no-peer
 * --no-ablations --label TEXT --out FILE (default bench/results/<date>-<time>.json)
 * --compare REF: also build Haven from git REF (e.g. a commit before a change) and run its routes
 *   alternated with the working tree's, in the same run: before/after under the same conditions.
 * --only REGEX: run only the cases whose name matches (the hello baseline always runs).
 * --no-dev: skip the `npm run dev` overhead section (GET /health through the whole dev stack).
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { login } from "./account.ts";
import { startDev, tree } from "./lib/dev.ts";
import { PEER_INSTALL, type Peer, peerDir, peerMissing, startPeer } from "./lib/peer.ts";
import { snapshot, spent } from "./lib/proc.ts";
import { backendPids, counters, type Services, startServices } from "./lib/stack.ts";
import {
  type Bundle,
  buildHaven,
  buildHello,
  type RunningWorker,
  startHaven,
  startHello,
} from "./lib/workers.ts";
import { runWrk, type WrkRequest, type WrkResult, wrkAvailable } from "./lib/wrk.ts";
import { freePort, root, seededPatient } from "./stack.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    reps: { type: "string", default: "3" },
    connections: { type: "string", default: "50" },
    warmup: { type: "string", default: "1" },
    "no-peer": { type: "boolean", default: false },
    "no-ablations": { type: "boolean", default: false },
    label: { type: "string", default: "" },
    compare: { type: "string" },
    only: { type: "string" },
    "no-dev": { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const SECONDS = Math.max(1, Number(values.seconds));
const REPS = Math.max(1, Number(values.reps));
const CONNECTIONS = Math.max(1, Number(values.connections));
const WARMUP = Math.max(0, Number(values.warmup));
const ENV = "bench";

type Target =
  | "hello"
  | "haven"
  | "haven-assets-first"
  | "haven-asset-router"
  | "haven-mf-ratelimit"
  | "haven-ref"
  | "peer";

interface Case {
  name: string;
  target: Target;
  req: WrkRequest;
  connections?: number;
  /** Units per request for "per second" figures other than requests (telemetry readings). */
  unitsPerRequest?: number;
}

interface Run {
  name: string;
  target: Target;
  rep: number;
  wrk: WrkResult;
  /** CPU ms per request, by process. */
  cpu: Record<string, number>;
  /** Round trips per request seen by the stand-ins (Haven only). */
  trips?: Record<string, number>;
  load1: number;
}

const fmt = (n: number | undefined, d = 2) => (n !== undefined && Number.isFinite(n) ? n.toFixed(d) : "–");
const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const range = (xs: number[]) => {
  const s = xs.filter(Number.isFinite);
  return s.length ? `${fmt(Math.min(...s))}–${fmt(Math.max(...s))}` : "–";
};

const cleanups: Array<() => Promise<void>> = [];
async function cleanup(): Promise<void> {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  cleanups.length = 0;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping everything the bench started…`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function json(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const CHAT_TEXT = "Today was calm. I went for a walk and cooked dinner.";

function sendChat(url: string, auth: Record<string, string>): Promise<Response> {
  return fetch(`${url}/v1/chat/messages`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ text: CHAT_TEXT }),
  });
}

/**
 * A 100-row chat history for the list read. The room allows 20 messages a minute, so 10 turns
 * (user message + companion reply = 20 rows, encrypted by the Worker) go through the API and the
 * stored rows are then copied in SQL under new sequence numbers (the ciphertext is bound to the
 * user and field, not the row, so the copies decrypt like the originals) until there are 100.
 */
async function fillChat(url: string, auth: Record<string, string>, services: Services): Promise<number> {
  let res = await sendChat(url, auth);
  if (res.status === 403) {
    const problem = (await json(res)) as { consent?: string };
    const kinds = problem.consent ? [problem.consent] : ["ai_companion", "health_data"];
    for (const kind of kinds) {
      const g = await fetch(`${url}/v1/me/consents/${kind}/grant`, { method: "POST", headers: auth });
      await g.arrayBuffer();
    }
    res = await sendChat(url, auth);
  }
  await res.arrayBuffer();
  for (let i = 1; i < 10; i++) await (await sendChat(url, auth)).arrayBuffer();
  const read = async () =>
    (
      (await json(await fetch(`${url}/v1/chat/history?limit=200`, { headers: auth }))) as {
        messages?: unknown[];
      }
    ).messages?.length ?? 0;
  const stored = await read();
  if (services.postgresUrl && stored > 0 && stored < 100) {
    const u = new URL(services.postgresUrl);
    u.pathname = `/${services.prefix}_us`;
    const db = new pg.Client({ connectionString: u.toString() });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO chat_messages (user_id, seq, role, author_id, content_enc, crisis, created_at)
         SELECT user_id, seq + 1000 * k, role, author_id, content_enc, crisis, created_at
         FROM chat_messages, generate_series(1, 9) AS k
         ORDER BY k, seq LIMIT $1`,
        [100 - stored],
      );
    } finally {
      await db.end();
    }
  }
  return read();
}

interface Ctx {
  services: Services;
  workers: Partial<Record<Target, RunningWorker>>;
  peer: Peer | undefined;
  tmp: string;
}

function targetPid(ctx: Ctx, t: Target): number {
  if (t === "peer") return ctx.peer?.pid as number;
  return ctx.workers[t]?.pid as number;
}

async function pgPids(ctx: Ctx, t: Target): Promise<number[]> {
  const url = ctx.services.postgresUrl;
  if (!url) return [];
  const p = ctx.services.prefix;
  const dbs = t === "peer" ? [`${p}_peer`] : [`${p}_us`, `${p}_eu`, `${p}_apac`];
  return backendPids(url, dbs);
}

/** Waits until the process stops using CPU (requests wrk left in flight have finished), ≤ 3 s. */
async function drain(pid: number): Promise<void> {
  let last = snapshot([pid]).get(pid) ?? 0;
  for (let i = 0; i < 15; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const now = snapshot([pid]).get(pid) ?? 0;
    if (now === last) return;
    last = now;
  }
}

/** Exact round trips per request: `n` sequential requests between two reads of the stand-ins' counters. */
async function probeTrips(ctx: Ctx, c: Case, n = 20): Promise<Record<string, number>> {
  const read = async () => ({
    ...(await counters(ctx.services.neonCounters)),
    ...prefixed(await counters(ctx.services.upstashCounters)),
  });
  const before = await read();
  for (let i = 0; i < n; i++) {
    const res = await fetch(c.req.url, { headers: c.req.headers ?? {} });
    await res.arrayBuffer();
  }
  const after = await read();
  return Object.fromEntries(Object.keys(after).map((k) => [k, ((after[k] ?? 0) - (before[k] ?? 0)) / n]));
}

async function measure(ctx: Ctx, c: Case, rep: number): Promise<Run> {
  const connections = c.connections ?? CONNECTIONS;
  const opts = { connections, threads: 1, tmpDir: ctx.tmp };
  const nonce = () => ({ ...c.req, env: { ...c.req.env, NONCE: String(Math.floor(Math.random() * 4096)) } });
  const pid = targetPid(ctx, c.target);
  if (WARMUP > 0) await runWrk(nonce(), { ...opts, seconds: WARMUP });
  await drain(pid);
  const isHaven = c.target.startsWith("haven");
  const procs: Record<string, number[]> = {
    worker: [pid],
    "stand-ins": c.target === "peer" ? [] : [ctx.services.standInsPid],
    redis: ctx.services.redisPid && c.target !== "peer" ? [ctx.services.redisPid] : [],
  };
  const pgBefore = snapshot(await pgPids(ctx, c.target));
  const before = Object.fromEntries(Object.entries(procs).map(([k, pids]) => [k, snapshot(pids)]));
  const host0 = process.cpuUsage();
  const wrk = await runWrk(nonce(), { ...opts, seconds: SECONDS });
  // wrk leaves one request in flight per connection at its deadline: let them finish and count
  // them, so every request whose CPU is in the window is in the denominator.
  await drain(pid);
  const host1 = process.cpuUsage(host0);
  const after = Object.fromEntries(Object.entries(procs).map(([k, pids]) => [k, snapshot(pids)]));
  const pgAfter = snapshot(await pgPids(ctx, c.target));
  const n = wrk.requests + connections;
  const cpu: Record<string, number> = {};
  for (const k of Object.keys(procs)) cpu[k] = spent(before[k] ?? new Map(), after[k] ?? new Map()) / n;
  cpu.postgres = ctx.services.postgresUrl ? spent(pgBefore, pgAfter) / n : Number.NaN;
  cpu.wrk = wrk.cpuMs / n;
  cpu.host = (host1.user + host1.system) / 1000 / n;
  const trips =
    isHaven && rep === 1 && (c.req.method ?? "GET") === "GET" ? await probeTrips(ctx, c) : undefined;
  return { name: c.name, target: c.target, rep, wrk, cpu, trips, load1: loadavg()[0] ?? Number.NaN };
}

function prefixed(c: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [`redis_${k}`, v]));
}

interface Summary {
  name: string;
  target: Target;
  reps: number;
  rps: number;
  rpsRange: string;
  unitsPerSecond?: number;
  p50: number;
  p99: number;
  failures: number;
  cpu: Record<string, { median: number; range: string }>;
  trips?: Record<string, number>;
}

function summarize(runs: Run[], cases: Case[]): Summary[] {
  const out: Summary[] = [];
  for (const c of cases) {
    const rs = runs.filter((r) => r.name === c.name && r.target === c.target);
    if (rs.length === 0) continue;
    const keys = Object.keys(rs[0]?.cpu ?? {});
    const cpu = Object.fromEntries(
      keys.map((k) => [
        k,
        {
          median: median(rs.map((r) => r.cpu[k] ?? Number.NaN)),
          range: range(rs.map((r) => r.cpu[k] ?? Number.NaN)),
        },
      ]),
    );
    const tripKeys = Object.keys(rs.find((r) => r.trips)?.trips ?? {});
    const rps = median(rs.map((r) => r.wrk.rps));
    out.push({
      name: c.name,
      target: c.target,
      reps: rs.length,
      rps,
      rpsRange: range(rs.map((r) => r.wrk.rps)).replace(/\.\d\d/g, ""),
      ...(c.unitsPerRequest ? { unitsPerSecond: rps * c.unitsPerRequest } : {}),
      p50: median(rs.map((r) => r.wrk.p50)),
      p99: median(rs.map((r) => r.wrk.p99)),
      failures: rs.reduce((a, r) => a + r.wrk.failures, 0),
      cpu,
      ...(tripKeys.length
        ? {
            trips: Object.fromEntries(
              tripKeys.map((k) => [k, median(rs.map((r) => r.trips?.[k] ?? Number.NaN))]),
            ),
          }
        : {}),
    });
  }
  return out;
}

function table(rows: string[][]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  for (const r of rows)
    console.log(
      `  ${r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ")}`,
    );
}

/** Optional telemetry slot: bench/ingest.ts (from the wearables work) may export `telemetryCase`. */
async function telemetryCase(url: string, token: string, tmp: string): Promise<Case | undefined> {
  const file = join(root, "bench", "ingest.ts");
  if (!existsSync(file)) return undefined;
  // Import only a module that exports the slot: bench/ingest.ts is also a script whose top level
  // (until it guards it) runs the whole ingest bench, recreating the databases under this run.
  if (!/export\s+(?:async\s+)?(?:function|const)\s+telemetryCase\b/.test(readFileSync(file, "utf8")))
    return undefined;
  const mod = (await import(file)) as {
    telemetryCase?: (o: {
      url: string;
      token: string;
      tmp: string;
    }) => Promise<{ name?: string; req: WrkRequest; readingsPerRequest: number } | undefined>;
  };
  const c = await mod.telemetryCase?.({ url, token, tmp });
  if (!c) return undefined;
  return {
    name: c.name ?? "POST /v1/telemetry (100 readings)",
    target: "haven",
    req: c.req,
    unitsPerRequest: c.readingsPerRequest,
  };
}

async function main(): Promise<void> {
  if (!wrkAvailable()) {
    console.error(`wrk is not installed: ${PEER_INSTALL.replace(/python3\S* /g, "")} (Debian package wrk)`);
    process.exitCode = 1;
    return;
  }
  const started = new Date();
  const tmp = mkdtempSync(join(tmpdir(), "haven-bench-"));
  cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }));
  const loadBefore = loadavg();
  console.log(
    `Haven bench ${started.toISOString()}: ${availableParallelism()} CPU(s) (${cpus()[0]?.model.trim()}), load average ${loadBefore.map((l) => l.toFixed(2)).join(" ")}`,
  );

  console.log("building: wrangler deploy --dry-run --env bench, and the hello baseline…");
  const havenBundle: Bundle = buildHaven(root, join(tmp, "haven"), ENV);
  const helloBundle = await buildHello(root, join(tmp, "hello"));
  const compat =
    /compatibility_date\s*=\s*"([^"]+)"/.exec(readFileSync(join(root, "wrangler.toml"), "utf8"))?.[1] ??
    "2026-11-01";

  console.log("starting the stand-ins (Postgres, Redis, Neon/Upstash/OpenAI endpoints)…");
  const services = await startServices(root);
  cleanups.push(() => services.stop());
  for (const d of services.describe) console.log(`  ${d}`);

  const secrets = { ...services.bindings };
  const hello = await startHello(helloBundle, compat);
  cleanups.push(() => hello.dispose());
  // Production-like: no asset router Worker in front (Cloudflare routes assets before the Worker,
  // unbilled); Miniflare's router is measured apart in the "[asset router …]" instances.
  const haven = await startHaven({ root, env: ENV, bundle: havenBundle, secrets, noAssets: true });
  cleanups.push(() => haven.dispose());
  const workers: Ctx["workers"] = { hello, haven };
  if (!values["no-ablations"]) {
    const assetsFirst = await startHaven({
      root,
      env: ENV,
      bundle: havenBundle,
      secrets,
      workerFirst: false,
      label: "haven-assets-first",
    });
    cleanups.push(() => assetsFirst.dispose());
    workers["haven-assets-first"] = assetsFirst;
    const mfRate = await startHaven({
      root,
      env: ENV,
      bundle: havenBundle,
      secrets,
      rateLimiter: "miniflare",
      noAssets: true,
      label: "haven-mf-ratelimit",
    });
    cleanups.push(() => mfRate.dispose());
    workers["haven-mf-ratelimit"] = mfRate;
    const router = await startHaven({
      root,
      env: ENV,
      bundle: havenBundle,
      secrets,
      label: "haven-asset-router",
    });
    cleanups.push(() => router.dispose());
    workers["haven-asset-router"] = router;
  }

  const ref = values.compare;
  if (ref) {
    const refRoot = join(tmp, "ref");
    mkdirSync(refRoot, { recursive: true });
    const sh = spawnSync(
      "bash",
      ["-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", root, ref, refRoot],
      {
        encoding: "utf8",
      },
    );
    if (sh.status !== 0) throw new Error(`git archive ${ref} failed: ${sh.stderr}`);
    symlinkSync(join(root, "node_modules"), join(refRoot, "node_modules"));
    const refBundle = buildHaven(refRoot, join(tmp, "haven-ref"), ENV);
    console.log(
      `  ${ref}: bundle ${(refBundle.bytes / 1024).toFixed(0)} KiB raw, ${(refBundle.gzipBytes / 1024).toFixed(0)} KiB gzip`,
    );
    const w = await startHaven({
      root: refRoot,
      env: ENV,
      bundle: refBundle,
      secrets,
      noAssets: true,
      label: "haven-ref",
    });
    cleanups.push(() => w.dispose());
    workers["haven-ref"] = w;
  }

  let peer: Peer | undefined;
  let peerNote = "";
  if (!values["no-peer"]) {
    const missing = peerMissing();
    if (!peerDir(root)) peerNote = "peer skipped: ../shared/peer not found (set PEER_DIR)";
    else if (missing) peerNote = `peer skipped (${missing}); install with: ${PEER_INSTALL}`;
    else if (!services.postgresUrl) peerNote = "peer skipped: it needs a Postgres server (DATABASE_URL)";
    else {
      peer = await startPeer({
        root,
        adminUrl: services.postgresUrl,
        prefix: services.prefix,
        port: await freePort(),
        tmp,
      });
      cleanups.push(() => peer?.stop() ?? Promise.resolve());
    }
    if (peerNote) console.log(peerNote);
  }

  // Seed through the Worker's own dev route (local mode), then sign in as the demo patient.
  const seedRes = await fetch(`${haven.url}/__dev/seed`, {
    method: "POST",
    headers: { authorization: `Bearer ${services.bindings.DEV_SEED_TOKEN ?? ""}` },
  });
  const creds = seededPatient(await seedRes.text());
  if (!creds) throw new Error(`the demo seed did not print the patient's credentials (${seedRes.status})`);
  const token = await login(haven.url, creds);
  const auth = { authorization: `Bearer ${token}` };
  const rows = await fillChat(haven.url, auth, services);
  console.log(`seeded: demo patient signed in; chat history holds ${rows} rows`);

  const cases: Case[] = [
    { name: "GET / (bare Hono hello)", target: "hello", req: { url: `${hello.url}/` } },
    { name: "GET /health", target: "haven", req: { url: `${haven.url}/health` } },
    { name: "GET /v1/me", target: "haven", req: { url: `${haven.url}/v1/me`, headers: auth } },
    {
      name: "GET /v1/chat/history (100 rows)",
      target: "haven",
      req: { url: `${haven.url}/v1/chat/history?limit=100`, headers: auth },
    },
    // The same read with 10 rows: the difference ÷ 90 is the cost of one row (decrypt + JSON).
    {
      name: "GET /v1/chat/history (10 rows)",
      target: "haven",
      req: { url: `${haven.url}/v1/chat/history?limit=10`, headers: auth },
    },
  ];
  const refWorker = workers["haven-ref"];
  if (refWorker && ref) {
    // Each route right after its twin, so before and after meet the same moment's load.
    for (const c of cases.filter((x) => x.target === "haven")) {
      cases.splice(cases.indexOf(c) + 1, 0, {
        ...c,
        name: `${c.name} [${ref}]`,
        target: "haven-ref",
        req: { ...c.req, url: c.req.url.replace(haven.url, refWorker.url) },
      });
    }
  }
  const tele = await telemetryCase(haven.url, token, tmp);
  if (tele) cases.push(tele);
  else
    console.log(
      "telemetry: bench/ingest.ts with telemetryCase() not present yet — POST /v1/telemetry skipped",
    );
  const assetsFirst = workers["haven-assets-first"];
  if (assetsFirst) {
    cases.push(
      {
        name: "GET /health [asset router in front, assets first]",
        target: "haven-assets-first",
        req: { url: `${assetsFirst.url}/health` },
      },
      {
        name: "GET /v1/me [asset router in front, assets first]",
        target: "haven-assets-first",
        req: { url: `${assetsFirst.url}/v1/me`, headers: auth },
      },
    );
  }
  const router = workers["haven-asset-router"];
  if (router) {
    cases.push(
      {
        name: "GET /health [asset router in front, run_worker_first]",
        target: "haven-asset-router",
        req: { url: `${router.url}/health` },
      },
      {
        name: "GET /v1/me [asset router in front, run_worker_first]",
        target: "haven-asset-router",
        req: { url: `${router.url}/v1/me`, headers: auth },
      },
    );
  }
  const mfRate = workers["haven-mf-ratelimit"];
  if (mfRate) {
    cases.push({
      name: "GET /v1/me [Miniflare's rate-limit simulation]",
      target: "haven-mf-ratelimit",
      req: { url: `${mfRate.url}/v1/me`, headers: auth },
    });
  }
  if (peer) {
    cases.push(
      { name: "peer GET / (FastAPI hello)", target: "peer", req: { url: `${peer.url}/` } },
      {
        name: "peer GET /readings (100 rows)",
        target: "peer",
        req: { url: `${peer.url}/`, script: peer.getLua, env: { USERS_FILE: peer.usersFile } },
      },
      {
        name: "peer POST /telemetry (100 readings, executemany)",
        target: "peer",
        req: {
          url: `${peer.url}/`,
          script: peer.postLua,
          env: { BODY_FILE: peer.bodyFile, NONCE: String(Date.now() % 4096) },
        },
        unitsPerRequest: 100,
      },
    );
  }

  if (values.only) {
    const only = new RegExp(values.only);
    for (let i = cases.length - 1; i >= 0; i--) {
      const c = cases[i];
      if (c && c.target !== "hello" && !only.test(c.name.replace(/ \[[^\]]+\]$/, ""))) cases.splice(i, 1);
    }
  }
  const runs: Run[] = [];
  for (let rep = 1; rep <= REPS; rep++) {
    // Twins (a route on the working tree and on --compare REF) swap order every other repetition.
    const order = [...cases];
    if (rep % 2 === 0)
      for (let i = 0; i + 1 < order.length; i++) {
        const [a, b] = [order[i], order[i + 1]];
        if (a?.target === "haven" && b?.target === "haven-ref") [order[i], order[i + 1]] = [b, a];
      }
    for (const c of order) {
      process.stdout.write(`  rep ${rep}/${REPS}  ${c.name}… `);
      const r = await measure({ services, workers, peer, tmp }, c, rep);
      runs.push(r);
      console.log(
        `${r.wrk.rps.toFixed(0)} req/s, worker ${fmt(r.cpu.worker)} ms/req, load ${r.load1.toFixed(2)}`,
      );
    }
  }

  // `npm run dev` as users run it: GET /health through wrangler's proxy, CPU of the whole tree.
  const devRuns: Array<{ root: string; perRequest: number; rps: number }> = [];
  if (!values["no-dev"]) {
    const roots: Array<[string, string]> = [["working tree", root]];
    if (ref) roots.push([ref, join(tmp, "ref")]);
    for (const [label, r] of roots) {
      process.stdout.write(`  npm run dev (${label}): GET /health… `);
      const dev = await startDev(r, join(tmp, `dev-${devRuns.length}`));
      try {
        const req = { url: `${dev.url}/health` };
        await runWrk(req, { connections: CONNECTIONS, threads: 1, seconds: 1, tmpDir: tmp });
        await new Promise((res) => setTimeout(res, 500));
        const before = snapshot(tree(dev.pid));
        const w = await runWrk(req, { connections: CONNECTIONS, threads: 1, seconds: SECONDS, tmpDir: tmp });
        await new Promise((res) => setTimeout(res, 500));
        const perRequest = spent(before, snapshot(tree(dev.pid))) / (w.requests + CONNECTIONS);
        devRuns.push({ root: label, perRequest, rps: w.rps });
        console.log(`${w.rps.toFixed(0)} req/s, ${fmt(perRequest)} ms CPU per request (all dev processes)`);
      } finally {
        await dev.stop();
      }
    }
  }

  // Login: PBKDF2 by design, reported apart (sequential, Worker CPU per login).
  const LOGINS = 6;
  const w0 = snapshot([haven.pid]);
  const t0 = performance.now();
  for (let i = 0; i < LOGINS; i++) await login(haven.url, creds);
  const loginWall = (performance.now() - t0) / LOGINS;
  const loginCpu = spent(w0, snapshot([haven.pid])) / LOGINS;

  // One chat turn against the zero-latency offline model: sequential (the room allows 20 messages
  // a minute per patient, so it cannot be a load run); Worker + DO and the stand-ins (model) apart.
  const CHATS = 8;
  const c0 = snapshot([haven.pid]);
  const s0 = snapshot([services.standInsPid]);
  const t1 = performance.now();
  let chatOk = 0;
  for (let i = 0; i < CHATS; i++) {
    const r = await sendChat(haven.url, auth);
    const text = await r.text();
    if (r.ok && !text.includes("rate_limited")) chatOk++;
  }
  const chat = {
    messages: CHATS,
    ok: chatOk,
    wallMs: (performance.now() - t1) / CHATS,
    workerCpuMs: spent(c0, snapshot([haven.pid])) / CHATS,
    standInsCpuMs: spent(s0, snapshot([services.standInsPid])) / CHATS,
  };

  const summary = summarize(runs, cases);
  const loadAfter = loadavg();
  const base = summary.find((s) => s.target === "hello")?.cpu.worker?.median ?? Number.NaN;
  const peerGet = summary.find((s) => s.name.startsWith("peer GET /readings"));
  const peerPost = summary.find((s) => s.name.startsWith("peer POST"));

  console.log(
    `\n== CPU ms per request by process (median of ${REPS}; range in brackets), wrk -t1 -c${CONNECTIONS}, ${SECONDS}s per run after ${WARMUP}s warm-up`,
  );
  const rowsOut = [
    [
      "route",
      "req/s",
      "p50 ms",
      "p99 ms",
      "worker",
      "× hello",
      "stand-ins",
      "postgres",
      "redis",
      "wrk",
      "non-2xx",
    ],
  ];
  for (const s of summary) {
    const w = s.cpu.worker;
    rowsOut.push([
      s.name,
      `${s.rps.toFixed(0)} (${s.rpsRange})`,
      fmt(s.p50),
      fmt(s.p99),
      `${fmt(w?.median)} (${w?.range})`,
      s.target === "peer" ? "" : fmt((w?.median ?? Number.NaN) / base),
      s.target === "peer" ? "" : fmt(s.cpu["stand-ins"]?.median),
      fmt(s.cpu.postgres?.median),
      s.target === "peer" ? "" : fmt(s.cpu.redis?.median),
      fmt(s.cpu.wrk?.median),
      String(s.failures),
    ]);
  }
  table(rowsOut);
  console.log(
    "  (worker = workerd for Haven/hello, uvicorn for the peer; stand-ins = Node: Neon + Upstash endpoints, offline OpenAI)",
  );

  console.log("\n== Round trips per request seen by the stand-ins (20 sequential requests, exact)");
  table([
    ["route", "Neon HTTP requests", "SQL statements", "Upstash requests", "Redis commands"],
    ...summary
      .filter((s) => s.trips)
      .map((s) => [
        s.name,
        fmt(s.trips?.requests),
        fmt(s.trips?.statements),
        fmt(s.trips?.redis_requests),
        fmt(s.trips?.redis_commands),
      ]),
  ]);

  console.log("\n== Targets (ratios in this run; reported, not asserted)");
  const ratio = (name: string) => summary.find((s) => s.name === name)?.cpu.worker?.median ?? Number.NaN;
  const targets: Array<[string, number, number, "max" | "min"]> = [
    ["Worker CPU  GET /health ÷ hello", ratio("GET /health") / base, 1.1, "max"],
    ["Worker CPU  GET /v1/me ÷ hello", ratio("GET /v1/me") / base, 2.5, "max"],
    ["Worker CPU  100-row list read ÷ hello", ratio("GET /v1/chat/history (100 rows)") / base, 3, "max"],
  ];
  if (tele) targets.push(["Worker CPU  100-reading telemetry ÷ hello", ratio(tele.name) / base, 3, "max"]);
  const me = summary.find((s) => s.name === "GET /v1/me");
  if (peerGet && me) targets.push(["req/s  GET /v1/me ÷ peer GET /readings", me.rps / peerGet.rps, 1, "min"]);
  const history = summary.find((s) => s.name === "GET /v1/chat/history (100 rows)");
  if (peerGet && history)
    targets.push(["req/s  100-row history ÷ peer GET 100 readings", history.rps / peerGet.rps, 1, "min"]);
  const teleSummary = tele ? summary.find((s) => s.name === tele.name) : undefined;
  if (peerPost && teleSummary)
    targets.push([
      "readings/s  telemetry ÷ peer executemany",
      (teleSummary.unitsPerSecond ?? Number.NaN) / (peerPost.unitsPerSecond ?? Number.NaN),
      1,
      "min",
    ]);
  for (const [label, v, goal, kind] of targets) {
    const met = kind === "max" ? v <= goal : v >= goal;
    console.log(
      `  ${label.padEnd(48)} ${fmt(v)}  (target ${kind === "max" ? "≤" : "≥"} ${goal}: ${Number.isFinite(v) ? (met ? "met" : "NOT met") : "n/a"})`,
    );
  }
  if (peerPost) console.log(`  peer executemany ingest: ${fmt(peerPost.unitsPerSecond, 0)} readings/s`);
  // Round trips of the authenticated reads (exact counts from the stand-ins; target ≤ 1 each).
  for (const s of summary.filter((x) => x.target === "haven" && x.trips && x.name !== "GET /health")) {
    const pgTrips = s.trips?.requests ?? Number.NaN;
    const redisTrips = s.trips?.redis_requests ?? Number.NaN;
    console.log(
      `  round trips ${s.name.padEnd(36)} Postgres ${fmt(pgTrips, 1)} (target ≤ 1: ${pgTrips <= 1 ? "met" : "NOT met"}), Redis ${fmt(redisTrips, 1)} (target ≤ 1: ${redisTrips <= 1 ? "met" : "NOT met"})`,
    );
  }
  const h100 = ratio("GET /v1/chat/history (100 rows)");
  const h10 = ratio("GET /v1/chat/history (10 rows)");
  if (Number.isFinite(h100) && Number.isFinite(h10))
    console.log(
      `  history: one more row costs ${fmt(((h100 - h10) / 90) * 1000, 1)} µs of Worker CPU (decrypt + JSON; (100 rows − 10 rows) ÷ 90); the 10-row read ${fmt(h10)} ms = ${fmt(h10 / base)}× hello`,
    );

  if (devRuns.length) {
    const prod = summary.find((x) => x.name === "GET /health")?.cpu.worker?.median ?? Number.NaN;
    console.log(
      "\n== npm run dev overhead: GET /health, CPU of every dev process (wrangler, proxy, workerd, stand-ins)",
    );
    for (const d of devRuns)
      console.log(
        `  ${d.root.padEnd(14)} ${fmt(d.perRequest)} ms per request = ${fmt(d.perRequest / prod)}× the production bundle's ${fmt(prod)} ms (target ≤ 2×), ${d.rps.toFixed(0)} req/s`,
      );
  }
  console.log("\n== Sequential: login (PBKDF2 600k by design) and one chat turn");
  console.log(
    `  POST /v1/auth/login  ${fmt(loginWall, 0)} ms wall, ${fmt(loginCpu, 0)} ms workerd CPU per login`,
  );
  console.log(
    `  POST /v1/chat/messages (zero-latency model, ${chat.ok}/${chat.messages} answered)  ${fmt(chat.wallMs, 0)} ms wall, ${fmt(chat.workerCpuMs, 1)} ms workerd CPU (Worker + ChatRoom DO), ${fmt(chat.standInsCpuMs, 1)} ms stand-ins CPU per turn`,
  );
  console.log("\n== Bundle and start-up");
  console.log(
    `  Haven bundle ${(havenBundle.bytes / 1024).toFixed(0)} KiB raw, ${(havenBundle.gzipBytes / 1024).toFixed(0)} KiB gzip; hello ${(helloBundle.bytes / 1024).toFixed(0)} KiB raw`,
  );
  console.log(
    `  start to first answer (workerd process + isolate + first request): Haven ${haven.startMs.toFixed(0)} ms wall / ${haven.startCpuMs.toFixed(0)} ms workerd CPU, hello ${hello.startMs.toFixed(0)} ms / ${hello.startCpuMs.toFixed(0)} ms (the difference is Haven's module evaluation and first request)`,
  );
  console.log(
    `\nload average before ${loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${loadAfter.map((l) => l.toFixed(2)).join(" ")}`,
  );
  console.log(
    "  CPU-ms per request (from /proc) is the robust figure on a shared machine; req/s moves with other load.",
  );

  const stamp = started
    .toISOString()
    .replace(/:\d\d\.\d+Z$/, "Z")
    .replace(/:/g, "");
  const out =
    values.out ?? join(root, "bench", "results", `${stamp}${values.label ? `-${values.label}` : ""}.json`);
  mkdirSync(join(out, ".."), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        started: started.toISOString(),
        label: values.label || undefined,
        compare: ref,
        commit: spawnSync("git", ["-C", root, "rev-parse", "--short", "HEAD"], {
          encoding: "utf8",
        }).stdout.trim(),
        dirty:
          spawnSync("git", ["-C", root, "status", "--porcelain"], { encoding: "utf8" }).stdout.trim() !== "",
        machine: { cpus: availableParallelism(), model: cpus()[0]?.model.trim(), loadBefore, loadAfter },
        conditions: {
          seconds: SECONDS,
          reps: REPS,
          connections: CONNECTIONS,
          warmup: WARMUP,
          env: ENV,
          services: services.describe,
          peer: peer ? "FastAPI + uvicorn (1 worker) + asyncpg, INSERT_MODE=executemany" : peerNote,
        },
        bundle: { bytes: havenBundle.bytes, gzipBytes: havenBundle.gzipBytes, helloBytes: helloBundle.bytes },
        startMs: { haven: haven.startMs, hello: hello.startMs },
        startCpuMs: { haven: haven.startCpuMs, hello: hello.startCpuMs },
        login: { wallMs: loginWall, workerCpuMs: loginCpu },
        chat,
        dev: devRuns,
        summary,
        targets: targets.map(([label, value, goal, kind]) => ({ label, value, goal, kind })),
        runs,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nwritten: ${out}`);
}

main()
  .catch((err: unknown) => {
    console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
