/**
 * `npm run e2e:ops`: the observability issue's admin-facing parts in a real browser. Starts
 * `scripts/dev.ts` on a free port with a fresh data folder; scrapes `/metrics` with the local
 * token (and is refused without it); posts an Alertmanager notification to the webhook as
 * Alertmanager would; the demo admin signs in (password + TOTP) and opens `/admin/ops`, which must
 * show live traffic per route, the alert, and — searching by the webhook call's request id — its
 * log event; axe-core reports no WCAG A/AA violations at desktop and phone widths; the demo
 * patient sees no ops data. Everything started is stopped at the end, also on failure.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import {
  axeViolations,
  CHROMIUM,
  CHROMIUM_ARGS,
  check,
  fail,
  freePort,
  PHONE,
  parseDemoCredentials,
  signIn,
  startDev,
  stopDev,
  tally,
  totp,
  watchConsole,
} from "./e2e-lib.ts";

async function main(): Promise<number> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "haven-e2e-ops-"));
  const dev = startDev(port, dataDir);
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const creds = parseDemoCredentials(await dev.ready);
    const secrets = JSON.parse(readFileSync(join(dataDir, "local-secrets.json"), "utf8")) as Record<
      string,
      string
    >;

    const refused = await fetch(`${base}/metrics`);
    check("/metrics without token", refused.status === 401, String(refused.status));
    for (let i = 0; i < 5; i++) await fetch(`${base}/health`);
    const scrape = await fetch(`${base}/metrics`, {
      headers: { authorization: `Bearer ${secrets.METRICS_TOKEN}` },
    });
    const text = await scrape.text();
    check(
      "/metrics with token",
      scrape.status === 200 &&
        /http_requests_total\{method="GET",route="\/health",status="200"\} \d+/.test(text),
      `${scrape.status}, ${text.split("\n").length} lines`,
    );

    const hook = await fetch(`${base}/ops/alertmanager`, {
      method: "POST",
      headers: { authorization: `Bearer ${secrets.OPS_WEBHOOK_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        version: "4",
        status: "firing",
        receiver: "haven-ops-critical",
        alerts: [
          {
            status: "firing",
            labels: { alertname: "HavenDependencyDown", severity: "critical", dependency: "redis" },
            annotations: { summary: "Dependency redis is failing or its circuit breaker is open" },
            startsAt: new Date().toISOString(),
            fingerprint: "e2e0000000000001",
          },
        ],
      }),
    });
    const hookRequestId = hook.headers.get("x-request-id") ?? "";
    check("Alertmanager webhook accepted", hook.status === 200, `${hook.status} ${hookRequestId}`);

    // One sign-in (a TOTP code is accepted once), its session reused at phone width.
    let session: Awaited<ReturnType<BrowserContext["storageState"]>> | undefined;
    for (const viewport of [{ width: 1280, height: 900 }, PHONE]) {
      const label = viewport.width > 600 ? "desktop" : "phone";
      const ctx = await browser.newContext({ viewport, baseURL: base, storageState: session });
      ctx.setDefaultTimeout(20_000);
      const page = await ctx.newPage();
      const problems: string[] = [];
      watchConsole(page, problems);
      if (!session) {
        await signIn(page, creds.admin.email, creds.admin.password, () => totp(creds.admin.totpSecret));
        session = await ctx.storageState();
      }
      await page.goto("/admin/ops");
      // Rates need two polls (5 s apart); traffic in between makes the table non-empty.
      await page.waitForFunction(() =>
        document.querySelector("#ops-status")?.textContent?.startsWith("Updated"),
      );
      for (let i = 0; i < 10; i++) await fetch(`${base}/health`);
      await page.waitForFunction(() => document.querySelectorAll("#routes tbody tr").length > 0, undefined, {
        timeout: 20_000,
      });
      const routes = await page.$$eval("#routes tbody tr td:first-child", (tds) =>
        tds.map((t) => t.textContent),
      );
      check(`${label}: live traffic per route`, routes.includes("/health"), routes.slice(0, 5).join(", "));
      const alerts = await page.textContent("#alerts");
      check(
        `${label}: Alertmanager alert shown`,
        Boolean(alerts?.includes("HavenDependencyDown")),
        alerts?.slice(0, 80) ?? "",
      );
      await page.fill("#request-id", hookRequestId);
      await page.click("#log-search button[type=submit]");
      await page.waitForFunction(
        (id) =>
          Array.from(document.querySelectorAll("#events tbody tr")).some((tr) =>
            tr.textContent?.includes(id as string),
          ),
        hookRequestId,
      );
      const events = await page.$$eval("#events tbody tr", (trs) => trs.map((t) => t.textContent ?? ""));
      check(
        `${label}: log search by request id`,
        events.length > 0 &&
          events.every((e) => e.includes(hookRequestId)) &&
          events.some((e) => e.includes("ops_alert_firing")),
        `${events.length} event(s)`,
      );
      const violations = await axeViolations(page);
      check(
        `${label}: axe-core /admin/ops`,
        violations.length === 0,
        violations.join("; ") || "no violations",
      );
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(`${label}: no horizontal overflow`, overflow <= 0, `${overflow}px`);
      await page.screenshot({ path: `/tmp/e2e-ops-${label}.png`, fullPage: true });
      check(`${label}: no console errors`, problems.length === 0, problems.join("; ") || "none");
      await ctx.close();
    }

    const ctx = await browser.newContext({ baseURL: base });
    const page = await ctx.newPage();
    await signIn(page, creds.patient.email, creds.patient.password);
    await page.goto("/admin/ops");
    await page.waitForFunction(() => (document.querySelector("#ops-error")?.textContent ?? "").length > 0);
    const rows = await page.$$eval("#routes tbody tr", (trs) => trs.length);
    check("patient sees no ops data", rows === 0, (await page.textContent("#ops-error")) ?? "");
    await ctx.close();
  } catch (err) {
    fail("e2e:ops", err instanceof Error ? err.message : String(err));
  } finally {
    await browser.close();
    await stopDev(dev.child);
    if (!process.env.E2E_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(tally.failures === 0 ? "e2e:ops passed" : `e2e:ops: ${tally.failures} failure(s)`);
  return tally.failures === 0 ? 0 : 1;
}

main().then((code) => process.exit(code));
