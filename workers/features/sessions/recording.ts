import { wrappedKeyQuery } from "../../lib/care-data/chat";
import { careData } from "../../lib/care-data/repository";
import {
  bumpRecordingChunks,
  insertRecording,
  recordingOp,
  recordingQuery,
  recordingsOfSession,
  stopRecording,
} from "../../lib/care-data/sessions";
import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";
import { type UserCipher, userCipher } from "../../lib/user-cipher";
import type { Region } from "../../lib/vocabulary";
import { locateSession } from "./locate";
import {
  chunkOpener,
  exportContentKey,
  isSealedChunk,
  newContentKey,
  unwrapContentKey,
} from "./recording-keys";

/** A consent counts for this long: it is given in the visit, each time, never carried over. */
export const CONSENT_TTL_SECONDS = 2 * 3600;
export const MAX_CHUNKS = 10_000;

const consentKey = (sessionId: string, role: "patient" | "clinician") => `rec-consent:${sessionId}:${role}`;
const chunkKey = (patientId: string, recordingId: string, n: number) =>
  `recordings/${patientId}/${recordingId}/${String(n).padStart(6, "0")}`;
const chunkField = (recordingId: string, n: number) => `recording:${recordingId}:${n}`;

type Bucket = R2Bucket;

async function party(scope: Scope, sessionId: string, action: string) {
  const located = await locateSession(scope, sessionId, action);
  const role = located.access.via === "self" ? ("patient" as const) : ("clinician" as const);
  return { ...located, role };
}

/** The patient's cipher, or null once their data key is destroyed (erasure, crypto-shred). */
async function patientCipher(
  scope: Scope,
  access: { region: Region; patientId: string },
): Promise<UserCipher | null> {
  const [owner] = await wrappedKeyQuery(scope.db(access.region), access.patientId);
  return userCipher(scope.config, access.patientId, owner?.wrapped ?? null);
}

export interface RecordingView {
  id: string;
  sessionId: string;
  status: "recording" | "stopped";
  chunks: number;
  mimeType: string;
  startedAt: string;
  stoppedAt: string | null;
}

const view = (r: NonNullable<Awaited<ReturnType<typeof recordingQuery>>[number]>): RecordingView => ({
  id: r.id,
  sessionId: r.sessionId,
  status: r.status,
  chunks: r.chunks,
  mimeType: r.mimeType,
  startedAt: r.startedAt.toISOString(),
  stoppedAt: r.stoppedAt?.toISOString() ?? null,
});

/** One party's consent (or its withdrawal) to recording this visit; audited. */
export async function setConsent(scope: Scope, sessionId: string, consent: boolean) {
  const { access, role } = await party(scope, sessionId, "recording.consent");
  const redis = scope.redis();
  if (consent)
    await redis.set(consentKey(sessionId, role), new Date().toISOString(), { ex: CONSENT_TTL_SECONDS });
  else await redis.del(consentKey(sessionId, role));
  await careData(scope).record(
    access,
    recordingOp(consent ? "recording.consent" : "recording.consent_withdrawn", sessionId),
  );
  const [patient, clinician] = await Promise.all([
    redis.get<string>(consentKey(sessionId, "patient")),
    redis.get<string>(consentKey(sessionId, "clinician")),
  ]);
  return { patient: Boolean(patient), clinician: Boolean(clinician) };
}

/**
 * Starts a recording only when BOTH parties consented in this visit; the consents are consumed
 * (a later recording needs them again) and their times are stored with the recording.
 */
