/**
 * Envelope encryption for PHI at rest (HIPAA 164.312(a)(2)(iv), GDPR Art. 9/32): the ONLY module
 * that handles key material.
 *
 * Layout:
 * - Master keys (KEKs) come from one Worker secret, `v2:<base64 32 bytes>,v1:<base64 32 bytes>`;
 *   the first entry is current. They never leave this module and are never logged (the ring is an
 *   opaque object whose raw bytes live in private fields).
 * - Each user (or other data owner) gets a random AES-256 data key (DEK), stored only wrapped:
 *   `mk-v2:<iv b64url>:<AES-GCM(KEK, DEK) b64url>`. After unwrap the DEK is a non-extractable
 *   CryptoKey, so application code cannot export or log it.
 * - Fields are encrypted with the DEK as `enc:v1:<iv b64url>:<ct+tag b64url>`, AES-256-GCM with a
 *   fresh 96-bit random IV and the field's context as AAD.
 *
 * Crypto-shredding (GDPR Art. 17 erasure): deleting a user's wrapped DEK makes every ciphertext
 * encrypted under it, including copies in backups and replicas, permanently unreadable, without
 * having to find and overwrite each row.
 *
 * Rotation: add a new master version in front (`v3:…,v2:…`), deploy, then run
 * {@link rewrapDataKey} over stored DEKs; once none reference `mk-v2`, drop it from the secret.
 * Field ciphertexts do not change when the master key rotates.
 *
 * Limits: random 96-bit IVs are safe for well under 2^32 encryptions per key (NIST SP 800-38D),
 * which per-user DEKs never approach. GCM does not hide plaintext length; pad fields whose length
 * is itself sensitive before encrypting.
 */

import { EncodingError, fromBase64, fromBase64Url, toBase64Url, utf8Decode, utf8Encode } from "./encoding";

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FIELD_PREFIX = "enc:v1:";
const WRAP_AAD_PREFIX = "haven/dek-wrap/v1|";
const FIELD_AAD_PREFIX = "haven/field/v1|";
const VERSION = /^v[1-9]\d{0,5}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

/** Problems with the master-key secret or a wrapped key's version. Never contains key material. */
export class MasterKeyError extends Error {
  readonly code: "empty" | "malformed" | "bad_length" | "duplicate_version" | "unknown_version";
  constructor(code: MasterKeyError["code"], detail: string) {
    super(detail);
    this.name = "MasterKeyError";
    this.code = code;
  }
}

/**
 * Decryption or unwrap failed: wrong key, wrong AAD, tampered or malformed ciphertext. The message
 * is fixed and carries no ciphertext, plaintext or context.
 */
export class DecryptError extends Error {
  readonly code: "malformed" | "authentication_failed";
  constructor(code: DecryptError["code"]) {
    super(code === "malformed" ? "Ciphertext is malformed" : "Ciphertext failed authentication");
    this.name = "DecryptError";
    this.code = code;
  }
}

/**
 * Parsed master keys. Opaque on purpose: raw bytes are private fields (invisible to JSON.stringify,
 * console.log and spread), and imported CryptoKeys are cached per ring and version.
 */
export class MasterKeyring {
  readonly #raw: ReadonlyMap<string, Uint8Array<ArrayBuffer>>;
  readonly #imported = new Map<string, Promise<CryptoKey>>();
  /** Version label of the key new data keys are wrapped with, e.g. "v2". */
  readonly current: string;
  /** All loaded versions, current first. */
  readonly versions: readonly string[];

  /** @internal Use {@link parseMasterKeys}. */
  constructor(entries: ReadonlyArray<readonly [string, Uint8Array<ArrayBuffer>]>) {
    this.#raw = new Map(entries);
    this.versions = entries.map(([v]) => v);
    this.current = this.versions[0] ?? "";
  }

