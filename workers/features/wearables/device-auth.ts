import type { z } from "@hono/zod-openapi";
import { toBase64Url } from "../../lib/crypto/encoding";
import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";
import { isRegion } from "../../lib/vocabulary";
import { registerDevice } from "./devices";
import type { ActivateIn, DeviceAuthorizeIn, DeviceTokenIn } from "./schema";
import { DEVICE_TOKEN_SCOPES, deviceToken, hmacHex, sha256Hex } from "./tokens";

/**
 * OAuth 2.0 Device Authorization Grant (RFC 8628) for devices without a keyboard. The device asks
 * for a code pair; the patient confirms the short user code on `/devices/activate` (signed in);
 * the device polls the token endpoint and receives its device token once. State lives in Redis
 * for 10 minutes (no health data). The token's secret is derived from the device code with a
 * server key, so no usable secret is ever stored: Redis holds only the device code's hash.
 */
export const DEVICE_CODE_TTL_S = 600;
export const POLL_INTERVAL_S = 5;
const GRANT = "urn:ietf:params:oauth:grant-type:device_code";
/** RFC 8628 §6.1: 20 consonants, no vowels (no words), 8 characters ≈ 34.5 bits. */
const USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";

interface Pending {
  clientId: string;
  kind: z.infer<typeof DeviceAuthorizeIn>["kind"];
  vendor: string;
  model: string;
  userCode: string;
  status: "pending" | "approved" | "denied";
  userId?: string;
  region?: string;
  deviceId?: string;
  lastPoll?: number;
  /** Expiry (epoch ms): re-writes keep it, so polling never extends a code's life. */
  exp: number;
}

const dcKey = (hash: string) => `devauth:dc:${hash}`;
const ucKey = (code: string) => `devauth:uc:${code}`;

/** Seconds a re-written entry has left (never extended). */
const ttl = (p: Pending) => Math.max(1, Math.ceil((p.exp - Date.now()) / 1000));

/** The problem an OAuth client reads: RFC 6749 §5.2 `error` as an extension of the problem document. */
function oauthError(error: string, detail: string): AppError {
  return new AppError("bad_request", detail, { extensions: { error } });
}

function userCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  const chars = [...bytes].map((b) => USER_CODE_ALPHABET[b % USER_CODE_ALPHABET.length]).join("");
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

/** Normalises what a person typed: case, spaces and dashes do not matter. */
export function normaliseUserCode(input: string): string | null {
  const s = input.toUpperCase().replace(/[^A-Z]/g, "");
  if (s.length !== 8 || [...s].some((ch) => !USER_CODE_ALPHABET.includes(ch))) return null;
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/** §3.1–3.2: a device code and a user code for the person to confirm. */
export async function authorizeDevice(scope: Scope, input: z.infer<typeof DeviceAuthorizeIn>) {
  const deviceCode = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const code = userCode();
  const pending: Pending = {
    clientId: input.client_id,
    kind: input.kind,
    vendor: input.vendor,
    model: input.model,
    userCode: code,
    status: "pending",
    exp: Date.now() + DEVICE_CODE_TTL_S * 1000,
  };
  const hash = await sha256Hex(deviceCode);
  const redis = scope.redis();
  await redis.set(dcKey(hash), JSON.stringify(pending), { ex: DEVICE_CODE_TTL_S });
  await redis.set(ucKey(code), hash, { ex: DEVICE_CODE_TTL_S });
  const origin = scope.origin ?? "";
  return {
    device_code: deviceCode,
    user_code: code,
    verification_uri: `${origin}/devices/activate`,
    verification_uri_complete: `${origin}/devices/activate?code=${encodeURIComponent(code)}`,
    expires_in: DEVICE_CODE_TTL_S,
    interval: POLL_INTERVAL_S,
  };
}

async function load(scope: Scope, hash: string): Promise<Pending | null> {
  const raw = await scope.redis().get<Pending | string>(dcKey(hash));
  if (!raw) return null;
  const p = typeof raw === "string" ? (JSON.parse(raw) as Pending) : raw;
  return p.exp > Date.now() ? p : null;
}

/** What the confirmation page shows for a user code (the device's description), or null. */
export async function describeUserCode(scope: Scope, typed: string) {
  const code = normaliseUserCode(typed);
  const hash = code ? await scope.redis().get<string>(ucKey(code)) : null;
  const p = hash ? await load(scope, hash) : null;
  return p && p.status === "pending"
    ? { code: p.userCode, kind: p.kind, vendor: p.vendor, model: p.model }
    : null;
}

/**
 * The signed-in patient approves (the device is registered now, to them, with their consent
 * checked) or denies a user code. An unknown or used code is a 404.
 */
export async function activateDevice(scope: Scope, input: z.infer<typeof ActivateIn>) {
  const code = normaliseUserCode(input.userCode);
  const redis = scope.redis();
  const hash = code ? await redis.get<string>(ucKey(code)) : null;
  const p = hash ? await load(scope, hash) : null;
  if (!hash || !p || p.status !== "pending")
    throw new AppError("not_found", "No such code, or it has expired");
  await redis.del(ucKey(p.userCode));
  const device = { kind: p.kind, vendor: p.vendor, model: p.model };
  if (!input.approve) {
    await redis.set(dcKey(hash), JSON.stringify({ ...p, status: "denied" }), { ex: ttl(p) });
    return { approved: false, device };
  }
  const secret = await hmacHex(scope.config.JWT_SECRET, `device-token:${hash}`);
  const created = await registerDevice(scope, device, { pairedVia: "device_code", secret });
  const principal = scope.principal;
  await redis.set(
    dcKey(hash),
    JSON.stringify({
      ...p,
      status: "approved",
      userId: principal?.userId,
      region: principal?.region,
      deviceId: created.device.id,
    }),
    { ex: ttl(p) },
  );
  return { approved: true, device };
}

/** §3.4–3.5: the device's poll. The token is answered once; later polls get `expired_token`. */
export async function exchangeDeviceCode(scope: Scope, input: z.infer<typeof DeviceTokenIn>) {
  if (input.grant_type !== GRANT) throw oauthError("unsupported_grant_type", "Unsupported grant type");
  const hash = await sha256Hex(input.device_code);
  const p = await load(scope, hash);
  if (!p) throw oauthError("expired_token", "The device code has expired or was already used; start again");
  if (p.clientId !== input.client_id)
    throw oauthError("invalid_grant", "The device code was issued to another client");
  if (p.status === "denied") {
    await scope.redis().del(dcKey(hash));
    throw oauthError("access_denied", "The person declined this device");
  }
  if (p.status === "pending") {
    const now = Date.now();
    const tooFast = p.lastPoll !== undefined && now - p.lastPoll < POLL_INTERVAL_S * 1000;
    await scope.redis().set(dcKey(hash), JSON.stringify({ ...p, lastPoll: now }), { ex: ttl(p) });
    throw tooFast
      ? oauthError("slow_down", `Poll at most every ${POLL_INTERVAL_S + 5} seconds`)
      : oauthError("authorization_pending", "Waiting for the person to confirm the code");
  }
  // Approved: answer the token once.
  const removed = await scope.redis().del(dcKey(hash));
  if (removed === 0 || !p.userId || !p.deviceId || !isRegion(p.region))
    throw oauthError("expired_token", "The device code was already used");
  const secret = await hmacHex(scope.config.JWT_SECRET, `device-token:${hash}`);
  return {
    access_token: deviceToken(p.userId, p.region, secret),
    token_type: "Bearer" as const,
    scope: DEVICE_TOKEN_SCOPES.join(" "),
    device_id: p.deviceId,
  };
}
