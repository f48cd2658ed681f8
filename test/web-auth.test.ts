import { describe, expect, it } from "vitest";
import { generateTotp } from "../workers/features/auth/totp";
import { createRedis } from "../workers/lib/redis";
import { createUser, testConfig } from "./fixtures";
import { call, uniqueIp } from "./helpers";

const PASSWORD = "Velvet-Orchard-Lantern-93!";

/** A browser's cookie jar for one visitor, so flows run as a browser would. */
class Browser {
  readonly cookies = new Map<string, string>();
  readonly ip = uniqueIp();

  async get(path: string): Promise<Response> {
    return this.store(await call(path, { headers: this.header(), ip: this.ip, redirect: "manual" }));
  }

  async post(path: string, fields: Record<string, string>): Promise<Response> {
    const headers = { ...this.header(), "content-type": "application/x-www-form-urlencoded" };
    return this.store(
      await call(path, {
        method: "POST",
        headers,
        body: new URLSearchParams(fields).toString(),
        ip: this.ip,
        redirect: "manual",
      }),
    );
  }

  /** GETs a page and returns the csrf value of its first form. */
  async csrf(path: string): Promise<string> {
    const token = csrfIn(await (await this.get(path)).text());
    expect(token).toBe(this.cookies.get("haven_csrf"));
    return token;
  }

