import { env } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { signAccessToken } from "../workers/features/auth/jwt";
import { generateTotp } from "../workers/features/auth/totp";
import { toBase64Url, utf8Encode } from "../workers/lib/crypto/encoding";
import { createDatabase } from "../workers/lib/db";
import { createRedis } from "../workers/lib/redis";
import { createUser, testConfig } from "./fixtures";
import { call, problem, uniqueIp } from "./helpers";

const PASSWORD = "Velvet-Orchard-Lantern-93!";

const post = (path: string, body: unknown, init: { ip?: string; headers?: Record<string, string> } = {}) =>
  call(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...init.headers },
    body: JSON.stringify(body),
    ...(init.ip ? { ip: init.ip } : {}),
  });

/** The newest dev-mailbox message to `to`, and the token in its link. */
async function mailTo(to: string): Promise<{ subject: string; token: string | undefined }> {
  const inbox = await createRedis(testConfig()).lrange<{ to: string; subject: string; text: string }>(
    "devmail:inbox",
    0,
    99,
  );
  const mail = inbox.find((m) => m.to === to);
  if (!mail) throw new Error("no mail");
  return { subject: mail.subject, token: /token=([A-Za-z0-9._-]+)/.exec(mail.text)?.[1] };
}

async function signUpVerified(region: "us" | "eu" | "apac" = "us") {
  const email = `p-${crypto.randomUUID().slice(0, 8)}@example.test`;
  const res = await post("/v1/auth/signup", {
    email,
    password: PASSWORD,
    displayName: "Sam",
    region,
    consents: { healthData: true, aiCompanion: true },
  });
  expect(res.status).toBe(202);
  const { token } = await mailTo(email);
  expect((await post("/v1/auth/verify-email", { token })).status).toBe(200);
  return email;
}

describe("sign-up, verification and sign-in", () => {
  it("signs up, verifies by emailed link, signs in and reads /v1/me", async () => {
    const email = await signUpVerified("eu");
    const login = await post("/v1/auth/login", { email, password: PASSWORD });
    expect(login.status).toBe(200);
    const tokens = (await login.json()) as {
      accessToken: string;
      refreshToken: string;
      mfaRequired: boolean;
    };
    expect(tokens.mfaRequired).toBe(false);
    expect(tokens.refreshToken.startsWith("eu.")).toBe(true);
    const rows = await createDatabase(testConfig(), "eu").execute(
      sql`select consent.kind from consents consent join users u on u.id = consent.user_id where u.display_name = 'Sam' and consent.withdrawn_at is null order by consent.kind`,
    );
    expect(rows.rows.map((r) => r.kind)).toEqual(expect.arrayContaining(["ai_companion", "health_data"]));
  });

  it("refuses sign-in before the email is verified", async () => {
    const email = `u-${crypto.randomUUID().slice(0, 8)}@example.test`;
    await post("/v1/auth/signup", {
      email,
      password: PASSWORD,
      displayName: "Kit",
      region: "us",
      consents: { healthData: true, aiCompanion: false },
    });
    const res = await post("/v1/auth/login", { email, password: PASSWORD });
    expect(res.status).toBe(403);
  });

  it("answers sign-up identically for a taken email (no enumeration) and mails the owner", async () => {
    const email = await signUpVerified();
    const res = await post("/v1/auth/signup", {
      email,
      password: PASSWORD,
      displayName: "Other",
      region: "apac",
      consents: { healthData: true, aiCompanion: false },
    });
    expect(res.status).toBe(202);
    expect((await mailTo(email)).subject).toBe("Someone tried to create a Haven account with your email");
  });

  it("rejects weak passwords with a 422 naming the field", async () => {
    const res = await post("/v1/auth/signup", {
      email: "weak@example.test",
      password: "password1234",
      displayName: "W",
      region: "us",
      consents: { healthData: true, aiCompanion: false },
    });
    expect(res.status).toBe(422);
    expect((await problem(res)).errors).toEqual([
      { path: "body.password", message: "This password is too common" },
    ]);
  });

  it("requires consent to health-data processing", async () => {
    const res = await post("/v1/auth/signup", {
      email: "c@example.test",
      password: PASSWORD,
      displayName: "C",
      region: "us",
      consents: { healthData: false, aiCompanion: true },
    });
    expect(res.status).toBe(422);
    expect((await problem(res)).errors).toEqual([
      expect.objectContaining({ path: "json.consents.healthData" }),
    ]);
  });
});

