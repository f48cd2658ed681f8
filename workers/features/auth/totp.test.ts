import { describe, expect, it } from "vitest";
import {
  base32Decode,
  base32Encode,
  generateRecoveryCodes,
  generateTotp,
  generateTotpSecret,
  hashRecoveryCode,
  TotpSecretError,
  totpUri,
  verifyTotp,
} from "./totp";

const RFC_SECRET = base32Encode(new TextEncoder().encode("12345678901234567890"));

describe("base32 (RFC 4648 §10 vectors)", () => {
  const vectors: Array<[string, string]> = [
    ["", ""],
    ["f", "MY"],
    ["fo", "MZXQ"],
    ["foo", "MZXW6"],
    ["foob", "MZXW6YQ"],
    ["fooba", "MZXW6YTB"],
    ["foobar", "MZXW6YTBOI"],
  ];
  it("encodes and decodes", () => {
    for (const [plain, encoded] of vectors) {
      expect(base32Encode(new TextEncoder().encode(plain))).toBe(encoded);
      expect(new TextDecoder().decode(base32Decode(encoded))).toBe(plain);
    }
    expect(RFC_SECRET).toBe("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    expect(new TextDecoder().decode(base32Decode("mzxw 6ytb-oi======"))).toBe("foobar");
    expect(() => base32Decode("MZXW1")).toThrow(TotpSecretError);
  });
});

describe("TOTP (RFC 6238 Appendix B, SHA-1)", () => {
  const vectors: Array<[number, string]> = [
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ];
  it("matches the 8-digit test vectors", async () => {
    for (const [time, code] of vectors) {
      expect(await generateTotp(RFC_SECRET, time, 8)).toBe(code);
      expect(await verifyTotp(RFC_SECRET, code, { now: time, digits: 8, window: 0 })).toEqual({
        ok: true,
        step: Math.floor(time / 30),
      });
    }
  });

  it("produces 6-digit codes by default (last 6 digits of the vectors)", async () => {
    expect(await generateTotp(RFC_SECRET, 59)).toBe("287082");
    expect(await generateTotp(RFC_SECRET, 1111111109)).toBe("081804");
  });

  it("accepts ±1 step by default, returns the matched step for replay protection", async () => {
    const secret = generateTotpSecret();
    const now = 1_800_000_015;
    const step = Math.floor(now / 30);
    const current = await generateTotp(secret, now);
    expect(await verifyTotp(secret, current, { now })).toEqual({ ok: true, step });
    const previous = await generateTotp(secret, now - 30);
    expect(await verifyTotp(secret, previous, { now })).toEqual({ ok: true, step: step - 1 });
    expect(await verifyTotp(secret, previous, { now, window: 0 })).toEqual({ ok: false });
    const old = await generateTotp(secret, now - 60);
    if (old !== current && old !== previous) expect((await verifyTotp(secret, old, { now })).ok).toBe(false);
    const next = await generateTotp(secret, now + 30);
    expect(await verifyTotp(secret, next, { now })).toEqual({ ok: true, step: step + 1 });
    expect(await verifyTotp(secret, `${current.slice(0, 3)} ${current.slice(3)}`, { now })).toEqual({
      ok: true,
      step,
    });
  });

  it("rejects malformed codes without throwing", async () => {
    const secret = generateTotpSecret();
    for (const code of ["", "12345", "1234567", "abcdef", "12345a", "１２３４５６"]) {
      expect(await verifyTotp(secret, code, { now: 1_800_000_000 })).toEqual({ ok: false });
    }
    await expect(verifyTotp(secret, "123456", { window: 99 })).rejects.toThrow(RangeError);
  });

  it("generates 160-bit secrets and otpauth URIs", () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
    expect(generateTotpSecret()).not.toBe(secret);
    const uri = totpUri("JBSWY3DPEHPK3PXP", "alex@example.com");
    expect(uri).toBe(
      "otpauth://totp/Haven:alex%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Haven&algorithm=SHA1&digits=6&period=30",
    );
  });
});

describe("recovery codes", () => {
  it("have the xxxx-xxxx-xx format, an unambiguous alphabet and are unique", () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    for (const c of codes)
      expect(c).toMatch(/^[2-9a-hjkmnp-tv-z]{4}-[2-9a-hjkmnp-tv-z]{4}-[2-9a-hjkmnp-tv-z]{2}$/);
    expect(new Set(codes).size).toBe(10);
    expect(generateRecoveryCodes(3)).toHaveLength(3);
  });

  it("hash with case/dash normalisation, bound to the user", async () => {
    const h = await hashRecoveryCode("abcd-efgh-23", "user-1");
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashRecoveryCode("ABCD EFGH 23", "user-1")).toBe(h);
    expect(await hashRecoveryCode("abcdefgh23", "user-1")).toBe(h);
    expect(await hashRecoveryCode("abcd-efgh-23", "user-2")).not.toBe(h);
    expect(await hashRecoveryCode("abcd-efgh-24", "user-1")).not.toBe(h);
  });
});
