/**
 * `npm run e2e:notify`: issue 11's "done when", checked in a real browser against `npm run dev`
 * (fresh temporary data folder, free ports). Debian's Chromium via playwright-core:
 *  - the app is installable: manifest, service worker active, and with the network gone a page
 *    navigation shows the cached offline page with crisis lines;
 *  - the clinician enables push on /notifications. Chromium's own PushManager.subscribe needs its
 *    vendor push service (FCM), which is unreachable offline: the run reports what it answered.
 *    The subscription Haven delivers to is then registered the way a browser's would be, with
 *    user-agent keys made here, at the local push service (https://push.haven.localhost, handled
 *    by the Worker in local mode);
 *  - the demo patient sends a crisis message: the clinician's open dashboard gets the in-app
 *    notification live (nav badge), the local push service receives an RFC 8291 aes128gcm
 *    message with a valid VAPID token, which is decrypted here with the subscription's keys and
 *    handed to the clinician's real service worker (CDP ServiceWorker.deliverPushMessage): it
 *    shows "Haven: urgent care-team alert"; the dev mailbox has the alert email;
 *  - the seeded session reminder arrives (dev mailbox) within its minute;
 *  - a dead letter (a push to a subscription the push service refuses, 403) is visible to the
 *    admin on /admin/notifications and retried from there.
 * Axe (WCAG 2 A/AA) runs on /notifications, /admin/notifications and /offline.
 * Everything started here is stopped at the end, also on failure.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { base64UrlBytes, decryptPush, newUserAgentKeys } from "../workers/features/notifications/rfc8291.ts";

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
const DEV_PUSH_ORIGIN = "https://push.haven.localhost";
const STEP = 20_000;

let failures = 0;
const check = (name: string, ok: boolean, detail = "") => {
  if (!ok) failures++;
  console.log(`${ok ? "PASS" : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`);
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
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const o = (mac.at(-1) ?? 0) & 0x0f;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      const port = typeof a === "object" && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function startDev(ports: number[], dataDir: string) {
  const [port, neon, upstash, openai] = ports.map(String);
  const child = spawn(
    process.execPath,
    [
      "--experimental-strip-types",
      join(root, "scripts", "dev.ts"),
      ...["--port", port, "--neon-port", neon, "--upstash-port", upstash, "--openai-port", openai],
      ...["--data-dir", dataDir],
    ] as string[],
    { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
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
    child.once("exit", (code) => reject(new Error(`dev exited (${code}):\n${out.slice(-2000)}`)));
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

interface Account {
  email: string;
  password: string;
  totp?: string;
}
function creds(log: string): Record<"patient" | "clinician" | "admin", Account> {
  const get = (role: string): Account => {
    const m = new RegExp(`${role}\\s+(\\S+@\\S+)\\s+password (\\S+)(?:\\s+TOTP secret (\\S+))?`).exec(log);
    if (!m?.[1] || !m[2]) throw new Error(`no ${role} credentials in the dev output`);
    return { email: m[1], password: m[2], ...(m[3] ? { totp: m[3] } : {}) };
  };
  return { patient: get("patient"), clinician: get("clinician"), admin: get("admin") };
}

async function signIn(page: Page, a: Account): Promise<void> {
  await page.goto("/login");
  await page.fill("#email", a.email);
  await page.fill("#password", a.password);
  await Promise.all([page.waitForLoadState("load"), page.click("form[action='/login'] button[type=submit]")]);
  if (a.totp) {
    await page.waitForSelector("form[action='/login/mfa']");
    await page.fill("#code", totp(a.totp));
    await Promise.all([
      page.waitForURL((u) => !u.pathname.startsWith("/login")),
      page.click("text=Continue"),
    ]);
  }
}

async function context(browser: Browser, base: string): Promise<BrowserContext> {
  const ctx = await browser.newContext({ baseURL: base, viewport: { width: 390, height: 844 } });
  ctx.setDefaultTimeout(STEP);
  await ctx.grantPermissions(["notifications"], { origin: base });
  return ctx;
}

async function axe(page: Page, name: string): Promise<void> {
  const source = readFileSync(join(root, "node_modules", "axe-core", "axe.min.js"), "utf8");
  // Evaluated over CDP (the CSP forbids inline script tags).
  await page.evaluate(source).catch(() => undefined);
  const violations = (await page
    .evaluate(async () => {
      const w = window as unknown as {
        axe?: { run: (o: unknown) => Promise<{ violations: Array<{ id: string }> }> };
      };
      if (!w.axe) return null;
      const r = await w.axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] } });
      return r.violations.map((v) => v.id);
    })
    .catch(() => null)) as string[] | null;
  if (violations === null) console.log(`SKIP axe ${name} (axe-core could not be injected under the CSP)`);
  else check(`axe ${name}`, violations.length === 0, violations.join(", ") || "no violations");
}

async function until<T>(probe: () => Promise<T | undefined>, ms: number): Promise<T | undefined> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
  return undefined;
}

async function api(page: Page, path: string, init: { method?: string; body?: unknown } = {}) {
  return page.evaluate(
    async ({ path, init }) => {
      const csrf = decodeURIComponent(/(?:^|;\s*)haven_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? "");
      const res = await fetch(path, {
        method: init.method ?? "GET",
        credentials: "same-origin",
        headers: { "content-type": "application/json", "x-csrf-token": csrf },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      return { status: res.status, body: res.status === 204 ? null : await res.json().catch(() => null) };
    },
    { path, init },
  );
}

async function scenario(browser: Browser, base: string, accounts: ReturnType<typeof creds>): Promise<void> {
  // ---- installable + offline -----------------------------------------------------------------------
  const clinCtx = await context(browser, base);
  const clin = await clinCtx.newPage();
  await signIn(clin, accounts.clinician);
  await clin.goto("/notifications");
  const manifest = await clin.evaluate(async () => {
    const href = document.querySelector('link[rel="manifest"]')?.getAttribute("href");
    return href ? ((await (await fetch(href)).json()) as { display?: string; start_url?: string }) : null;
  });
  check(
    "web app manifest",
    manifest?.display === "standalone" && manifest.start_url === "/",
    JSON.stringify(manifest),
  );
  const swActive = await clin.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    return Boolean(reg.active);
  });
  check("service worker active", swActive);
  await axe(clin, "/notifications");

  // Chromium's real PushManager (needs FCM: unreachable offline). Report honestly what it says.
  await clin.click("#push-on");
  const pushStatus = await until(async () => {
    const t = await clin.textContent("#push-status");
    return t && t.length > 0 ? t : undefined;
  }, 15_000);
  console.log(`INFO Chromium PushManager.subscribe: "${pushStatus ?? "no answer"}"`);

  // The subscription Haven delivers to, at the local push service, with user-agent keys made here.
  const ua = await newUserAgentKeys();
  const subPath = `/sub/${crypto.randomUUID()}`;
  const sub = await api(clin, "/v1/me/push-subscriptions", {
    method: "POST",
    body: { endpoint: `${DEV_PUSH_ORIGIN}${subPath}`, keys: { p256dh: ua.publicKey, auth: ua.auth } },
  });
  check("push subscription registered", sub.status === 201, `status ${sub.status}`);

  // Offline: a navigation falls back to the cached offline page with crisis lines.
  const offlinePage = await clinCtx.newPage();
  await offlinePage.goto("/notifications");
  await offlinePage.evaluate(() => navigator.serviceWorker.ready);
  await clinCtx.setOffline(true);
  await offlinePage.goto("/chat").catch(() => undefined);
  const offlineText = (await offlinePage.textContent("body").catch(() => "")) ?? "";
  check(
    "offline page with crisis lines",
    offlineText.includes("You're offline") && offlineText.includes("988"),
  );
  await clinCtx.setOffline(false);
  await offlinePage.close();

  // ---- the crisis ------------------------------------------------------------------------------------
  await clin.goto("/clinician");
  await clin.waitForFunction(() => document.getElementById("alert-status")?.textContent?.startsWith("Live"));
  const patCtx = await context(browser, base);
  const pat = await patCtx.newPage();
  await signIn(pat, accounts.patient);
  await pat.goto("/chat");
  await pat.waitForFunction(() => document.getElementById("chat-status")?.textContent === "Connected");
  const sentAt = Date.now();
  await pat.fill("#chat-input", "I want to kill myself tonight, I have the pills");
  await pat.click("#chat-form button[type=submit]");

  const badge = await clin
    .waitForFunction(() => {
      const b = document.getElementById("nav-unread");
      return b && !b.hidden && Number(b.textContent) > 0 ? b.textContent : null;
    })
    .then((h) => h.jsonValue())
    .catch(() => null);
  check(
    "in-app notification live on the clinician's page",
    badge !== null,
    `unread ${badge} after ${Date.now() - sentAt} ms`,
  );

  const stored = await until(async () => {
    const r = await fetch(`${base}/dev/push${subPath}`);
    const { messages } = (await r.json()) as { messages: Array<{ body: string; urgency: string | null }> };
    return messages[0];
  }, 20_000);
  check(
    "push received by the local push service (VAPID verified)",
    stored !== undefined,
    stored ? `urgency ${stored.urgency}` : "",
  );
  let payload: Record<string, unknown> | null = null;
  if (stored) {
    payload = JSON.parse(await decryptPush(base64UrlBytes(stored.body), ua)) as Record<string, unknown>;
    check(
      "push decrypts with the subscription's keys (RFC 8291)",
      payload.title === "Haven: urgent care-team alert" && !JSON.stringify(payload).includes("kill"),
      JSON.stringify(payload),
    );
  }

  // Hand the decrypted message to the clinician's real service worker.
  if (payload) {
    const cdp = await clinCtx.newCDPSession(clin);
    const registrationId = await new Promise<string | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 5_000);
      cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        (e: { registrations: Array<{ registrationId: string; scopeURL: string }> }) => {
          const reg = e.registrations.find((r) => r.scopeURL.startsWith(base));
          if (reg) {
            clearTimeout(timer);
            resolve(reg.registrationId);
          }
        },
      );
      void cdp.send("ServiceWorker.enable");
    });
    if (registrationId) {
      await cdp.send("ServiceWorker.deliverPushMessage", {
        origin: new URL(base).origin,
        registrationId,
        data: JSON.stringify(payload),
      });
      const shown = await until(
        () =>
          clin
            .evaluate(async () => {
              const reg = await navigator.serviceWorker.ready;
              return (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body }));
            })
            .then((list) => (list.length > 0 ? list : undefined)),
        10_000,
      );
      check(
        "the service worker shows the push as a notification",
        shown?.[0]?.title === "Haven: urgent care-team alert",
        JSON.stringify(shown),
      );
    } else check("service worker registration found over CDP", false);
  }

  const mail = await until(async () => {
    const html = await (await fetch(`${base}/dev/mailbox`)).text();
    return html.includes("Haven: urgent care-team alert") ? html : undefined;
  }, 20_000);
  check("crisis alert email in the dev mailbox", mail !== undefined);

  // ---- the seeded session reminder (due about two minutes after seeding) -------------------------------
  const reminder = await until(async () => {
    const html = await (await fetch(`${base}/dev/mailbox`)).text();
    return html.includes("Haven: reminder") ? html : undefined;
  }, 200_000);
  check("session reminder arrived (dev mailbox)", reminder !== undefined);

  // ---- a dead letter, seen and retried by the admin -------------------------------------------------
  const refused = await api(clin, "/v1/me/push-subscriptions", {
    method: "POST",
    body: {
      endpoint: `${DEV_PUSH_ORIGIN}/refuse/${crypto.randomUUID()}`,
      keys: { p256dh: ua.publicKey, auth: ua.auth },
    },
  });
  check("a second (refused) subscription registered", refused.status === 201);
  const subId = (sub.body as { id?: string } | null)?.id ?? "";
  check(
    "the working subscription removed",
    (await api(clin, `/v1/me/push-subscriptions/${subId}`, { method: "DELETE" })).status === 204,
  );
  await api(pat, "/v1/chat/messages", {
    method: "POST",
    body: { text: "I am going to end my life tonight", clientId: crypto.randomUUID() },
  });
  const adminCtx = await context(browser, base);
  const admin = await adminCtx.newPage();
  await signIn(admin, accounts.admin);
  let lastAnswer = "";
  const listed = await until(async () => {
    const r = await api(admin, "/v1/admin/notifications/dead-letters").catch((e: Error) => {
      lastAnswer = `${admin.url()}: ${e.message.slice(0, 200)}`;
      throw e;
    });
    lastAnswer = `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`;
    const rows =
      (r.body as { deadLetters?: Array<{ id: string; errorCode: string }> } | null)?.deadLetters ?? [];
    return rows.length > 0 ? rows : undefined;
  }, 30_000);
  check(
    "a dead letter reaches the admin API",
    listed !== undefined,
    listed ? JSON.stringify(listed.map((d) => d.errorCode)) : lastAnswer,
  );
  await admin.goto("/admin/notifications");
  await admin.waitForSelector("#dl-rows tr");
  await axe(admin, "/admin/notifications");
  await admin.click("#dl-rows tr >> text=Retry");
  const status = await until(async () => {
    const t = await admin.textContent("#dl-status");
    return t?.includes("retried") ? t : undefined;
  }, 10_000);
  check("admin retries the dead letter from the console", status !== undefined, status ?? "");

  const offline = await (await context(browser, base)).newPage();
  await offline.goto("/offline");
  await axe(offline, "/offline");
}

async function main(): Promise<void> {
  const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const dataDir = mkdtempSync(join(tmpdir(), "haven-e2e-notify-"));
  const { child, ready } = startDev(ports, dataDir);
  let browser: Browser | undefined;
  try {
    const log = await ready;
    const base = `http://127.0.0.1:${ports[0]}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    await scenario(browser, base, creds(log));
  } catch (err) {
    failures++;
    console.log(`FAIL run: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await browser?.close().catch(() => undefined);
    await stopDev(child);
    if (!process.env.E2E_KEEP_DATA) rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(failures === 0 ? "e2e:notify passed" : `e2e:notify: ${failures} failure(s)`);
  process.exit(failures === 0 ? 0 : 1);
}

void main();
