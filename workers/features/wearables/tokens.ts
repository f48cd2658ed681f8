import { toHex, utf8Encode } from "../../lib/crypto/encoding";
import { isRegion, type Region } from "../../lib/vocabulary";

/**
 * Device tokens: `hvd_<region>_<user id, 32 hex>_<secret, 64 hex>`. The prefix routes a post to
 * the owner's stream in the right jurisdiction without a database read (ingest keeps working while
 * Postgres is down); only the SHA-256 of the whole token is stored, in Postgres and in the stream.
 * Good only for posting that patient's telemetry (scope `telemetry:write`).
 */
export const DEVICE_TOKEN_SCOPES = ["telemetry:write"] as const;
const TOKEN = /^hvd_(us|eu|apac)_([0-9a-f]{32})_([0-9a-f]{64})$/;

export interface ParsedDeviceToken {
  userId: string;
  region: Region;
  token: string;
  /** SHA-256 of `token` (hex), once computed for the request (the rate-limit key and the stream's lookup). */
  tokenHash?: string;
}

const uuidOf = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

export function parseDeviceToken(token: string): ParsedDeviceToken | null {
  const m = TOKEN.exec(token);
  if (!m || !isRegion(m[1])) return null;
  return { region: m[1], userId: uuidOf(m[2] as string), token };
}

/** A new device token for `userId`; `secret` (64 hex) may be derived (device authorization grant). */
export function deviceToken(userId: string, region: Region, secret?: string): string {
  const s = secret ?? toHex(crypto.getRandomValues(new Uint8Array(32)));
  return `hvd_${region}_${userId.replaceAll("-", "").toLowerCase()}_${s}`;
}

export async function sha256Hex(text: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8Encode(text))));
}

/** HMAC-SHA256 of `message` under `key`, as 64 hex characters. */
export async function hmacHex(key: string, message: string): Promise<string> {
  const k = await crypto.subtle.importKey("raw", utf8Encode(key), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return toHex(new Uint8Array(await crypto.subtle.sign("HMAC", k, utf8Encode(message))));
}
