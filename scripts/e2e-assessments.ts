/**
 * `npm run e2e:assessments`: the assessments half of the measurement-based-care issue in a real
 * browser. Starts `scripts/dev.ts` (ports from E2E_PORT, default 8810, and the three after it; a
 * fresh temporary data folder), reads the demo credentials, then with Debian's Chromium: the demo
 * patient (seeded PHQ-9/GAD-7 history) sees the band-shaded charts and the due/overdue list, takes
 * the PHQ-9 one question per screen by KEYBOARD ONLY at phone width (390×844) with progress shown,
 * answers item 9 with "Several days" and gets crisis help first; the demo clinician (password +
 * TOTP) finds the alert in the inbox and the due list. axe-core checks every page at phone and
 * desktop widths (violations fail the run). Screenshots go to /tmp/e2e-assess-*.png. Everything
 * started here is stopped at the end, also on failure.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const PORT = Number(process.env.E2E_PORT ?? 8810);
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const AXE = join(root, "node_modules", "axe-core", "axe.min.js");

let failures = 0;
function check(name: string, ok: boolean, detail = ""): void {
  if (!ok) failures++;
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`);
}

function totp(secret: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bytes: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const c of secret.replace(/[\s=-]/g, "").toUpperCase()) {
    acc = ((acc << 5) | alphabet.indexOf(c)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((acc >>> bits) & 0xff);
    }
  }
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
  const mac = createHmac("sha1", Buffer.from(bytes)).update(counter).digest();
  const offset = (mac.at(-1) ?? 0) & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

function startDev(dataDir: string): { child: ChildProcess; ready: Promise<string> } {
  const child = spawn(
    process.execPath,
    [
      "--experimental-strip-types",
      join(root, "scripts", "dev.ts"),
      ...["--port", String(PORT), "--neon-port", String(PORT + 1)],
      ...["--upstash-port", String(PORT + 2), "--openai-port", String(PORT + 3), "--data-dir", dataDir],
    ],
    { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dev not ready:\n${out.slice(-2000)}`)), 180_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("Press Ctrl-C to stop everything.")) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`dev exited (${code}):\n${out.slice(-2000)}`));
    });
  });
  return { child, ready };
}

async function stopDev(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const group = (sig: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), sig);
    } catch {
      // gone
    }
  };
  group("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  group("SIGKILL");
}

/** axe-core on the current page (WCAG 2 A/AA rules); returns the violations' ids and counts. */
async function axe(page: Page, name: string): Promise<void> {
  // Evaluated over the DevTools protocol, so the page's CSP (which forbids inline scripts) stays on.
  await page.evaluate(readFileSync(AXE, "utf8"));
  const violations = await page.evaluate(async () => {
    const w = window as unknown as {
      axe: { run: (o: unknown) => Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> };
    };
    const r = await w.axe.run({
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return r.violations.map((v) => `${v.id}×${v.nodes.length}`);
  });
  check(`axe ${name}`, violations.length === 0, violations.join(", ") || "no violations");
}

async function signIn(page: Page, email: string, password: string, code?: () => string) {
  await page.goto("/login");
  await page.fill("#email", email);
  await page.fill("#password", password);
  await Promise.all([page.waitForLoadState("load"), page.click("form[action='/login'] button[type=submit]")]);
  if (code) {
    await page.waitForSelector("form[action='/login/mfa']");
    await page.fill("#code", code());
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith("/login")),
      page.click("text=Continue"),
    ]);
  }
}

