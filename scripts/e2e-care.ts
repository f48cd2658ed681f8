/**
 * `npm run e2e:care`: measurement-based care in a real browser, at desktop (1280×900) and phone
 * (390×844) widths. Starts `scripts/dev.ts` on a free port with a fresh data folder (or uses a
 * running one: E2E_BASE_URL plus E2E_CREDENTIALS_LOG, the file its demo credentials were printed
 * to), then with Debian's Chromium: the patient logs a mood, writes a safety plan and takes the
 * PHQ-9 one question per screen (item 9 above 0, so the crisis path runs); the clinician signs in
 * (password + TOTP), lands on the caseload, sees the patient ranked first with the unacknowledged
 * alert as the reason, opens the chart (score chart drawn, timeline lists the crisis) and
 * acknowledges the alert, which then shows on the timeline. axe-core checks every page visited
 * (WCAG 2.x A/AA rules) and any violation fails the run, as do console errors.
 *
 * Env: CHROMIUM (default /usr/bin/chromium).
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { freePort, totp } from "./e2e-lib.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const AXE = readFileSync(join(root, "node_modules", "axe-core", "axe.min.js"), "utf8");
const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;
const STEP_TIMEOUT_MS = 20_000;

let failures = 0;
const text = async (l: Locator): Promise<string> => (await l.textContent()) ?? "";
function check(name: string, ok: boolean, detail = ""): void {
  if (!ok) failures++;
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`);
}

let lastStep = -1;
/** A TOTP code from a time step not used before (the server refuses a step twice): waits if needed. */
async function freshTotp(secret: string): Promise<string> {
  let step = Math.floor(Date.now() / 30_000);
  if (step === lastStep) {
    await new Promise((r) => setTimeout(r, (step + 1) * 30_000 - Date.now() + 500));
    step = Math.floor(Date.now() / 30_000);
  }
  lastStep = step;
  return totp(secret);
}

interface Credentials {
  patient: { email: string; password: string };
  clinician: { email: string; password: string; totpSecret: string };
}

function parseCredentials(log: string): Credentials {
  const patient = /patient\s+(\S+@\S+)\s+password (\S+)/.exec(log);
  const clinician = /clinician\s+(\S+@\S+)\s+password (\S+)\s+TOTP secret (\S+)/.exec(log);
  if (!patient?.[1] || !patient[2] || !clinician?.[1] || !clinician[2] || !clinician[3])
    throw new Error("demo credentials not found in the dev output (was the data folder fresh?)");
  return {
    patient: { email: patient[1], password: patient[2] },
    clinician: { email: clinician[1], password: clinician[2], totpSecret: clinician[3] },
  };
}

function startDev(port: number, dataDir: string): { child: ChildProcess; ready: Promise<string> } {
  const args = ["--experimental-strip-types", join(root, "scripts", "dev.ts"), "--port", String(port)];
  const child = spawn(process.execPath, [...args, "--data-dir", dataDir], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dev not ready:\n${out.slice(-2000)}`)), 150_000);
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
      // already gone
    }
  };
  group("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  group("SIGKILL");
}

const consoleErrors: string[] = [];
function watch(page: Page): void {
  page.on("console", (msg) => {
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource"))
      consoleErrors.push(`${new URL(page.url()).pathname}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => consoleErrors.push(`${new URL(page.url()).pathname}: ${err.message}`));
}

