/**
 * Password hashing and password policy.
 *
 * ## Why "chained PBKDF2" and not plain PBKDF2-600000
 * OWASP asks for PBKDF2-HMAC-SHA256 with ≥ 600,000 iterations. Cloudflare's production runtime
 * rejects any single PBKDF2 call above 100,000 iterations (`NotSupportedError: Pbkdf2 failed:
 * iteration counts above 100000 are not supported`; cloudflare/workerd#1346). The limit exists
 * because BoringSSL cannot be interrupted by the CPU-time limiter mid-call. Open-source workerd
 * (`wrangler dev`, vitest pool) does NOT enforce it, so local tests pass with 600,000 while
 * production fails; do not "fix" this by raising {@link ROUND_ITERATIONS}.
 *
 * We therefore run the 600,000 iterations as a chain of rounds of at most 100,000 each:
 *
 *   T0 = ""            (empty)
 *   Tk = PBKDF2-HMAC-SHA256(P, "haven/pbkdf2c/v1" ‖ u32be(k) ‖ salt ‖ T(k-1), c_k, 32 bytes)
 *   hash = T_last,      with Σ c_k = total iterations and c_k ≤ round size
 *
 * This is NOT standard PBKDF2 (a standard verifier cannot check these hashes; hence the distinct
 * scheme id `pbkdf2c-sha256`). Why it is sound:
 * - Cost: every round needs the previous round's full output, so an attacker must compute all
 *   Σ c_k HMAC-SHA256 iterations sequentially per guess, exactly the work of PBKDF2-600000
 *   (each round is single-block, so no round can be skipped or parallelised away).
 * - The password stays the HMAC key in every round (as in PBKDF2 itself) and the chaining value
 *   goes in the salt position, so every round depends on both the password and all earlier rounds.
 *   (We prefer this over "T(k-1) becomes the next password": there, an intermediate value alone
 *   suffices to finish the hash, and round 1 is a plain PBKDF2-100000 output.) The domain label and
 *   round index keep rounds from being swapped or reused across schemes.
 * - Each round is a PRF evaluation keyed by the password; composing them does not lose entropy
 *   below the 256-bit output.
 * Alternatives rejected: iterating HMAC from JS (600k awaits: ~100× slower, worse than the
 * attacker's speed), scrypt via `node:crypto` (needs nodejs_compat, and workerd caps its cost too),
 * argon2 (not available in Workers), and staying at 100,000 (below OWASP).
 *
 * Stored format (PHC-style, self-describing so parameters can be raised and old hashes flagged):
 *   `$pbkdf2c-sha256$v=1$i=600000,r=100000$<salt b64url>$<hash b64url>`
 * `i` = total iterations, `r` = maximum iterations per PBKDF2 call.
 */

import { fromBase64Url, timingSafeEqual, toBase64Url, utf8Encode } from "../../lib/crypto/encoding";
import { isCommonPassword } from "./common-passwords";

/** Total PBKDF2-HMAC-SHA256 iterations for new hashes (OWASP 2023+ recommendation). */
export const PASSWORD_ITERATIONS = 600_000;
/** Maximum iterations per PBKDF2 call: Cloudflare's production cap (cloudflare/workerd#1346). */
export const ROUND_ITERATIONS = 100_000;
/** Lowest total accepted by {@link hashPasswordWithIterations}; anything lower is not a password hash. */
const MIN_ITERATIONS = 10_000;
/** Highest total accepted from a stored hash, so a tampered row cannot make logins burn CPU. */
const MAX_ITERATIONS = 5_000_000;
/** Inputs longer than this (UTF-16 units) are rejected before hashing: 128 code points ≤ 256 units. */
const MAX_PASSWORD_INPUT = 1024;

/** Policy bounds in Unicode code points (NIST 800-63B: ≥ 8, we require 12; allow ≥ 64). */
export const PASSWORD_MIN_LENGTH = 12;
/** Upper bound keeps hashing cost and request size predictable while allowing long passphrases. */
export const PASSWORD_MAX_LENGTH = 128;

