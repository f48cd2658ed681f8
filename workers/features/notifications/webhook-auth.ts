import type { Config } from "../../lib/config";
import { fromBase64, toBase64, utf8Encode } from "../../lib/crypto/encoding";

/**
 * Signatures of provider delivery webhooks, as the providers document them, with WebCrypto:
 *
 * - Email (Resend, signed by Svix): `svix-signature: v1,<base64 HMAC-SHA256>` (space-separated list,
 *   any may match) over `${svix-id}.${svix-timestamp}.${raw body}`, keyed with the base64 part of
 *   the `whsec_…` secret; the timestamp must be within five minutes (replay window).
 * - SMS (Twilio): `X-Twilio-Signature: <base64 HMAC-SHA1>` over the full URL Twilio requested
 *   followed by every POST parameter, sorted by name, as name + value; keyed with the Auth Token.
 *
 * Comparison is `crypto.subtle.verify` (constant time). Locally, without configured secrets, the
 * dev mailbox and SMS outbox sign their receipts with fixed dev secrets (local mode only).
 */

export const SVIX_TOLERANCE_SEC = 5 * 60;
/** Local mode only: the dev mailbox signs its receipts with this when EMAIL_WEBHOOK_SECRET is unset. */
export const DEV_EMAIL_WEBHOOK_SECRET = `whsec_${toBase64(utf8Encode("haven-local-email-webhook-secret"))}`;
/** Local mode only: the dev SMS outbox's "Auth Token" when SMS_AUTH_TOKEN is unset. */
export const DEV_SMS_AUTH_TOKEN = "haven-local-sms-auth-token";

/** The email webhook secret of this environment (null: not configured, every request is refused). */
export function emailWebhookSecret(config: Config): string | null {
  return config.EMAIL_WEBHOOK_SECRET ?? (config.ENVIRONMENT === "local" ? DEV_EMAIL_WEBHOOK_SECRET : null);
}

/** The Twilio Auth Token status callbacks are signed with (null: not configured). */
export function smsWebhookToken(config: Config): string | null {
  return config.SMS_AUTH_TOKEN ?? (config.ENVIRONMENT === "local" ? DEV_SMS_AUTH_TOKEN : null);
}

const hmacKey = (raw: Uint8Array, hash: "SHA-256" | "SHA-1", usage: "sign" | "verify") =>
  crypto.subtle.importKey("raw", raw, { name: "HMAC", hash }, false, [usage]);

function svixKey(secret: string): Uint8Array {
  return fromBase64(secret.startsWith("whsec_") ? secret.slice(6) : secret);
}

/** Signs a Svix webhook (what the provider does; the dev mailbox and tests use it). */
export async function svixSign(secret: string, id: string, timestamp: number, body: string): Promise<string> {
  const key = await hmacKey(svixKey(secret), "SHA-256", "sign");
  const mac = await crypto.subtle.sign("HMAC", key, utf8Encode(`${id}.${timestamp}.${body}`));
  return `v1,${toBase64(new Uint8Array(mac))}`;
}

/** Verifies a Svix-signed request body; false on a missing header, stale timestamp or wrong MAC. */
export async function svixVerify(
  secret: string,
  headers: { id: string | null; timestamp: string | null; signature: string | null },
  body: string,
  nowSec = Math.floor(Date.now() / 1000),
): Promise<boolean> {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowSec - Number(timestamp)) > SVIX_TOLERANCE_SEC) return false;
  const key = await hmacKey(svixKey(secret), "SHA-256", "verify");
  const data = utf8Encode(`${id}.${timestamp}.${body}`);
  for (const part of signature.split(" ").slice(0, 8)) {
    const [version, b64] = part.split(",", 2);
    if (version !== "v1" || !b64) continue;
    let mac: Uint8Array;
    try {
      mac = fromBase64(b64);
    } catch {
      continue;
    }
    if (await crypto.subtle.verify("HMAC", key, mac, data)) return true;
  }
  return false;
}

function twilioData(url: string, params: URLSearchParams): Uint8Array {
  const keys = [...new Set(params.keys())].sort();
  let s = url;
  for (const k of keys) for (const v of params.getAll(k).sort()) s += k + v;
  return utf8Encode(s);
}

/** Signs a Twilio request (what Twilio does; the dev SMS outbox and tests use it). */
export async function twilioSign(token: string, url: string, params: URLSearchParams): Promise<string> {
  const key = await hmacKey(utf8Encode(token), "SHA-1", "sign");
  return toBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, twilioData(url, params))));
}

/** Verifies `X-Twilio-Signature` for a form-encoded POST to `url`. */
export async function twilioVerify(
  token: string,
  signature: string | null,
  url: string,
  params: URLSearchParams,
): Promise<boolean> {
  if (!signature) return false;
  let mac: Uint8Array;
  try {
    mac = fromBase64(signature);
  } catch {
    return false;
  }
  const key = await hmacKey(utf8Encode(token), "SHA-1", "verify");
  return crypto.subtle.verify("HMAC", key, mac, twilioData(url, params));
}
