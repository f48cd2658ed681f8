/**
 * HS256 access tokens (RFC 7519) on WebCrypto HMAC, plus random tokens and SHA-256 helpers.
 *
 * Deliberately narrow: the only accepted header is `{"alg":"HS256","typ":"JWT"}` (typ optional).
 * `alg: none`, every other algorithm (including the RS256/HS256 confusion attack), and any key
 * selection parameter (`kid`, `jku`, `jwk`, `x5u`, `x5c`, `crit`, ...) are refused, so an attacker
 * cannot steer which key or algorithm verifies the token. Rotation works by trying each configured
 * secret in order (current first), not by a header hint.
 *
 * Times (`now`, `iat`, `exp`, `nbf`) are Unix seconds.
 */

import { z } from "zod";
import {
  EncodingError,
  fromBase64Url,
  toBase64Url,
  toHex,
  utf8Decode,
  utf8Encode,
} from "../../lib/crypto/encoding";
import { RegionSchema, RoleSchema } from "../../lib/vocabulary";

/** Claims of a Haven access token. All are required except `mfa` and `nbf`. */
export interface AccessClaims {
  sub: string;
  role: "patient" | "clinician" | "admin";
  region: "us" | "eu" | "apac";
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
  mfa?: boolean;
  nbf?: number;
}

/** What the caller supplies when signing; `iat`, `exp`, `iss` and `aud` come from the options. */
export type AccessTokenInput = Omit<AccessClaims, "iat" | "exp" | "iss" | "aud">;

/** Why a token was refused. Log it; do not send it to the client (answer a generic 401). */
export type TokenFailure =
  | "malformed"
  | "alg"
  | "signature"
  | "expired"
  | "not_before"
  | "audience"
  | "issuer";

/** Tokens larger than this are refused before any parsing or HMAC work. */
export const MAX_TOKEN_BYTES = 4096;
/** HS256 secrets must carry at least 256 bits; shorter secrets throw at sign and verify time. */
const MIN_SECRET_BYTES = 32;
/** Access tokens are short-lived by design; longer TTLs throw. */
const MAX_TTL_SECONDS = 86_400;
const DEFAULT_SKEW_SECONDS = 30;
const MAX_KEY_CACHE = 16;

const id = z.string().min(1).max(256);
const seconds = z.number().int().nonnegative().max(253_402_300_799); // ≤ year 9999

const claimsSchema = z.strictObject({
  sub: id,
  role: RoleSchema,
  region: RegionSchema,
  sid: id,
  jti: id,
  iat: seconds,
  exp: seconds,
  iss: id,
  aud: id,
  mfa: z.boolean().optional(),
  nbf: seconds.optional(),
});

const headerSchema = z.strictObject({ alg: z.literal("HS256"), typ: z.literal("JWT").optional() });
const HEADER_SEGMENT = toBase64Url(utf8Encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Imported HMAC keys keyed by secret (the only module-level mutable state; bounded). */
const keyCache = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  const raw = utf8Encode(secret);
  if (raw.length < MIN_SECRET_BYTES) throw new RangeError("JWT secret must be at least 32 bytes");
  let key = keyCache.get(secret);
  if (key === undefined) {
    if (keyCache.size >= MAX_KEY_CACHE) keyCache.clear();
    key = crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keyCache.set(secret, key);
  }
  return key;
}

function nowSeconds(now: number | undefined): number {
  return Math.floor(now ?? Date.now() / 1000);
}

function parseJsonObject(segment: string): unknown {
  const value: unknown = JSON.parse(utf8Decode(fromBase64Url(segment)));
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new EncodingError("json");
  return value;
}

/**
 * Signs an access token. `iat` is `now`, `exp` is `now + ttlSeconds` (1 s – 24 h). The claims are
 * validated with the same schema the verifier uses, so an invalid token is never issued.
 *
 * @example
 * const token = await signAccessToken(
 *   { sub: user.id, role: "patient", region: "eu", sid, jti: randomToken(16), mfa: true },
 *   env.JWT_SECRET,
 *   { ttlSeconds: 900, issuer: "https://api.haven.example", audience: "haven-app" },
 * );
 */