const SCHEME = "pbkdf2c-sha256";
const VERSION = 1;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const DOMAIN = utf8Encode("haven/pbkdf2c/v1");
const STORED =
  /^\$pbkdf2c-sha256\$v=1\$i=([1-9]\d{0,7}),r=([1-9]\d{0,6})\$([A-Za-z0-9_-]{22})\$([A-Za-z0-9_-]{43})$/;

/**
 * A fixed hash at current parameters, used by {@link dummyVerify} so "unknown email" costs the
 * same PBKDF2 work as "wrong password". Its salt and hash are arbitrary public constants.
 */
const DUMMY_HASH = `$${SCHEME}$v=${VERSION}$i=${PASSWORD_ITERATIONS},r=${ROUND_ITERATIONS}$aGF2ZW4tZHVtbXktc2FsdA$${"A".repeat(42)}E`;

interface ParsedHash {
  iterations: number;
  roundSize: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array<ArrayBuffer>;
}

function u32be(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

/** NFKC so the same password typed on different keyboards/IMEs hashes the same (NIST 800-63B). */
function normalize(password: string): string {
  return password.normalize("NFKC");
}

async function derive(
  password: string,
  salt: Uint8Array,
  iterations: number,
  roundSize: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey("raw", utf8Encode(normalize(password)), "PBKDF2", false, [
    "deriveBits",
  ]);
  let chain = new Uint8Array(0);
  let remaining = iterations;
  for (let round = 0; remaining > 0; round++) {
    const count = Math.min(remaining, roundSize);
    const roundSalt = new Uint8Array(DOMAIN.length + 4 + salt.length + chain.length);
    roundSalt.set(DOMAIN, 0);
    roundSalt.set(u32be(round), DOMAIN.length);
    roundSalt.set(salt, DOMAIN.length + 4);
    roundSalt.set(chain, DOMAIN.length + 4 + salt.length);
    const bits = await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt: roundSalt, iterations: count },
      key,
      HASH_BYTES * 8,
    );
    chain = new Uint8Array(bits);
    remaining -= count;
  }
  return chain;
}

function parse(stored: string): ParsedHash | undefined {
  const m = STORED.exec(stored);
  if (!m) return undefined;
  const iterations = Number(m[1]);
  const roundSize = Number(m[2]);
  if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) return undefined;
  if (roundSize < 1_000 || roundSize > ROUND_ITERATIONS) return undefined;
  try {
    const salt = fromBase64Url(m[3] ?? "");
    const hash = fromBase64Url(m[4] ?? "");
    if (salt.length !== SALT_BYTES || hash.length !== HASH_BYTES) return undefined;
    return { iterations, roundSize, salt, hash };
  } catch {
    return undefined;
  }
}

/**
 * Hashes with an explicit total iteration count. Exists for tests and for measuring/migrating
 * parameters; application code should call {@link hashPassword}.
 */
