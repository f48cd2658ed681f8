/**
 * `npm run e2e:alerts`: one injected-failure run through the whole alerting path, timed.
 *
 * 1. A fault proxy (scripts/local-stack/fault-proxy.ts) in front of the Postgres server named by
 *    DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres); the dev stack's Neon
 *    stand-in reaches Postgres only through it. Databases `<HAVEN_DB_PREFIX>_{us,eu,apac}`
 *    (default prefix `haven_e2e_alerts`) are dropped before and after the run.
 * 2. `scripts/dev.ts --monitoring --alert-for 15s`: the Worker, Prometheus (Haven's rules with
 *    every `for:` shortened to 15 s — local only) and Alertmanager (regrouping every 10 s).
 * 3. Prometheus scrapes Haven (target up); the demo admin signs in (Chromium) and opens /admin/ops.
 * 4. The proxy refuses connections (Postgres down) while the script keeps requests flowing;
 *    HavenDependencyDown{dependency="database"} fires in Prometheus, Alertmanager posts it to
 *    Haven's webhook, and the console's alert list shows it.
 * 5. Postgres comes back: the admin's inbox (/notifications) and the dev mailbox have the alert
 *    notification (its delivery waited for the database, through the queue's retries); then the
 *    alert resolves in Prometheus and the console, and the resolution reaches the inbox.
 *
 * Every phase's time since the failure was injected is printed (and recorded in
 * docs/observability.md). Ports: E2E_PORT (Worker), E2E_PROMETHEUS_PORT, E2E_ALERTMANAGER_PORT,
 * E2E_STACK_PORTS ("neon,upstash,openai"); free ports when unset. Everything started is stopped at the end, also on failure.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { chromium, type Page } from "playwright-core";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  check,
  fail,
  freePort,
  parseDemoCredentials,
  signIn,
  startDev,
  stopDev,
  tally,
  totp,
} from "./e2e-lib.ts";
import { startFaultProxy } from "./local-stack/fault-proxy.ts";

const ALERT = "HavenDependencyDown";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const portOf = async (name: string) => Number(process.env[name] ?? 0) || (await freePort());

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(1000);
  }
}

async function dropDatabases(adminUrl: string, prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const r of ["us", "eu", "apac"])
      await client.query(`drop database if exists ${prefix}_${r} with (force)`);
  } finally {
    await client.end();
  }
}

interface PromAlert {
  labels: Record<string, string>;
  state: string;
}
async function promAlerts(url: string): Promise<PromAlert[]> {
  const res = await fetch(`${url}/api/v1/alerts`);
  return ((await res.json()) as { data: { alerts: PromAlert[] } }).data.alerts;
}

async function pageText(page: Page, selector: string): Promise<string> {
  return (await page.textContent(selector)) ?? "";
}

/** Waits until the ops view's alert list shows `text`; on timeout says what the page showed. */
async function consoleShows(page: Page, text: string): Promise<void> {
  try {
    await page.waitForFunction(
      (t) => (document.querySelector("#alerts")?.textContent ?? "").includes(t),
      text,
      { timeout: 120_000, polling: 1000 },
    );
  } catch (err) {
    const status = await page.evaluate(async () => {
      const r = await fetch("/v1/ops/alerts", { credentials: "same-origin" });
      return `${r.status} ${(await r.text()).slice(0, 300)}`;
    });
    throw new Error(
      `${(err as Error).message}; #ops-error: ${await pageText(page, "#ops-error")}; #alerts: ${(await pageText(page, "#alerts")).slice(0, 200)}; /v1/ops/alerts: ${status}`,
    );
  }
}

