import { describe, expect, it } from "vitest";
import {
  fromBase64,
  fromBase64Url,
  fromHex,
  timingSafeEqual,
  toBase64,
  toBase64Url,
  toHex,
} from "./encoding";
import {
  createDataKey,
  DecryptError,
  decryptField,
  encryptField,
  MasterKeyError,
  parseMasterKeys,
  rewrapDataKey,
  unwrapDataKey,
} from "./envelope";

const randomKeyB64 = (): string => toBase64(crypto.getRandomValues(new Uint8Array(32)));
const K1 = randomKeyB64();
const K2 = randomKeyB64();
const AAD = "user:0b7c…:profile.legal_name";

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

async function expectDecryptError(p: Promise<unknown>, code: DecryptError["code"]): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DecryptError);
  expect((err as DecryptError).code).toBe(code);
}

describe("parseMasterKeys", () => {
  it("parses a versioned ring, first entry current, without exposing key material", () => {
    const ring = parseMasterKeys(` v2:${K2} , v1:${K1} `);
    expect(ring.current).toBe("v2");
    expect(ring.versions).toEqual(["v2", "v1"]);
    const shown = `${JSON.stringify(ring)} ${String(ring)} ${JSON.stringify({ ...ring })}`;
    expect(shown).not.toContain(K1.slice(0, 16));
    expect(shown).not.toContain(K2.slice(0, 16));
  });

  it("throws typed errors that name no key material", () => {
    const cases: Array<[string, MasterKeyError["code"]]> = [
      ["", "empty"],
      [" , ", "empty"],
      [K1, "malformed"],
      [`key2:${K2}`, "malformed"],
      [`v1:${K1.slice(0, -4)}!!!!`, "malformed"],
      [`v1:${toBase64(new Uint8Array(16).fill(7))}`, "bad_length"],
      [`v1:${K1},v1:${K2}`, "duplicate_version"],
    ];
    for (const [secret, code] of cases) {
      let err: unknown;
      try {
        parseMasterKeys(secret);
      } catch (e) {
        err = e;
      }
      expect(err, secret.slice(0, 4)).toBeInstanceOf(MasterKeyError);
      expect((err as MasterKeyError).code).toBe(code);
      expect((err as Error).message).not.toContain(K1.slice(0, 8));
      expect((err as Error).message).not.toContain(K2.slice(0, 8));
    }
  });
});

