import { alertCareTeam } from "../../../durable-objects/chat-alerts";
import { EMOTION_TAGS, SYMPTOM_TAGS } from "../../db/schema/tracking";
import { wrappedKeyQuery } from "../../lib/care-data/chat";
import { careData } from "../../lib/care-data/repository";
import {
  deleteEntry,
  entriesQuery,
  entryKindQuery,
  insertEntry,
  insertSignal,
  NOTE_CRISIS_CREATE,
  noteRiskEvent,
  RISK_SIGNAL_CREATE,
  recentMoodsQuery,
  TRACKING_READ,
  type TrackingRow,
  trackingWrite,
  updateEntry,
} from "../../lib/care-data/tracking";
import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";
import { type UserCipher, userCipher } from "../../lib/user-cipher";
import { crisisResponse } from "../safety/fixed-response";
import { assessRisk, safetyScanText } from "../safety/index";
import { crisisResources } from "../safety/resources";
import { MOOD_BASELINE_DAYS, type MoodDrop, moodDrop } from "./detectors";
import type { CrisisHelp, Entry, EntryInput, EntryUpdate } from "./schema";

const noteField = (id: string) => `tracking.note:${id}`;

/** The owner's cipher (the key is read from the account row; nothing of health data). */
export async function ownCipher(scope: Scope): Promise<UserCipher> {
  const self = careData(scope).self();
  const [row] = await wrappedKeyQuery(scope.db(self.region), self.patientId);
  const cipher = await userCipher(scope.config, self.patientId, row?.wrapped ?? null);
  if (!cipher) throw new AppError("not_found", "No such account");
  return cipher;
}

function when(iso: string | undefined): Date {
  const at = iso ? new Date(iso) : new Date();
  if (at.getTime() > Date.now() + 5 * 60_000)
    throw new AppError("validation_failed", "recordedAt is in the future", {
      errors: [{ path: "recordedAt", message: "Not in the future" }],
    });
  return at;
}

const quarterHours = (hours: number) => Math.round(hours * 4) * 15;

