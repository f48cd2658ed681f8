import type { Config } from "./config";
import {
  createDataKey,
  decryptField,
  encryptField,
  type MasterKeyring,
  parseMasterKeys,
  unwrapDataKey,
} from "./crypto/envelope";

let cachedSecret: string | undefined;
let cachedRing: MasterKeyring | undefined;

function ring(config: Config): MasterKeyring {
  if (cachedSecret !== config.MASTER_KEYS || !cachedRing) {
    cachedRing = parseMasterKeys(config.MASTER_KEYS);
    cachedSecret = config.MASTER_KEYS;
  }
  return cachedRing;
}

/** Field ciphers for one user. AAD binds each ciphertext to the user and the field name. */
export interface UserCipher {
  encrypt(field: string, plaintext: string): Promise<string>;
  decrypt(field: string, ciphertext: string): Promise<string>;
  /** Decrypts when present, passes null through. */
  decryptOptional(field: string, ciphertext: string | null): Promise<string | null>;
  /** Binary AES-256-GCM (e.g. recording chunks): `0x01 ‖ 12-byte IV ‖ ciphertext+tag`, same AAD rule. */
  encryptBytes(field: string, plaintext: Uint8Array): Promise<Uint8Array>;
  decryptBytes(field: string, sealed: Uint8Array): Promise<Uint8Array>;
}

function cipherFor(userId: string, key: CryptoKey): UserCipher {
  const aad = (field: string) => `user:${userId}:${field}`;
  const decrypt = (field: string, ct: string) => decryptField(key, ct, aad(field));
  const additionalData = (field: string) => new TextEncoder().encode(aad(field));
  return {
    encrypt: (field, plaintext) => encryptField(key, plaintext, aad(field)),
    decrypt,
    decryptOptional: async (field, ct) => (ct === null ? null : decrypt(field, ct)),
    async encryptBytes(field, plaintext) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const ct = new Uint8Array(
        await crypto.subtle.encrypt(
          { name: "AES-GCM", iv, additionalData: additionalData(field) },
          key,
          plaintext,
        ),
      );
      const out = new Uint8Array(1 + iv.length + ct.length);
      out.set([1]);
      out.set(iv, 1);
      out.set(ct, 13);
      return out;
    },
    async decryptBytes(field, sealed) {
      if (sealed[0] !== 1 || sealed.length < 29) throw new Error("malformed sealed bytes");
      const iv = sealed.slice(1, 13);
      return new Uint8Array(
        await crypto.subtle.decrypt(
          { name: "AES-GCM", iv, additionalData: additionalData(field) },
          key,
          sealed.slice(13),
        ),
      );
    },
  };
}

/** A new user's data key: store `wrapped` in `users.data_key_wrapped`, use `cipher` right away. */
export async function newUserCipher(
  config: Config,
  userId: string,
): Promise<{ wrapped: string; cipher: UserCipher }> {
  const { wrapped, key } = await createDataKey(ring(config));
  return { wrapped, cipher: cipherFor(userId, key) };
}

/**
 * The cipher of an existing user. A user whose wrapped key was deleted (crypto-shredded) has no
 * cipher: their ciphertext is unreadable by design.
 */
export async function userCipher(
  config: Config,
  userId: string,
  wrapped: string | null,
): Promise<UserCipher | null> {
  if (!wrapped) return null;
  return cipherFor(userId, await unwrapDataKey(ring(config), wrapped));
}

/** Master keyring for the rotation command (re-wrapping keys); nothing else needs it. */
export function masterKeyring(config: Config): MasterKeyring {
  return ring(config);
}