export async function hashPasswordWithIterations(password: string, iterations: number): Promise<string> {
  if (!Number.isInteger(iterations) || iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw new RangeError("PBKDF2 iteration count out of range");
  }
  if (password.length > MAX_PASSWORD_INPUT) throw new RangeError("Password too long to hash");
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations, ROUND_ITERATIONS);
  return `$${SCHEME}$v=${VERSION}$i=${iterations},r=${ROUND_ITERATIONS}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

/**
 * Hashes a password for storage: chained PBKDF2-HMAC-SHA256, 600,000 iterations in rounds of
 * ≤ 100,000 (see the module comment for why), 16-byte random salt, 32-byte output. Costs roughly
 * 130–150 ms of CPU in workerd, so call it only on sign-up, password change and rehash-on-login.
 *
 * @example
 * const stored = await hashPassword(input); // "$pbkdf2c-sha256$v=1$i=600000,r=100000$…$…"
 */
export function hashPassword(password: string): Promise<string> {
  return hashPasswordWithIterations(password, PASSWORD_ITERATIONS);
}

/**
 * Checks a password against a stored hash in constant time. `needsRehash` is true when the
 * password matched but the stored parameters are weaker than current ones: the caller should then
 * store `await hashPassword(password)` while it still has the plaintext. A malformed stored value
 * never matches (and still costs the dummy work, so it is indistinguishable by timing).
 *
 * @example
 * const { ok, needsRehash } = await verifyPassword(input, user.passwordHash);
 * if (ok && needsRehash) await saveHash(user.id, await hashPassword(input));
 */
export async function verifyPassword(
  password: string,
  stored: string,
): Promise<{ ok: boolean; needsRehash: boolean }> {
  const parsed = parse(stored);
  if (parsed === undefined || password.length > MAX_PASSWORD_INPUT) {
    await dummyVerify();
    return { ok: false, needsRehash: false };
  }
  const candidate = await derive(password, parsed.salt, parsed.iterations, parsed.roundSize);
  const ok = timingSafeEqual(candidate, parsed.hash);
  return { ok, needsRehash: ok && parsed.iterations < PASSWORD_ITERATIONS };
}

/**
 * Performs the same PBKDF2 work as a real verification against a fixed dummy hash and discards
 * the result. Call it when a login names an unknown (or locked/SSO-only) account so the response
 * time does not reveal whether the account exists (account enumeration).
 *
 * @example
 * const user = await findUserByEmail(email);
 * if (!user?.passwordHash) { await dummyVerify(); return invalidCredentials(); }
 */
export async function dummyVerify(): Promise<void> {
  const parsed = parse(DUMMY_HASH);
  if (parsed === undefined) throw new Error("dummy hash constant is invalid");
  const candidate = await derive("haven-dummy-password", parsed.salt, parsed.iterations, parsed.roundSize);
  timingSafeEqual(candidate, parsed.hash);
}

/** Why a password was refused; stable codes the UI can translate. */
export type PasswordPolicyReason = "too_short" | "too_long" | "common" | "contains_personal_info";

/** Splits identity strings into lower-case tokens worth checking (≥ 3 letters/digits). */
function personalTokens(context: { email?: string; displayName?: string }): string[] {
  const tokens = new Set<string>();
  const add = (raw: string): void => {
    for (const part of raw.toLowerCase().split(/[^\p{L}\p{N}]+/u))
      if ([...part].length >= 3) tokens.add(part);
  };
  if (context.email) {
    const local = context.email.normalize("NFKC").split("@")[0] ?? "";
    add(local);
    const joined = local.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
    if ([...joined].length >= 3) tokens.add(joined);
  }
  if (context.displayName) add(context.displayName.normalize("NFKC"));
  return [...tokens];
}

/**
 * Password policy per NIST SP 800-63B: 12–128 characters (counted as Unicode code points after
 * NFKC, so emoji and CJK count as one each), not common or predictable, and not containing the
 * user's email local part or name. No composition rules (they push users to predictable patterns).
 * Spaces are allowed, which permits passphrases.
 *
 * @example
 * const r = validatePasswordPolicy(body.password, { email: body.email, displayName: body.name });
 * if (!r.ok) throw new AppError("validation_failed", `password: ${r.reason}`);
 */
export function validatePasswordPolicy(
  password: string,
  context?: { email?: string; displayName?: string },
): { ok: true } | { ok: false; reason: PasswordPolicyReason } {
  const normalized = normalize(password);
  const length = [...normalized].length;
  if (length < PASSWORD_MIN_LENGTH) return { ok: false, reason: "too_short" };
  if (length > PASSWORD_MAX_LENGTH) return { ok: false, reason: "too_long" };
  if (isCommonPassword(normalized)) return { ok: false, reason: "common" };
  if (context) {
    const lower = normalized.toLowerCase();
    if (personalTokens(context).some((t) => lower.includes(t))) {
      return { ok: false, reason: "contains_personal_info" };
    }
  }
  return { ok: true };
}