  /** @internal The master CryptoKey for a version (non-extractable, AES-GCM). */
  key(version: string): Promise<CryptoKey> {
    const cached = this.#imported.get(version);
    if (cached) return cached;
    const raw = this.#raw.get(version);
    if (!raw) throw new MasterKeyError("unknown_version", `No master key loaded for version ${version}`);
    const key = crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, [
      "encrypt",
      "decrypt",
      "unwrapKey",
    ]);
    this.#imported.set(version, key);
    return key;
  }
}

/**
 * Parses the master-key secret `v2:<base64>,v1:<base64>` (standard or url-safe base64 of exactly
 * 32 bytes; whitespace around entries ignored). The first entry is current. Throws
 * {@link MasterKeyError} naming the problem and at most the version label, never key material.
 *
 * @example const ring = parseMasterKeys(env.MASTER_KEYS);
 */
export function parseMasterKeys(secret: string): MasterKeyring {
  const entries = secret
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (entries.length === 0) throw new MasterKeyError("empty", "Master key secret is empty");
  const seen = new Set<string>();
  const parsed: Array<readonly [string, Uint8Array<ArrayBuffer>]> = [];
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(":");
    const version = colon > 0 ? entry.slice(0, colon) : "";
    if (!VERSION.test(version)) {
      throw new MasterKeyError(
        "malformed",
        `Master key entry #${index + 1} must look like v<number>:<base64>`,
      );
    }
    if (seen.has(version))
      throw new MasterKeyError("duplicate_version", `Master key version ${version} appears twice`);
    seen.add(version);
    let raw: Uint8Array<ArrayBuffer>;
    try {
      const body = entry.slice(colon + 1);
      raw = /[-_]/.test(body) ? fromBase64Url(body.replace(/=+$/, "")) : fromBase64(body);
    } catch {
      throw new MasterKeyError("malformed", `Master key ${version} is not valid base64`);
    }
    if (raw.length !== KEY_BYTES)
      throw new MasterKeyError("bad_length", `Master key ${version} must be 32 bytes`);
    parsed.push([version, raw]);
  });
  return new MasterKeyring(parsed);
}

function wrapAad(version: string): Uint8Array<ArrayBuffer> {
  return utf8Encode(`${WRAP_AAD_PREFIX}mk-${version}`);
}

/** Splits `<prefix><iv>:<ct>` into decoded parts, or throws DecryptError("malformed"). */
function splitIvCt(rest: string): { iv: Uint8Array<ArrayBuffer>; ct: Uint8Array<ArrayBuffer> } {
  const parts = rest.split(":");
  const [ivPart = "", ctPart = ""] = parts;
  if (parts.length !== 2 || !B64URL.test(ivPart) || !B64URL.test(ctPart)) throw new DecryptError("malformed");
  try {
    const iv = fromBase64Url(ivPart);
    const ct = fromBase64Url(ctPart);
    if (iv.length !== IV_BYTES || ct.length < TAG_BYTES) throw new DecryptError("malformed");
    return { iv, ct };
  } catch (e) {
    if (e instanceof EncodingError) throw new DecryptError("malformed");
    throw e;
  }
}

function parseWrapped(wrapped: string): {
  version: string;
  iv: Uint8Array<ArrayBuffer>;
  ct: Uint8Array<ArrayBuffer>;
} {
  const m = /^mk-(v[1-9]\d{0,5}):(.*)$/.exec(wrapped);
  if (!m) throw new DecryptError("malformed");
  const version = m[1] ?? "";
  const { iv, ct } = splitIvCt(m[2] ?? "");
  if (ct.length !== KEY_BYTES + TAG_BYTES) throw new DecryptError("malformed");
  return { version, iv, ct };
}

async function wrapRaw(ring: MasterKeyring, raw: Uint8Array<ArrayBuffer>): Promise<string> {
  const version = ring.current;
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: wrapAad(version) },
    await ring.key(version),
    raw,
  );
  return `mk-${version}:${toBase64Url(iv)}:${toBase64Url(new Uint8Array(ct))}`;
}