export async function startRecording(
  scope: Scope,
  sessionId: string,
  mimeType: string,
): Promise<RecordingView & { contentKey: string }> {
  const { access, row } = await party(scope, sessionId, "recording.start");
  if (row.status === "cancelled") throw new AppError("conflict", "The session was cancelled");
  const redis = scope.redis();
  const [patient, clinician] = await Promise.all([
    redis.getdel<string>(consentKey(sessionId, "patient")),
    redis.getdel<string>(consentKey(sessionId, "clinician")),
  ]);
  if (!patient || !clinician) {
    // Put back whichever consent was consumed, so one missing consent does not erase the other.
    if (patient) await redis.set(consentKey(sessionId, "patient"), patient, { ex: CONSENT_TTL_SECONDS });
    if (clinician)
      await redis.set(consentKey(sessionId, "clinician"), clinician, { ex: CONSENT_TTL_SECONDS });
    throw new AppError(
      "conflict",
      "Recording needs the consent of both the patient and the clinician, in this visit",
    );
  }
  const id = crypto.randomUUID();
  const cipher = await patientCipher(scope, access);
  if (!cipher) throw new AppError("not_found", "No such session");
  const key = await newContentKey(cipher, id);
  const [[rec]] = await careData(scope).run(access, recordingOp("recording.start", id), (db) => [
    insertRecording(db, {
      id,
      sessionId,
      patientId: access.patientId,
      patientConsentAt: new Date(patient),
      clinicianConsentAt: new Date(clinician),
      mimeType,
      contentKeyWrapped: key.wrapped,
    }),
  ]);
  if (!rec) throw new AppError("internal");
  return { ...view(rec), contentKey: exportContentKey(key.raw) };
}

/**
 * The running recording's content key, for either consenting party (the browser that records
 * seals chunks with it; the other may take over after a reload). Only while it records: after the
 * stop nobody gets it again (playback is decrypted by the Worker for authorised viewers). Audited.
 */
export async function contentKey(scope: Scope, sessionId: string, recordingId: string): Promise<string> {
  const { access, rec } = await recordingOf(scope, sessionId, recordingId, "recording.key");
  if (rec.status !== "recording" || !rec.contentKeyWrapped)
    throw new AppError("conflict", "The recording is not running");
  const cipher = await patientCipher(scope, access);
  if (!cipher) throw new AppError("not_found", "No such recording");
  await careData(scope).record(access, recordingOp("recording.key", recordingId));
  return exportContentKey(await unwrapContentKey(cipher, recordingId, rec.contentKeyWrapped));
}

async function recordingOf(scope: Scope, sessionId: string, recordingId: string, action: string) {
  const located = await party(scope, sessionId, action);
  const [rec] = await recordingQuery(scope.db(located.access.region), recordingId);
  if (!rec || rec.sessionId !== sessionId)
    return careData(scope).refuse(recordingOp(action, recordingId), "recording", located.access);
  return { ...located, rec };
}

/**
 * Stores chunk `n`. A recording with a content key takes only browser-sealed chunks (format 0x02,
 * stored as they come: the Worker never sees the media); a recording from before browser sealing
 * (no content key) keeps the old path, sealed here with the patient's data key.
 */
export async function putChunk(
  scope: Scope,
  bucket: Bucket,
  sessionId: string,
  recordingId: string,
  n: number,
  bytes: Uint8Array,
): Promise<RecordingView> {
  const { access, rec } = await recordingOf(scope, sessionId, recordingId, "recording.chunk");
  if (rec.status !== "recording") throw new AppError("conflict", "The recording was stopped");
  if (n >= MAX_CHUNKS) throw new AppError("conflict", "The recording is too long");
  let sealed: Uint8Array;
  if (rec.contentKeyWrapped) {
    if (!isSealedChunk(bytes))
      throw new AppError(
        "validation_failed",
        "Chunks must be sealed in the browser with the recording's key",
      );
    sealed = bytes;
  } else {
    const cipher = await patientCipher(scope, access);
    if (!cipher) throw new AppError("not_found", "No such recording");
    sealed = await cipher.encryptBytes(chunkField(recordingId, n), bytes);
  }
  await bucket.put(chunkKey(access.patientId, recordingId, n), sealed);
  const [[updated]] = await careData(scope).run(access, recordingOp("recording.chunk", recordingId), (db) => [
    bumpRecordingChunks(db, recordingId, n),
  ]);
  if (!updated) throw new AppError("conflict", "The recording was stopped");
  return { ...view(rec), chunks: Math.max(rec.chunks, n + 1) };
}

