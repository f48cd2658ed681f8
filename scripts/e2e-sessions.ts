/**
 * `npm run e2e:sessions`: therapy sessions in a real browser. Starts `scripts/dev.ts` on free ports
 * with a fresh temporary data folder, reads the demo credentials, and drives Debian's Chromium
 * (fake camera and microphone): the clinician opens their availability; the demo patient books a
 * follow-up on /sessions (slots shown in the patient's zone); both open the visit in two browser
 * contexts, the patient waits until the clinician admits them, both reach `connected` and decode
 * video frames from the other; a second patient (signed up here) cannot join; the clinician drafts
 * a SOAP note with the (offline) model, edits it and signs it. The patient makes a calendar
 * subscription URL and a cookie-less client reads the booking from it; recording chunks leave the
 * browser sealed (0x02, not WebM) and play back as WebM. Phone width, axe-free checks of
 * horizontal overflow; screenshots in /tmp/e2e-sessions-*.png. Everything started is stopped.
 *
 * Env: CHROMIUM (default /usr/bin/chromium), E2E_PORT (default 8840; the local stack takes the
 * next three ports), E2E_KEEP_DATA=1.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { totp } from "./e2e-lib.ts";

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
  "--use-fake-device-for-media-stream",
  "--use-fake-ui-for-media-stream",
];
const PHONE = { width: 390, height: 844 };
const STARTUP_TIMEOUT_MS = 150_000;
const OVERALL_TIMEOUT_MS = 300_000;
const STEP_TIMEOUT_MS = 20_000;

let failures = 0;
function check(name: string, ok: boolean, detail: string): void {
  if (!ok) failures++;
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`);
}

function startDev(port: number, dataDir: string): { child: ChildProcess; ready: Promise<string> } {
  const child = spawn(
    process.execPath,
    [
      "--experimental-strip-types",
      join(root, "scripts", "dev.ts"),
      ...["--port", String(port), "--neon-port", String(port + 1), "--upstash-port", String(port + 2)],
      ...["--openai-port", String(port + 3), "--data-dir", dataDir],
    ],
    { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`dev not ready:\n${out.slice(-2000)}`)),
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
      reject(new Error(`dev exited (${code}):\n${out.slice(-2000)}`));
    });
  });
  return { child, ready };
}

async function stopDev(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
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

async function context(browser: Browser, base: string): Promise<BrowserContext> {
  const ctx = await browser.newContext({
    viewport: PHONE,
    baseURL: base,
    permissions: ["camera", "microphone"],
  });
  ctx.setDefaultTimeout(STEP_TIMEOUT_MS);
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
  if (new URL(page.url()).pathname.startsWith("/login")) throw new Error("sign-in failed");
}

/** A JSON API call from inside the page (cookie + CSRF header), as the page's own scripts make. */
function pageApi(page: Page, method: string, path: string, body?: unknown) {
  return page.evaluate(
    async ([m, p, b]) => {
      const csrf = /(?:^|;\s*)haven_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? "";
      const res = await fetch(p as string, {
        method: m as string,
        credentials: "same-origin",
        headers: { "content-type": "application/json", "x-csrf-token": decodeURIComponent(csrf) },
        ...(b === undefined ? {} : { body: JSON.stringify(b) }),
      });
      return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
    },
    [method, path, body] as const,
  );
}

async function overflow(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `/tmp/e2e-sessions-${name}.png`, fullPage: true });
  const px = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(`phone width ${name}`, px <= 0, px > 0 ? `${px}px overflow` : "no horizontal overflow");
}

const OPEN = {
  timeZone: "UTC",
  weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: "00:00", end: "24:00" })),
  sessionTypes: [
    { id: "follow-up", label: "Follow-up", minutes: 50 },
    { id: "intake", label: "Intake", minutes: 60 },
  ],
  minNoticeHours: 0,
  slotStepMinutes: 15,
  bufferAfterMinutes: 10,
  dailyMax: 24,
};