/**
 * Creates a random AES-256 data key for a new user, wrapped by the current master key. Store
 * `wrapped` with the user; use `key` (non-extractable) right away. The raw key bytes are zeroed
 * once wrapped.
 *
 * @example
 * const { wrapped, key } = await createDataKey(ring);
 * await db.insert(users).values({ ..., dataKeyWrapped: wrapped, emailEnc: await encryptField(key, email, `user:${id}:email`) });
 */
export async function createDataKey(ring: MasterKeyring): Promise<{ wrapped: string; key: CryptoKey }> {
  const raw = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
  try {
    const wrapped = await wrapRaw(ring, raw);
    return { wrapped, key: await unwrapDataKey(ring, wrapped) };
  } finally {
    raw.fill(0);
  }
}

/**
 * Unwraps a stored data key with the master key version named in it, yielding a non-extractable
 * AES-GCM key usable only for encrypt/decrypt. Throws {@link MasterKeyError} ("unknown_version")
 * if that version is no longer loaded, {@link DecryptError} if the wrapped key was altered.
 */
export async function unwrapDataKey(ring: MasterKeyring, wrapped: string): Promise<CryptoKey> {
  const { version, iv, ct } = parseWrapped(wrapped);
  const master = await ring.key(version);
  try {
    return await crypto.subtle.unwrapKey(
      "raw",
      ct,
      master,
      { name: "AES-GCM", iv, additionalData: wrapAad(version) },
      { name: "AES-GCM", length: 256 },
      false,
      ["encrypt", "decrypt"],
    );
  } catch {
    throw new DecryptError("authentication_failed");
  }
}

/**
 * Re-wraps a stored data key under the current master key (master-key rotation). Returns the input
 * unchanged if it is already wrapped by the current version. Field ciphertexts stay valid.
 *
 * @example
 * const next = await rewrapDataKey(ring, user.dataKeyWrapped);
 * if (next !== user.dataKeyWrapped) await saveWrappedKey(user.id, next);
 */
export async function rewrapDataKey(ring: MasterKeyring, wrapped: string): Promise<string> {
  const { version, iv, ct } = parseWrapped(wrapped);
  if (version === ring.current) return wrapped;
  const master = await ring.key(version);
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = new Uint8Array(
      await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: wrapAad(version) }, master, ct),
    );
  } catch {
    throw new DecryptError("authentication_failed");
  }
  try {
    return await wrapRaw(ring, raw);
  } finally {
    raw.fill(0);
  }
}

function fieldAad(aad: string): Uint8Array<ArrayBuffer> {
  if (aad.length === 0) throw new RangeError("AAD (field context) is required");
  return utf8Encode(`${FIELD_AAD_PREFIX}${aad}`);
}

/**
 * Encrypts one field value. `aad` names where the value lives (e.g. `user:<id>:profile.legal_name`);
 * decryption only succeeds with the identical string, so a ciphertext copied into another row or
 * column fails instead of decrypting as someone else's data.
 *
 * @example const legalNameEnc = await encryptField(key, name, `user:${userId}:profile.legal_name`);
 */
export async function encryptField(key: CryptoKey, plaintext: string, aad: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: fieldAad(aad) },
    key,
    utf8Encode(plaintext),
  );
  return `${FIELD_PREFIX}${toBase64Url(iv)}:${toBase64Url(new Uint8Array(ct))}`;
}

/**
 * Decrypts a value from {@link encryptField}. Throws {@link DecryptError} if the string is malformed,
 * was tampered with, or `aad`/`key` differ from encryption time.
 *
 * @example const name = await decryptField(key, row.legalNameEnc, `user:${userId}:profile.legal_name`);
 */
export async function decryptField(key: CryptoKey, ciphertext: string, aad: string): Promise<string> {
  if (!ciphertext.startsWith(FIELD_PREFIX)) throw new DecryptError("malformed");
  const { iv, ct } = splitIvCt(ciphertext.slice(FIELD_PREFIX.length));
  const additionalData = fieldAad(aad);
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData }, key, ct);
  } catch {
    throw new DecryptError("authentication_failed");
  }
  try {
    return utf8Decode(new Uint8Array(plain));
  } catch {
    throw new DecryptError("malformed");
  }
}
