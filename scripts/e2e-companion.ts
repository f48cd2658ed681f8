/**
 * `npm run e2e:companion [-- --port 8880]`: the between-session summary in a real Chromium.
 * Starts `scripts/dev.ts` with a fresh data folder (so the demo accounts are printed), then: the
 * demo patient (care-plan consent on in the seed) opens "Between sessions" at phone width and
 * generates the summary with the keyboard; the demo clinician signs in (password + TOTP), opens the
 * patient's chart from the caseload, reads the same summary labelled AI-generated with the risk
 * events listed from the records, and regenerates it. axe-core (WCAG 2.x A/AA) runs on both pages;
 * console errors, failed responses and horizontal overflow at phone width fail the run.
 *
 * Env: CHROMIUM (default /usr/bin/chromium), E2E_KEEP_DATA=1 keeps the data folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import {
  axeViolations,
  CHROMIUM,
  CHROMIUM_ARGS,
  check,
  fail,
  freePort,
  PHONE,
  parseDemoCredentials,
  pass,
  signIn,
  startDev,
  stopDev,
  tally,
  totp,
  watchConsole,
} from "./e2e-lib.ts";

const OVERALL_TIMEOUT_MS = 360_000;
const portArg = process.argv.indexOf("--port");

async function noOverflow(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

async function patientView(browser: Browser, base: string, email: string, password: string) {
  const errors: string[] = [];
  const ctx = await browser.newContext({ viewport: PHONE, baseURL: base, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  watchConsole(page, errors);
  await signIn(page, email, password);
  await page.goto("/summary");
  const button = page.locator("#summary form button[type=submit]");
  check("patient: Generate button", (await button.textContent())?.trim() === "Generate summary", "");
  // Keyboard only: tab to the button and press Enter.
  await button.focus();
  await Promise.all([page.waitForURL(/\/summary\?saved=1/), page.keyboard.press("Enter")]);
  const section = (await page.locator("#summary").textContent()) ?? "";
  check("patient: labelled AI-generated", section.includes("AI-generated"), "");
  check(
    "patient: mood trend drafted",
    section.includes("Mood trend") && section.includes("[offline draft]"),
    "",
  );
  check("patient: risk events from the records", section.includes("from the records, not the model"), "");
  check("patient: no horizontal overflow at 390 px", await noOverflow(page), "");
  const axe = await axeViolations(page);
  check("patient: axe WCAG A/AA", axe.length === 0, axe.join("; "));
  await page.screenshot({ path: "/tmp/e2e-companion-patient.png", fullPage: true });
  check("patient: no console errors", errors.length === 0, errors.join("; "));
  await ctx.close();
  return section;
}

async function clinicianView(
  browser: Browser,
  base: string,
  creds: { email: string; password: string; totpSecret: string },
  viewport: { width: number; height: number },
) {
  const errors: string[] = [];
  const ctx = await browser.newContext({ viewport, baseURL: base, deviceScaleFactor: 1 });
  const page = await ctx.newPage();
  watchConsole(page, errors);
  await signIn(page, creds.email, creds.password, () => totp(creds.totpSecret));
  await page.goto("/clinician");
  const link = page.locator("a[href^='/clinician/patients/']", { hasText: "Demo Patient" }).first();
  await Promise.all([page.waitForURL(/\/clinician\/patients\//), link.click()]);
  const section = page.locator("#summary");
  const text = (await section.textContent()) ?? "";
  check(
    "clinician: summary on the chart",
    text.includes("Between-session summary") && text.includes("Overview"),
    "",
  );
  check("clinician: labelled AI-generated", text.includes("AI-generated"), "");
  await Promise.all([
    page.waitForURL(/saved=summary/),
    section.locator("button", { hasText: "Regenerate" }).click(),
  ]);
  const notice = (await page.locator(".notice").first().textContent()) ?? "";
  check("clinician: regenerated", notice.includes("between-session summary was drafted"), notice);
  check(`clinician: no horizontal overflow at ${viewport.width} px`, await noOverflow(page), "");
  const axe = await axeViolations(page);
  check("clinician: axe WCAG A/AA", axe.length === 0, axe.join("; "));
  await page.screenshot({ path: `/tmp/e2e-companion-clinician-${viewport.width}.png`, fullPage: true });
  check("clinician: no console errors", errors.length === 0, errors.join("; "));
  await ctx.close();
  return text;
}

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), "haven-e2e-companion-"));
  const port = portArg > 0 ? Number(process.argv[portArg + 1]) : await freePort();
  const base = `http://127.0.0.1:${port}`;
  const { child, ready } = startDev(port, dataDir);
  let browser: Browser | undefined;
  const cleanup = async () => {
    await browser?.close().catch(() => undefined);
    await stopDev(child);
    if (!process.env.E2E_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  };
  const overall = setTimeout(() => {
    fail("overall", `timed out after ${OVERALL_TIMEOUT_MS / 1000}s`);
    void cleanup().then(() => process.exit(1));
  }, OVERALL_TIMEOUT_MS);
  try {
    const creds = parseDemoCredentials(await ready);
    pass("dev server up", base);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
    const seen = await patientView(browser, base, creds.patient.email, creds.patient.password);
    const chart = await clinicianView(browser, base, creds.clinician, { width: 1280, height: 900 });
    const overview = (s: string) => /Overview(.*?)Themes/s.exec(s)?.[1] ?? "";
    check("the clinician reads what the patient generated", overview(seen) === overview(chart), "");
    await new Promise((r) => setTimeout(r, 31_000)); // a fresh TOTP step for the second sign-in
    await clinicianView(browser, base, creds.clinician, PHONE);
  } catch (err) {
    fail("e2e:companion", err instanceof Error ? err.message : String(err));
  } finally {
    clearTimeout(overall);
    await cleanup();
  }
  console.log(
    tally.failures === 0
      ? "PASS e2e:companion: all checks passed"
      : `FAIL e2e:companion: ${tally.failures} failed`,
  );
  return tally.failures === 0 ? 0 : 1;
}

process.exitCode = await main();
