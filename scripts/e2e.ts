/**
 * `npm run e2e`: the chat issue's "done when", checked in a real browser. Starts `scripts/dev.ts`
 * on a free port with a fresh temporary data folder, reads the demo credentials it prints, then
 * drives Debian's Chromium with playwright-core: the clinician signs in (password + TOTP) and opens
 * /clinician; the patient signs in, chats (streamed, offline-labelled reply), sends a crisis message
 * (banner with 988 before any reply; the clinician's page alerts within 2 s), reloads (history
 * replays). Sign-in pages and /docs are checked for CSP violations; phone-width screenshots go to
 * /tmp/e2e-*.png. Then (also alone with `--chat-mobile`, `npm run e2e:chat-mobile`): the 404 and 403
 * pages render in the layout, and at 390×844, after a conversation longer than the screen, a first
 * and a second crisis message (banner already shown) each bring their response into view; after a
 * reload every response is inline after its message, in order. Everything started here is stopped
 * at the end, also on failure.
 *
 * Env: CHROMIUM (default /usr/bin/chromium), E2E_KEEP_DATA=1 keeps the temporary data folder.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  freePort,
  PHONE,
  startDev,
  stopDev,
  totp,
  watchConsole,
} from "./e2e-lib.ts";

/** `npm run e2e:chat-mobile`: only the error pages and the phone-width crisis scenario. */
const CHAT_MOBILE_ONLY = process.argv.includes("--chat-mobile");
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

// ---- the dev server -----------------------------------------------------------------------------

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

// ---- browser helpers ----------------------------------------------------------------------------

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

  // (2b) An ambiguous message: the companion asks directly (check-in tier); "no" gets a normal reply.
  const beforeCheckIn = (await companionBubbles(patient)).length;
  await patient.fill("#chat-input", "i can't do this anymore");
  await patient.click("#chat-form button[type=submit]");
  const question = await patient
    .waitForSelector("#chat-log li.chat-check-in", { timeout: 5_000 })
    .then((el) => el.textContent())
    .catch(() => "");
  check(
    "check-in question for an ambiguous message",
    (question ?? "").includes("thoughts of suicide") && (await patient.locator("#chat-crisis").isHidden()),
    "asked directly, no crisis banner",
  );
  await patient.fill("#chat-input", "no, not like that. just tired of work");
  await patient.click("#chat-form button[type=submit]");
  await patient
    .waitForFunction(
      (n) =>
        Array.from(document.querySelectorAll("#chat-log li")).filter((li) =>
          li.querySelector("strong")?.textContent?.startsWith("Companion"),
        ).length >
        n + 1,
      beforeCheckIn,
      { timeout: 15_000 },
    )
    .catch(() => undefined);
  check(
    "a 'no' to the check-in gets an ordinary reply",
    (await companionBubbles(patient)).length > beforeCheckIn + 1 &&
      (await patient.locator("#chat-crisis").isHidden()),
    "no crisis response",
  );
  await screenshot(patient, "chat-check-in");

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
    const el = Array.from(document.querySelectorAll("#chat-log > li.chat-crisis")).at(-1);
    const r = el?.getBoundingClientRect();
    return r !== undefined && r.top >= 0 && r.top < window.innerHeight;
  });
  check("crisis response scrolled into view", inView, "inline response's top edge on screen at 390×844");
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
  await patient
    .waitForFunction(() => (document.getElementById("chat-crisis-alerted")?.textContent ?? "") !== "", null, {
      timeout: 5_000,
    })
    .catch(() => undefined);
  const teamLine = (await patient.locator("#chat-crisis-alerted").textContent()) ?? "";
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

// ---- error pages and the phone-width crisis scenario -------------------------------------------

