/**
 * The Workers under test, as production runs them: Haven's deploy bundle (`wrangler deploy
 * --dry-run`, the same esbuild output `wrangler deploy` uploads) and the bare Hono baseline, each
 * in its OWN workerd process started by Miniflare with the wrangler.toml configuration of
 * `[env.bench]` (bindings, Durable Objects, assets routing incl. `run_worker_first`, rate limit).
 * Requests go to workerd's socket directly: there is no `wrangler dev` proxy Worker, no inspector,
 * no wrangler Node process in the path. Miniflare's own entry Worker (inside workerd) remains, for
 * Haven and the baseline alike.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { childrenNamed, cpuOf } from "./proc.ts";

export interface RunningWorker {
  name: string;
  url: string;
  /** The workerd process serving it (all its threads). */
  pid: number;
  /** Wall time from `new Miniflare` to the first answered request (process start + isolate + first request). */
  startMs: number;
  /** workerd's CPU from its start to the first answered request (process, config, module evaluation, first request). */
  startCpuMs: number;
  dispose(): Promise<void>;
}

export interface Bundle {
  file: string;
  bytes: number;
  gzipBytes: number;
}

function sizeOf(file: string): Bundle {
  const bytes = statSync(file).size;
  const gzipBytes = gzipSync(spawnSync("cat", [file], { maxBuffer: 64 << 20 }).stdout).length;
  return { file, bytes, gzipBytes };
}

/** Haven's deploy bundle for `env`: exactly what `wrangler deploy --env <env>` would upload. */
export function buildHaven(root: string, outDir: string, env: string): Bundle {
  mkdirSync(outDir, { recursive: true });
  const r = spawnSync(
    process.execPath,
    [
      join(root, "node_modules", "wrangler", "bin", "wrangler.js"),
      "deploy",
      "--dry-run",
      "--outdir",
      outDir,
      "--env",
      env,
    ],
    { cwd: root, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  if (r.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${r.stdout}\n${r.stderr}`);
  return sizeOf(join(outDir, "index.js"));
}

/** The baseline: bench/hello-worker.ts bundled by esbuild the way wrangler bundles Haven. */
export async function buildHello(root: string, outDir: string): Promise<Bundle> {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, "hello.js");
  await build({
    entryPoints: [join(root, "bench", "hello-worker.ts")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    outfile: file,
    logLevel: "warning",
  });
  return sizeOf(file);
}

async function firstAnswer(url: string): Promise<void> {
  const res = await fetch(url);
  await res.arrayBuffer();
}

async function started(name: string, mf: Miniflare, before: Set<number>, t0: number, probe: string) {
  const url = (await mf.ready).toString().replace(/\/$/, "");
  await firstAnswer(`${url}${probe}`);
  const startMs = performance.now() - t0;
  const pids = childrenNamed(process.pid, "workerd").filter((p) => !before.has(p));
  if (pids.length !== 1)
    throw new Error(`expected one new workerd process for ${name}, found ${pids.length}`);
  const pid = pids[0] as number;
  const t = cpuOf(pid);
  const startCpuMs = t ? t.user + t.system : Number.NaN;
  return { name, url, pid, startMs, startCpuMs, dispose: () => mf.dispose() };
}

const shared = {
  host: "127.0.0.1",
  port: 0,
  // workerd's console output is dropped in the host: the bench measures the Worker, and in
  // production log lines leave through Workers Logs, not a terminal. No per-request log in Node.
  handleStructuredLogs: () => undefined,
  logRequests: false,
  cf: false,
};

export async function startHello(bundle: Bundle, compatibilityDate: string): Promise<RunningWorker> {
  const before = new Set(childrenNamed(process.pid, "workerd"));
  const t0 = performance.now();
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      ...shared,
      workers: [
        {
          name: "hello",
          modules: [{ type: "ESModule", path: "hello.mjs", contents: readFileSync(bundle.file, "utf8") }],
          compatibilityDate,
          compatibilityFlags: ["nodejs_compat"],
        },
      ],
    }),
  );
  return started("hello", mf, before, t0, "/");
}

export interface HavenOptions {
  root: string;
  env: string;
  bundle: Bundle;
  /** Secrets and local-only vars (what `wrangler secret put` / `--var` provide). */
  secrets: Record<string, string>;
  /** Extra/overriding vars, e.g. LOG_LEVEL for an ablation. */
  vars?: Record<string, string>;
  /** false: consult the asset router before the Worker for every path (wrangler.toml without run_worker_first). */
  workerFirst?: boolean;
  /** true: no assets binding, hence no asset router Worker in front of Haven (an ablation). */
  noAssets?: boolean;
  label?: string;
  /**
   * "stub" (default): RATE_LIMITER is an RPC stub that always allows, standing for production's
   * binding (a counter local to the Cloudflare machine). "miniflare": Miniflare's simulation,
   * which keeps counters in a Durable Object behind a service: a local-only cost per request.
   */
  rateLimiter?: "stub" | "miniflare";
}

const RATE_LIMIT_STUB = `
import { WorkerEntrypoint } from "cloudflare:workers";
export class RateLimit extends WorkerEntrypoint {
  async limit() { return { success: true }; }
}
export default { fetch() { return new Response("rate-limit stub"); } };
`;

export async function startHaven(opts: HavenOptions): Promise<RunningWorker> {
  process.env.WRANGLER_LOG ??= "error"; // its config warnings are about `wrangler dev`, not this
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(opts.root, "wrangler.toml"), opts.env);
  const assets = workerOptions.assets as { routerConfig?: Record<string, unknown> } | undefined;
  if (assets && opts.workerFirst === false) {
    assets.routerConfig = { has_user_worker: true };
  }
  // No assets at all: Miniflare then puts no router Worker in front (Cloudflare's own asset
  // routing is not billed to the Worker, so this is the closest to the Worker's own cost).
  if (opts.noAssets) delete (workerOptions as { assets?: unknown }).assets;
  const before = new Set(childrenNamed(process.pid, "workerd"));
  const t0 = performance.now();
  type V4Options = Parameters<typeof convertV4MiniflareOptions>[0];
  const options = {
    ...shared,
    workers: [
      {
        ...workerOptions,
        name: "haven",
        modules: [{ type: "ESModule", path: "index.js", contents: readFileSync(opts.bundle.file, "utf8") }],
        modulesRules: [],
        bindings: { ...(workerOptions.bindings as Record<string, string>), ...opts.secrets, ...opts.vars },
        ...(opts.rateLimiter === "miniflare"
          ? {}
          : {
              ratelimits: {},
              serviceBindings: {
                ...(workerOptions.serviceBindings as Record<string, never>),
                RATE_LIMITER: { name: "rate-limit-stub", entrypoint: "RateLimit" },
                USER_RATE_LIMITER: { name: "rate-limit-stub", entrypoint: "RateLimit" },
              },
            }),
      },
      ...(opts.rateLimiter === "miniflare"
        ? []
        : [
            {
              name: "rate-limit-stub",
              compatibilityDate: workerOptions.compatibilityDate,
              compatibilityFlags: workerOptions.compatibilityFlags,
              modules: [{ type: "ESModule" as const, path: "rl.mjs", contents: RATE_LIMIT_STUB }],
            },
          ]),
    ],
  } as V4Options;
  const mf = new Miniflare(convertV4MiniflareOptions(options));
  return started(opts.label ?? "haven", mf, before, t0, "/health");
}
