/**
 * `npm run bench`: prints throughput/latency of Haven's hot routes on the local stack and the CPU
 * cost of the auth primitives in workerd. Reports figures only; asserts nothing (see README.md).
 *
 * Options: --concurrency N (16), --seconds S (8, per scenario), --warmup S (1), --logins N (20),
 * --no-crypto (skip the workerd CPU figures).
 */
import { availableParallelism, cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { type Credentials, login, signupPatient } from "./account.ts";
import { type CryptoFigures, measureCrypto } from "./crypto.ts";
import { type LoadResult, runLoad, type Scenario, timeSequential } from "./load.ts";
import { type DevStack, root, seededPatient, startDevStack } from "./stack.ts";

const { values } = parseArgs({
  options: {
    concurrency: { type: "string", default: "16" },
    seconds: { type: "string", default: "8" },
    warmup: { type: "string", default: "1" },
    logins: { type: "string", default: "20" },
    "no-crypto": { type: "boolean", default: false },
  },
});
const concurrency = Math.min(256, Math.max(1, Number(values.concurrency)));
const durationMs = Math.min(120, Math.max(1, Number(values.seconds))) * 1000;
const warmupMs = Math.min(30, Math.max(0, Number(values.warmup))) * 1000;
const loginCount = Math.min(200, Math.max(1, Number(values.logins)));

let active: DevStack | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the stack…`);
    void (active?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const failureText = (f: Record<string, number>) =>
  Object.entries(f)
    .map(([k, v]) => `${k}×${v}`)
    .join(", ") || "0";

function printLoad(results: LoadResult[]): void {
  const rows = [
    ["scenario", "requests", "req/s", "p50 ms", "p99 ms", "non-2xx"],
    ...results.map((r) => [
      r.name,
      String(r.requests),
      fmt(r.rps),
      fmt(r.p50, 2),
      fmt(r.p99, 2),
      failureText(r.failures),
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length))) ?? [];
  for (const row of rows)
    console.log(
      `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ")}`,
    );
}

async function hasRoute(url: string, token: string, path: string): Promise<boolean> {
  const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  await res.body?.cancel();
  return res.ok;
}

interface Figures {
  load: LoadResult[];
  login: { p50: number; p99: number };
  account: string;
}

async function benchStack(): Promise<Figures> {
  console.log("starting the stack (scripts/dev.ts --env bench)…");
  const stack = await startDevStack();
  active = stack;
  try {
    const seeded = seededPatient(stack.output());
    const creds: Credentials = seeded ?? (await signupPatient(stack.url, root));
    const token = await login(stack.url, creds);
    const auth = { authorization: `Bearer ${token}` };
    const scenarios: Scenario[] = [
      { name: "GET /health", path: "/health" },
      { name: "GET /v1/me/sessions", path: "/v1/me/sessions", headers: auth },
    ];
    if (await hasRoute(stack.url, token, "/v1/me"))
      scenarios.push({ name: "GET /v1/me", path: "/v1/me", headers: auth });
    else console.log("GET /v1/me is not available (non-2xx): skipped");

    const load: LoadResult[] = [];
    for (const s of scenarios) {
      console.log(
        `load: ${s.name} (${concurrency} connections, ${warmupMs / 1000}s warm-up + ${durationMs / 1000}s)…`,
      );
      load.push(await runLoad(stack.url, s, { concurrency, warmupMs, durationMs }));
    }
    // After the load runs, so /v1/me/sessions listed a single session while it was measured.
    console.log(`login: ${loginCount} sequential POST /v1/auth/login…`);
    const timed = await timeSequential(loginCount, async () => {
      await login(stack.url, creds);
    });
    return { load, login: timed, account: seeded ? "seeded demo patient" : "fresh signed-up patient" };
  } finally {
    console.log("stopping the stack…");
    await stack.stop();
    active = undefined;
  }
}

async function main(): Promise<void> {
  const cores = availableParallelism();
  console.log(
    `Haven bench: node ${process.version}, ${cores} CPU(s) (${cpus()[0]?.model.trim() ?? "unknown"})`,
  );
  const load1 = () => fmt(loadavg()[0] ?? Number.NaN, 2);
  console.log(`load average (1 min) before: ${load1()}`);
  let crypto: CryptoFigures | undefined;
  if (!values["no-crypto"]) {
    console.log(
      "crypto: measuring hashPassword / verifyPassword / verifyAccessToken in workerd (Miniflare)…",
    );
    crypto = await measureCrypto(root);
  }
  const figures = await benchStack();
  const loadAfter = load1();

  console.log(
    `\n== HTTP (loopback, closed loop, ${concurrency} connections, ${durationMs / 1000}s after ${warmupMs / 1000}s warm-up)`,
  );
  printLoad(figures.load);
  const health = figures.load.find((r) => r.name === "GET /health");
  for (const r of figures.load) {
    if (!health || r === health) continue;
    const ratio = r.rps / health.rps;
    console.log(
      `  ratio ${r.name} ÷ GET /health (req/s): ${fmt(ratio, 2)}  (target ≥ 0.50${ratio >= 0.5 ? ", met" : ", NOT met"})`,
    );
  }
  const failures = figures.load.filter((r) => Object.keys(r.failures).length > 0);
  if (failures.length > 0) {
    console.log(
      "  WARNING: non-2xx responses during load (429 means the [env.bench] rate limit was not applied):",
    );
    for (const r of failures) console.log(`    ${r.name}: ${failureText(r.failures)}`);
  } else console.log("  non-2xx responses: none");

  console.log(`\n== Login (${figures.account}, ${loginCount} sequential, end to end)`);
  console.log(`  POST /v1/auth/login   p50 ${fmt(figures.login.p50)} ms   p99 ${fmt(figures.login.p99)} ms`);
  if (crypto) {
    console.log("\n== Auth CPU in workerd (Miniflare isolate, sequential; wall ≈ CPU)");
    console.log(`  hashPassword     (PBKDF2 chain, 600k iterations)  ${fmt(crypto.hashMs)} ms/op`);
    console.log(`  verifyPassword   (same work as a hash)            ${fmt(crypto.verifyMs)} ms/op`);
    console.log(`  verifyAccessToken (HS256 + claim checks)          ${fmt(crypto.tokenVerifyUs)} µs/op`);
  }
  console.log(
    `\nload average (1 min) after the HTTP runs: ${loadAfter} (figures are only comparable on an idle machine)`,
  );
  if (cores <= 2) {
    console.log(
      `\nnote: ${cores} CPU(s): the load generator, workerd and the local Postgres/Redis share them.`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