async function toEntry(row: TrackingRow, cipher: UserCipher | null, showNote: boolean): Promise<Entry> {
  return {
    id: row.id,
    kind: row.kind,
    score: row.score,
    hours: row.sleepMinutes === null ? null : row.sleepMinutes / 60,
    tags: row.tags,
    note: showNote && cipher && row.noteEnc ? await cipher.decrypt(noteField(row.id), row.noteEnc) : null,
    shared: row.shared,
    recordedAt: row.recordedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * Logs a mood, symptom, sleep or journal entry for the caller (consent to health data required),
 * note encrypted with their key, audited in the same transaction. A mood check-in is then judged
 * against the person's own recent baseline; a drop is recorded as a risk signal (timeline event).
 */
export async function createEntry(scope: Scope, input: EntryInput): Promise<Entry> {
  const care = careData(scope);
  const self = care.self();
  const id = crypto.randomUUID();
  const op = trackingWrite("create", id);
  await care.requireConsent(self, "health_data");
  const cipher = await ownCipher(scope);
  const recordedAt = when(input.recordedAt);
  const noteEnc = input.note ? await cipher.encrypt(noteField(id), input.note) : null;
  const row = {
    id,
    userId: self.patientId,
    kind: input.kind,
    score: input.kind === "journal" ? null : input.score,
    sleepMinutes: input.kind === "sleep" ? quarterHours(input.hours) : null,
    tags: input.kind === "mood" || input.kind === "symptom" ? [...new Set(input.tags ?? [])] : [],
    noteEnc,
    shared: input.shared ?? false,
    recordedAt,
  };
  const [[saved], moods] = await care.run(
    self,
    op,
    (db) =>
      [
        insertEntry(db, row),
        recentMoodsQuery(db, self.patientId, recordedAt, input.kind === "mood" ? MOOD_BASELINE_DAYS : 0),
      ] as const,
  );
  if (!saved) throw new AppError("internal");
  const entry = { ...(await toEntry(saved, cipher, true)), crisis: await crisisInNote(scope, input.note) };
  if (input.kind !== "mood") return entry;
  const drop = moodDrop({ id, score: saved.score, recordedAt }, moods);
  if (drop) await recordMoodDrop(scope, id, drop);
  return { ...entry, signal: drop ? { kind: "mood_drop", severity: drop.severity } : null };
}

/**
 * The safety net reads what the person just wrote in a note, as it reads a chat message. Crisis
 * language gets, at once and with the saved entry, the fixed crisis response and the lines to call
 * in their region; a risk event (rule ids, no words) goes on their risk timeline and the care team
 * is alerted as for a chat crisis — the alert names the severity, never the note, which the team
 * reads only if the patient shared it. Only the writer sees the response: no read of the entry
 * carries it. An alert Postgres cannot record goes to the patient's room outbox (alertCareTeam);
 * if even that fails it is logged (no PHI). It never fails the save.
 */
async function crisisInNote(scope: Scope, note: string | null | undefined): Promise<CrisisHelp | null> {
  if (!note) return null;
  const words = assessRisk(safetyScanText(note));
  if (!words.detected || words.severity === "none") return null;
  const care = careData(scope);
  const self = care.self();
  const { text, resources } = crisisResponse(words, crisisResources(self.region), { listResources: false });
  let careTeamAlerted = false;
  try {
    const [[event]] = await care.run(self, NOTE_CRISIS_CREATE, (db) => [
      noteRiskEvent(db, self.patientId, words),
    ]);
    if (event)
      careTeamAlerted =
        (await alertCareTeam(
          scope,
          { ownerId: self.patientId, region: self.region },
          event.seq,
          words.severity,
          "note",
        )) > 0;
  } catch (err) {
    scope.log.error("note_crisis_alert_failed", { error: err instanceof Error ? err.name : typeof err });
  }
  return {
    severity: words.severity,
    message: text,
    careTeamAlerted,
    resources: resources.map(({ name, phone, text: sms, url, available }) => ({
      name,
      available,
      ...(phone ? { phone } : {}),
      ...(sms ? { text: sms } : {}),
      ...(url ? { url } : {}),
    })),
  };
}

async function recordMoodDrop(scope: Scope, sourceId: string, drop: MoodDrop): Promise<void> {
  const care = careData(scope);
  const self = care.self();
  const { severity, ...detail } = drop;
  await care.run(self, { ...RISK_SIGNAL_CREATE, resourceId: sourceId, allow: ["self"] }, (db) => [
    insertSignal(db, { userId: self.patientId, kind: "mood_drop", severity, detail, sourceId }),
  ]);
}

/** The caller's entries (notes decrypted), newest first. */
export async function ownEntries(scope: Scope, days: number, kind?: TrackingRow["kind"]) {
  const care = careData(scope);
  const self = care.self();
  const [[owner], rows] = await care.run(
    self,
    TRACKING_READ,
    (db) => [wrappedKeyQuery(db, self.patientId), entriesQuery(db, self.patientId, days, kind)] as const,
  );
  const cipher = await userCipher(scope.config, self.patientId, owner?.wrapped ?? null);
  return {
    patientId: self.patientId,
    entries: await Promise.all(rows.map((r) => toEntry(r, cipher, true))),
  };
}

/**
 * A patient's entries for their care team or a break-glass holder: scores, tags and sleep always;
 * a note only when the patient shared it. Anyone else gets an audited 404.
 */
export async function patientEntries(scope: Scope, patientId: string, days: number) {
  const care = careData(scope);
  const access = await care.open(patientId, TRACKING_READ);
  const self = access.via === "self";
  const [[owner], rows] = await care.run(
    access,
    TRACKING_READ,
    (db) => [wrappedKeyQuery(db, patientId), entriesQuery(db, patientId, days)] as const,
  );
  const cipher = await userCipher(scope.config, patientId, owner?.wrapped ?? null);
  return {
    patientId,
    entries: await Promise.all(rows.map((r) => toEntry(r, cipher, self || r.shared))),
  };
}

const TAGS: Record<string, readonly string[]> = { mood: EMOTION_TAGS, symptom: SYMPTOM_TAGS };

/** Edits the caller's own entry; another person's (or a missing) entry answers 404. */
export async function editEntry(scope: Scope, id: string, input: EntryUpdate): Promise<Entry> {
  const care = careData(scope);
  const self = care.self();
  const op = trackingWrite("update", id);
  await care.requireConsent(self, "health_data");
  const [current] = await entryKindQuery(scope.db(self.region), self.patientId, id);
  if (!current) return care.refuse(op, "entry", self);
  const bad = (path: string, message: string) =>
    new AppError("validation_failed", `${path}: ${message}`, { errors: [{ path, message }] });
  if (input.score !== undefined && current.kind === "journal") throw bad("score", "A journal entry has none");
  if (input.hours !== undefined && current.kind !== "sleep") throw bad("hours", "Only for sleep");
  if (input.tags !== undefined) {
    const allowed = TAGS[current.kind];
    const wrong = input.tags.filter((t) => !allowed?.includes(t));
    if (wrong.length > 0) throw bad("tags", `Not a ${current.kind} tag: ${wrong.join(", ")}`);
  }
  if (current.kind === "journal" && input.note === null) throw bad("note", "A journal entry needs its text");
  const cipher = await ownCipher(scope);
  const noteEnc =
    input.note === undefined
      ? undefined
      : input.note
        ? await cipher.encrypt(noteField(id), input.note)
        : null;
  const [[saved]] = await care.run(self, op, (db) => [
    updateEntry(db, self.patientId, id, {
      ...(input.score !== undefined ? { score: input.score } : {}),
      ...(input.hours !== undefined ? { sleepMinutes: quarterHours(input.hours) } : {}),
      ...(input.tags !== undefined ? { tags: [...new Set(input.tags)] } : {}),
      ...(noteEnc !== undefined ? { noteEnc } : {}),
      ...(input.shared !== undefined ? { shared: input.shared } : {}),
      ...(input.recordedAt !== undefined ? { recordedAt: when(input.recordedAt) } : {}),
    }),
  ]);
  if (!saved) return care.refuse(op, "entry", self);
  return { ...(await toEntry(saved, cipher, true)), crisis: await crisisInNote(scope, input.note) };
}

/** Deletes the caller's own entry (a signal it raised stays on the timeline, by id). */
export async function removeEntry(scope: Scope, id: string): Promise<void> {
  const care = careData(scope);
  const self = care.self();
  const op = trackingWrite("delete", id);
  const [gone] = await care.run(self, op, (db) => [deleteEntry(db, self.patientId, id)]);
  if (gone.length === 0) await care.refuse(op, "entry", self);
}