/** axe-core on the current page: WCAG 2.x A and AA rules; every violation is reported. */
async function axe(page: Page, label: string): Promise<void> {
  // Evaluated over the DevTools protocol: the page CSP (script-src 'self') stays in force for the page.
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const w = window as unknown as {
      axe: {
        run: (
          ctx: Document,
          opts: unknown,
        ) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
      };
    };
    const r = await w.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return r.violations.map(
      (v) => `${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
  });
  check(`axe ${label}`, violations.length === 0, violations.join("; ") || "no violations");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(
    `layout ${label}`,
    overflow <= 0,
    overflow > 0 ? `${overflow}px horizontal overflow` : "fits the width",
  );
}

async function signIn(
  page: Page,
  email: string,
  password: string,
  code?: () => Promise<string>,
): Promise<void> {
  await page.goto("/login");
  await page.fill("#email", email);
  await page.fill("#password", password);
  await Promise.all([page.waitForLoadState("load"), page.click("form[action='/login'] button[type=submit]")]);
  if (code) {
    await page.waitForSelector("form[action='/login/mfa']");
    await page.fill("#code", await code());
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith("/login")),
      page.click("text=Continue"),
    ]);
  }
}

/** The PHQ-9, one question per screen: answer each visible step (item 9 = 1), Next, then submit. */
async function takePhq9(page: Page): Promise<void> {
  await page.goto("/assessments/phq-9");
  for (let i = 0; i < 12; i++) {
    const step = page.locator("fieldset[data-step]:visible").first();
    const name = await step.locator("input[type=radio]").first().getAttribute("name");
    const value = name === "q9" ? "1" : name === "difficulty" ? "1" : "2";
    await step.locator(`input[type=radio][value="${value}"]`).check();
    const next = page.locator(".stepper-nav button:has-text('Next'):visible");
    if ((await next.count()) > 0) await next.click();
    else break;
  }
  await Promise.all([page.waitForLoadState("load"), page.click("button:has-text('See my result')")]);
}

async function scenario(browser: Browser, base: string, creds: Credentials): Promise<void> {
  for (const vp of VIEWPORTS) {
    const viewport = { width: vp.width, height: vp.height };
    const patCtx = await browser.newContext({ viewport, baseURL: base });
    patCtx.setDefaultTimeout(STEP_TIMEOUT_MS);
    const patient = await patCtx.newPage();
    watch(patient);
    await signIn(patient, creds.patient.email, creds.patient.password);
    const nav = await text(patient.locator("header nav"));
    check(`${vp.name}: patient navigation has no API link`, !/\bAPI\b/.test(nav), nav.replace(/\s+/g, " "));

    await patient.goto("/track");
    await axe(patient, `${vp.name} /track`);
    await patient.click("#mood .chip:has-text('4')");
    await patient.click("#mood .chip:has-text('tired')");
    await Promise.all([patient.waitForLoadState("load"), patient.click("button:has-text('Save mood')")]);
    check(
      `${vp.name}: mood logged in three taps`,
      (await text(patient.locator(".notice"))).includes("Mood saved"),
    );

    // Crisis language in a journal entry: help at once, at the top of the page, before anything else.
    await patient.fill("#journal-note", "I can't keep going. I want to end my life tonight.");
    await Promise.all([patient.waitForLoadState("load"), patient.click("#journal button[type=submit]")]);
    const notice = await text(patient.locator("#crisis"));
    check(
      `${vp.name}: journal crisis: the crisis response and the lines to call, at the top`,
      /988|911/.test(notice) && (await patient.locator("#crisis a[href^='tel:']").count()) > 0,
      notice.slice(0, 80),
    );
    check(
      `${vp.name}: journal crisis: the care team was alerted (without the words)`,
      /care team has been alerted/.test(notice),
    );
    await axe(patient, `${vp.name} /track with a journal crisis`);

    await patient.goto("/safety-plan");
    await patient.fill("#plan-warningSigns", "Not sleeping\nPulling away from friends");
    await patient.fill("#plan-helpContacts", "Sam, +1 555 0100");
    await patient.fill("#plan-reasonsForLiving", "My daughter");
    await Promise.all([
      patient.waitForLoadState("load"),
      patient.click("button:has-text('Save as version')"),
    ]);
    check(`${vp.name}: safety plan saved`, (await patient.locator(".plan-sections").count()) === 1);
    await axe(patient, `${vp.name} /safety-plan`);

    if (vp.name === "desktop") {
      // A crisis in the companion chat: the crisis lines at once, then the patient's plan first in that response.
      await patient.goto("/chat");
      await patient.waitForFunction(
        () => document.getElementById("chat-status")?.textContent === "Connected",
      );
      await patient.fill("#chat-input", "I want to kill myself tonight, I have the pills");
      await patient.click("#chat-form button[type=submit]");
      await patient.waitForSelector("#chat-crisis:not([hidden])");
      const lines = await text(patient.locator("#chat-crisis-resources"));
      check("chat crisis: crisis lines shown", /988|911/.test(lines), lines.slice(0, 60));
      const first = await patient
        .waitForSelector("#chat-log .chat-crisis .chat-safety-plan", { timeout: 8_000 })
        .then(() =>
          patient.evaluate(() => {
            const block = document.querySelector("#chat-log .chat-crisis");
            const plan = block?.querySelector(".chat-safety-plan");
            const help = block?.querySelector("ul");
            return Boolean(
              plan && help && plan.compareDocumentPosition(help) & Node.DOCUMENT_POSITION_FOLLOWING,
            );
          }),
        )
        .catch(() => false);
      check("chat crisis: the safety plan comes first, the crisis lines stay", first);
      const banner = await text(patient.locator("#chat-crisis"));
      check(
        "chat crisis: banner shows the plan and the lines",
        /Your safety plan/.test(banner) && /988|911/.test(banner),
      );
      await axe(patient, "desktop /chat in crisis");
    }

    await patient.goto("/care-team");
    await axe(patient, `${vp.name} /care-team`);

    await takePhq9(patient);
    const result = await text(patient.locator("main"));
    check(
      `${vp.name}: PHQ-9 result leads with crisis help`,
      /988|emergency/i.test(result),
      result.slice(0, 80),
    );
    await axe(patient, `${vp.name} PHQ-9 result`);

    const clinCtx = await browser.newContext({ viewport, baseURL: base });
    clinCtx.setDefaultTimeout(STEP_TIMEOUT_MS);
    const clinician = await clinCtx.newPage();
    watch(clinician);
    await signIn(clinician, creds.clinician.email, creds.clinician.password, () =>
      freshTotp(creds.clinician.totpSecret),
    );
    check(
      `${vp.name}: clinician lands on the caseload`,
      new URL(clinician.url()).pathname === "/clinician",
      clinician.url(),
    );
    const first = clinician.locator("table.caseload tbody tr").first();
    const why = await text(first.locator("td").nth(1));
    check(
      `${vp.name}: patient ranked first for the unacknowledged alert`,
      /unacknowledged alert/.test(why),
      why,
    );
    await axe(clinician, `${vp.name} /clinician`);
    await Promise.all([clinician.waitForLoadState("load"), first.locator("a").first().click()]);
    const drawn = await clinician
      .waitForFunction(() => {
        const c = document.querySelector("canvas[data-score-chart]");
        const w = window as unknown as { Chart?: { getChart(c: unknown): unknown } };
        return Boolean(c && w.Chart?.getChart(c));
      })
      .then(() => true)
      .catch(() => false);
    check(`${vp.name}: score chart drawn with Chart.js`, drawn);
    const timeline = await text(clinician.locator(".timeline"));
    check(
      `${vp.name}: timeline lists the assessment crisis`,
      /Crisis detected \(\w+\) in an assessment/.test(timeline),
      (await text(clinician.locator(".timeline li").first())).replace(/\s+/g, " "),
    );
    await axe(clinician, `${vp.name} patient chart`);
    const ack = clinician.locator("form[action$='/acknowledge'] button").first();
    await Promise.all([clinician.waitForLoadState("load"), ack.click()]);
    const after = await text(clinician.locator(".timeline"));
    check(`${vp.name}: acknowledged, on the timeline`, /Alert acknowledged/.test(after));
    await patCtx.close();
    await clinCtx.close();
  }
  check("no console errors", consoleErrors.length === 0, consoleErrors.slice(0, 5).join("; "));
}

async function main(): Promise<void> {
  let dev: ChildProcess | null = null;
  let dataDir: string | null = null;
  let base = process.env.E2E_BASE_URL ?? "";
  let log = process.env.E2E_CREDENTIALS_LOG ? readFileSync(process.env.E2E_CREDENTIALS_LOG, "utf8") : "";
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    if (!base) {
      const port = await freePort();
      dataDir = mkdtempSync(join(tmpdir(), "haven-e2e-care-"));
      const started = startDev(port, dataDir);
      dev = started.child;
      log = await started.ready;
      base = `http://127.0.0.1:${port}`;
    }
    await scenario(browser, base, parseCredentials(log));
  } catch (err) {
    check(
      "scenario ran to the end",
      false,
      err instanceof Error ? (err.message.split("\n")[0] ?? "") : String(err),
    );
  } finally {
    await browser.close().catch(() => undefined);
    if (dev) await stopDev(dev);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(failures === 0 ? "\nALL PASSED" : `\n${failures} FAILED`);
  process.exit(failures === 0 ? 0 : 1);
}

await main();