/** A browser navigating to a missing page, or posting a stale form, gets a page in the layout. */
async function errorPages(browser: Browser, base: string): Promise<void> {
  const ctx = await newPhoneContext(browser, base);
  const page = await ctx.newPage();
  const cspErrors: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource"))
      cspErrors.push(msg.text());
  });
  const missing = await page.goto("/no-such-page");
  const h1 = await page.locator("main h1").textContent();
  const nav = await page.locator("header.site-header nav").count();
  check(
    "404 page in the layout",
    missing?.status() === 404 && h1 === "Page not found" && nav === 1,
    `${missing?.status()} "${h1}"`,
  );
  await screenshot(page, "error-404");
  await page.goto("/");
  await Promise.all([
    page.waitForURL("**/account/password"),
    page.evaluate(() => {
      const form = document.createElement("form");
      form.method = "post";
      form.action = "/account/password";
      const field = document.createElement("input");
      field.name = "csrf";
      field.value = "forged";
      form.append(field);
      document.body.append(form);
      form.submit();
    }),
  ]);
  const forbidden = await page.locator("main h1").textContent();
  const body = (await page.locator("main").textContent()) ?? "";
  check(
    "403 page in the layout",
    forbidden === "Not allowed" && body.includes("This form has expired"),
    `"${forbidden}"`,
  );
  await screenshot(page, "error-403");
  check("error pages: no console errors", cspErrors.length === 0, cspErrors.join(" | ") || "none");
  await ctx.close();
}

/** Whether an element's box is inside the viewport (its top on screen, not scrolled past). */
function onScreen(page: Page, selector: string): Promise<{ top: number; bottom: number; visible: boolean }> {
  return page.evaluate((sel) => {
    const el = Array.from(document.querySelectorAll(sel)).at(-1);
    if (!el) return { top: Number.NaN, bottom: Number.NaN, visible: false };
    const r = el.getBoundingClientRect();
    return {
      top: r.top,
      bottom: r.bottom,
      visible: r.top >= 0 && r.top < window.innerHeight && r.bottom > 0,
    };
  }, selector);
}

/** The log as "kind:first words", in order: `you:…`, `crisis:about=<text of the message before>`. */
function logOrder(page: Page): Promise<string[]> {
  return page.$$eval("#chat-log > li", (items) =>
    items.map((li) => {
      const text = li.querySelector("p")?.textContent ?? "";
      if (li.classList.contains("chat-crisis"))
        return `crisis:after=${li.previousElementSibling?.querySelector("p")?.textContent ?? ""}`;
      if (li.classList.contains("chat-you")) return `you:${text}`;
      return `other:${li.querySelector("strong")?.textContent ?? ""}`;
    }),
  );
}