  private header(): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    return cookie ? { cookie } : {};
  }

  private store(res: Response): Response {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const [name = "", value = ""] = pair.split("=");
      if (!value || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
}

const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
const setCookie = (res: Response, name: string) =>
  res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`)) ?? "";

async function mailTo(to: string): Promise<string> {
  const inbox = await createRedis(testConfig()).lrange<{ to: string; text: string }>("devmail:inbox", 0, 99);
  const mail = inbox.find((m) => m.to === to);
  if (!mail) throw new Error("no mail");
  return /token=([A-Za-z0-9._-]+)/.exec(mail.text)?.[1] ?? "";
}

async function signUpByForm(b: Browser, email: string) {
  const csrf = await b.csrf("/signup");
  const res = await b.post("/signup", {
    csrf,
    email,
    password: PASSWORD,
    displayName: "Robin Web",
    region: "eu",
    consentHealth: "yes",
  });
  expect(res.status).toBe(200);
  expect(await res.text()).toContain("Check your email");
  return mailTo(email);
}

async function signedInPatient() {
  const b = new Browser();
  const email = `web-${crypto.randomUUID().slice(0, 8)}@example.test`;
  const token = await signUpByForm(b, email);
  expect((await b.post("/verify-email", { csrf: b.cookies.get("haven_csrf") ?? "", token })).status).toBe(
    200,
  );
  const login = await b.post("/login", { csrf: await b.csrf("/login"), email, password: PASSWORD });
  expect(login.status).toBe(303);
  return { b, email, login };
}

describe("sign-up and email confirmation pages", () => {
  it("creates the account from the form and mails a link that GET does not spend", async () => {
    const b = new Browser();
    const email = `su-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const token = await signUpByForm(b, email);
    expect(token.length).toBeGreaterThan(16);
    const page = await b.get(`/verify-email?token=${token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`name="token" value="${token}"`);
    const first = await b.post("/verify-email", { csrf: b.cookies.get("haven_csrf") ?? "", token });
    expect(first.status).toBe(200);
    expect(await first.text()).toContain("Email confirmed");
    expect((await b.post("/verify-email", { csrf: b.cookies.get("haven_csrf") ?? "", token })).status).toBe(
      400,
    );
  });

  it("requires health-data consent and names the weak-password rule, without echoing the password", async () => {
    const b = new Browser();
    const csrf = await b.csrf("/signup");
    const noConsent = await b.post("/signup", {
      csrf,
      email: "nc@example.test",
      password: PASSWORD,
      displayName: "N",
      region: "us",
    });
    expect(noConsent.status).toBe(422);
    const html = await noConsent.text();
    expect(html).toContain("Haven cannot work without this consent");
    expect(html).not.toContain(PASSWORD);
    expect(html).toContain('value="nc@example.test"');
    const weak = await b.post("/signup", {
      csrf,
      email: "w@example.test",
      password: "password1234",
      displayName: "W",
      region: "us",
      consentHealth: "yes",
    });
    expect(weak.status).toBe(422);
    expect(await weak.text()).toContain("This password is too common");
  });
});

describe("sign-in, account and sign-out pages", () => {
  it("GET /login sets the CSRF cookie and puts the same value in a hidden field", async () => {
    const b = new Browser();
    const res = await b.get("/login");
    expect(res.status).toBe(200);
    const token = csrfIn(await res.text());
    expect(token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(setCookie(res, "haven_csrf")).toContain(`haven_csrf=${token}`);
    expect(setCookie(res, "haven_csrf")).toMatch(/SameSite=Strict/i);
  });

  it("refuses a form POST without a matching csrf field (403)", async () => {
    const b = new Browser();
    await b.get("/login");
    const missing = await b.post("/login", { email: "a@example.test", password: PASSWORD });
    expect(missing.status).toBe(403);
    const wrong = await b.post("/login", {
      csrf: "not-the-cookie-value",
      email: "a@example.test",
      password: PASSWORD,
    });
    expect(wrong.status).toBe(403);
    const noCookie = await call("/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "csrf=x&email=a%40b.co&password=p",
    });
    expect(noCookie.status).toBe(403);
  });

  it("signs in (303 + HttpOnly SameSite=Strict cookie), shows the account, and signs out", async () => {
    const { b, login } = await signedInPatient();
    expect(login.headers.get("location")).toBe("/account");
    const access = setCookie(login, "haven_at");
    expect(access).toMatch(/HttpOnly/i);
    expect(access).toMatch(/SameSite=Strict/i);
    const account = await b.get("/account");
    expect(account.status).toBe(200);
    expect(account.headers.get("cache-control")).toBe("no-store");
    const html = await account.text();
    expect(html).toContain("Robin Web");
    expect(html).toContain("European Union");
    expect(html).toContain("Sign out");
    expect(html).toContain('action="/account/consents/ai_companion/grant"');

    const stolen = b.cookies.get("haven_at") ?? "";
    const out = await b.post("/logout", { csrf: csrfIn(html) });
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/");
    expect(b.cookies.has("haven_at")).toBe(false);
    expect((await b.get("/account")).headers.get("location")).toBe("/login?next=%2Faccount");
    // The old access cookie itself is revoked, not just deleted from this browser.
    const replay = await call("/account", { headers: { cookie: `haven_at=${stolen}` }, redirect: "manual" });
    expect(replay.status).toBe(303);
    expect(replay.headers.get("location")).toBe("/login?next=%2Faccount");
  });

  it("renews an expired access cookie from the refresh cookie on a page view", async () => {
    const { b } = await signedInPatient();
    const oldRefresh = b.cookies.get("haven_rt");
    b.cookies.delete("haven_at");
    const page = await b.get("/");
    expect(await page.text()).toContain('action="/logout"');
    expect(setCookie(page, "haven_at")).toMatch(/HttpOnly/i);
    expect(b.cookies.get("haven_rt")).not.toBe(oldRefresh);
    expect((await b.get("/account")).status).toBe(200);
  });

  it("keeps 401 for a wrong password and does not echo it", async () => {
    const b = new Browser();
    const csrf = await b.csrf("/login");
    const res = await b.post("/login", {
      csrf,
      email: "nobody@example.test",
      password: "Wrong-Password-Zebra-77",
    });
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(html).toContain("Invalid email or password");
    expect(html).not.toContain("Wrong-Password-Zebra-77");
  });

  it("redirects /account and /account/security to /login when signed out", async () => {
    for (const path of ["/account", "/account/security", "/account/access"]) {
      const res = await call(path, { redirect: "manual" });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });

  it("withdraws and grants a consent by form", async () => {
    const { b } = await signedInPatient();
    const csrf = b.cookies.get("haven_csrf") ?? "";
    const grant = await b.post("/account/consents/ai_companion/grant", { csrf });
    expect(grant.headers.get("location")).toBe("/account?notice=consent-updated");
    expect(await (await b.get("/account")).text()).toContain(
      'action="/account/consents/ai_companion/withdraw"',
    );
    expect((await b.post("/account/consents/ai_companion/withdraw", { csrf: "bad" })).status).toBe(403);
  });
});

describe("clinician invitation and MFA pages", () => {
  it("accepts an invite, enrols MFA, then signs in through the code step", async () => {
    const admin = await createUser("admin");
    const email = `dr-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const inv = await call("/v1/admin/invitations", {
      method: "POST",
      headers: { ...admin.auth, "content-type": "application/json" },
      body: JSON.stringify({ email, displayName: "Dr Web", role: "clinician", region: "us" }),
    });
    expect(inv.status).toBe(201);
    const b = new Browser();
    const token = await mailTo(email);
    const accept = await b.post("/accept-invite", {
      csrf: await b.csrf(`/accept-invite?token=${token}`),
      token,
      password: PASSWORD,
    });
    expect(accept.status).toBe(200);

    const first = await b.post("/login", { csrf: await b.csrf("/login"), email, password: PASSWORD });
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/account/security?notice=mfa-required");
    const security = await b.get("/account/security?notice=mfa-required");
    expect(await security.text()).toContain("Your role requires two-factor sign-in");
    const setup = await (
      await b.post("/account/mfa/setup", { csrf: b.cookies.get("haven_csrf") ?? "" })
    ).text();
    const secret = /class="secret">([A-Z2-7]+)</.exec(setup)?.[1] ?? "";
    expect(setup).toContain("otpauth://totp/");
    const enable = await b.post("/account/mfa/enable", {
      csrf: csrfIn(setup),
      code: await generateTotp(secret),
      secret,
    });
    expect(enable.status).toBe(200);
    const codes = [...(await enable.text()).matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map(
      (m) => m[1] ?? "",
    );
    expect(codes).toHaveLength(10);

    const phone = new Browser();
    const step = await phone.post("/login", { csrf: await phone.csrf("/login"), email, password: PASSWORD });
    expect(step.status).toBe(200);
    expect(setCookie(step, "haven_at")).toBe("");
    const stepHtml = await step.text();
    const mfaToken = /name="mfaToken" value="([^"]+)"/.exec(stepHtml)?.[1] ?? "";
    expect(mfaToken.length).toBeGreaterThan(16);
    const csrf = csrfIn(stepHtml);
    const wrong = await phone.post("/login/mfa", { csrf, mfaToken, code: "000000" });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("That code did not work");
    const ok = await phone.post("/login/mfa", { csrf, mfaToken, recoveryCode: codes[0] ?? "" });
    expect(ok.status).toBe(303);
    // Clinicians land on their caseload.
    expect(ok.headers.get("location")).toBe("/clinician");
    expect(setCookie(ok, "haven_at")).toMatch(/HttpOnly/i);
    expect(await (await phone.get("/account")).text()).toContain("Dr Web");
  });
});

describe("page hygiene", () => {
  it.each(["/signup", "/login", "/reset-password", "/", "/docs"])(
    "%s has a viewport meta and no inline script",
    async (path) => {
      const res = await call(path);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
      for (const m of html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)) {
        expect(m[1]).toMatch(/src="\/[^"]+"/);
        expect((m[2] ?? "").trim()).toBe("");
      }
      expect(html).not.toMatch(/\son[a-z]+="/i);
      expect(html).not.toMatch(/\sstyle="/i);
    },
  );

  it("shows Sign in in the nav when signed out", async () => {
    expect(await (await call("/")).text()).toContain('href="/login">Sign in</a>');
  });
});