describe("data keys and field encryption", () => {
  it("round-trips, with random IVs and ciphertext free of plaintext bytes", async () => {
    const ring = parseMasterKeys(`v2:${K2},v1:${K1}`);
    const { wrapped, key } = await createDataKey(ring);
    expect(wrapped).toMatch(/^mk-v2:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{64}$/);
    expect(key.extractable).toBe(false);
    await expect(crypto.subtle.exportKey("raw", key)).rejects.toThrow();

    const plaintext = "Jane Q. Patient — diagnosis: generalized anxiety disorder";
    const ct = await encryptField(key, plaintext, AAD);
    expect(ct).toMatch(/^enc:v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/);
    expect(await decryptField(key, ct, AAD)).toBe(plaintext);
    expect(await encryptField(key, plaintext, AAD)).not.toBe(ct);

    const ctBytes = fromBase64Url(ct.split(":")[3] ?? "");
    const ptBytes = new TextEncoder().encode(plaintext);
    expect(ct).not.toContain("anxiety");
    expect(containsBytes(ctBytes, ptBytes.slice(0, 8))).toBe(false);
    expect(containsBytes(ctBytes, new TextEncoder().encode("anxiety"))).toBe(false);
    expect(ctBytes.length).toBe(ptBytes.length + 16);

    const unwrapped = await unwrapDataKey(ring, wrapped);
    expect(unwrapped.extractable).toBe(false);
    expect(await decryptField(unwrapped, ct, AAD)).toBe(plaintext);
    expect(await decryptField(key, await encryptField(key, "", AAD), AAD)).toBe("");
    expect(await decryptField(key, await encryptField(key, "🧠 日本語", AAD), AAD)).toBe("🧠 日本語");
  });

  it("fails with DecryptError on wrong AAD, tampering, wrong key or malformed input", async () => {
    const ring = parseMasterKeys(`v1:${K1}`);
    const { key } = await createDataKey(ring);
    const { key: otherKey } = await createDataKey(ring);
    const ct = await encryptField(key, "secret note", AAD);

    await expectDecryptError(decryptField(key, ct, "user:other:profile.legal_name"), "authentication_failed");
    await expectDecryptError(decryptField(otherKey, ct, AAD), "authentication_failed");

    const [, , iv = "", body = ""] = ct.split(":");
    const bytes = fromBase64Url(body);
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    await expectDecryptError(
      decryptField(key, `enc:v1:${iv}:${toBase64Url(bytes)}`, AAD),
      "authentication_failed",
    );
    const ivBytes = fromBase64Url(iv);
    ivBytes[11] = (ivBytes[11] ?? 0) ^ 0x80;
    await expectDecryptError(
      decryptField(key, `enc:v1:${toBase64Url(ivBytes)}:${body}`, AAD),
      "authentication_failed",
    );

    for (const bad of [
      "",
      "secret note",
      `enc:v2:${iv}:${body}`,
      `enc:v1:${iv}`,
      `enc:v1:${iv}:${body}:x`,
      "enc:v1:AAAA:AAAA",
      `enc:v1:${iv}:!!`,
    ]) {
      await expectDecryptError(decryptField(key, bad, AAD), "malformed");
    }
    const err = await decryptField(key, ct, "wrong").catch((e: unknown) => e);
    expect((err as Error).message).not.toContain("secret");
    expect((err as Error).message).not.toContain("wrong");
  });

  it("rewraps under a new master version and the old data still decrypts", async () => {
    const ringV1 = parseMasterKeys(`v1:${K1}`);
    const { wrapped, key } = await createDataKey(ringV1);
    expect(wrapped.startsWith("mk-v1:")).toBe(true);
    const ct = await encryptField(key, "therapy session notes", AAD);

    const ringV2 = parseMasterKeys(`v2:${K2},v1:${K1}`);
    const rewrapped = await rewrapDataKey(ringV2, wrapped);
    expect(rewrapped.startsWith("mk-v2:")).toBe(true);
    expect(await rewrapDataKey(ringV2, rewrapped)).toBe(rewrapped); // already current: no-op

    const ringV2Only = parseMasterKeys(`v2:${K2}`);
    expect(await decryptField(await unwrapDataKey(ringV2Only, rewrapped), ct, AAD)).toBe(
      "therapy session notes",
    );

    // The retired version is gone: old wrapped keys fail with a typed error.
    const err = await unwrapDataKey(ringV2Only, wrapped).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MasterKeyError);
    expect((err as MasterKeyError).code).toBe("unknown_version");
    await expect(rewrapDataKey(ringV2Only, wrapped)).rejects.toBeInstanceOf(MasterKeyError);
  });

  it("rejects tampered or relabelled wrapped keys", async () => {
    const ring = parseMasterKeys(`v2:${K2},v1:${K1}`);
    const { wrapped } = await createDataKey(ring);
    const relabelled = wrapped.replace(/^mk-v2:/, "mk-v1:");
    await expectDecryptError(unwrapDataKey(ring, relabelled), "authentication_failed");
    const parts = wrapped.split(":");
    const body = fromBase64Url(parts[2] ?? "");
    body[5] = (body[5] ?? 0) ^ 0xff;
    await expectDecryptError(
      unwrapDataKey(ring, `${parts[0]}:${parts[1]}:${toBase64Url(body)}`),
      "authentication_failed",
    );
    await expectDecryptError(unwrapDataKey(ring, "mk-v2:short"), "malformed");
    await expectDecryptError(unwrapDataKey(ring, "garbage"), "malformed");
  });

  it("crypto-shredding: without the wrapped key, ciphertext is unrecoverable by any other key", async () => {
    const ring = parseMasterKeys(`v1:${K1}`);
    const victim = await createDataKey(ring);
    const ct = await encryptField(victim.key, "to be erased", AAD);
    const replacement = await createDataKey(ring); // e.g. a new key after the wrapped one is deleted
    await expectDecryptError(decryptField(replacement.key, ct, AAD), "authentication_failed");
  });
});

describe("encoding", () => {
  it("matches RFC 4648 base64/base64url vectors and rejects non-canonical input", () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(["", "f", "fo", "foo", "foob", "fooba", "foobar"].map((s) => toBase64(enc(s)))).toEqual([
      "",
      "Zg==",
      "Zm8=",
      "Zm9v",
      "Zm9vYg==",
      "Zm9vYmE=",
      "Zm9vYmFy",
    ]);
    expect(toBase64Url(new Uint8Array([251, 255, 191]))).toBe("-_-_");
    expect(toBase64(new Uint8Array([251, 255, 191]))).toBe("+/+/");
    expect(new TextDecoder().decode(fromBase64("Zm9vYg=="))).toBe("foob");
    expect(new TextDecoder().decode(fromBase64("Zm9vYg"))).toBe("foob");
    expect(() => fromBase64Url("Zh")).toThrow(); // non-zero trailing bits
    expect(() => fromBase64Url("Zg==")).toThrow(); // padding not allowed in base64url
    expect(() => fromBase64("Zm9v YmFy")).toThrow();
    expect(toHex(new Uint8Array([0, 15, 255]))).toBe("000fff");
    expect(fromHex("000FFF")).toEqual(new Uint8Array([0, 15, 255]));
    expect(() => fromHex("abc")).toThrow();
  });
});

describe("timingSafeEqual", () => {
  it("compares content and length", () => {
    const a = new Uint8Array([1, 2, 3]);
    expect(timingSafeEqual(a, new Uint8Array([1, 2, 3]))).toBe(true);
    expect(timingSafeEqual(a, new Uint8Array([1, 2, 4]))).toBe(false);
    expect(timingSafeEqual(a, new Uint8Array([1, 2]))).toBe(false);
    expect(timingSafeEqual(a, new Uint8Array([1, 2, 3, 0]))).toBe(false);
    expect(timingSafeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
    expect(timingSafeEqual(new Uint8Array(0), a)).toBe(false);
  });
});