describe("login throttling and enumeration safety", () => {
  it("gives the same 401 for unknown email and wrong password", async () => {
    const email = await signUpVerified();
    const a = await post("/v1/auth/login", { email, password: "wrong password entirely" });
    const b = await post("/v1/auth/login", {
      email: `nobody-${crypto.randomUUID()}@example.test`,
      password: "wrong password entirely",
    });
    expect(a.status).toBe(401);
    expect(b.status).toBe(401);
    const [pa, pb] = [await problem(a), await problem(b)];
    expect(pa.detail).toBe(pb.detail);
    expect(pa.title).toBe(pb.title);
  });

  it("five wrong passwords from five addresses do not lock the owner out (was: 429 for 300 s)", async () => {
    const email = await signUpVerified();
    for (let i = 0; i < 5; i++) {
      expect(
        (await post("/v1/auth/login", { email, password: `wrong ${i} password here` }, { ip: uniqueIp() }))
          .status,
      ).toBe(401);
    }
    const res = await post("/v1/auth/login", { email, password: PASSWORD }, { ip: uniqueIp() });
    expect(res.status).toBe(200);
  });

  it("blocks the guessing address after 5 failures on one account, even with the right password", async () => {
    const email = await signUpVerified();
    const attacker = uniqueIp();
    for (let i = 0; i < 5; i++)
      expect(
        (await post("/v1/auth/login", { email, password: `wrong ${i} password` }, { ip: attacker })).status,
      ).toBe(401);
    const res = await post("/v1/auth/login", { email, password: PASSWORD }, { ip: attacker });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(850);
    expect(Number(res.headers.get("retry-after"))).toBeLessThanOrEqual(900);
    expect((await post("/v1/auth/login", { email, password: PASSWORD }, { ip: uniqueIp() })).status).toBe(
      200,
    );
  });

  it("throttles an IP after 30 failures across accounts", async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 30; i++)
      await post(
        "/v1/auth/login",
        { email: `x${i}-${crypto.randomUUID()}@example.test`, password: "nope nope nope" },
        { ip },
      );
    expect(
      (await post("/v1/auth/login", { email: "any@example.test", password: "nope nope nope" }, { ip }))
        .status,
    ).toBe(429);
  });
});

describe("refresh rotation, reuse and logout", () => {
  it("rotates, detects reuse and revokes the whole family", async () => {
    const email = await signUpVerified();
    const first = (await (await post("/v1/auth/login", { email, password: PASSWORD })).json()) as {
      accessToken: string;
      refreshToken: string;
    };
    const second = await post("/v1/auth/refresh", { refreshToken: first.refreshToken });
    expect(second.status).toBe(200);
    const rotated = (await second.json()) as { accessToken: string; refreshToken: string };
    expect(rotated.refreshToken).not.toBe(first.refreshToken);
    // The spent token is presented again: theft assumed, the family is revoked.
    expect((await post("/v1/auth/refresh", { refreshToken: first.refreshToken })).status).toBe(401);
    expect((await post("/v1/auth/refresh", { refreshToken: rotated.refreshToken })).status).toBe(401);
    expect(
      (await call("/v1/me/sessions", { headers: { authorization: `Bearer ${rotated.accessToken}` } })).status,
    ).toBe(401);
  });

  it("logout denylists the access token and kills the refresh token", async () => {
    const email = await signUpVerified();
    const t = (await (await post("/v1/auth/login", { email, password: PASSWORD })).json()) as {
      accessToken: string;
      refreshToken: string;
    };
    const auth = { authorization: `Bearer ${t.accessToken}` };
    expect((await call("/v1/me/sessions", { headers: auth })).status).toBe(200);
    expect((await call("/v1/auth/logout", { method: "POST", headers: auth })).status).toBe(204);
    expect((await call("/v1/me/sessions", { headers: auth })).status).toBe(401);
    expect((await post("/v1/auth/refresh", { refreshToken: t.refreshToken })).status).toBe(401);
    expect((await post("/v1/auth/refresh", { refreshToken: t.refreshToken })).status).toBe(401);
    // The signed-out session's unused refresh token is refused as such: no theft alarm.
    const payload = (t.accessToken.split(".")[1] ?? "").replaceAll("-", "+").replaceAll("_", "/");
    const userId = JSON.parse(atob(payload)).sub as string;
    const db = createDatabase(testConfig(), "us");
    const trail = await db.execute<{ action: string }>(
      sql`select action from audit_log where actor_id = ${userId} and action like 'auth.refresh%'`,
    );
    expect(trail.rows.map((r) => r.action)).toEqual([]);
  });
});