/** Either party stops the recording. */
export async function stop(scope: Scope, sessionId: string, recordingId: string): Promise<RecordingView> {
  const { access, rec } = await recordingOf(scope, sessionId, recordingId, "recording.stop");
  await careData(scope).run(access, recordingOp("recording.stop", recordingId), (db) => [
    stopRecording(db, recordingId, scope.principal?.userId ?? ""),
  ]);
  const [fresh] = await recordingQuery(scope.db(access.region), recordingId);
  return view(fresh ?? rec);
}

/** The session's recordings (patient and care team; audited). */
export async function list(scope: Scope, sessionId: string): Promise<RecordingView[]> {
  const { access } = await party(scope, sessionId, "recording.list");
  const [rows] = await careData(scope).run(access, recordingOp("recording.list", sessionId), (db) => [
    recordingsOfSession(db, sessionId),
  ]);
  return rows.map(view);
}

type RecordingRow = NonNullable<Awaited<ReturnType<typeof recordingQuery>>[number]>;

/**
 * How this recording's chunks open: with its content key (browser-sealed) or, for recordings from
 * before browser sealing, with the patient's data key. Null when the patient's key is gone.
 */
async function opener(
  cipher: UserCipher | null,
  rec: RecordingRow,
): Promise<((n: number, sealed: Uint8Array) => Promise<Uint8Array>) | null> {
  if (!cipher) return null;
  if (!rec.contentKeyWrapped) return (n, sealed) => cipher.decryptBytes(chunkField(rec.id, n), sealed);
  return chunkOpener(await unwrapContentKey(cipher, rec.id, rec.contentKeyWrapped), rec.id);
}

/** Playback of one chunk, decrypted for the patient or their care team (audited). */
export async function getChunk(
  scope: Scope,
  bucket: Bucket,
  sessionId: string,
  recordingId: string,
  n: number,
): Promise<{ bytes: Uint8Array; mimeType: string }> {
  const { access, rec } = await recordingOf(scope, sessionId, recordingId, "recording.play");
  const object = n < rec.chunks ? await bucket.get(chunkKey(access.patientId, recordingId, n)) : null;
  if (!object) throw new AppError("not_found", "No such chunk");
  const [[owner]] = await careData(scope).run(access, recordingOp("recording.play", recordingId), (db) => [
    wrappedKeyQuery(db, access.patientId),
  ]);
  const open = await opener(await userCipher(scope.config, access.patientId, owner?.wrapped ?? null), rec);
  if (!open) throw new AppError("not_found", "No such chunk");
  const bytes = await open(n, new Uint8Array(await object.arrayBuffer()));
  return { bytes, mimeType: rec.mimeType };
}

/** Erases every recording chunk of a patient from R2 (with their data; the rows cascade). */
export async function eraseRecordings(bucket: Bucket, patientId: string): Promise<number> {
  let erased = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: `recordings/${patientId}/`, ...(cursor ? { cursor } : {}) });
    if (page.objects.length > 0) await bucket.delete(page.objects.map((o) => o.key));
    erased += page.objects.length;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return erased;
}

/**
 * The whole recording as one WebM stream (MediaRecorder chunks concatenate into a valid file),
 * decrypted chunk by chunk as it is read, for a `<video>` on the same origin (playback is decrypted
 * in the Worker for the authorised viewer; the content key never goes to a viewer). One audit row.
 */
export async function media(
  scope: Scope,
  bucket: Bucket,
  sessionId: string,
  recordingId: string,
): Promise<{ body: ReadableStream<Uint8Array>; mimeType: string }> {
  const { access, rec } = await recordingOf(scope, sessionId, recordingId, "recording.play");
  const [[owner]] = await careData(scope).run(access, recordingOp("recording.play", recordingId), (db) => [
    wrappedKeyQuery(db, access.patientId),
  ]);
  const open = await opener(await userCipher(scope.config, access.patientId, owner?.wrapped ?? null), rec);
  if (!open || rec.chunks === 0) throw new AppError("not_found", "No such recording");
  let n = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (n >= rec.chunks) return controller.close();
      const object = await bucket.get(chunkKey(access.patientId, recordingId, n));
      if (object) {
        const sealed = new Uint8Array(await object.arrayBuffer());
        controller.enqueue(await open(n, sealed));
      }
      n += 1;
    },
  });
  return { body, mimeType: rec.mimeType };
}