export async function signAccessToken(
  claims: AccessTokenInput,
  secret: string,
  opts: { ttlSeconds: number; issuer: string; audience: string; now?: number },
): Promise<string> {
  if (!Number.isInteger(opts.ttlSeconds) || opts.ttlSeconds < 1 || opts.ttlSeconds > MAX_TTL_SECONDS) {
    throw new RangeError("ttlSeconds must be an integer between 1 and 86400");
  }
  const iat = nowSeconds(opts.now);
  const full = claimsSchema.parse({
    ...claims,
    iat,
    exp: iat + opts.ttlSeconds,
    iss: opts.issuer,
    aud: opts.audience,
  });
  const signingInput = `${HEADER_SEGMENT}.${toBase64Url(utf8Encode(JSON.stringify(full)))}`;
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(secret), utf8Encode(signingInput));
  return `${signingInput}.${toBase64Url(new Uint8Array(signature))}`;
}

/**
 * Verifies an access token against the current secret and then any previous ones (rotation:
 * `[current, previous]`). Checks, in order: size and shape (`malformed`), header (`alg`),
 * HMAC via `crypto.subtle.verify`, which compares in constant time (`signature`), claim schema
 * (`malformed`), then `exp`/`nbf`/`iat` with clock skew, `iss` and `aud`. The payload is
 * only parsed after the signature is verified.
 *
 * @example
 * const r = await verifyAccessToken(bearer, [env.JWT_SECRET, env.JWT_SECRET_PREVIOUS].filter(Boolean),
 *   { issuer: "https://api.haven.example", audience: "haven-app" });
 * if (!r.ok) return unauthorized(); // log r.reason
 */
export async function verifyAccessToken(
  token: string,
  secrets: string[],
  opts: { issuer: string; audience: string; now?: number; clockSkewSeconds?: number },
): Promise<{ ok: true; claims: AccessClaims } | { ok: false; reason: TokenFailure }> {
  if (secrets.length === 0) throw new RangeError("at least one JWT secret is required");
  const keys = await Promise.all(secrets.map(hmacKey));

  if (token.length > MAX_TOKEN_BYTES) return { ok: false, reason: "malformed" };
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: "malformed" };
  const [headerSeg = "", payloadSeg = "", signatureSeg = ""] = parts;

  // Header first, so `alg: none` (whose signature segment is empty) is reported as "alg".
  try {
    if (!SEGMENT.test(headerSeg)) return { ok: false, reason: "malformed" };
    if (!headerSchema.safeParse(parseJsonObject(headerSeg)).success) return { ok: false, reason: "alg" };
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (!SEGMENT.test(payloadSeg) || !SEGMENT.test(signatureSeg)) return { ok: false, reason: "malformed" };
  let signature: Uint8Array<ArrayBuffer>;
  try {
    signature = fromBase64Url(signatureSeg);
  } catch {
    return { ok: false, reason: "malformed" };
  }
  if (signature.length !== 32) return { ok: false, reason: "signature" };

  const signingInput = utf8Encode(`${headerSeg}.${payloadSeg}`);
  let verified = false;
  for (const key of keys) {
    // No early exit: every configured secret is tried, so timing does not reveal which one matched.
    const match = await crypto.subtle.verify("HMAC", key, signature, signingInput);
    verified = verified || match;
  }
  if (!verified) return { ok: false, reason: "signature" };

  let claims: AccessClaims;
  try {
    const parsed = claimsSchema.safeParse(parseJsonObject(payloadSeg));
    if (!parsed.success) return { ok: false, reason: "malformed" };
    claims = parsed.data;
  } catch {
    return { ok: false, reason: "malformed" };
  }

  const now = nowSeconds(opts.now);
  const skew = opts.clockSkewSeconds ?? DEFAULT_SKEW_SECONDS;
  if (claims.exp <= claims.iat) return { ok: false, reason: "malformed" };
  if (now >= claims.exp + skew) return { ok: false, reason: "expired" };
  if (claims.nbf !== undefined && now + skew < claims.nbf) return { ok: false, reason: "not_before" };
  if (now + skew < claims.iat) return { ok: false, reason: "not_before" };
  if (claims.iss !== opts.issuer) return { ok: false, reason: "issuer" };
  if (claims.aud !== opts.audience) return { ok: false, reason: "audience" };
  return { ok: true, claims };
}

/**
 * A cryptographically random, URL-safe token (base64url of `bytes` random bytes, 16–1024).
 * Use for refresh tokens, session ids, jti, email-verification and reset links.
 *
 * @example const refresh = randomToken(); // 43 chars, 256 bits
 */
export function randomToken(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 1024) throw new RangeError("bytes must be 16–1024");
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/**
 * Lower-case hex SHA-256 of a string's UTF-8 bytes. Store `sha256Hex(refreshToken)` rather than the
 * token, so a database leak does not yield usable tokens (the token's 256-bit entropy makes a plain
 * hash sufficient; low-entropy secrets need a slow hash instead).
 */
export async function sha256Hex(s: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8Encode(s))));
}
