/**
 * `npm run e2e`: the chat issue's "done when", checked in a real browser. Starts `scripts/dev.ts`
 * on a free port with a fresh temporary data folder, reads the demo credentials it prints, then
 * drives Debian's Chromium with playwright-core: the clinician signs in (password + TOTP) and opens
 * /clinician; the patient signs in, chats (streamed, offline-labelled reply), sends a crisis message
 * (banner with 988 before any reply; the clinician's page alerts within 2 s), reloads (history
 * replays). Sign-in pages and /docs are checked for CSP violations; phone-width screenshots go to
 * /tmp/e2e-*.png. Everything started here is stopped at the end, also on failure.
 *
 * Env: CHROMIUM (default /usr/bin/chromium), E2E_KEEP_DATA=1 keeps the temporary data folder.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const PHONE = { width: 390, height: 844 };
const STARTUP_TIMEOUT_MS = 150_000;
const OVERALL_TIMEOUT_MS = 300_000;
const STEP_TIMEOUT_MS = 15_000;

let failures = 0;
function pass(name: string, detail = ""): void {
  console.log(`PASS ${name}${detail ? ` (${detail})` : ""}`);
}
function fail(name: string, detail: string): void {
  failures++;
  console.log(`FAIL ${name}: ${detail}`);
}
function check(name: string, ok: boolean, detail: string): void {
  if (ok) pass(name, detail);
  else fail(name, detail);
}

// ---- TOTP (RFC 6238: HMAC-SHA1, 30 s, 6 digits), as workers/features/auth/totp.ts ----------------

function base32Decode(input: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const clean = input.replace(/[\s=-]/g, "").toUpperCase();
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const c of clean) {
    acc = ((acc << 5) | alphabet.indexOf(c)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

function totp(secret: string, now = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = (mac.at(-1) ?? 0) & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

// ---- the dev server -----------------------------------------------------------------------------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface Credentials {
  patient: { email: string; password: string };
  clinician: { email: string; password: string; totpSecret: string; recovery: string[] };
}

function parseCredentials(log: string): Credentials {
  const patient = /patient\s+(\S+@\S+)\s+password (\S+)/.exec(log);
  const clinician = /clinician\s+(\S+@\S+)\s+password (\S+)\s+TOTP secret (\S+)\s+recovery ((?:\S+ ?)+)/.exec(
    log,
  );
  if (!patient?.[1] || !patient[2] || !clinician?.[1] || !clinician[2] || !clinician[3] || !clinician[4])
    throw new Error("demo credentials not found in the dev output (was the data folder fresh?)");
  return {
    patient: { email: patient[1], password: patient[2] },
    clinician: {
      email: clinician[1],
      password: clinician[2],
      totpSecret: clinician[3],
      recovery: clinician[4].trim().split(/\s+/),
    },
  };
}

function startDev(port: number, dataDir: string): { child: ChildProcess; ready: Promise<string> } {
  const child = spawn(
    process.execPath,
    [
      "--experimental-strip-types",
      join(root, "scripts", "dev.ts"),
      "--port",
      String(port),
      "--data-dir",
      dataDir,
    ],
    { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`dev server not ready in ${STARTUP_TIMEOUT_MS / 1000}s:\n${out.slice(-2000)}`)),
      STARTUP_TIMEOUT_MS,
    );
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
      reject(new Error(`dev server exited (${code}):\n${out.slice(-2000)}`));
    });
  });
  return { child, ready };
}

async function stopDev(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), sig);
    } catch {
      // already gone
    }
  };
  signalGroup("SIGTERM");
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(true), 10_000)),
  ]);
  // The group may still hold workerd even after dev.ts exits: make sure nothing is left.
  signalGroup("SIGKILL");
  if (timedOut) await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
}

// ---- browser helpers ----------------------------------------------------------------------------

/** Console errors and CSP violations per page, so a broken page fails the run. */
function watchConsole(page: Page, sink: string[]): void {
  page.on("console", (msg) => {
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource"))
      sink.push(`${new URL(page.url()).pathname}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => sink.push(`${new URL(page.url()).pathname}: ${err.message}`));
  page.on("response", (res) => {
    // Chromium asks for /favicon.ico on its own; the layout declares no icon (reported, harmless).
    if (res.status() >= 400 && !res.url().endsWith("/favicon.ico"))
      sink.push(`${new URL(page.url()).pathname}: ${res.status()} ${res.url()}`);
  });
}

async function newPhoneContext(browser: Browser, base: string): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: PHONE, baseURL: base, deviceScaleFactor: 1 });
  ctx.setDefaultTimeout(STEP_TIMEOUT_MS);
  ctx.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  return ctx;
}

async function signIn(page: Page, email: string, password: string, code?: () => string): Promise<void> {
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
  if (new URL(page.url()).pathname.startsWith("/login"))
    throw new Error(`still on ${new URL(page.url()).pathname} after signing in`);
}

/** Companion bubbles' label and text, in order. */
function companionBubbles(page: Page): Promise<Array<{ label: string; text: string }>> {
  return page.$$eval("#chat-log > li", (items) =>
    items
      .map((li) => ({
        label: li.querySelector("strong")?.textContent ?? "",
        text: li.querySelector("p")?.textContent ?? "",
      }))
      .filter((b) => b.label.startsWith("Companion")),
  );
}

async function screenshot(page: Page, name: string): Promise<void> {
  const path = `/tmp/e2e-${name}.png`;
  await page.screenshot({ path, fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(`layout ${name}`, overflow <= 0, overflow > 0 ? `${overflow}px horizontal overflow` : path);
}

// ---- the scenario -------------------------------------------------------------------------------

async function scenario(browser: Browser, base: string, creds: Credentials): Promise<void> {
  const consoleErrors: string[] = [];

  // Anonymous pages: home, sign-in, sign-up, docs.
  const anon = await newPhoneContext(browser, base);
  const visitor = await anon.newPage();
  watchConsole(visitor, consoleErrors);
  await visitor.goto("/");
  await screenshot(visitor, "home");
  await visitor.goto("/login");
  await screenshot(visitor, "login");
  await visitor.goto("/signup");
  check("signup page", (await visitor.locator("form[action='/signup']").count()) === 1, "form rendered");
  await visitor.goto("/docs");
  const docsOk = await visitor
    .waitForSelector(".swagger-ui .info .title", { timeout: STEP_TIMEOUT_MS })
    .then(() => true)
    .catch(() => false);
  const opsCount = await visitor.locator(".opblock").count();
  check("docs renders Swagger UI", docsOk && opsCount > 0, `${opsCount} operations`);
  await visitor.click(".opblock-summary >> nth=0");
  await visitor.click(".opblock .execute"); // docs.js turns "try it out" on for every operation
  const executed = await visitor
    .waitForSelector(".opblock .live-responses-table tr.response .response-col_status", {
      timeout: STEP_TIMEOUT_MS,
    })
    .then((el) => el.textContent())
    .catch(() => null);
  check(
    "docs try-it-out executes",
    executed?.trim().startsWith("200") ?? false,
    `status ${executed?.trim()}`,
  );
  await screenshot(visitor, "docs");

  // (1) Clinician signs in with password + TOTP and opens the dashboard.
  const clinCtx = await newPhoneContext(browser, base);
  const clinician = await clinCtx.newPage();
  watchConsole(clinician, consoleErrors);
  await signIn(clinician, creds.clinician.email, creds.clinician.password, () =>
    totp(creds.clinician.totpSecret),
  );
  pass("clinician signs in (password + TOTP)");
  await clinician.goto("/clinician");
  await clinician.waitForFunction(() =>
    document.getElementById("alert-status")?.textContent?.startsWith("Live"),
  );
  pass("clinician dashboard live");

  // (2) Patient signs in, chats, sees the reply streamed and labelled offline.
  const patCtx = await newPhoneContext(browser, base);
  const patient = await patCtx.newPage();
  watchConsole(patient, consoleErrors);
  await signIn(patient, creds.patient.email, creds.patient.password);
  pass("patient signs in");
  await patient.goto("/chat");
  await patient.waitForFunction(() => document.getElementById("chat-status")?.textContent === "Connected");
  pass("patient chat connected");

  await patient.evaluate(() => {
    const w = window as unknown as { __lengths: number[] };
    w.__lengths = [];
    const log = document.getElementById("chat-log") as HTMLElement;
    new MutationObserver(() => {
      const last = Array.from(log.querySelectorAll("li"))
        .filter((li) => li.querySelector("strong")?.textContent?.startsWith("Companion"))
        .at(-1);
      const n = last?.querySelector("p")?.textContent?.length ?? 0;
      if (n > 0 && n !== w.__lengths.at(-1)) w.__lengths.push(n);
    }).observe(log, { childList: true, subtree: true, characterData: true });
  });
  await patient.fill("#chat-input", "I've had a rough week at work");
  await patient.click("#chat-form button[type=submit]");
  // Done when the reply has stopped growing for a second.
  let lengths: number[] = [];
  const deadline = Date.now() + 30_000;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const now = await patient.evaluate(() => (window as unknown as { __lengths: number[] }).__lengths);
    if (now.length !== lengths.length) stableSince = Date.now();
    lengths = now;
    if (lengths.length > 0 && Date.now() - stableSince > 1_500) break;
    await patient.waitForTimeout(100);
  }
  check(
    "reply streams",
    lengths.length >= 3 && lengths.every((n, i) => i === 0 || n >= (lengths[i - 1] ?? 0)),
    `${lengths.length} growth steps, ${lengths.at(-1) ?? 0} chars`,
  );
  const firstReply = (await companionBubbles(patient)).at(-1);
  check(
    "reply labelled offline",
    firstReply?.label === "Companion (offline model)",
    `"${firstReply?.label}"`,
  );
  check(
    "offline note shown",
    await patient.locator("#chat-offline").isVisible(),
    "Replies come from the offline model.",
  );

  // (3) Crisis message: resources first, then the clinician's alert within 2 s.
  const before = (await companionBubbles(patient)).length;
  await patient.evaluate((count) => {
    const w = window as unknown as { __order: string[] };
    w.__order = [];
    const banner = document.getElementById("chat-crisis") as HTMLElement;
    const log = document.getElementById("chat-log") as HTMLElement;
    const note = () => {
      if (!banner.hidden && !w.__order.includes("crisis")) w.__order.push("crisis");
      const companions = Array.from(log.querySelectorAll("li")).filter((li) =>
        li.querySelector("strong")?.textContent?.startsWith("Companion"),
      ).length;
      if (companions > count && !w.__order.includes("assistant")) w.__order.push("assistant");
    };
    const mo = new MutationObserver(note);
    mo.observe(banner, { attributes: true, attributeFilter: ["hidden"] });
    mo.observe(log, { childList: true, subtree: true });
  }, before);
  const alertSeen = clinician
    .waitForSelector("#alert-banner:not([hidden])", { timeout: 2_000 })
    .then(() => Date.now())
    .catch(() => 0);
  const sentAt = Date.now();
  await patient.fill("#chat-input", "I want to kill myself tonight, I have the pills");
  await patient.click("#chat-form button[type=submit]");
  const bannerShown = await patient
    .waitForSelector("#chat-crisis:not([hidden])", { timeout: 2_000 })
    .then(() => Date.now())
    .catch(() => 0);
  const crisisText = (await patient.locator("#chat-crisis").textContent()) ?? "";
  const inView = await patient.evaluate(() => {
    const r = (document.getElementById("chat-crisis") as HTMLElement).getBoundingClientRect();
    return r.top >= 0 && r.top < window.innerHeight;
  });
  check("crisis banner scrolled into view", inView, "top edge on screen at 390×844");
  check(
    "crisis banner with 988",
    bannerShown > 0 && crisisText.includes("988"),
    bannerShown ? `${bannerShown - sentAt} ms after send` : "banner not shown within 2 s",
  );
  await patient.waitForTimeout(3_000);
  const order = await patient.evaluate(() => (window as unknown as { __order: string[] }).__order);
  check("crisis banner before any assistant reply", order[0] === "crisis", `order: ${order.join(", ")}`);
  const alertAt = await alertSeen;
  check(
    "clinician crisis alert within 2 s",
    alertAt > 0,
    alertAt ? `${alertAt - sentAt} ms after send` : "no alert within 2 s",
  );
  const alertItems = await clinician.locator("#alert-list li").count();
  check("clinician alert listed", alertItems >= 1, `${alertItems} item(s)`);
  const teamLine = (await patient.locator("#chat-crisis-team").textContent()) ?? "";
  check("patient told the care team was alerted", teamLine === "Your care team has been alerted.", teamLine);
  // The inbox comes from the API, so it survives a reload; acknowledging empties it.
  await clinician.reload();
  await clinician.waitForSelector("#alert-list li button", { timeout: STEP_TIMEOUT_MS });
  const inboxed = await clinician.locator("#alert-list li").count();
  await clinician.click("#alert-list li button");
  await clinician
    .waitForSelector("#inbox-empty:not([hidden])", { timeout: STEP_TIMEOUT_MS })
    .catch(() => undefined);
  const afterAck = await clinician.locator("#alert-list li").count();
  check(
    "clinician inbox after reload, acknowledge empties it",
    inboxed === 1 && afterAck === 0,
    `${inboxed} → ${afterAck}`,
  );
  await screenshot(patient, "chat");
  await screenshot(clinician, "clinician");

  // (4) Reload: the conversation replays.
  await patient.reload();
  await patient.waitForFunction(() => document.getElementById("chat-status")?.textContent === "Connected");
  await patient
    .waitForFunction(() => (document.getElementById("chat-log")?.textContent ?? "").includes("pills"), null, {
      timeout: 5_000,
    })
    .catch(() => undefined);
  const logText = (await patient.locator("#chat-log").textContent()) ?? "";
  const replayed = (await companionBubbles(patient)).length;
  check(
    "history replays after reload",
    logText.includes("rough week at work") && logText.includes("I have the pills") && replayed >= 1,
    `${replayed} companion repl${replayed === 1 ? "y" : "ies"}`,
  );
  check(
    "crisis banner replays after reload",
    await patient.locator("#chat-crisis").isVisible(),
    "resources still shown",
  );
  await screenshot(patient, "chat-reloaded");

  check(
    "no console errors or CSP violations",
    consoleErrors.length === 0,
    consoleErrors.length ? consoleErrors.join(" | ") : "all pages",
  );
  await Promise.all([anon.close(), clinCtx.close(), patCtx.close()]);
}

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), "haven-e2e-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const { child, ready } = startDev(port, dataDir);
  let browser: Browser | undefined;
  const cleanup = async () => {
    await browser?.close().catch(() => undefined);
    await stopDev(child);
    if (!process.env.E2E_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  };
  const onSignal = () => void cleanup().then(() => process.exit(130));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const overall = setTimeout(() => {
    fail("overall", `timed out after ${OVERALL_TIMEOUT_MS / 1000}s`);
    void cleanup().then(() => process.exit(1));
  }, OVERALL_TIMEOUT_MS);
  try {
    const creds = parseCredentials(await ready);
    pass("dev server up", base);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
    await scenario(browser, base, creds);
  } catch (err) {
    fail("e2e", err instanceof Error ? err.message : String(err));
  } finally {
    clearTimeout(overall);
    await cleanup();
  }
  console.log(failures === 0 ? "PASS e2e: all checks passed" : `FAIL e2e: ${failures} check(s) failed`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main();
