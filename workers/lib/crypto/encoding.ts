/**
 * Byte/text encodings and a constant-time comparison for the crypto primitives.
 *
 * Written against WebCrypto-era globals only (no Buffer, no node:crypto) so the same code runs in
 * Cloudflare Workers, Node and browsers. Decoders are strict and canonical: they reject padding
 * where none is expected, characters outside the alphabet, and encodings whose unused trailing
 * bits are non-zero. Canonical decoding matters for signed tokens: otherwise two different strings
 * could decode to the same signature bytes (token malleability).
 */

const B64_STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function reverseTable(alphabet: string): Int16Array {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}

const B64_STD_REV = reverseTable(B64_STD);
const B64_URL_REV = reverseTable(B64_URL);

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Thrown by the decoders on malformed input. The message never echoes the input. */
export class EncodingError extends Error {
  constructor(kind: string) {
    super(`Invalid ${kind} input`);
    this.name = "EncodingError";
  }
}

function encode64(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out +=
      alphabet[(n >>> 18) & 63]! + alphabet[(n >>> 12) & 63]! + alphabet[(n >>> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] ?? 0) << 16;
    out += alphabet[(n >>> 18) & 63]! + alphabet[(n >>> 12) & 63]! + (pad ? "==" : "");
  } else if (rest === 2) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8);
    out +=
      alphabet[(n >>> 18) & 63]! + alphabet[(n >>> 12) & 63]! + alphabet[(n >>> 6) & 63]! + (pad ? "=" : "");
  }
  return out;
}

function decode64(input: string, rev: Int16Array, kind: string): Uint8Array<ArrayBuffer> {
  const len = input.length;
  if (len % 4 === 1) throw new EncodingError(kind);
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < len; i++) {
    const c = input.charCodeAt(i);
    const v = c < 128 ? (rev[c] ?? -1) : -1;
    if (v < 0) throw new EncodingError(kind);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  // Canonical form: leftover bits (2 or 4) must be zero.
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) throw new EncodingError(kind);
  return out;
}

/** Encodes bytes as unpadded base64url (RFC 4648 §5), the form used in JWTs and stored hashes. */
export function toBase64Url(bytes: Uint8Array): string {
  return encode64(bytes, B64_URL, false);
}

/**
 * Decodes unpadded, canonical base64url. Throws {@link EncodingError} on padding, foreign
 * characters or non-zero trailing bits.
 */
export function fromBase64Url(input: string): Uint8Array<ArrayBuffer> {
  return decode64(input, B64_URL_REV, "base64url");
}

/** Encodes bytes as padded standard base64 (RFC 4648 §4), e.g. for secrets set via `wrangler secret`. */
export function toBase64(bytes: Uint8Array): string {
  return encode64(bytes, B64_STD, true);
}

/**
 * Decodes standard base64; padding is optional but, when present, must be correct. Throws
 * {@link EncodingError} on any other deviation (whitespace included).
 */
export function fromBase64(input: string): Uint8Array<ArrayBuffer> {
  let body = input;
  if (input.endsWith("=")) {
    if (input.length % 4 !== 0) throw new EncodingError("base64");
    body = input.endsWith("==") ? input.slice(0, -2) : input.slice(0, -1);
  }
  return decode64(body, B64_STD_REV, "base64");
}

/** Lower-case hex, e.g. for SHA-256 digests stored as lookup keys. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** Decodes hex (either case). Throws {@link EncodingError} on odd length or non-hex characters. */
export function fromHex(input: string): Uint8Array<ArrayBuffer> {
  if (input.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(input)) throw new EncodingError("hex");
  const out = new Uint8Array(input.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(input.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** UTF-8 encodes a string (lone surrogates become U+FFFD, as TextEncoder specifies). */
export function utf8Encode(text: string): Uint8Array<ArrayBuffer> {
  // TextEncoder always returns a fresh, non-shared ArrayBuffer; the runtime typings are just wider.
  return textEncoder.encode(text) as Uint8Array<ArrayBuffer>;
}

/** Strict UTF-8 decode: throws {@link EncodingError} on invalid sequences instead of inserting U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  try {
    return textDecoder.decode(bytes);
  } catch {
    throw new EncodingError("utf-8");
  }
}

/** Concatenates byte arrays into a fresh buffer (used to build salts and AAD). */
export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Compares two byte arrays in time that depends only on their lengths, never on their content:
 * there is no early exit on the first differing byte, so an attacker timing responses cannot learn
 * how many leading bytes of a secret they guessed. A length mismatch returns false after the same
 * full pass over `a`, so it leaks only the (non-secret) lengths.
 *
 * Use it for every comparison of secrets or MACs computed in JS (password hashes, TOTP codes).
 *
 * @example timingSafeEqual(derived, storedHash) // true only if every byte matches
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) {
    // `b[i] ?? 0` only branches on the index vs. b's length, not on byte values.
    diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  }
  return diff === 0;
}
