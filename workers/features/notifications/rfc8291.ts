/**
 * The user agent's side of RFC 8291 (Message Encryption for Web Push, aes128gcm content coding of
 * RFC 8188): decrypts a push message with the subscription's private key and auth secret. Haven
 * never holds these keys for a real browser; this is what the tests and the dev push flow use to
 * prove that what the server sends is what a browser would read. Pure WebCrypto (workerd, Node).
 */

const enc = new TextEncoder();

function b64u(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(
    s
      .replace(/-/g, "+")
      .replace(/_/g, "/")
      .padEnd(Math.ceil(s.length / 4) * 4, "="),
  );
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

async function hkdf(salt: Uint8Array, ikm: Uint8Array, info: Uint8Array, bytes: number) {
  const key = await crypto.subtle.importKey("raw", ikm as Uint8Array<ArrayBuffer>, "HKDF", false, [
    "deriveBits",
  ]);
  return new Uint8Array(
    await crypto.subtle.deriveBits(
      {
        name: "HKDF",
        hash: "SHA-256",
        salt: salt as Uint8Array<ArrayBuffer>,
        info: info as Uint8Array<ArrayBuffer>,
      },
      key,
      bytes * 8,
    ),
  );
}

export interface UserAgentKeys {
  /** Uncompressed P-256 public point, base64url (the subscription's `p256dh`). */
  publicKey: string;
  /** Private scalar `d`, base64url. */
  privateKey: string;
  /** 16-byte auth secret, base64url. */
  auth: string;
}

/** Decrypts one aes128gcm push body (a single record); returns the plaintext. Throws if it does not authenticate. */
export async function decryptPush(body: Uint8Array, ua: UserAgentKeys): Promise<string> {
  const salt = body.slice(0, 16);
  const idlen = body[20] ?? 0;
  const asPublic = body.slice(21, 21 + idlen);
  const ciphertext = body.slice(21 + idlen);
  const uaPublic = b64u(ua.publicKey);
  const priv = await crypto.subtle.importKey(
    "jwk",
    {
      kty: "EC",
      crv: "P-256",
      d: ua.privateKey,
      x: btoa(String.fromCharCode(...uaPublic.slice(1, 33)))
        .replace(/\+/g, "-")
        .replace(/\//g, "_")
        .replace(/=+$/, ""),
      y: btoa(String.fromCharCode(...uaPublic.slice(33, 65)))
        .replace(/\+/g, "-")
        .replace(/\//g, "_")
        .replace(/=+$/, ""),
      ext: true,
    },
    { name: "ECDH", namedCurve: "P-256" },
    false,
    ["deriveBits"],
  );
  const sender = await crypto.subtle.importKey(
    "raw",
    asPublic,
    { name: "ECDH", namedCurve: "P-256" },
    false,
    [],
  );
  const ecdh = new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: "ECDH", public: sender } as unknown as Parameters<SubtleCrypto["deriveBits"]>[0],
      priv,
      256,
    ),
  );
  const keyInfo = concat(enc.encode("WebPush: info\0"), uaPublic, asPublic);
  const ikm = await hkdf(b64u(ua.auth), ecdh, keyInfo, 32);
  const cek = await hkdf(salt, ikm, enc.encode("Content-Encoding: aes128gcm\0"), 16);
  const nonce = await hkdf(salt, ikm, enc.encode("Content-Encoding: nonce\0"), 12);
  const aes = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["decrypt"]);
  const padded = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: nonce }, aes, ciphertext));
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error("not a final record (delimiter 0x02 missing)");
  return new TextDecoder().decode(padded.slice(0, end));
}

/** A fresh user agent key set (what a browser's PushManager makes), for tests and dev subscriptions. */
export async function newUserAgentKeys(): Promise<UserAgentKeys> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, [
    "deriveBits",
  ])) as CryptoKeyPair;
  const raw = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  const b64 = (b: Uint8Array) =>
    btoa(String.fromCharCode(...b))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
  return {
    publicKey: b64(raw),
    privateKey: String(jwk.d),
    auth: b64(crypto.getRandomValues(new Uint8Array(16))),
  };
}

export { b64u as base64UrlBytes };
