/**
 * Second factor: RFC 6238 TOTP (HMAC-SHA1, 30-second steps, 6 digits, the parameters every
 * authenticator app supports) and single-use recovery codes.
 *
 * Replay: {@link verifyTotp} returns the matched time step. The caller must store the last accepted
 * step per user and reject codes whose step is ≤ it (RFC 6238 §5.2), otherwise a shoulder-surfed
 * or phished code stays valid for the rest of its window.
 *
 * Times (`now`) are Unix seconds.
 */

import { timingSafeEqual, toHex, utf8Encode } from "../../lib/crypto/encoding";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const STEP_SECONDS = 30;
const SECRET_BYTES = 20;
const MAX_WINDOW = 5;
/** No 0/o, 1/i/l, or u: codes are read off paper and typed by people under stress. */
const RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstvwxyz";
const RECOVERY_LENGTH = 10;
const RECOVERY_ITERATIONS = 100_000;
const RECOVERY_DOMAIN = "haven/recovery-code/v1";

/** Thrown for a secret that is not valid base32. The message never echoes the input. */
export class TotpSecretError extends Error {
  constructor() {
    super("Invalid TOTP secret");
    this.name = "TotpSecretError";
  }
}

/** RFC 4648 base32, upper-case, unpadded (the form otpauth:// URIs and authenticator apps use). */
export function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(acc >>> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32[(acc << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes RFC 4648 base32, tolerating what users paste: lower case, spaces, dashes and `=`
 * padding. Throws {@link TotpSecretError} on any other character.
 */
export function base32Decode(input: string): Uint8Array<ArrayBuffer> {
  const clean = input.replace(/[\s-]/g, "").replace(/=+$/, "").toUpperCase();
  const out = new Uint8Array(Math.floor((clean.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (const c of clean) {
    const v = BASE32.indexOf(c);
    if (v < 0) throw new TotpSecretError();
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}

/** A new 160-bit TOTP secret (RFC 4226 §4 recommends 160 bits), base32-encoded for the user's app. */
export function generateTotpSecret(): string {
  return base32Encode(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

/**
 * The `otpauth://` URI to render as a QR code during enrolment.
 *
 * @example totpUri(secret, "alex@example.com") // otpauth://totp/Haven:alex%40example.com?secret=…&issuer=Haven…
 */
export function totpUri(secret: string, accountLabel: string, issuer = "Haven"): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(accountLabel)}`;
  const params = new URLSearchParams({
    secret: secret.replace(/[\s=-]/g, "").toUpperCase(),
    issuer,
    algorithm: "SHA1",
    digits: "6",
    period: String(STEP_SECONDS),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}

async function importSecret(secret: string): Promise<CryptoKey> {
  const raw = base32Decode(secret);
  if (raw.length < 10) throw new TotpSecretError();
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
}

async function hotp(key: CryptoKey, counter: number, digits: number): Promise<string> {
  const msg = new Uint8Array(8);
  const view = new DataView(msg.buffer);
  view.setUint32(0, Math.floor(counter / 2 ** 32));
  view.setUint32(4, counter >>> 0);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, msg));
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary =
    (((mac[offset] ?? 0) & 0x7f) << 24) |
    ((mac[offset + 1] ?? 0) << 16) |
    ((mac[offset + 2] ?? 0) << 8) |
    (mac[offset + 3] ?? 0);
  return String(binary % 10 ** digits).padStart(digits, "0");
}

function stepAt(now: number | undefined): number {
  return Math.floor((now ?? Date.now() / 1000) / STEP_SECONDS);
}

function checkDigits(digits: number): void {
  if (digits !== 6 && digits !== 7 && digits !== 8) throw new RangeError("digits must be 6, 7 or 8");
}

/**
 * The code for time `now` (Unix seconds, default: current time). For tests and tooling; `digits`
 * (6–8) exists for the RFC 6238 test vectors, production codes are 6 digits.
 */
export async function generateTotp(secret: string, now?: number, digits = 6): Promise<string> {
  checkDigits(digits);
  return hotp(await importSecret(secret), stepAt(now), digits);
}

/**
 * Checks a user-entered code against steps `current ± window` (default 1 step = ±30 s for clock
 * drift, max 5). Every step in the window is computed and compared in constant time, with no early
 * exit. On success returns the matched step: persist it and reject any later code with a step ≤ it.
 *
 * @example
 * const r = await verifyTotp(secret, body.code);
 * if (!r.ok || r.step! <= (user.totpLastStep ?? -1)) return invalidCode();
 * await saveLastStep(user.id, r.step!);
 */
export async function verifyTotp(
  secret: string,
  code: string,
  opts?: { now?: number; window?: number; digits?: number },
): Promise<{ ok: boolean; step?: number }> {
  const digits = opts?.digits ?? 6;
  checkDigits(digits);
  const window = opts?.window ?? 1;
  if (!Number.isInteger(window) || window < 0 || window > MAX_WINDOW)
    throw new RangeError("window must be 0–5");
  const entered = code.replace(/[\s-]/g, "");
  if (entered.length !== digits || !/^\d+$/.test(entered)) return { ok: false };

  const key = await importSecret(secret);
  const current = stepAt(opts?.now);
  const enteredBytes = utf8Encode(entered);
  let matched: number | undefined;
  for (let step = current - window; step <= current + window; step++) {
    if (step < 0) continue;
    const expected = utf8Encode(await hotp(key, step, digits));
    const equal = timingSafeEqual(expected, enteredBytes);
    // Keep the earliest matching step; do not stop early.
    if (equal && matched === undefined) matched = step;
  }
  return matched === undefined ? { ok: false } : { ok: true, step: matched };
}

/**
 * Single-use recovery codes for a lost authenticator, formatted `xxxx-xxxx-xx` from a 30-character
 * alphabet without look-alikes (≈ 49 bits each, drawn without modulo bias). Show them once, store
 * only {@link hashRecoveryCode} of each.
 */
export function generateRecoveryCodes(n = 10): string[] {
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new RangeError("n must be 1–50");
  const codes: string[] = [];
  const limit = 256 - (256 % RECOVERY_ALPHABET.length); // reject bytes ≥ limit: no modulo bias
  for (let i = 0; i < n; i++) {
    let chars = "";
    while (chars.length < RECOVERY_LENGTH) {
      for (const b of crypto.getRandomValues(new Uint8Array(16))) {
        if (b < limit && chars.length < RECOVERY_LENGTH)
          chars += RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length];
      }
    }
    codes.push(`${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`);
  }
  return codes;
}

/**
 * Hashes a recovery code for storage and lookup. Input is normalised (case, spaces, dashes), so
 * "ABCD-efgh-23" and "abcdefgh23" hash alike. Deterministic per user, so verification is one hash
 * plus a lookup among that user's stored hashes.
 *
 * Why `userId` and PBKDF2 (not bare SHA-256): the codes carry ≈ 49 bits, so an unsalted fast hash
 * of every user's codes could be brute-forced in bulk after a database leak. Salting with the user
 * id forces a per-user search and 100,000 PBKDF2 iterations (≈ 23 ms CPU in workerd) make that search infeasible.
 *
 * @example
 * const stored = await Promise.all(codes.map((c) => hashRecoveryCode(c, user.id)));
 */
export async function hashRecoveryCode(code: string, userId: string): Promise<string> {
  if (userId.length === 0) throw new RangeError("userId is required");
  const normalized = code.toLowerCase().replace(/[\s-]/g, "");
  const key = await crypto.subtle.importKey("raw", utf8Encode(normalized), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    {
      name: "PBKDF2",
      hash: "SHA-256",
      salt: utf8Encode(`${RECOVERY_DOMAIN}\u0000${userId}`),
      iterations: RECOVERY_ITERATIONS,
    },
    key,
    256,
  );
  return toHex(new Uint8Array(bits));
}
