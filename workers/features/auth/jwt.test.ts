import { describe, expect, it } from "vitest";
import { toBase64Url } from "../../lib/crypto/encoding";
import { type AccessTokenInput, randomToken, sha256Hex, signAccessToken, verifyAccessToken } from "./jwt";

const SECRET = "current-secret-0123456789abcdef0123456789";
const OLD_SECRET = "previous-secret-0123456789abcdef012345678";
const NOW = 1_800_000_000;
const ISS = "https://api.haven.test";
const AUD = "haven-app";
const SIGN = { ttlSeconds: 900, issuer: ISS, audience: AUD, now: NOW };
const VERIFY = { issuer: ISS, audience: AUD, now: NOW + 60 };
const SUBJECT: AccessTokenInput = {
  sub: "user-1",
  role: "patient",
  region: "eu",
  sid: "sess-1",
  jti: "jti-1",
  mfa: true,
};

const b64json = (v: unknown): string => toBase64Url(new TextEncoder().encode(JSON.stringify(v)));

async function hmac(secret: string, data: string, hash = "SHA-256"): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash },
    false,
    ["sign"],
  );
  return toBase64Url(new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data))));
}

/** Builds a token from arbitrary header/payload, correctly HMAC-signed with `secret`. */
async function craft(header: unknown, payload: unknown, secret = SECRET, hash = "SHA-256"): Promise<string> {
  const input = `${b64json(header)}.${b64json(payload)}`;
  return `${input}.${await hmac(secret, input, hash)}`;
}

const validClaims = { ...SUBJECT, iat: NOW, exp: NOW + 900, iss: ISS, aud: AUD };

