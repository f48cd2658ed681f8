/**
 * `npm run dev`: one command, Node only. Starts the local stack (Postgres behind a Neon-compatible
 * endpoint, Redis behind an Upstash-compatible endpoint, an OpenAI-compatible server), applies
 * migrations, starts `wrangler dev`, waits for /ready, seeds demo accounts and prints the URLs.
 * Ctrl-C stops every child.
 *
 * Options: --port N (or PORT), --host H, --env bench (raised rate limit for benchmarks),
 * --neon-port/--upstash-port/--openai-port N, --data-dir D (default `.data`; when given it also
 * holds wrangler's Durable Object state, so a temporary folder is a fully fresh run),
 * --monitoring (also start Prometheus with Haven's alert rules and Alertmanager, see
 * scripts/monitoring.ts; --prometheus-port / --alertmanager-port, default 9090 / 9093; --alert-for 15s
 * shortens every rule's `for:` locally, as `npm run e2e:alerts` does), --local-traces (keep
 * wrangler's local trace store, see below).
 * Env: DATABASE_URL, REDIS_URL, OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { devCorsOrigins } from "./dev-cors.ts";
import { startLocalStack } from "./local-stack/index.ts";
import { type Monitoring, startMonitoring } from "./monitoring.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    port: { type: "string" },
    host: { type: "string" },
    env: { type: "string" },
    "neon-port": { type: "string" },
    "upstash-port": { type: "string" },
    "openai-port": { type: "string" },
    quiet: { type: "boolean" },
    "data-dir": { type: "string" },
    monitoring: { type: "boolean" },
    "prometheus-port": { type: "string" },
    "alertmanager-port": { type: "string" },
    "alert-for": { type: "string" },
    "local-traces": { type: "boolean" },
  },
});
const host = values.host ?? "127.0.0.1";
const port = Number(values.port ?? process.env.PORT ?? 8787);
const wranglerEnv = values.env;
const num = (v: string | undefined) => (v ? Number(v) : undefined);
const dataDir = resolve(root, values["data-dir"] ?? ".data");

function openaiFromEnv() {
  const { OPENAI_BASE_URL: baseUrl, OPENAI_API_KEY: apiKey, OPENAI_MODEL: model } = process.env;
  if (!baseUrl) return undefined;
  return { baseUrl, apiKey: apiKey ?? "none", model: model ?? "gpt-4o-mini" };
}

async function waitForReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(3_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the Worker did not become ready within ${timeoutMs / 1000}s`);
}

async function main() {
  const stack = await startLocalStack({
    mode: wranglerEnv === "bench" ? "bench" : "dev",
    root,
    dataDir,
    databaseUrl: process.env.DATABASE_URL || undefined,
    redisUrl: process.env.REDIS_URL || undefined,
    openai: openaiFromEnv(),
    host,
    ports: {
      neon: num(values["neon-port"]),
      upstash: num(values["upstash-port"]),
      openai: num(values["openai-port"]),
    },
    tokenDelayMs: wranglerEnv === "bench" ? 0 : 25,
  });

  // wrangler.toml declares `secrets.required`, so wrangler loads only those names from the env
  // file; the local-only vars (Neon endpoint, offline flag, seed token, model) go in as --var.
  const LOCAL_VARS = [
    "NEON_LOCAL_FETCH_ENDPOINT",
    "NEON_LOCAL_WS_PROXY",
    "OPENAI_OFFLINE",
    "OPENAI_MODEL",
    "DEV_SEED_TOKEN",
  ];
  // Vars and secrets for wrangler dev: generated, git-ignored, readable only by this user.
  const varsFile = join(dataDir, wranglerEnv ? `dev.${wranglerEnv}.vars` : "dev.vars");
  mkdirSync(dirname(varsFile), { recursive: true });
  writeFileSync(
    varsFile,
    `${Object.entries(stack.bindings)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join("\n")}\n`,
    { mode: 0o600 },
  );

  const args = [
    "dev",
    "--ip",
    host,
    "--port",
    String(port),
    "--env-file",
    varsFile,
    "--show-interactive-dev-session=false",
    // Miniflare does not run cron triggers on its own: the minute ticker below calls /__scheduled.
    "--test-scheduled",
  ];
  for (const name of LOCAL_VARS) {
    const value = stack.bindings[name];
    if (value) args.push("--var", `${name}:${value}`);
  }
  // CORS follows the port this server really listens on, not wrangler.toml's :8787.
  args.push("--var", `CORS_ORIGINS:${devCorsOrigins(host, port)}`);
  if (values["data-dir"]) args.push("--persist-to", join(dataDir, "wrangler"));
  if (wranglerEnv) args.push("--env", wranglerEnv);
  if (values.quiet) args.push("--log-level", "warn");
  // Run wrangler's entry with THIS Node (22, from the devDependency): its shebang would pick up
  // whatever `node` is first on PATH, which on these machines is Node 20.
  const child = spawn(
    process.execPath,
    [join(root, "node_modules", "wrangler", "bin", "wrangler.js"), ...args],
    {
      cwd: root,
      stdio: ["ignore", "inherit", "inherit"],
      env: {
        // wrangler's local observability (on by default) runs a tail collector on every invocation
        // and keeps every trace in a SQLite Durable Object inside the Worker's workerd: in the soak
        // it grew to 741 MB on disk in 21 minutes. Production figures never include it. Off unless
        // asked for (`--local-traces`, or X_LOCAL_OBSERVABILITY set by the caller).
        X_LOCAL_OBSERVABILITY: values["local-traces"] ? "true" : "false",
        ...process.env,
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
      },
    },
  );

  let stopping = false;
  let monitoring: Monitoring | undefined;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    monitoring?.close();
    child.kill("SIGTERM");
    await stack.close();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  child.on("exit", (code) => void stop(code ?? 0));

  const url = `http://${host}:${port}`;
  await waitForReady(url, child, 90_000);
  const seeded = await fetch(`${url}/__dev/seed`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.bindings.DEV_SEED_TOKEN ?? ""}` },
  }).catch(() => undefined);
  const seedText = seeded?.ok ? await seeded.text() : "";
  const monitoringLines: string[] = [];
  if (values.monitoring) {
    const m = startMonitoring({
      root,
      dataDir,
      workerUrl: url,
      metricsToken: stack.bindings.METRICS_TOKEN ?? "",
      webhookToken: stack.bindings.OPS_WEBHOOK_TOKEN ?? "",
      prometheusPort: num(values["prometheus-port"]),
      alertmanagerPort: num(values["alertmanager-port"]),
      ...(values["alert-for"] ? { alertFor: values["alert-for"] } : {}),
    });
    if (typeof m === "string") monitoringLines.push(`  ${m}`);
    else {
      monitoring = m;
      monitoringLines.push(
        `  prometheus ${m.prometheusUrl}/alerts (scrapes ${url}/metrics every 5 s, Haven's rules)`,
        `  alerts    ${m.alertmanagerUrl} → ${url}/ops/alertmanager → admin console /admin/ops`,
      );
    }
  }
  // The notifications cron (reminders, digests, crisis sweep) every minute, as Cron Triggers would.
  const tick = () =>
    fetch(`${url}/__scheduled?cron=${encodeURIComponent("* * * * *")}`).catch(() => undefined);
  setInterval(tick, 60_000).unref();
  void tick();

  console.log(
    [
      "",
      "Haven is running.",
      `  app       ${url}/`,
      `  health    ${url}/health   ready ${url}/ready`,
      `  api docs  ${url}/docs     openapi ${url}/openapi.json`,
      ...stack.summary.map((l) => `  ${l}`),
      ...monitoringLines,
      ...(seedText ? ["", seedText.trimEnd()] : []),
      "",
      "Press Ctrl-C to stop everything.",
    ].join("\n"),
  );
}

main().catch((err: unknown) => {
  console.error(`haven dev failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
