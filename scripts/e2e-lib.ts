/**
 * Shared pieces of the browser walk-throughs (`scripts/e2e-*.ts`): Debian's Chromium flags, a
 * pass/fail tally, TOTP for the demo staff accounts, the dev server on a free port with a fresh
 * data folder, console/CSP watching, sign-in, and an axe-core accessibility check.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
export const PHONE = { width: 390, height: 844 };
export const STARTUP_TIMEOUT_MS = 180_000;

export const tally = { failures: 0 };
export function pass(name: string, detail = ""): void {
  console.log(`PASS ${name}${detail ? ` (${detail})` : ""}`);
}
export function fail(name: string, detail: string): void {
  tally.failures++;
  console.log(`FAIL ${name}: ${detail}`);
}
export function check(name: string, ok: boolean, detail: string): void {
  if (ok) pass(name, detail);
  else fail(name, detail);
}

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

/** RFC 6238 (HMAC-SHA1, 30 s, 6 digits), as workers/features/auth/totp.ts. */
export function totp(secret: string, now = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = (mac.at(-1) ?? 0) & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

export function freePort(): Promise<number> {
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

export interface StaffCredentials {
  email: string;
  password: string;
  totpSecret: string;
}
export interface DemoCredentials {
  patient: { email: string; password: string };
  clinician: StaffCredentials;
  admin: StaffCredentials;
}

/** The demo accounts `npm run dev` prints once, on a fresh data folder. */
export function parseDemoCredentials(log: string): DemoCredentials {
  const patient = /patient\s+(\S+@\S+)\s+password (\S+)/.exec(log);
  const staff = (role: string): StaffCredentials => {
    const m = new RegExp(`${role}\\s+(\\S+@\\S+)\\s+password (\\S+)\\s+TOTP secret (\\S+)`).exec(log);
    if (!m?.[1] || !m[2] || !m[3]) throw new Error(`demo ${role} credentials not found in the dev output`);
    return { email: m[1], password: m[2], totpSecret: m[3] };
  };
  if (!patient?.[1] || !patient[2]) throw new Error("demo patient credentials not found in the dev output");
  return {
    patient: { email: patient[1], password: patient[2] },
    clinician: staff("clinician"),
    admin: staff("admin"),
  };
}

/** `scripts/dev.ts` on `port` with its own data folder (a fresh folder = fresh demo accounts). */
export function startDev(
  port: number,
  dataDir: string,
  extra: string[] = [],
): { child: ChildProcess; ready: Promise<string> } {
  const child = spawn(
    process.execPath,
    [
      "--experimental-strip-types",
      join(root, "scripts", "dev.ts"),
      "--port",
      String(port),
      "--data-dir",
      dataDir,
      ...extra,
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

/** Stops the dev server's whole process group (wrangler, workerd, the local stack). */
export async function stopDev(child: ChildProcess): Promise<void> {
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
  signalGroup("SIGKILL");
  if (timedOut) await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
}

/** Console errors, page errors and failed responses per page, so a broken page fails the run. */
export function watchConsole(page: Page, sink: string[]): void {
  page.on("console", (msg) => {
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource"))
      sink.push(`${new URL(page.url()).pathname}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => sink.push(`${new URL(page.url()).pathname}: ${err.message}`));
  page.on("response", (res) => {
    if (res.status() >= 400 && !res.url().endsWith("/favicon.ico"))
      sink.push(`${new URL(page.url()).pathname}: ${res.status()} ${res.url()}`);
  });
}

export async function signIn(
  page: Page,
  email: string,
  password: string,
  code?: () => string,
): Promise<void> {
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

const axeSource = () => readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core (WCAG 2.x A/AA rules) on the page; returns "rule: n nodes" per violation. */
export async function axeViolations(page: Page): Promise<string[]> {
  // The CSP forbids inline scripts, so axe is evaluated through the DevTools protocol instead.
  await page.evaluate(axeSource());
  const result = (await page.evaluate(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })",
  )) as { violations: Array<{ id: string; nodes: unknown[] }> };
  return result.violations.map((v) => `${v.id}: ${v.nodes.length} node(s)`);
}