describe("signAccessToken / verifyAccessToken", () => {
  it("round-trips claims", async () => {
    const token = await signAccessToken(SUBJECT, SECRET, SIGN);
    expect(token.split(".")[0]).toBe("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
    expect(await verifyAccessToken(token, [SECRET], VERIFY)).toEqual({ ok: true, claims: validClaims });
  });

  it("supports rotation: a token signed with the previous secret verifies with [current, previous]", async () => {
    const token = await signAccessToken(SUBJECT, OLD_SECRET, SIGN);
    expect((await verifyAccessToken(token, [SECRET, OLD_SECRET], VERIFY)).ok).toBe(true);
    expect(await verifyAccessToken(token, [SECRET], VERIFY)).toEqual({ ok: false, reason: "signature" });
  });

  it("rejects alg none, algorithm swaps and key-selection headers", async () => {
    const none = `${b64json({ alg: "none", typ: "JWT" })}.${b64json(validClaims)}.`;
    expect(await verifyAccessToken(none, [SECRET], VERIFY)).toEqual({ ok: false, reason: "alg" });
    const noneUpper = `${b64json({ alg: "None" })}.${b64json(validClaims)}.${await hmac(SECRET, "x")}`;
    expect(await verifyAccessToken(noneUpper, [SECRET], VERIFY)).toEqual({ ok: false, reason: "alg" });
    const hs512 = await craft({ alg: "HS512", typ: "JWT" }, validClaims, SECRET, "SHA-512");
    expect(await verifyAccessToken(hs512, [SECRET], VERIFY)).toEqual({ ok: false, reason: "alg" });
    // RS256 -> HS256 confusion: attacker HMACs with a "public key" as the secret.
    const rs256 = await craft({ alg: "RS256", typ: "JWT" }, validClaims, SECRET);
    expect(await verifyAccessToken(rs256, [SECRET], VERIFY)).toEqual({ ok: false, reason: "alg" });
    for (const extra of [
      { kid: "../../dev/null" },
      { jku: "https://evil.test/jwks" },
      { jwk: {} },
      { crit: ["exp"] },
    ]) {
      const t = await craft({ alg: "HS256", typ: "JWT", ...extra }, validClaims);
      expect(await verifyAccessToken(t, [SECRET], VERIFY)).toEqual({ ok: false, reason: "alg" });
    }
    const badTyp = await craft({ alg: "HS256", typ: "JWS" }, validClaims);
    expect(await verifyAccessToken(badTyp, [SECRET], VERIFY)).toEqual({ ok: false, reason: "alg" });
  });

  it("rejects a wrong key and a modified payload", async () => {
    const token = await signAccessToken(SUBJECT, SECRET, SIGN);
    expect(await verifyAccessToken(token, ["another-secret-0123456789abcdef01234567"], VERIFY)).toEqual({
      ok: false,
      reason: "signature",
    });
    const [h, , s] = token.split(".");
    const forged = `${h}.${b64json({ ...validClaims, role: "admin" })}.${s}`;
    expect(await verifyAccessToken(forged, [SECRET], VERIFY)).toEqual({ ok: false, reason: "signature" });
  });

  it("enforces exp and nbf with clock skew", async () => {
    const token = await signAccessToken(SUBJECT, SECRET, SIGN);
    const at = (now: number) => verifyAccessToken(token, [SECRET], { ...VERIFY, now });
    expect((await at(NOW + 900 + 29)).ok).toBe(true);
    expect(await at(NOW + 900 + 30)).toEqual({ ok: false, reason: "expired" });
    expect(
      await verifyAccessToken(token, [SECRET], { ...VERIFY, now: NOW + 901, clockSkewSeconds: 0 }),
    ).toEqual({
      ok: false,
      reason: "expired",
    });
    const future = await signAccessToken({ ...SUBJECT, nbf: NOW + 600 }, SECRET, SIGN);
    expect(await verifyAccessToken(future, [SECRET], VERIFY)).toEqual({ ok: false, reason: "not_before" });
    expect(await at(NOW - 120)).toEqual({ ok: false, reason: "not_before" }); // iat in the future
  });

  it("checks issuer and audience", async () => {
    const token = await signAccessToken(SUBJECT, SECRET, SIGN);
    expect(await verifyAccessToken(token, [SECRET], { ...VERIFY, audience: "other" })).toEqual({
      ok: false,
      reason: "audience",
    });
    expect(await verifyAccessToken(token, [SECRET], { ...VERIFY, issuer: "https://evil.test" })).toEqual({
      ok: false,
      reason: "issuer",
    });
  });

  it("rejects malformed tokens, bad JSON shapes, missing or mistyped claims", async () => {
    const token = await signAccessToken(SUBJECT, SECRET, SIGN);
    const [h, p, s = ""] = token.split(".");
    const malformed = [
      "",
      "abc",
      "a.b",
      `${token}.x`,
      `${h}.${p}.${s}=`,
      `${b64json([1])}.${p}.${s}`,
      `${toBase64Url(new TextEncoder().encode("{not json"))}.${p}.${s}`,
      `${h}.${p}.${"A".repeat(5000)}`,
      await craft({ alg: "HS256", typ: "JWT" }, [validClaims]),
      await craft({ alg: "HS256", typ: "JWT" }, "string"),
      await craft({ alg: "HS256", typ: "JWT" }, { ...validClaims, sub: undefined }),
      await craft({ alg: "HS256", typ: "JWT" }, { ...validClaims, role: "superuser" }),
      await craft({ alg: "HS256", typ: "JWT" }, { ...validClaims, iat: String(NOW) }),
      await craft({ alg: "HS256", typ: "JWT" }, { ...validClaims, aud: [AUD] }),
      await craft({ alg: "HS256", typ: "JWT" }, { ...validClaims, admin: true }),
      await craft({ alg: "HS256", typ: "JWT" }, { ...validClaims, exp: NOW - 1 }),
    ];
    for (const t of malformed) {
      const r = await verifyAccessToken(t, [SECRET], VERIFY);
      expect(r, t.slice(0, 80)).toEqual({ ok: false, reason: "malformed" });
    }
  });

  it("rejects a non-canonical signature encoding (no malleability)", async () => {
    const token = await signAccessToken(SUBJECT, SECRET, SIGN);
    const last = token.at(-1) ?? "A";
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // 32 bytes -> 43 chars with 2 unused bits; setting one yields the same bytes non-canonically.
    const tweaked = token.slice(0, -1) + alphabet[alphabet.indexOf(last) | 1];
    expect(tweaked).not.toBe(token);
    expect(await verifyAccessToken(tweaked, [SECRET], VERIFY)).toEqual({ ok: false, reason: "malformed" });
  });

  it("refuses weak secrets and out-of-range TTLs", async () => {
    await expect(signAccessToken(SUBJECT, "short", SIGN)).rejects.toThrow(RangeError);
    await expect(signAccessToken(SUBJECT, SECRET, { ...SIGN, ttlSeconds: 0 })).rejects.toThrow(RangeError);
    await expect(verifyAccessToken("a.b.c", [], VERIFY)).rejects.toThrow(RangeError);
  });
});

describe("randomToken / sha256Hex", () => {
  it("produces unique base64url tokens of the requested size", () => {
    const a = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(Array.from({ length: 100 }, () => randomToken())).size).toBe(100);
    expect(() => randomToken(8)).toThrow(RangeError);
  });

  it("hashes to lower-case hex (FIPS 180 vector)", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});