describe("password reset", () => {
  it("resets with a single-use emailed token and signs other sessions out", async () => {
    const email = await signUpVerified();
    const t = (await (await post("/v1/auth/login", { email, password: PASSWORD })).json()) as {
      accessToken: string;
      refreshToken: string;
    };
    const auth = { authorization: `Bearer ${t.accessToken}` };
    expect((await call("/v1/me/sessions", { headers: auth })).status).toBe(200);
    expect((await post("/v1/auth/password-reset", { email })).status).toBe(202);
    expect((await post("/v1/auth/password-reset", { email: "nobody@example.test" })).status).toBe(202);
    const { token } = await mailTo(email);
    const next = "a brand new long passphrase 7";
    expect((await post("/v1/auth/password-reset/confirm", { token, password: next })).status).toBe(200);
    expect((await post("/v1/auth/password-reset/confirm", { token, password: next })).status).toBe(400);
    // The signed-out session's access token stops working at once, not after 15 minutes (checked
    // before the refresh below, whose reuse detection would denylist the session on its own).
    expect((await call("/v1/me/sessions", { headers: auth })).status).toBe(401);
    expect((await post("/v1/auth/refresh", { refreshToken: t.refreshToken })).status).toBe(401);
    expect((await post("/v1/auth/login", { email, password: next })).status).toBe(200);
  });

  it("a password change signs the other sessions out at once, access tokens included", async () => {
    const email = await signUpVerified();
    const login = async () =>
      (await (await post("/v1/auth/login", { email, password: PASSWORD })).json()) as { accessToken: string };
    const here = { authorization: `Bearer ${(await login()).accessToken}` };
    const there = { authorization: `Bearer ${(await login()).accessToken}` };
    const next = "another long passphrase 8";
    const res = await post(
      "/v1/me/password",
      { currentPassword: PASSWORD, newPassword: next },
      { headers: here },
    );
    expect(res.status).toBe(200);
    expect((await call("/v1/me/sessions", { headers: there })).status).toBe(401);
    expect((await call("/v1/me/sessions", { headers: here })).status).toBe(200);
  });
});

