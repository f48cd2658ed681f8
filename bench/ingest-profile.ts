/**
 * Where the Worker's CPU goes on `POST /v1/telemetry` (100-reading batches): the `npm run bench`
 * set-up (deploy bundle of `--env bench` in its own workerd, stand-ins, the telemetry case of
 * bench/ingest.ts), plus workerd's V8 inspector, through which a CPU profile of the isolate (the
 * Worker and the WearableStream objects run in the same isolate) is taken while wrk posts.
 * Prints self time by function (top N) and by bundle region (which source file a function came
 * from, via the `// path` comments esbuild writes), and workerd CPU per batch from /proc.
 *
 * `node --experimental-strip-types bench/ingest-profile.ts [--seconds 5] [--connections 50]
 *  [--port 8811] [--top 40] [--no-profile]` (DATABASE_URL, REDIS_URL, HAVEN_DB_PREFIX as for the bench).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import WebSocket from "ws";
import { login } from "./account.ts";
import { telemetryCase } from "./ingest.ts";
import { childrenNamed, snapshot, spent } from "./lib/proc.ts";
import { startServices } from "./lib/stack.ts";
import { buildHaven } from "./lib/workers.ts";
import { runWrk } from "./lib/wrk.ts";
import { root, seededPatient } from "./stack.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    connections: { type: "string", default: "50" },
    port: { type: "string", default: "8811" },
    top: { type: "string", default: "40" },
    "no-profile": { type: "boolean", default: false },
    bundle: { type: "string" },
  },
});
const INSPECTOR = Number(values.port);

const RATE_LIMIT_STUB = `
import { WorkerEntrypoint } from "cloudflare:workers";
export class RateLimit extends WorkerEntrypoint { async limit() { return { success: true }; } }
export default { fetch() { return new Response("rate-limit stub"); } };`;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function cdp(url: string) {
  const ws = new WebSocket(url);
  let id = 0;
  const waiting = new Map<number, (v: unknown) => void>();
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result);
  });
  const open = new Promise<void>((r) => ws.once("open", () => r()));
  return {
    open,
    send: (method: string, params: Record<string, unknown> = {}) =>
      new Promise<unknown>((resolve) => {
        const n = ++id;
        waiting.set(n, resolve);
        ws.send(JSON.stringify({ id: n, method, params }));
      }),
    close: () => ws.close(),
  };
}

/** The source file of each bundle line, from esbuild's `// path/to/file.ts` region comments. */
function regions(bundle: string): string[] {
  const out: string[] = [];
  let current = "(bundle)";
  for (const line of bundle.split("\n")) {
    const m = /^\/\/ (\S+\.(?:ts|tsx|js|mjs|cjs))$/.exec(line);
    if (m?.[1]) current = m[1].replace(/^.*node_modules\//, "npm:");
    out.push(current);
  }
  return out;
}

function summarize(p: Profile, lineRegion: string[], top: number): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const s = p.samples[i] as number;
    self.set(s, (self.get(s) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const region = new Map<string, number>();
  for (const [nid, us] of self) {
    const n = byId.get(nid);
    if (!n) continue;
    const f = n.callFrame;
    const where = f.url ? (lineRegion[f.lineNumber] ?? f.url) : "(native)";
    const key = `${f.functionName || "(anonymous)"}  ${where}:${f.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
    const r = f.url ? where : f.functionName;
    region.set(r, (region.get(r) ?? 0) + us);
  }
  // Native frames (SQLite exec, RPC serialization, JSON, crypto…) charged to their nearest JS caller.
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const caller = new Map<string, number>();
  for (const [nid, us] of self) {
    let n = byId.get(nid);
    const native = n && !n.callFrame.url ? `${n.callFrame.functionName || "(anonymous)"}` : null;
    if (!native || ["(program)", "(idle)", "(garbage collector)", "(root)"].includes(native)) continue;
    while (n && !n.callFrame.url) n = byId.get(parent.get(n.id) ?? -1);
    const key = `${native} ← ${n ? `${n.callFrame.functionName || "(anonymous)"} ${lineRegion[n.callFrame.lineNumber] ?? ""}:${n.callFrame.lineNumber + 1}` : "(root)"}`;
    caller.set(key, (caller.get(key) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
  console.log(`\n== self time by source file (${(total / 1000).toFixed(0)} ms sampled)`);
  for (const [k, us] of [...region].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${pct(us)}  ${k}`);
  console.log("\n== native self time by JS caller");
  for (const [k, us] of [...caller].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${k}`);
  console.log("\n== self time by function");
  for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${k}`);
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), "haven-ingest-profile-"));
  const services = await startServices(root);
  let mf: Miniflare | undefined;
  try {
    const bundle = values.bundle ?? buildHaven(root, join(tmp, "haven"), "bench").file;
    const code = readFileSync(bundle, "utf8");
    process.env.WRANGLER_LOG ??= "error";
    const { workerOptions } = unstable_getMiniflareWorkerOptions(join(root, "wrangler.toml"), "bench");
    delete (workerOptions as { assets?: unknown }).assets;
    type V4Options = Parameters<typeof convertV4MiniflareOptions>[0];
    mf = new Miniflare(
      convertV4MiniflareOptions({
        host: "127.0.0.1",
        port: 0,
        inspectorPort: INSPECTOR,
        handleStructuredLogs: () => undefined,
        logRequests: false,
        cf: false,
        workers: [
          {
            ...workerOptions,
            name: "haven",
            modules: [{ type: "ESModule", path: "index.js", contents: code }],
            modulesRules: [],
            bindings: { ...(workerOptions.bindings as Record<string, string>), ...services.bindings },
            ratelimits: {},
            serviceBindings: {
              ...(workerOptions.serviceBindings as Record<string, never>),
              RATE_LIMITER: { name: "rate-limit-stub", entrypoint: "RateLimit" },
              USER_RATE_LIMITER: { name: "rate-limit-stub", entrypoint: "RateLimit" },
            },
          },
          {
            name: "rate-limit-stub",
            compatibilityDate: workerOptions.compatibilityDate,
            compatibilityFlags: workerOptions.compatibilityFlags,
            modules: [{ type: "ESModule" as const, path: "rl.mjs", contents: RATE_LIMIT_STUB }],
          },
        ],
      } as V4Options),
    );
    const url = (await mf.ready).toString().replace(/\/$/, "");
    const seed = await fetch(`${url}/__dev/seed`, {
      method: "POST",
      headers: { authorization: `Bearer ${services.bindings.DEV_SEED_TOKEN ?? ""}` },
    });
    const creds = seededPatient(await seed.text());
    if (!creds) throw new Error("seed printed no patient");
    const token = await login(url, creds);
    const c = await telemetryCase({ url, token, tmp });
    if (!c) throw new Error("no telemetry case");
    const pid = childrenNamed(process.pid, "workerd")[0] as number;
    const opts = { connections: Number(values.connections), threads: 1, tmpDir: tmp };
    await runWrk(c.req, { ...opts, seconds: 1 });
    await new Promise((r) => setTimeout(r, 1500));
    let session: ReturnType<typeof cdp> | undefined;
    if (!values["no-profile"]) {
      const targets = (await (await fetch(`http://127.0.0.1:${INSPECTOR}/json`)).json()) as {
        webSocketDebuggerUrl: string;
        title: string;
      }[];
      const t = targets.find((x) => x.title.includes("haven")) ?? targets[0];
      if (!t) throw new Error("no inspector target");
      session = cdp(t.webSocketDebuggerUrl);
      await session.open;
      await session.send("Profiler.enable");
      await session.send("Profiler.setSamplingInterval", { interval: 200 });
      await session.send("Profiler.start");
    }
    const before = snapshot([pid]);
    const load0 = loadavg()[0] ?? 0;
    const w = await runWrk(c.req, { ...opts, seconds: Number(values.seconds) });
    await new Promise((r) => setTimeout(r, 1000));
    const cpu = spent(before, snapshot([pid]));
    const requests = w.requests + opts.connections;
    console.log(
      `${w.rps.toFixed(0)} req/s = ${(w.rps * c.readingsPerRequest).toFixed(0)} readings/s, p50 ${w.p50.toFixed(1)} ms, p99 ${w.p99.toFixed(1)} ms, failures ${w.failures}; workerd CPU ${(cpu / requests).toFixed(2)} ms per batch (incl. alarms/flush in the window); load ${load0.toFixed(2)} → ${(loadavg()[0] ?? 0).toFixed(2)}${session ? " (profiler on: CPU inflated)" : ""}`,
    );
    if (session) {
      const { profile } = (await session.send("Profiler.stop")) as { profile: Profile };
      session.close();
      summarize(profile, regions(code), Number(values.top));
    }
  } finally {
    await mf?.dispose();
    await services.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
