/**
 * `npm run e2e:wearables -- --url http://127.0.0.1:8787 --dev-log dev.log --data-dir .data`:
 * a browser walk-through of the wearables feature against a running `npm run dev` whose first
 * start printed the demo credentials into --dev-log. It runs `npm run simulate` briefly (10
 * devices, 1 live minute, 3 h backfill, the injected SpO2 anomaly), then with Debian's Chromium:
 * the patient's /wearables page draws its charts (uPlot canvases) and goes live, the anomaly is
 * listed; the clinician (password + TOTP) sees the wearable alert in the dashboard inbox worded as
 * a wearable alert with a link, and the link opens the patient's charts; axe-core finds no serious
 * accessibility violation on /wearables. Not part of `npm test` (it needs the browser package).
 */
import { spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type Browser, chromium, type Page } from "playwright-core";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    url: { type: "string", default: "http://127.0.0.1:8787" },
    "dev-log": { type: "string" },
    "data-dir": { type: "string", default: ".data" },
    "no-simulate": { type: "boolean", default: false },
  },
});
const BASE = String(values.url);
let failures = 0;
const check = (name: string, ok: boolean, detail = "") => {
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${detail ? ` — ${detail}` : ""}`);
  if (!ok) failures++;
};

function base32Decode(input: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const c of input.replace(/[\s=-]/g, "").toUpperCase()) {
    acc = ((acc << 5) | alphabet.indexOf(c)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

function totp(secret: string): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30)));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = (mac.at(-1) ?? 0) & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

async function signIn(page: Page, email: string, password: string, code?: () => string): Promise<void> {
  await page.goto(`${BASE}/login`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await Promise.all([page.waitForLoadState("load"), page.click("form[action='/login'] button[type=submit]")]);
  if (code) {
    await page.waitForSelector("form[action='/login/mfa']");
    // A code already used (an earlier run in the same 30 s step) is refused: wait for the next step.
    await page.waitForTimeout(30_000 - (Date.now() % 30_000) + 500);
    await page.fill("#code", code());
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith("/login"), { timeout: 45_000 }),
      page.click("text=Continue"),
    ]);
  }
}

async function main(): Promise<void> {
  if (!values["dev-log"]) throw new Error("--dev-log <file with the dev server's first output> is required");
  const log = readFileSync(String(values["dev-log"]), "utf8");
  const patient = /patient\s+(\S+@\S+)\s+password (\S+)/.exec(log);
  const clinician = /clinician\s+(\S+@\S+)\s+password (\S+)\s+TOTP secret (\S+)/.exec(log);
  if (!patient?.[1] || !patient[2] || !clinician?.[1] || !clinician[2] || !clinician[3])
    throw new Error("demo credentials not found in --dev-log");
  if (!values["no-simulate"]) {
    const sim = spawnSync(
      process.execPath,
      [
        "--experimental-strip-types",
        join(root, "scripts", "simulate.ts"),
        "--url",
        BASE,
        "--data-dir",
        String(values["data-dir"]),
        "--devices",
        "10",
        "--minutes",
        "1",
        "--backfill-hours",
        "3",
      ],
      { encoding: "utf8", cwd: root },
    );
    check(
      "simulate ran",
      sim.status === 0,
      sim.stdout
        .split("\n")
        .filter((l) => l.includes("accepted (new)"))[0]
        ?.trim(),
    );
  }
  const browser: Browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
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
    const errors: string[] = [];
    const pctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const p = await pctx.newPage();
    p.on("pageerror", (e) => errors.push(e.message));
    await signIn(p, patient[1], patient[2]);
    await p.goto(`${BASE}/wearables`);
    await p.waitForSelector("#chart-steps canvas", { timeout: 30_000 });
    await p.waitForFunction(
      () => document.querySelectorAll("#chart-sleep_stage canvas, #chart-sleep_stage p").length > 0,
    );
    check(
      "patient charts drawn",
      (await p.locator("#chart-heart_rate canvas, #chart-steps canvas").count()) >= 2,
      `${await p.locator("#wearables canvas").count()} canvases`,
    );
    const live = await p
      .waitForFunction(() => document.getElementById("live-status")?.textContent?.startsWith("Live"), null, {
        timeout: 15_000,
      })
      .then(() => true)
      .catch(() => false);
    check("patient page live", live);
    const listed = await p.locator("#anomaly-list li").allTextContents();
    check(
      "anomaly listed on the patient's page",
      listed.some((t) => t.includes("spo2 low")),
      listed.join(" | "),
    );
    await p.click("#range-week");
    await p.waitForTimeout(1500);
    check("week view draws", (await p.locator("#chart-heart_rate canvas").count()) > 0);
    await p.screenshot({ path: "/tmp/e2e-wearables-patient.png", fullPage: true });
    const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
    // Through the DevTools protocol (the page's CSP rightly refuses an injected script tag).
    await p.evaluate(readFileSync(axePath, "utf8"));
    const violations = (await p.evaluate(async () => {
      const axe = (
        window as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } }
      ).axe;
      return (await axe.run()).violations.map((v) => `${v.id}:${v.impact}`);
    })) as string[];
    const serious = violations.filter((v) => v.endsWith(":serious") || v.endsWith(":critical"));
    check("axe: no serious violations on /wearables", serious.length === 0, violations.join(", ") || "none");
    check("no page errors (patient)", errors.length === 0, errors.join(" | "));

    // RFC 8628: a device asks for codes; the patient confirms the user code on /devices/activate.
    const form = (f: Record<string, string>) => ({
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(f).toString(),
    });
    const codes = (await (
      await fetch(
        `${BASE}/v1/devices/authorize`,
        form({ client_id: "e2e", kind: "ring", vendor: "Acme", model: "E2E" }),
      )
    ).json()) as { device_code: string; user_code: string };
    await p.goto(`${BASE}/devices/activate`);
    await p.fill("#code", codes.user_code.toLowerCase());
    await Promise.all([p.waitForLoadState("load"), p.click("button[value=lookup]")]);
    check("activation page shows the device", (await p.textContent("main"))?.includes("Acme") ?? false);
    await Promise.all([p.waitForLoadState("load"), p.click("button[value=approve]")]);
    check("activation approved", (await p.textContent("main"))?.includes("paired") ?? false);
    const token = await fetch(
      `${BASE}/v1/devices/token`,
      form({
        grant_type: "urn:ietf:params:oauth:grant-type:device_code",
        device_code: codes.device_code,
        client_id: "e2e",
      }),
    );
    check(
      "device receives its token",
      token.status === 200 &&
        ((await token.json()) as { access_token?: string }).access_token?.startsWith("hvd_") === true,
    );

    const cctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const c = await cctx.newPage();
    await signIn(c, clinician[1], clinician[2], () => totp(clinician[3] as string));
    await c.goto(`${BASE}/clinician`);
    await c.waitForSelector("#alert-list li", { timeout: 15_000 });
    const rows = await c.locator("#alert-list li").allTextContents();
    check(
      "clinician inbox shows the wearable alert",
      rows.some((r) => r.includes("wearable anomaly")),
      rows[0],
    );
    await Promise.all([
      c.waitForURL(/\/wearables\?patient=/),
      c.click("#alert-list li a:has-text('Open wearables') >> nth=0"),
    ]);
    await c.waitForSelector("#chart-steps canvas", { timeout: 30_000 });
    check(
      "clinician opens the patient's charts",
      (await c.locator("#chart-heart_rate canvas").count()) === 1,
    );
    await c.screenshot({ path: "/tmp/e2e-wearables-clinician.png", fullPage: true });
  } finally {
    await browser.close();
  }
  console.log(failures ? `${failures} check(s) failed` : "all checks passed");
  process.exit(failures ? 1 : 0);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