async function scenario(browser: Browser, base: string, log: string): Promise<void> {
  const patient = /patient\s+(\S+@\S+)\s+password (\S+)/.exec(log);
  const clin = /clinician\s+(\S+@\S+)\s+password (\S+)\s+TOTP secret (\S+)/.exec(log);
  if (!patient?.[1] || !patient[2] || !clin?.[1] || !clin[2] || !clin[3])
    throw new Error("no demo credentials");
  const secret = clin[3];

  const cCtx = await context(browser, base);
  const cPage = await cCtx.newPage();
  await signIn(cPage, clin[1], clin[2], () => totp(secret));
  await cPage.goto("/sessions/availability");
  await cPage.waitForFunction(() => (document.getElementById("tz") as HTMLInputElement | null)?.value !== "");
  const tz = await cPage.inputValue("#tz").catch(() => "");
  check("availability editor shows the seeded zone", tz === "America/New_York", tz);
  await overflow(cPage, "availability");
  // Open around the clock so the visit can happen now, whatever the time of the run.
  const put = await pageApi(cPage, "PUT", "/v1/clinician/availability", OPEN);
  check("clinician publishes availability", put.status === 200, String(put.status));

  const pCtx = await context(browser, base);
  const pPage = await pCtx.newPage();
  await signIn(pPage, patient[1], patient[2]);
  await pPage.goto("/sessions");
  await pPage.waitForSelector("#clinician option", { state: "attached" });
  // The first free time within the hour (the visit room opens an hour before the start).
  await pPage.evaluate(() => {
    const d = new Date(Date.now() + 60 * 60_000);
    const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
    (document.getElementById("slot-date") as HTMLInputElement).value = day;
  });
  await pPage.click("#find-form button[type=submit]");
  await pPage.waitForSelector("#slots button.slot");
  const first = await pPage.getAttribute("#slots button.slot >> nth=0", "data-start");
  await overflow(pPage, "patient-slots");
  await pPage.click("#slots button.slot >> nth=0");
  await pPage.waitForSelector("#upcoming li[data-session]");
  const sessionId = (await pPage.getAttribute("#upcoming li[data-session] >> nth=0", "data-session")) ?? "";
  check("patient books a follow-up from a free slot", sessionId.length === 36, `${first} → ${sessionId}`);

  // Calendar subscription: made on the page, read by a client with no cookies at all.
  await pPage.click("#feed-make");
  await pPage.waitForSelector("#feed-url-row:not([hidden])");
  const feedUrl = await pPage.inputValue("#feed-url");
  const anon = await browser.newContext();
  const feed = await anon.request.get(feedUrl);
  const feedText = await feed.text();
  await anon.close();
  check(
    "calendar subscription URL: the booking, 'Haven session', no sign-in",
    feed.status() === 200 &&
      feedText.includes(`UID:${sessionId}@haven.health`) &&
      feedText.includes("SUMMARY:Haven session"),
    `${feed.status()} ${feedUrl.replace(/hcf_[a-z]+_[0-9a-f]{64}/, "hcf_…")}`,
  );

  // The visit: patient waits, clinician admits, both connect and decode frames.
  await pPage.goto(`/sessions/${sessionId}/visit`);
  await pPage.waitForFunction(() => document.getElementById("visit")?.dataset.connection === "waiting");
  check("patient waits in the waiting room", true, "waiting");
  await cPage.goto(`/sessions/${sessionId}/visit`);
  await cPage.waitForSelector("#admit:not([hidden])");
  await cPage.click("#admit");
  const connected = (p: Page) =>
    p
      .waitForFunction(() => document.getElementById("visit")?.dataset.connection === "connected", null, {
        timeout: 30_000,
      })
      .then(() => true)
      .catch(() => false);
  const [pc, cc] = await Promise.all([connected(pPage), connected(cPage)]);
  check("both sides reach connected", pc && cc, `patient ${pc}, clinician ${cc}`);
  const frames = (p: Page) =>
    p
      .waitForFunction(() => Number(document.getElementById("visit")?.dataset.framesDecoded ?? 0) > 5, null, {
        timeout: 20_000,
      })
      .then(() => p.evaluate(() => Number(document.getElementById("visit")?.dataset.framesDecoded ?? 0)))
      .catch(() => 0);
  const [pf, cf] = await Promise.all([frames(pPage), frames(cPage)]);
  check("both sides receive video frames", pf > 5 && cf > 5, `patient ${pf}, clinician ${cf} frames decoded`);
  await overflow(pPage, "visit-patient");

  // Camera toggle reaches the other side.
  await pPage.click("#toggle-cam");
  const peerMedia = await cPage
    .waitForFunction(() => /camera is off/.test(document.getElementById("peer-media")?.textContent ?? ""))
    .then(() => true)
    .catch(() => false);
  check("camera toggle is shown to the other side", peerMedia, "camera is off");

  // Reconnect: the patient reloads (a dropped connection) and both connect again.
  await pPage.reload();
  const [pc2, cc2] = await Promise.all([connected(pPage), connected(cPage)]);
  check("reconnect after a drop", pc2 && cc2, `patient ${pc2}, clinician ${cc2}`);

  // Recording: both consent in the visit, the clinician records, the patient stops it; playback.
  await pPage.check("#rec-consent");
  await pPage.waitForFunction(() => /agreed/.test(document.getElementById("rec-status")?.textContent ?? ""));
  await cPage.check("#rec-consent");
  await cPage.waitForSelector("#rec-start:not([disabled])");
  // What leaves the recording browser: every chunk upload must be sealed (0x02 ‖ IV ‖ ciphertext),
  // never raw WebM (which starts with the EBML magic 1A 45 DF A3).
  const uploads: { version: number; ebml: boolean; bytes: number }[] = [];
  cPage.on("request", (req) => {
    if (req.method() !== "PUT" || !/\/recordings\/[^/]+\/chunks\/\d+$/.test(req.url())) return;
    const body = req.postDataBuffer();
    if (!body) return;
    uploads.push({
      version: body[0] ?? -1,
      ebml: body.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3])),
      bytes: body.length,
    });
  });
  await cPage.click("#rec-start");
  await cPage.waitForSelector("#rec-stop:not([hidden])");
  await pPage.waitForSelector("#rec-stop:not([hidden])");
  await cPage.waitForTimeout(6500);
  await pPage.click("#rec-stop");
  await cPage.waitForFunction(() => /stopped/.test(document.getElementById("rec-status")?.textContent ?? ""));
  const recs = await pageApi(pPage, "GET", `/v1/therapy-sessions/${sessionId}/recordings`);
  const rec = (recs.body.recordings as { id: string; chunks: number; status: string }[] | undefined)?.[0];
  const media = rec
    ? await pPage.evaluate(async (url) => {
        const res = await fetch(url, { credentials: "same-origin" });
        const bytes = new Uint8Array(await res.arrayBuffer());
        // Decrypted playback is real WebM again: it starts with the EBML magic.
        const ebml = bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3;
        return { status: res.status, bytes: bytes.byteLength, ebml };
      }, `/v1/therapy-sessions/${sessionId}/recordings/${rec.id}/media`)
    : { status: 0, bytes: 0, ebml: false };
  const keyAfterStop = rec
    ? await pageApi(pPage, "GET", `/v1/therapy-sessions/${sessionId}/recordings/${rec.id}/key`)
    : { status: 0 };
  check(
    "recording chunks sealed in the browser (0x02, not WebM on the wire); key refused after the stop",
    uploads.length >= 1 && uploads.every((u) => u.version === 2 && !u.ebml) && keyAfterStop.status === 409,
    `${uploads.length} uploads, versions ${[...new Set(uploads.map((u) => u.version))].join(",")}, key after stop ${keyAfterStop.status}`,
  );
  await pPage.goto(`/sessions/${sessionId}/recordings`);
  const players = await pPage.locator("video[controls]").count();
  check(
    "consented recording: uploaded, stopped by the other side, played back",
    rec?.status === "stopped" &&
      rec.chunks >= 1 &&
      media.status === 200 &&
      media.bytes > 1000 &&
      media.ebml &&
      players === 1,
    `${rec?.chunks ?? 0} chunks, ${media.bytes} bytes (WebM ${media.ebml}), ${players} player`,
  );

  // The wrong patient cannot join: a second patient signs up and tries the same visit.
  const oCtx = await context(browser, base);
  const oPage = await oCtx.newPage();
  await oPage.goto("/");
  const email = `other-${Date.now()}@example.test`;
  const password = `Kettle-lamp-${Math.random().toString(36).slice(2, 10)}-9`;
  const signup = await pageApi(oPage, "POST", "/v1/auth/signup", {
    email,
    password,
    displayName: "Other Patient",
    region: "us",
    consents: { healthData: true, aiCompanion: false },
  });
  let token = "";
  for (let i = 0; i < 20 && !token; i++) {
    await oPage.goto("/dev/mailbox");
    token = /verify-email\?token=([^\s"<&]+)/.exec(await oPage.content())?.[1] ?? "";
    if (!token) await oPage.waitForTimeout(500);
  }
  const verified = await pageApi(oPage, "POST", "/v1/auth/verify-email", { token });
  if (signup.status >= 300 || verified.status >= 300)
    console.log(`note: signup ${signup.status} ${JSON.stringify(signup.body)}; verify ${verified.status}`);
  await signIn(oPage, email, password);
  await oPage.goto(`/sessions/${sessionId}/visit`);
  const refused = await oPage
    .waitForFunction(() => document.getElementById("visit")?.dataset.connection === "refused")
    .then(() => true)
    .catch(() => false);
  const ticket = await pageApi(oPage, "POST", `/v1/therapy-sessions/${sessionId}/visit/tickets`);
  check(
    "the wrong patient cannot join",
    refused && ticket.status === 404,
    `signup ${signup.status}, verify ${verified.status}, ticket ${ticket.status}`,
  );

  // The note: AI draft from bullets, edit, sign; the patient then sees the signed note.
  await cPage.goto(`/sessions/${sessionId}/note`);
  await cPage.fill(
    "#bullets",
    "- slept better\n- calm, engaged\n- mood improving\n- continue weekly sessions",
  );
  await cPage.click("#ai-draft");
  await cPage.waitForFunction(() => !(document.getElementById("ai-flag") as HTMLElement).hidden);
  const drafted = await cPage.inputValue("#section-subjective");
  check("AI draft fills the SOAP note (offline model)", drafted.includes("[offline draft]"), drafted);
  await cPage.fill("#section-subjective", "Reports sleeping better this week.");
  await cPage.waitForFunction(() => /Saved/.test(document.getElementById("note-status")?.textContent ?? ""));
  await cPage.click("#sign");
  const signed = await cPage
    .waitForFunction(() => /Signed/.test(document.getElementById("note-status")?.textContent ?? ""))
    .then(() => true)
    .catch(() => false);
  await overflow(cPage, "note");
  const seen = await pageApi(pPage, "GET", `/v1/therapy-sessions/${sessionId}/note`);
  check(
    "the clinician signs the edited note; the patient can read it",
    signed && seen.status === 200 && seen.body.status === "signed",
    `patient read ${seen.status}`,
  );
  await Promise.all([cCtx.close(), pCtx.close(), oCtx.close()]);
}

async function main(): Promise<void> {
  const port = Number(process.env.E2E_PORT ?? 8840);
  const dataDir = mkdtempSync(join(tmpdir(), "haven-e2e-sessions-"));
  const dev = startDev(port, dataDir);
  let browser: Browser | null = null;
  const overall = setTimeout(() => {
    console.log("FAIL overall timeout");
    process.exitCode = 1;
    void stopDev(dev.child).then(() => process.exit(1));
  }, OVERALL_TIMEOUT_MS);
  try {
    const log = await dev.ready;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    await scenario(browser, `http://127.0.0.1:${port}`, log);
  } catch (err) {
    failures++;
    console.log(`FAIL scenario: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    clearTimeout(overall);
    await browser?.close().catch(() => undefined);
    await stopDev(dev.child);
    if (!process.env.E2E_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(failures === 0 ? "e2e:sessions passed" : `e2e:sessions: ${failures} failed`);
  process.exitCode = failures === 0 ? 0 : 1;
}

await main();