/** Sends an ordinary message and waits until the companion's reply has stopped growing. */
async function chatTurn(page: Page, text: string): Promise<void> {
  const count = await page.locator("#chat-log > li.chat-companion").count();
  await page.fill("#chat-input", text);
  await page.click("#chat-form button[type=submit]");
  await page.waitForFunction(
    (n) => document.querySelectorAll("#chat-log > li.chat-companion").length > n,
    count,
    {
      timeout: 20_000,
    },
  );
  let last = "";
  for (let stable = 0; stable < 8; ) {
    await page.waitForTimeout(150);
    const now = (await page.locator("#chat-log > li.chat-companion >> nth=-1").textContent()) ?? "";
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
}

/**
 * At 390×844 the patient sends a crisis message, then a second one while the banner is already
 * shown: the new response must be brought into view each time. After a reload every response is
 * inline, right after the message it answers, in order.
 */
async function chatMobile(browser: Browser, base: string, creds: Credentials): Promise<void> {
  const ctx = await newPhoneContext(browser, base);
  const page = await ctx.newPage();
  const errors: string[] = [];
  watchConsole(page, errors);
  await signIn(page, creds.patient.email, creds.patient.password);
  await page.goto("/chat");
  await page.waitForFunction(() => document.getElementById("chat-status")?.textContent === "Connected");
  await page.waitForTimeout(1_000); // replay of any earlier conversation
  // A conversation longer than the screen first, as on a phone after a while: the banner at the
  // top is then out of view when the crisis messages are sent.
  for (const text of [
    "Work has been a lot lately",
    "I haven't been sleeping well",
    "My friends seem far away",
  ])
    await chatTurn(page, text);
  const crisisCount = () => page.locator("#chat-log > li.chat-crisis").count();
  const before = await crisisCount();

  const first = "I want to end my life, I have a plan for tonight";
  await page.fill("#chat-input", first);
  await page.click("#chat-form button[type=submit]");
  await page.waitForSelector("#chat-crisis:not([hidden])");
  await page
    .waitForFunction((n) => document.querySelectorAll("#chat-log > li.chat-crisis").length > n, before, {
      timeout: 3_000,
    })
    .catch(() => undefined);
  await page.waitForTimeout(300);
  const firstInline = (await crisisCount()) > before;
  const one = await onScreen(page, firstInline ? "#chat-log > li.chat-crisis" : "#chat-crisis");
  check("mobile: first crisis response in view", one.visible, `top ${Math.round(one.top)} of 844`);

  const second = "I still want to kill myself, nothing helps";
  const bannerShown = await page.locator("#chat-crisis").isVisible();
  await page.fill("#chat-input", second);
  await page.click("#chat-form button[type=submit]");
  await page
    .waitForFunction((n) => document.querySelectorAll("#chat-log > li.chat-crisis").length > n + 1, before, {
      timeout: 3_000,
    })
    .catch(() => undefined);
  await page.waitForTimeout(300);
  const inline = (await crisisCount()) > before + 1;
  // Pages without inline responses show each new response only in the banner: that is what must be seen.
  const two = await onScreen(page, inline ? "#chat-log > li.chat-crisis" : "#chat-crisis");
  check(
    "mobile: second crisis response brought into view with the banner already shown",
    bannerShown && two.visible,
    `banner shown before: ${bannerShown}; inline: ${inline}; top ${Math.round(two.top)}, bottom ${Math.round(two.bottom)} of 844`,
  );
  await page.screenshot({ path: "/tmp/e2e-chat-mobile-second-crisis.png" });

  await page.reload();
  await page.waitForFunction(() => document.getElementById("chat-status")?.textContent === "Connected");
  await page
    .waitForFunction((t) => (document.getElementById("chat-log")?.textContent ?? "").includes(t), second, {
      timeout: 5_000,
    })
    .catch(() => undefined);
  await page.waitForTimeout(500);
  const order = await logOrder(page);
  const i1 = order.indexOf(`you:${first}`);
  const i2 = order.indexOf(`you:${second}`);
  check(
    "mobile: after reload each crisis response is inline after its message, in order",
    i1 >= 0 &&
      i2 > i1 &&
      order[i1 + 1] === `crisis:after=${first}` &&
      order[i2 + 1] === `crisis:after=${second}`,
    order.slice(Math.max(0, i1)).join(" | "),
  );
  await screenshot(page, "chat-mobile-reloaded");

  // The chat flush (a system job) has written audit rows about this patient by now: the access
  // report must not list them as someone else's access, and reads as words, not action names.
  await page.goto("/account/access");
  const report = (await page.locator("main").textContent()) ?? "";
  check(
    "access report: no system jobs, no raw action names",
    report.includes("Who accessed my data") &&
      !/System|chat\.messages\.persist|[a-z_]+\.[a-z_]+ \(/.test(report),
    report.replace(/\s+/g, " ").slice(0, 160),
  );
  await screenshot(page, "access-report");
  check("mobile: no console errors", errors.length === 0, errors.join(" | ") || "none");
  await ctx.close();
}

/**
 * Room events the server may add (`careTeamAlerted` on a crisis, `crisis_status`, `check_in`),
 * rendered from a scripted socket: the page is served by the dev server, the WebSocket is a stand-in
 * that plays these frames, so the page's handling is checked before the room sends them.
 */
async function chatEvents(browser: Browser, base: string): Promise<void> {
  const ctx = await newPhoneContext(browser, base);
  await ctx.addCookies([{ name: "haven_at", value: "stand-in", url: base }]);
  await ctx.addInitScript(() => {
    const resources = [{ name: "988 Lifeline", phone: "988" }];
    const frames = [
      { type: "welcome", lastSeq: 0, role: "user" },
      { type: "message", seq: 1, role: "user", text: "first message", clientId: "a" },
      { type: "crisis", seq: 2, about: 1, response: "R1", resources, careTeamAlerted: "pending" },
      { type: "message", seq: 3, role: "user", text: "second message", clientId: "b" },
      { type: "crisis", seq: 4, about: 3, response: "R2", resources, careTeamAlerted: false },
      { type: "check_in", seq: 5, about: 3, text: "Are you having thoughts of ending your life?" },
      { type: "message", seq: 6, role: "user", text: "third message", clientId: "c" },
      { type: "crisis", seq: 7, about: 6, response: "R3", resources, careTeamAlerted: "pending" },
      { type: "crisis_status", seq: 8, about: 1, careTeamAlerted: true },
    ];
    class ScriptedSocket {
      static OPEN = 1;
      readyState = 0;
      onopen: (() => void) | null = null;
      onmessage: ((e: { data: string }) => void) | null = null;
      onclose: (() => void) | null = null;
      constructor() {
        setTimeout(() => {
          this.readyState = 1;
          this.onopen?.();
        }, 0);
      }
      send(raw: string) {
        if (JSON.parse(raw).type !== "hello") return;
        for (const [i, f] of frames.entries())
          setTimeout(() => this.onmessage?.({ data: JSON.stringify(f) }), 20 * (i + 1));
      }
      close() {}
    }
    Object.assign(window, { WebSocket: ScriptedSocket });
  });
  const page = await ctx.newPage();
  await page.goto("/chat");
  await page.waitForFunction(() => document.querySelectorAll("#chat-log > li").length >= 7);
  await page.waitForTimeout(300);
  const state = await page.evaluate(() => {
    const items = Array.from(document.querySelectorAll("#chat-log > li"));
    const alerted = (li: Element | undefined) => {
      const p = li?.querySelector<HTMLElement>(".chat-crisis-alerted");
      return p && !p.hidden ? (p.textContent ?? "") : "";
    };
    const crises = items.filter((li) => li.classList.contains("chat-crisis"));
    const banner = document.getElementById("chat-crisis-alerted") as HTMLElement;
    return {
      order: items.map((li) => (li.querySelector("p")?.textContent ?? "").slice(0, 14)),
      alerted: crises.map(alerted),
      banner: banner.hidden ? "" : (banner.textContent ?? ""),
      checkInLabel: document.querySelector(".chat-check-in strong")?.textContent ?? "",
      checkInLive: document.querySelector(".chat-check-in")?.closest("[aria-live]")?.id ?? "",
    };
  });
  check(
    "events: inline order (crisis and check-in after the message they answer)",
    state.order.join("|") === "first message|R1|second message|R2|Are you having|third message|R3",
    state.order.join(" | "),
  );
  check(
    "events: care-team status (true, false, pending)",
    state.alerted[0] === "Your care team has been alerted." &&
      state.alerted[1] ===
        "No clinician on a care team was alerted: you have no care team on Haven yet. Please use the resources above." &&
      state.alerted[2] === "",
    JSON.stringify(state.alerted),
  );
  check("events: banner says nothing definitive while pending", state.banner === "", `"${state.banner}"`);
  check(
    "events: check-in is a companion bubble in the live log",
    state.checkInLabel.startsWith("Companion") && state.checkInLive === "chat-log",
    `${state.checkInLabel} in #${state.checkInLive}`,
  );
  await page.focus(".chat-check-in button");
  await page.keyboard.press("Enter");
  const focused = await page.evaluate(() => document.activeElement?.id ?? "");
  check("events: check-in answerable from the keyboard", focused === "chat-input", `focus on #${focused}`);
  await page.screenshot({ path: "/tmp/e2e-chat-events.png", fullPage: true });
  await ctx.close();
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
    if (!CHAT_MOBILE_ONLY) await scenario(browser, base, creds);
    await errorPages(browser, base);
    await chatEvents(browser, base);
    await chatMobile(browser, base, creds);
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