async function scenario(browser: Browser, base: string, log: string): Promise<void> {
  const patientCreds = /patient\s+(\S+@\S+)\s+password (\S+)/.exec(log);
  const clinCreds = /clinician\s+(\S+@\S+)\s+password (\S+)\s+TOTP secret (\S+)/.exec(log);
  if (!patientCreds?.[1] || !patientCreds[2] || !clinCreds?.[1] || !clinCreds[2] || !clinCreds[3])
    throw new Error("demo credentials not in the dev output");
  const errors: string[] = [];
  const ctx = await browser.newContext({ viewport: PHONE, baseURL: base, bypassCSP: false });
  const page = await ctx.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`${new URL(page.url()).pathname}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(e.message));
  await signIn(page, patientCreds[1], patientCreds[2]);

  await page.goto("/assessments");
  check("nav has Assessments", (await page.locator("nav a[href='/assessments']").count()) === 1);
  const charts = await page.evaluate(() => {
    const w = window as unknown as { Chart?: { getChart: (c: Element) => unknown } };
    return Array.from(document.querySelectorAll("canvas[data-score-chart]")).map((c) =>
      Boolean(w.Chart?.getChart(c)),
    );
  });
  check(
    "history charts drawn by Chart.js",
    charts.length === 2 && charts.every(Boolean),
    `${charts.length} charts`,
  );
  const due = await page.locator(".due-list li").allTextContents();
  check(
    "due list: PHQ-9 due, GAD-7 overdue",
    due.some((t) => t.includes("GAD-7") && t.includes("Overdue")) &&
      due.some((t) => t.includes("PHQ-9") && t.includes("Due now")),
    due.join(" | "),
  );
  await page.screenshot({ path: "/tmp/e2e-assess-overview-phone.png", fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check("overview fits a phone", overflow <= 0, `${overflow}px overflow`);
  await axe(page, "/assessments (phone)");

  // PHQ-9 by keyboard only, one question per screen.
  await page.goto("/assessments/phq-9");
  await axe(page, "/assessments/phq-9 (phone)");
  const visible = async () => page.locator("fieldset[data-step]:visible").count();
  check("one question per screen", (await visible()) === 1, `${await visible()} visible`);
  check("progress shown", (await page.locator(".stepper-progress p").textContent()) === "Question 1 of 10");
  // Answers: q1 several days, q2 several days, q3..q8 not at all, q9 several days, difficulty skipped.
  const picks = [1, 1, 0, 0, 0, 0, 0, 0, 1];
  for (const [n, pick] of picks.entries()) {
    const first = page.locator(`fieldset[data-step='${n}'] input[type=radio]`).first();
    await first.focus();
    await page.keyboard.press("Space");
    for (let k = 0; k < pick; k++) await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    if (n === 3) await page.screenshot({ path: "/tmp/e2e-assess-step-phone.png" });
  }
  check(
    "progress at the optional question",
    (await page.locator(".stepper-progress p").textContent()) === "Question 10 of 10",
  );
  await page.locator("fieldset[data-step='9'] input[type=radio]").first().focus();
  await Promise.all([page.waitForURL("**/assessments/phq-9"), page.keyboard.press("Enter")]);
  await page.waitForSelector("h1");
  const heading = await page.locator("h1").textContent();
  const alertText = (await page.locator("[role=alert]").first().textContent()) ?? "";
  check("item 9 → crisis help first", heading === "Please talk to someone today", heading ?? "");
  check("care team told", alertText.includes("let your care team know"), alertText.slice(0, 80));
  check("score 3, minimal", (await page.locator(".facts").textContent())?.includes("3 out of 27") ?? false);
  await page.screenshot({ path: "/tmp/e2e-assess-result-phone.png", fullPage: true });
  await axe(page, "PHQ-9 result (phone)");

  // C-SSRS skip logic in the stepper: no to Q2 skips 3–5.
  await page.goto("/assessments/c-ssrs");
  await page.check("input[name=wishedDead][value=no]");
  await page.click("text=Next");
  await page.check("input[name=suicidalThoughts][value=no]");
  await page.click("text=Next");
  const afterQ2 = await page.locator("fieldset[data-step]:visible legend").textContent();
  check(
    "C-SSRS: no to Q2 goes to Q6",
    afterQ2?.includes("Have you ever done anything") ?? false,
    afterQ2?.slice(0, 40) ?? "",
  );
  await axe(page, "/assessments/c-ssrs (phone)");

  await page.setViewportSize(DESKTOP);
  await page.goto("/assessments");
  await page.screenshot({ path: "/tmp/e2e-assess-overview-desktop.png", fullPage: true });
  await axe(page, "/assessments (desktop)");

  // The clinician: alert in the inbox, due list.
  const clinCtx = await browser.newContext({ viewport: DESKTOP, baseURL: base });
  const clin = await clinCtx.newPage();
  await signIn(clin, clinCreds[1], clinCreds[2], () => totp(clinCreds[3] as string));
  const alerts = await (await clin.request.get("/v1/clinician/alerts")).json();
  check("clinician inbox has the item-9 alert", JSON.stringify(alerts).includes('"severity":"moderate"'));
  const clinDue = (await (await clin.request.get("/v1/clinician/assessments/due")).json()) as {
    assignments: unknown[];
  };
  check(
    "clinician due list",
    clinDue.assignments.length === 1,
    `${clinDue.assignments.length} due/overdue (PHQ-9 just taken)`,
  );
  await clin.goto("/clinician/assessments");
  const overdue = (await clin.locator(".due-overdue").allTextContents()).join(" | ");
  check(
    "clinician page lists the overdue GAD-7 by name",
    overdue.includes("Demo Patient") && overdue.includes("GAD-7"),
    overdue,
  );
  await axe(clin, "/clinician/assessments (desktop)");
  check("no console errors or CSP violations", errors.length === 0, errors.join("; "));
}

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), "mbc-assess-e2e-"));
  const { child, ready } = startDev(dataDir);
  let browser: Browser | undefined;
  try {
    const log = await ready;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
    await scenario(browser, `http://127.0.0.1:${PORT}`, log);
  } catch (err) {
    check("e2e", false, err instanceof Error ? err.message : String(err));
  } finally {
    await browser?.close().catch(() => undefined);
    await stopDev(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(failures === 0 ? "PASS e2e:assessments" : `FAIL e2e:assessments: ${failures} check(s) failed`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main();
