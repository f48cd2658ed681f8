/**
 * `npm run e2e:admin`: issue 12's "done when" in a real browser. Starts `scripts/dev.ts` on the
 * lifecycle ports (8860–8863; E2E_ADMIN_PORT moves them) with a fresh temporary data folder, then
 * drives Debian's Chromium: the demo patient asks for an export on /account/data, downloads the
 * JSON archive and the FHIR Bundle through the signed links, and asks for erasure; the demo admin
 * signs in with password + TOTP and walks every console page (users, audit with chain verification
 * and CSV, break-glass, data requests, keys, compliance), executes the erasure (a local-only button
 * that skips the cooling-off) and opens its certificate. axe-core runs on every page and must
 * report no violations. Everything started here is stopped at the end, also on failure.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Page } from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PORT = Number(process.env.E2E_ADMIN_PORT ?? 8860);
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
let failures = 0;
const check = (name: string, ok: boolean, detail = "") => {
  if (!ok) failures += 1;
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${detail ? `: ${detail}` : ""}`);
};

function totp(secret: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secret.replace(/=+$/, "").toUpperCase())
    bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => Number.parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const o = (mac[mac.length - 1] ?? 0) & 0xf;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

let devOutput = "";
function startDev(dataDir: string): { child: ChildProcess; ready: Promise<string> } {
  const args = [
    "--port",
    PORT,
    "--neon-port",
    PORT + 1,
    "--upstash-port",
    PORT + 2,
    "--openai-port",
    PORT + 3,
  ];
  const child = spawn(
    process.execPath,
    [
      "--experimental-strip-types",
      join(root, "scripts", "dev.ts"),
      ...args.map(String),
      "--data-dir",
      dataDir,
    ],
    { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dev not ready:\n${out.slice(-1500)}`)), 180_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      devOutput = out;
      if (out.includes("Press Ctrl-C to stop everything.")) {
        clearTimeout(timer);
        resolve(out);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`dev exited (${code}):\n${out.slice(-1500)}`)));
  });
  return { child, ready };
}

async function stopDev(child: ChildProcess) {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  for (const sig of ["SIGTERM", "SIGKILL"] as const) {
    try {
      process.kill(-(child.pid as number), sig);
    } catch {
      // gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8_000))]);
  }
}

async function axe(page: Page, name: string) {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const w = window as unknown as {
      axe: { run: () => Promise<{ violations: Array<{ id: string; nodes: unknown[] }> }> };
    };
    return (await w.axe.run()).violations.map((v) => `${v.id} (${v.nodes.length})`);
  });
  check(`axe ${name}`, violations.length === 0, violations.join(", "));
}

async function signIn(page: Page, email: string, password: string, secret?: string) {
  await page.goto("/login");
  await page.fill("#email", email);
  await page.fill("#password", password);
  await Promise.all([page.waitForLoadState("load"), page.click("form[action='/login'] button[type=submit]")]);
  if (secret) {
    await page.waitForSelector("form[action='/login/mfa']");
    await page.fill("#code", totp(secret));
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith("/login")),
      page.click("text=Continue"),
    ]);
  }
}

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), "lifecycle-e2e-"));
  const { child, ready } = startDev(dataDir);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  try {
    const log = await ready;
    const cred = (role: string) =>
      new RegExp(`${role}\\s+(\\S+@\\S+)\\s+password (\\S+)(?:\\s+TOTP secret (\\S+))?`).exec(log);
    const patient = cred("patient");
    const admin = cred("admin");
    if (!patient?.[1] || !patient[2] || !admin?.[1] || !admin[2] || !admin[3])
      throw new Error("demo credentials not printed");
    const base = `http://127.0.0.1:${PORT}`;

    // ---- the patient: export, download both formats, ask for erasure ----
    const pctx = await browser.newContext({ baseURL: base });
    const p = await pctx.newPage();
    await signIn(p, patient[1], patient[2]);
    await p.goto("/account/data");
    await axe(p, "/account/data");
    await Promise.all([p.waitForURL(/notice=export/), p.click("button:has-text('Prepare my export')")]);
    let json = "";
    for (let i = 0; i < 40 && !json; i += 1) {
      await p.waitForTimeout(500);
      await p.reload();
      const link = await p
        .locator("a", { hasText: "Download (JSON)" })
        .first()
        .getAttribute("href")
        .catch(() => null);
      json = link ?? "";
    }
    check("export ready with signed links", json.includes("sig="), json.replace(/sig=[^&]+/, "sig=…"));
    const fhir = (await p.locator("a", { hasText: "Download (FHIR)" }).first().getAttribute("href")) ?? "";
    const archive = (await (await p.request.get(json)).json()) as {
      data: Record<string, unknown[]>;
      subject: { email: string };
    };
    check(
      "JSON archive is the patient's",
      archive.subject.email === patient[1],
      Object.keys(archive.data).join(","),
    );
    const bundle = (await (await p.request.get(fhir)).json()) as { resourceType: string; entry: unknown[] };
    check(
      "FHIR Bundle downloaded",
      bundle.resourceType === "Bundle" && bundle.entry.length > 0,
      `${bundle.entry.length} entries`,
    );
    await p.fill("#confirm", "ERASE");
    await Promise.all([p.waitForURL(/notice=erasure/), p.click("button:has-text('Erase my account')")]);
    check("erasure scheduled", (await p.textContent("main"))?.includes("pending") === true);
    await axe(p, "/account/data (erasure pending)");

    // ---- the admin: every console page, then the erasure and its certificate ----
    const actx = await browser.newContext({ baseURL: base });
    const a = await actx.newPage();
    await signIn(a, admin[1], admin[2], admin[3]);
    for (const path of [
      "/admin",
      "/admin/users",
      "/admin/audit?region=us",
      "/admin/break-glass?region=us",
      "/admin/data-requests?region=us",
      "/admin/keys",
      "/admin/compliance",
    ]) {
      const res = await a.goto(path);
      check(`page ${path}`, res?.status() === 200, String(res?.status()));
      await axe(a, path);
    }
    await a.goto("/admin/audit?region=us");
    check(
      "audit chain verified on the page",
      /verified, \d+ entries intact/.test((await a.textContent("main")) ?? ""),
    );
    const csv = await a.request.get("/admin/audit.csv?region=us");
    check("audit CSV", csv.status() === 200 && (await csv.text()).startsWith("id,at,actorId"));
    await a.goto("/admin/data-requests?region=us");
    if (process.env.E2E_DEBUG) console.log((await a.content()).replace(/\s+/g, " ").slice(0, 6000));
    await Promise.all([a.waitForNavigation(), a.click("button:has-text('Execute now')")]);
    const executed = (await a.textContent("main")) ?? "";
    check("erasure executed", executed.includes("Erasure complete"), `${a.url()} ${executed.slice(0, 300)}`);
    await Promise.all([a.waitForLoadState("load"), a.click("a:has-text('Certificate')")]);
    const cert = (await a.textContent("pre.cert")) ?? "";
    check(
      "certificate shown",
      cert.includes('"outcome": "complete"') && cert.includes("durable_object:chat_room"),
    );
    await axe(a, "certificate");
    const again = await pctx.newPage().then(async (pp) => (await pp.goto("/account/data"))?.url() ?? "");
    check("erased patient is signed out", again.includes("/login"), again);
  } catch (err) {
    check("e2e:admin", false, err instanceof Error ? err.message : String(err));
    if (process.env.E2E_DEBUG) console.log(devOutput.slice(-4000));
  } finally {
    await browser.close().catch(() => undefined);
    await stopDev(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(failures === 0 ? "PASS e2e:admin" : `FAIL e2e:admin: ${failures} check(s) failed`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main();
