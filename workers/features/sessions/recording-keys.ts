import { fromBase64, toBase64, toBase64Url } from "../../lib/crypto/encoding";
import { AppError } from "../../lib/errors";
import type { UserCipher } from "../../lib/user-cipher";

/**
 * Recording content keys and the browser-sealed chunk format.
 *
 * Each recording gets its own random AES-256-GCM content key, generated here when the recording
 * starts and stored only WRAPPED under the patient's data key (`session_recordings.content_key_wrapped`,
 * `UserCipher.encryptBytes`, AAD `user:<patient>:recording-key:<recording>`). The raw key goes to
 * the two consenting parties over the authenticated API (`no-store`) while the recording runs; the
 * browser seals every MediaRecorder chunk with it before upload:
 *
 *   0x02 ‖ 12-byte random IV ‖ AES-256-GCM ciphertext+tag, AAD `haven-recording:<recording>:<n>`
 *
 * so the Worker and R2 only ever hold ciphertext, and a chunk cannot be replayed at another
 * position or into another recording. Destroying the patient's data key (erasure, crypto-shred)
 * leaves the content key unrecoverable, so every chunk is unreadable.
 */
export const SEALED_CHUNK_VERSION = 2;
/** Version byte + IV + GCM tag + at least one byte of media. */
export const MIN_SEALED_CHUNK = 1 + 12 + 16 + 1;

const keyField = (recordingId: string) => `recording-key:${recordingId}`;
const encoder = new TextEncoder();

/** The AAD of chunk `n` of a recording (the browser uses the same string). */
export const chunkAad = (recordingId: string, n: number) =>
  encoder.encode(`haven-recording:${recordingId}:${n}`);

/** A new content key for `recordingId`: the raw key (to hand out) and its wrapped form (to store). */
export async function newContentKey(
  cipher: UserCipher,
  recordingId: string,
): Promise<{ raw: Uint8Array; wrapped: string }> {
  const raw = crypto.getRandomValues(new Uint8Array(32));
  return { raw, wrapped: toBase64(await cipher.encryptBytes(keyField(recordingId), raw)) };
}

/** The raw content key of a recording, unwrapped with the patient's data key. */
export async function unwrapContentKey(
  cipher: UserCipher,
  recordingId: string,
  wrapped: string,
): Promise<Uint8Array> {
  return cipher.decryptBytes(keyField(recordingId), fromBase64(wrapped));
}

/** The raw key as the API hands it out (base64url, 43 characters). */
export const exportContentKey = (raw: Uint8Array) => toBase64Url(raw);

/** True when `bytes` has the browser-sealed framing (the Worker cannot check more: it has no key). */
export function isSealedChunk(bytes: Uint8Array): boolean {
  return bytes.length >= MIN_SEALED_CHUNK && bytes[0] === SEALED_CHUNK_VERSION;
}

/** An opener for a recording's browser-sealed chunks (imports the key once). */
export async function chunkOpener(
  raw: Uint8Array,
  recordingId: string,
): Promise<(n: number, sealed: Uint8Array) => Promise<Uint8Array>> {
  const key = await crypto.subtle.importKey("raw", new Uint8Array(raw), { name: "AES-GCM" }, false, [
    "decrypt",
  ]);
  return async (n, sealed) => {
    if (!isSealedChunk(sealed)) throw new AppError("not_found", "No such chunk");
    const plain = await crypto.subtle
      .decrypt(
        { name: "AES-GCM", iv: sealed.slice(1, 13), additionalData: chunkAad(recordingId, n) },
        key,
        sealed.slice(13),
      )
      .catch(() => null);
    if (!plain) throw new AppError("not_found", "No such chunk");
    return new Uint8Array(plain);
  };
}
