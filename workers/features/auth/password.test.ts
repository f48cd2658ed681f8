import { describe, expect, it, vi } from "vitest";
import { fromBase64Url, toBase64Url } from "../../lib/crypto/encoding";
import { COMMON_PASSWORDS, isCommonPassword } from "./common-passwords";
import {
  dummyVerify,
  hashPassword,
  hashPasswordWithIterations,
  PASSWORD_ITERATIONS,
  ROUND_ITERATIONS,
  validatePasswordPolicy,
  verifyPassword,
} from "./password";

const PASSWORD = "maple-orbit-tundra-42";

/** Independent re-implementation of the documented chain, as a specification check. */
async function referenceChain(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  total: number,
): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(password), "PBKDF2", false, ["deriveBits"]);
  const label = enc.encode("haven/pbkdf2c/v1");
  let chain = new Uint8Array(0);
  for (let round = 0, left = total; left > 0; round++) {
    const count = Math.min(left, 100_000);
    const roundSalt = new Uint8Array([...label, 0, 0, 0, round, ...salt, ...chain]);
    const bits = await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt: roundSalt, iterations: count },
      key,
      256,
    );
    chain = new Uint8Array(bits);
    left -= count;
  }
  return toBase64Url(chain);
}

describe("hashPassword / verifyPassword", () => {
  it("produces a self-describing hash at current parameters that verifies", async () => {
    // Cloudflare production rejects any PBKDF2 call above 100,000 iterations; local workerd does not.
    const spy = vi.spyOn(crypto.subtle, "deriveBits");
    let stored: string;
    try {
      stored = await hashPassword(PASSWORD);
      const counts = spy.mock.calls.map(([alg]) => (alg as { iterations?: number }).iterations ?? 0);
      expect(counts).toEqual([100_000, 100_000, 100_000, 100_000, 100_000, 100_000]);
    } finally {
      spy.mockRestore();
    }
    expect(stored).toMatch(
      /^\$pbkdf2c-sha256\$v=1\$i=600000,r=100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/,
    );
    expect(PASSWORD_ITERATIONS).toBe(600_000);
    expect(ROUND_ITERATIONS).toBe(100_000);
    expect(await verifyPassword(PASSWORD, stored)).toEqual({ ok: true, needsRehash: false });
    expect(await verifyPassword("maple-orbit-tundra-43", stored)).toEqual({ ok: false, needsRehash: false });
  });

  it("implements the documented chained construction (3 rounds: 100k + 100k + 50k)", async () => {
    const stored = await hashPasswordWithIterations(PASSWORD, 250_000);
    const [, , , params, salt, hash] = stored.split("$");
    expect(params).toBe("i=250000,r=100000");
    expect(await referenceChain(PASSWORD, fromBase64Url(salt ?? ""), 250_000)).toBe(hash);
  });

  it("flags hashes below current iterations for rehash, uses per-user salts", async () => {
    const a = await hashPasswordWithIterations(PASSWORD, 100_000);
    const b = await hashPasswordWithIterations(PASSWORD, 100_000);
    expect(a).not.toBe(b);
    expect(await verifyPassword(PASSWORD, a)).toEqual({ ok: true, needsRehash: true });
    expect(await verifyPassword("wrong-password-here", a)).toEqual({ ok: false, needsRehash: false });
  });

  it("rejects tampered parameters and malformed or abusive stored values", async () => {
    const stored = await hashPasswordWithIterations(PASSWORD, 100_000);
    const lowered = stored.replace("i=100000", "i=90000");
    expect((await verifyPassword(PASSWORD, lowered)).ok).toBe(false);
    for (const bad of [
      "",
      stored.replace("i=100000", "i=99999999"),
      stored.replace("r=100000", "r=600000"),
    ]) {
      expect(await verifyPassword(PASSWORD, bad)).toEqual({ ok: false, needsRehash: false });
    }
    expect((await verifyPassword("x".repeat(5000), stored)).ok).toBe(false);
    await expect(hashPasswordWithIterations(PASSWORD, 1000)).rejects.toThrow(RangeError);
  });

  it("normalises Unicode (NFKC) so composed and decomposed input match", async () => {
    const composed = "café-orbit-tundra-42";
    const decomposed = "cafe\u0301-orbit-tundra-42";
    const stored = await hashPasswordWithIterations(composed, 10_000);
    expect((await verifyPassword(decomposed, stored)).ok).toBe(true);
  });

  it("dummyVerify does real work and resolves", async () => {
    await expect(dummyVerify()).resolves.toBeUndefined();
  });
});

describe("validatePasswordPolicy", () => {
  it("enforces 12–128 code points", () => {
    expect(validatePasswordPolicy("short-Pw9!")).toEqual({ ok: false, reason: "too_short" });
    expect(validatePasswordPolicy("Vk3#mq8Lz!p")).toEqual({ ok: false, reason: "too_short" }); // 11
    expect(validatePasswordPolicy("Vk3#mq8Lz!pT")).toEqual({ ok: true }); // 12
    // 11 emoji + 1 letter: 12 code points but 23 UTF-16 units.
    expect(validatePasswordPolicy("🦊🌲🚲🎻🧭🪁🌋🍄🐙🎲🛶x")).toEqual({ ok: true });
    expect(validatePasswordPolicy("🦊🌲🚲🎻🧭🪁🌋🍄🐙🎲x")).toEqual({ ok: false, reason: "too_short" });
    const long = Array.from({ length: 129 }, (_, i) => "abcdefghjkmnpqrstuvwxyz23456789"[(i * 7) % 31]).join(
      "",
    );
    expect(validatePasswordPolicy(long)).toEqual({ ok: false, reason: "too_long" });
    expect(validatePasswordPolicy(long.slice(0, 128))).toEqual({ ok: true });
  });

  it("rejects common passwords and predictable variations", () => {
    expect(COMMON_PASSWORDS.size).toBeGreaterThanOrEqual(1000);
    for (const pw of [
      "password1234",
      "Password2024!",
      "P@ssw0rd1234",
      "qwertyuiop1234",
      "1qaz2wsx3edc4rfv",
      "iloveyou2024",
      "correct horse battery staple",
      "aaaaaaaaaaaa",
      "abcabcabcabc",
      "123456789012",
      "monkey123456",
      "sunshinesunshine",
      "Liverpool1892",
      "haven-2024!!",
    ]) {
      expect(validatePasswordPolicy(pw), pw).toEqual({ ok: false, reason: "common" });
    }
  });

  it("accepts strong passwords and passphrases", () => {
    for (const pw of ["maple-orbit-tundra-42", "J8#kq!2mZp@x7", "love847261938!", "Tr0ub4dor&3xyz"]) {
      expect(validatePasswordPolicy(pw), pw).toEqual({ ok: true });
      expect(isCommonPassword(pw)).toBe(false);
    }
  });

  it("rejects passwords containing the user's email or name", () => {
    expect(validatePasswordPolicy("JaneDoeRocks!!42", { email: "jane.doe@example.com" })).toEqual({
      ok: false,
      reason: "contains_personal_info",
    });
    expect(validatePasswordPolicy("quintero-blue-harbor", { displayName: "Mariana Quintero" })).toEqual({
      ok: false,
      reason: "contains_personal_info",
    });
    expect(
      validatePasswordPolicy("maple-orbit-tundra-42", {
        email: "jane.doe@example.com",
        displayName: "Jane Doe",
      }),
    ).toEqual({ ok: true });
  });
});
