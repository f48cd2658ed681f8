import { fromBase64Url as base64UrlDecode, toBase64Url as base64UrlEncode } from "../../lib/crypto/encoding";
import type { Scope } from "../../lib/scope";
import { DEV_PUSH_ORIGIN } from "./providers";

/**
 * The local push service (local mode only): the counterpart of FCM/Mozilla autopush for offline
 * development and tests. It accepts RFC 8030 push requests for subscriptions under
 * {@link DEV_PUSH_ORIGIN}, checks what a real push service checks — the VAPID token (RFC 8292:
 * ES256 signature by the `k` key, audience = the push service's origin, expiry within 24 h), the
 * `TTL` header, `Content-Encoding: aes128gcm` and the 4096-byte limit — and keeps the ENCRYPTED
 * body for the subscriber to fetch and decrypt (only the subscriber holds the RFC 8291 keys).
 */

const MAX_BODY = 4096;
const key = (path: string) => `devpush:${path}`;

export interface StoredPush {
  id: string;
  body: string;
  ttl: number;
  urgency: string | null;
  topic: string | null;
  at: string;
}

const text = (status: number, body: string) => new Response(body, { status });

async function verifyVapid(header: string | null, audience: string, expectedKey: string | undefined) {
  const m = /^vapid\s+t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? "");
  if (!m?.[1] || !m[2]) return "missing_vapid";
  const [token, k] = [m[1], m[2]];
  if (expectedKey && k !== expectedKey) return "unknown_key";
  const [h, p, s] = token.split(".");
  if (!h || !p || !s) return "malformed_jwt";
  const head = JSON.parse(new TextDecoder().decode(base64UrlDecode(h))) as { alg?: string };
  const claims = JSON.parse(new TextDecoder().decode(base64UrlDecode(p))) as {
    aud?: string;
    exp?: number;
    sub?: string;
  };
  if (head.alg !== "ES256") return "bad_alg";
  const now = Math.floor(Date.now() / 1000);
  if (claims.aud !== audience) return "bad_audience";
  if (!claims.exp || claims.exp <= now || claims.exp > now + 24 * 3600) return "bad_expiry";
  if (!claims.sub || !/^(mailto:|https:)/.test(claims.sub)) return "bad_subject";
  const pub = await crypto.subtle.importKey(
    "raw",
    base64UrlDecode(k),
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["verify"],
  );
  const ok = await crypto.subtle.verify(
    { name: "ECDSA", hash: "SHA-256" },
    pub,
    base64UrlDecode(s),
    new TextEncoder().encode(`${h}.${p}`),
  );
  return ok ? null : "bad_signature";
}

/** Handles one push request (RFC 8030 §5) for a dev subscription; answers as a push service would. */
export async function receiveLocalPush(scope: Scope, request: Request): Promise<Response> {
  const url = new URL(request.url);
  // `/refuse/…` subscriptions model a push service that refuses the sender (403): a permanent
  // failure, for trying failover and dead letters by hand and in the browser check.
  if (url.origin === DEV_PUSH_ORIGIN && url.pathname.startsWith("/refuse/")) return text(403, "refused");
  if (url.origin !== DEV_PUSH_ORIGIN || !url.pathname.startsWith("/sub/"))
    return text(404, "no such subscription");
  if (request.method !== "POST") return text(405, "POST only");
  const problem = await verifyVapid(
    request.headers.get("authorization"),
    DEV_PUSH_ORIGIN,
    scope.config.VAPID_PUBLIC_KEY,
  );
  if (problem) return text(403, problem);
  const ttl = Number(request.headers.get("ttl"));
  if (request.headers.get("ttl") === null || !Number.isInteger(ttl) || ttl < 0)
    return text(400, "missing TTL");
  if (request.headers.get("content-encoding") !== "aes128gcm") return text(415, "aes128gcm only");
  const body = new Uint8Array(await request.arrayBuffer());
  if (body.byteLength > MAX_BODY) return text(413, "payload too large");
  const stored: StoredPush = {
    id: crypto.randomUUID(),
    body: base64UrlEncode(body),
    ttl,
    urgency: request.headers.get("urgency"),
    topic: request.headers.get("topic"),
    at: new Date().toISOString(),
  };
  const p = scope.redis().pipeline();
  p.lpush(key(url.pathname), JSON.stringify(stored));
  p.ltrim(key(url.pathname), 0, 49);
  await p.exec();
  return new Response(null, { status: 201, headers: { location: `${DEV_PUSH_ORIGIN}/m/${stored.id}` } });
}

/** The pushes a dev subscription received, newest first (encrypted bodies). */
export function localPushes(scope: Scope, subscriptionPath: string): Promise<StoredPush[]> {
  return scope.redis().lrange<StoredPush>(key(subscriptionPath), 0, 49);
}