async function main(): Promise<number> {
  const databaseUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const prefix = process.env.HAVEN_DB_PREFIX || "haven_e2e_alerts";
  const target = new URL(databaseUrl);
  const [port, promPort, amPort] = [
    await portOf("E2E_PORT"),
    await portOf("E2E_PROMETHEUS_PORT"),
    await portOf("E2E_ALERTMANAGER_PORT"),
  ];
  // E2E_STACK_PORTS="neon,upstash,openai" pins the local stand-ins' ports (else free ports).
  const [neonPort, upstashPort, openaiPort] = (process.env.E2E_STACK_PORTS ?? "").split(",");
  const stackPorts = [
    ...(neonPort ? ["--neon-port", neonPort] : []),
    ...(upstashPort ? ["--upstash-port", upstashPort] : []),
    ...(openaiPort ? ["--openai-port", openaiPort] : []),
  ];
  await dropDatabases(databaseUrl, prefix);
  const proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const viaProxy = new URL(databaseUrl);
  viaProxy.port = String(proxy.port);
  process.env.DATABASE_URL = viaProxy.toString();
  process.env.HAVEN_DB_PREFIX = prefix;

  const dataDir = mkdtempSync(join(tmpdir(), "haven-e2e-alerts-"));
  const started = Date.now();
  const dev = startDev(port, dataDir, [
    "--monitoring",
    "--prometheus-port",
    String(promPort),
    "--alertmanager-port",
    String(amPort),
    "--alert-for",
    "15s",
    ...stackPorts,
  ]);
  const base = `http://127.0.0.1:${port}`;
  const prometheus = `http://127.0.0.1:${promPort}`;
  const alertmanager = `http://127.0.0.1:${amPort}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const timings: Array<[string, number]> = [];
  let injectedAt = 0;
  const mark = (what: string) => {
    const s = (Date.now() - injectedAt) / 1000;
    timings.push([what, s]);
    console.log(`  t+${s.toFixed(1)} s  ${what}`);
  };
  let traffic = true;
  try {
    const out = await dev.ready;
    if (out.includes("monitoring skipped")) throw new Error("Prometheus/Alertmanager are not installed");
    const creds = parseDemoCredentials(out);
    console.log(`dev ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);

    const up = await waitFor(
      "Prometheus to scrape Haven",
      async () => {
        const res = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent('up{job="haven"}')}`);
        const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
        return body.data.result[0]?.value[1] === "1" ? true : undefined;
      },
      90_000,
    );
    check("Prometheus scrapes Haven", up, 'up{job="haven"} == 1');

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: base });
    ctx.setDefaultTimeout(30_000);
    const page = await ctx.newPage();
    await signIn(page, creds.admin.email, creds.admin.password, () => totp(creds.admin.totpSecret));
    await page.goto("/admin/ops");

    // Requests that read Postgres keep flowing all along (the readiness probe asks every region).
    void (async () => {
      while (traffic) {
        await fetch(`${base}/ready`).catch(() => undefined);
        await sleep(300);
      }
    })();

    injectedAt = Date.now();
    await proxy.set({ mode: "refuse" });
    console.log("Postgres refused (fault proxy):");
    mark("failure injected (Postgres refuses connections)");
    const ready = await fetch(`${base}/ready`);
    check("the Worker answers 503 while Postgres is down", ready.status === 503, String(ready.status));

    await waitFor(
      `${ALERT} pending`,
      async () =>
        (await promAlerts(prometheus)).some((a) => a.labels.alertname === ALERT) ? true : undefined,
      120_000,
    );
    mark(`${ALERT} pending in Prometheus`);
    const firing = await waitFor(
      `${ALERT} firing`,
      async () =>
        (await promAlerts(prometheus)).find((a) => a.labels.alertname === ALERT && a.state === "firing"),
      120_000,
    );
    mark(`${ALERT} firing in Prometheus (dependency=${firing.labels.dependency})`);
    check(
      "the alert names the dependency (postgres)",
      firing.labels.dependency === "postgres",
      JSON.stringify(firing.labels),
    );
    await waitFor(
      "Alertmanager to hold the alert",
      async () => {
        const res = await fetch(
          `${alertmanager}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${ALERT}"`)}`,
        );
        return ((await res.json()) as unknown[]).length > 0 ? true : undefined;
      },
      60_000,
    );
    mark("alert in Alertmanager");
    await consoleShows(page, `${ALERT} firing`);
    mark("admin console /admin/ops shows it firing");
    check("console shows the alert", (await pageText(page, "#alerts")).includes(ALERT), "");

    await proxy.set({ mode: "pass" });
    mark("Postgres restored");

    const inboxHas = async (text: string) => {
      await page.goto("/notifications");
      await page.waitForFunction(
        () => (document.querySelector("#inbox")?.children.length ?? 0) > 0,
        undefined,
        {
          timeout: 10_000,
        },
      );
      return (await pageText(page, "#inbox")).includes(text) ? true : undefined;
    };
    await waitFor(
      "the admin's inbox to have the firing alert",
      () => inboxHas(`${ALERT} is firing`),
      240_000,
    );
    mark("admin inbox (/notifications) has the firing notification");
    await waitFor(
      "the dev mailbox to have the email",
      async () =>
        (await (await fetch(`${base}/dev/mailbox`)).text()).includes("Haven: operations alert")
          ? true
          : undefined,
      60_000,
    );
    mark("email in the dev mailbox");

    await waitFor(
      `${ALERT} to resolve in Prometheus`,
      async () =>
        (await promAlerts(prometheus)).some((a) => a.labels.alertname === ALERT) ? undefined : true,
      240_000,
    );
    mark(`${ALERT} resolved in Prometheus`);
    await page.goto("/admin/ops");
    await consoleShows(page, `${ALERT} resolved`);
    mark("admin console shows it resolved");
    await waitFor("the resolution in the inbox", () => inboxHas(`${ALERT} is resolved`), 120_000);
    mark("admin inbox has the resolved notification");
    await page.screenshot({ path: "/tmp/e2e-alerts-inbox.png", fullPage: true });
    await ctx.close();
  } catch (err) {
    fail("e2e:alerts", err instanceof Error ? err.message : String(err));
  } finally {
    traffic = false;
    await browser.close();
    await stopDev(dev.child);
    // stopDev skips a dev process that already exited; its group (wrangler, workerd) may not have.
    try {
      if (dev.child.pid) process.kill(-dev.child.pid, "SIGKILL");
    } catch {
      // gone
    }
    await proxy.close();
    await dropDatabases(databaseUrl, prefix).catch(() => undefined);
    if (!process.env.E2E_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  }
  console.log("\ntimings (seconds after the failure was injected):");
  for (const [what, s] of timings) console.log(`  ${s.toFixed(1).padStart(6)}  ${what}`);
  console.log(tally.failures === 0 ? "e2e:alerts passed" : `e2e:alerts: ${tally.failures} failure(s)`);
  return tally.failures === 0 ? 0 : 1;
}

main().then((code) => process.exit(code));