describe("clinician invitation and MFA", () => {
  it("invites, accepts, enforces MFA enrolment, then signs in with TOTP and recovery codes", async () => {
    const admin = await createUser("admin");
    const email = `dr-${crypto.randomUUID().slice(0, 8)}@example.test`;
    const inv = await post(
      "/v1/admin/invitations",
      { email, displayName: "Dr Who", role: "clinician", region: "apac" },
      { headers: admin.auth },
    );
    expect(inv.status).toBe(201);
    const { token } = await mailTo(email);
    expect((await post("/v1/auth/accept-invite", { token, password: PASSWORD })).status).toBe(200);

    const first = (await (await post("/v1/auth/login", { email, password: PASSWORD })).json()) as {
      accessToken: string;
      mfaSetupRequired: boolean;
    };
    expect(first.mfaSetupRequired).toBe(true);
    const auth = { authorization: `Bearer ${first.accessToken}` };
    // Before MFA, clinical routes are closed; the security routes are open. Admin routes do not
    // exist for a clinician at all: 404 like an unknown path, before the MFA check.
    expect((await call("/v1/clinician/patients", { headers: auth })).status).toBe(403);
    expect(
      (
        await call("/v1/admin/invitations", {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: "{}",
        })
      ).status,
    ).toBe(404);
    const setup = (await (await call("/v1/me/mfa/setup", { method: "POST", headers: auth })).json()) as {
      secret: string;
      otpauthUri: string;
    };
    expect(setup.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const enrolCode = await generateTotp(setup.secret);
    const enable = await post("/v1/me/mfa/enable", { code: enrolCode }, { headers: auth });
    expect(enable.status).toBe(200);
    const { recoveryCodes } = (await enable.json()) as { recoveryCodes: string[] };
    expect(recoveryCodes).toHaveLength(10);

    const step1 = (await (await post("/v1/auth/login", { email, password: PASSWORD })).json()) as {
      mfaRequired: boolean;
      mfaToken: string;
    };
    expect(step1.mfaRequired).toBe(true);
    // Replaying the enrolment code, or a code from the previous time step (still inside the ±1
    // window), is refused: accepted steps must strictly increase.
    const previousStep = await generateTotp(setup.secret, Math.floor(Date.now() / 1000) - 30);
    for (const code of [enrolCode, previousStep]) {
      expect((await post("/v1/auth/login/mfa", { mfaToken: step1.mfaToken, code })).status).toBe(401);
    }
    const viaRecovery = await post("/v1/auth/login/mfa", {
      mfaToken: step1.mfaToken,
      recoveryCode: recoveryCodes[0],
    });
    expect(viaRecovery.status).toBe(200);
    const step2 = (await (await post("/v1/auth/login", { email, password: PASSWORD })).json()) as {
      mfaToken: string;
    };
    expect(
      (await post("/v1/auth/login/mfa", { mfaToken: step2.mfaToken, recoveryCode: recoveryCodes[0] })).status,
    ).toBe(401);
  });
});

describe("JWT tampering", () => {
  const b64 = (o: unknown) => toBase64Url(utf8Encode(JSON.stringify(o)));
  it.each([
    ["alg none", async (valid: string) => `${b64({ alg: "none", typ: "JWT" })}.${valid.split(".")[1]}.`],
    [
      "wrong key",
      async () =>
        signAccessToken(
          {
            sub: crypto.randomUUID(),
            role: "admin",
            region: "us",
            sid: crypto.randomUUID(),
            jti: crypto.randomUUID(),
            mfa: true,
          },
          "x".repeat(40),
          { ttlSeconds: 600, issuer: "haven", audience: "haven-api" },
        ),
    ],
    [
      "expired",
      async () =>
        signAccessToken(
          {
            sub: crypto.randomUUID(),
            role: "patient",
            region: "us",
            sid: crypto.randomUUID(),
            jti: crypto.randomUUID(),
          },
          env.JWT_SECRET,
          {
            ttlSeconds: 60,
            issuer: "haven",
            audience: "haven-api",
            now: Math.floor(Date.now() / 1000) - 3600,
          },
        ),
    ],
    [
      "wrong audience",
      async () =>
        signAccessToken(
          {
            sub: crypto.randomUUID(),
            role: "patient",
            region: "us",
            sid: crypto.randomUUID(),
            jti: crypto.randomUUID(),
          },
          env.JWT_SECRET,
          { ttlSeconds: 600, issuer: "haven", audience: "another-api" },
        ),
    ],
    [
      "payload edited",
      async (valid: string) => {
        const [h, , s] = valid.split(".");
        return `${h}.${b64({ sub: "x", role: "admin" })}.${s}`;
      },
    ],
  ])("%s → 401", async (_name, forge) => {
    const user = await createUser("patient");
    const res = await call("/v1/me/sessions", {
      headers: { authorization: `Bearer ${await forge(user.token)}` },
    });
    expect(res.status).toBe(401);
    expect((await problem(res)).code).toBe("unauthorized");
  });
});

describe("request body errors are problem+json", () => {
  it("malformed JSON → 400", async () => {
    const res = await call("/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"email":',
    });
    expect(res.status).toBe(400);
    expect((await problem(res)).code).toBe("bad_request");
  });

  it("schema violation → 422 with field paths and no echoed values", async () => {
    const res = await post("/v1/auth/login", { email: "not-an-email", password: 5 });
    expect(res.status).toBe(422);
    const body = await problem(res);
    const paths = (body.errors as Array<{ path: string }>).map((e) => e.path).sort();
    expect(paths).toEqual(["json.email", "json.password"]);
    expect(JSON.stringify(body)).not.toContain("not-an-email");
  });

  it("body over 1 MiB → 413", async () => {
    const res = await call("/v1/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "a@b.co", password: "x".repeat(1024 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect((await problem(res)).code).toBe("payload_too_large");
  });
});

describe("GET /v1/me checks revocation inside its own Postgres statement (no Redis read)", () => {
  const login = async (email: string, password = PASSWORD) =>
    (await (await post("/v1/auth/login", { email, password })).json()) as { accessToken: string };

  it("a signed-out token is refused", async () => {
    const email = await signUpVerified();
    const auth = { authorization: `Bearer ${(await login(email)).accessToken}` };
    expect((await call("/v1/me", { headers: auth })).status).toBe(200);
    expect((await call("/v1/auth/logout", { method: "POST", headers: auth })).status).toBe(204);
    expect((await call("/v1/me", { headers: auth })).status).toBe(401);
  });

  it("a password reset refuses the old access tokens at once (the denylist never held them)", async () => {
    const email = await signUpVerified();
    const auth = { authorization: `Bearer ${(await login(email)).accessToken}` };
    expect((await call("/v1/me", { headers: auth })).status).toBe(200);
    expect((await post("/v1/auth/password-reset", { email })).status).toBe(202);
    const { token } = await mailTo(email);
    expect(
      (await post("/v1/auth/password-reset/confirm", { token, password: "another long passphrase 8" }))
        .status,
    ).toBe(200);
    expect((await call("/v1/me", { headers: auth })).status).toBe(401);
  });

  it("a session revoked or expired in Postgres, or gone, is refused even with no denylist entry", async () => {
    for (const change of [
      "update sessions set revoked_at = now(), revoked_reason = 'test' where id = $1",
      "update sessions set expires_at = now() - interval '1 second' where id = $1",
      "delete from sessions where id = $1",
    ]) {
      const user = await createUser("patient");
      expect((await call("/v1/me", { headers: user.auth })).status).toBe(200);
      const claims = user.token.split(".")[1] ?? "";
      const { sid } = JSON.parse(atob(claims.replace(/-/g, "+").replace(/_/g, "/"))) as { sid: string };
      await createDatabase(testConfig(), user.region).$client.query(change, [sid]);
      const res = await call("/v1/me", { headers: user.auth });
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain(user.email);
    }
  });
});
