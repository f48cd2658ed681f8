import { wrappedKeyQuery } from "../../lib/care-data/chat";
import { careData } from "../../lib/care-data/repository";
import {
  addendaQuery,
  insertAddendum,
  noteOp,
  noteQuery,
  psychotherapyNoteQuery,
  psychotherapyOp,
  saveDraft,
  savePsychotherapyNote,
  signNote,
} from "../../lib/care-data/sessions";
import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";
import { type UserCipher, userCipher } from "../../lib/user-cipher";
import { locateSession } from "./locate";
import { type Note, NoteContent } from "./schema";

const noteField = (sessionId: string) => `session.note:${sessionId}`;
const addendumField = (id: string) => `session.addendum:${id}`;
const psychotherapyField = (sessionId: string) => `session.psychotherapy:${sessionId}`;

async function cipherOf(
  scope: Scope,
  region: Parameters<Scope["db"]>[0],
  patientId: string,
): Promise<UserCipher> {
  const [owner] = await wrappedKeyQuery(scope.db(region), patientId);
  const cipher = await userCipher(scope.config, patientId, owner?.wrapped ?? null);
  if (!cipher) throw new AppError("not_found", "No such session");
  return cipher;
}

/**
 * The progress note of a session with its addenda (audited). The care team sees drafts; the
 * patient sees a note only once it is signed. Psychotherapy notes are never part of it.
 */
export async function readNote(scope: Scope, sessionId: string): Promise<Note> {
  const { access } = await locateSession(scope, sessionId, "note.read");
  const [[row], addenda, [owner]] = await careData(scope).run(
    access,
    noteOp("note.read", sessionId, ["self", "care_team"]),
    (db) => [noteQuery(db, sessionId), addendaQuery(db, sessionId), wrappedKeyQuery(db, access.patientId)],
  );
  if (!row || (access.via === "self" && row.status !== "signed"))
    throw new AppError("not_found", "No note yet");
  const cipher = await userCipher(scope.config, access.patientId, owner?.wrapped ?? null);
  if (!cipher) throw new AppError("not_found", "No note yet");
  const content = NoteContent.parse(JSON.parse(await cipher.decrypt(noteField(sessionId), row.contentEnc)));
  return {
    sessionId,
    patientId: access.patientId,
    format: content.format,
    sections: content.sections,
    risk: content.risk,
    aiGenerated: row.aiGenerated,
    status: row.status,
    version: row.version,
    signedAt: row.signedAt?.toISOString() ?? null,
    signedBy: row.signedBy,
    addenda: await Promise.all(
      addenda.map(async (a) => ({
        id: a.id,
        authorId: a.authorId,
        text: await cipher.decrypt(addendumField(a.id), a.contentEnc),
        createdAt: a.createdAt.toISOString(),
      })),
    ),
  };
}

/**
 * Saves the draft (autosave): encrypted with the patient's key, version bumped. A signed note is
 * locked (409): changes after signing are addenda. `aiGenerated` stays true only for the model's
 * own draft; any save by the clinician clears it.
 */
export async function writeDraft(
  scope: Scope,
  sessionId: string,
  content: NoteContent,
  aiGenerated = false,
): Promise<Note> {
  const { access, row: session } = await locateSession(scope, sessionId, "note.write", ["care_team"]);
  const cipher = await cipherOf(scope, access.region, access.patientId);
  const contentEnc = await cipher.encrypt(noteField(sessionId), JSON.stringify(content));
  const [saved] = await careData(scope).run(access, noteOp("note.write", sessionId, ["care_team"]), (db) => [
    saveDraft(db, {
      id: crypto.randomUUID(),
      sessionId,
      patientId: access.patientId,
      clinicianId: session.clinicianId,
      format: content.format,
      contentEnc,
      aiGenerated,
    }),
  ]);
  if (saved.length === 0)
    throw new AppError("conflict", "The note is signed and locked; add an addendum instead");
  return readNote(scope, sessionId);
}

/** Signs and locks the draft. An AI draft the clinician has not edited cannot be signed. */
export async function sign(scope: Scope, sessionId: string): Promise<Note> {
  const { access } = await locateSession(scope, sessionId, "note.sign", ["care_team"]);
  const [row] = await noteQuery(scope.db(access.region), sessionId);
  if (!row) throw new AppError("conflict", "There is no draft to sign");
  if (row.status === "signed") throw new AppError("conflict", "The note is already signed");
  if (row.aiGenerated)
    throw new AppError("conflict", "Review and edit the AI-generated draft before signing it");
  const p = scope.principal;
  const [signed] = await careData(scope).run(access, noteOp("note.sign", sessionId, ["care_team"]), (db) => [
    signNote(db, sessionId, p?.userId ?? ""),
  ]);
  if (signed.length === 0) throw new AppError("conflict", "The note changed meanwhile; reload it");
  return readNote(scope, sessionId);
}

/** Adds an addendum (own author and time) to a signed note. */
export async function addAddendum(scope: Scope, sessionId: string, text: string): Promise<Note> {
  const { access } = await locateSession(scope, sessionId, "note.addendum", ["care_team"]);
  const [row] = await noteQuery(scope.db(access.region), sessionId);
  if (row?.status !== "signed")
    throw new AppError("conflict", "Addenda are for signed notes; edit the draft");
  const cipher = await cipherOf(scope, access.region, access.patientId);
  const id = crypto.randomUUID();
  const contentEnc = await cipher.encrypt(addendumField(id), text);
  await careData(scope).run(access, noteOp("note.addendum", sessionId, ["care_team"]), (db) => [
    insertAddendum(db, {
      id,
      noteId: row.id,
      patientId: access.patientId,
      authorId: scope.principal?.userId ?? "",
      contentEnc,
    }),
  ]);
  return readNote(scope, sessionId);
}

/** The caller's own psychotherapy note on a session (care-team clinician only; never the patient). */
export async function readPsychotherapy(scope: Scope, sessionId: string) {
  const { access } = await locateSession(scope, sessionId, "psychotherapy_note.read", ["care_team"]);
  const author = scope.principal?.userId ?? "";
  const [[row], [owner]] = await careData(scope).run(
    access,
    psychotherapyOp("psychotherapy_note.read", sessionId),
    (db) => [psychotherapyNoteQuery(db, sessionId, author), wrappedKeyQuery(db, access.patientId)],
  );
  const cipher = await userCipher(scope.config, access.patientId, owner?.wrapped ?? null);
  const text = row && cipher ? await cipher.decrypt(psychotherapyField(sessionId), row.contentEnc) : "";
  return { sessionId, text, updatedAt: row?.updatedAt.toISOString() ?? null };
}

export async function writePsychotherapy(scope: Scope, sessionId: string, text: string) {
  const { access } = await locateSession(scope, sessionId, "psychotherapy_note.write", ["care_team"]);
  const cipher = await cipherOf(scope, access.region, access.patientId);
  const contentEnc = await cipher.encrypt(psychotherapyField(sessionId), text);
  const author = scope.principal?.userId ?? "";
  const [[saved]] = await careData(scope).run(
    access,
    psychotherapyOp("psychotherapy_note.write", sessionId),
    (db) => [
      savePsychotherapyNote(db, {
        id: crypto.randomUUID(),
        sessionId,
        patientId: access.patientId,
        authorId: author,
        contentEnc,
      }),
    ],
  );
  return { sessionId, text, updatedAt: saved?.updatedAt.toISOString() ?? null };
}
