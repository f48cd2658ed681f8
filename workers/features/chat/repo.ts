import { CHAT_FIELD } from "../../../durable-objects/chat-flush";
import type { PatientAccess } from "../../lib/care-data/access";
import {
  CHAT_HISTORY_READ,
  CHAT_SHARING_UPDATE,
  historyQuery,
  sharingQuery,
  upsertSharing,
  wrappedKeyQuery,
} from "../../lib/care-data/chat";
import { careData } from "../../lib/care-data/repository";
import type { Scope } from "../../lib/scope";
import { userCipher } from "../../lib/user-cipher";
import type { ChatMessageOut } from "./schema";

/** Sets the patient's own sharing choice, audited in the same round trip. */
export async function writeSharing(scope: Scope, access: PatientAccess, full: boolean): Promise<void> {
  if (access.via !== "self") throw new Error("sharing is the patient's own choice");
  await careData(scope).run(
    access,
    CHAT_SHARING_UPDATE,
    (db) => [upsertSharing(db, access.patientId, full)] as const,
  );
}

/**
 * Reads and decrypts one page of a patient's chat history (at most `limit` messages after the
 * cursor `after`), with the patient's sharing choice, for a principal whose access was already
 * decided. The patient sees everything; the care team sees everything only when the patient
 * shares fully, otherwise crisis messages and three turns either side (filtered in SQL, see
 * `historyQuery`). `next` is the cursor of the following page (`?after=<next>`), null on the last
 * page. The read is audited in the same batch.
 */
export async function readHistory(
  scope: Scope,
  access: PatientAccess,
  opts: { after: number; limit: number },
): Promise<{ messages: ChatMessageOut[]; full: boolean; next: number | null }> {
  const crisisOnly = access.via !== "self";
  const [rows, keyRows, sharing] = await careData(scope).run(
    access,
    CHAT_HISTORY_READ,
    (db) =>
      [
        historyQuery(db, access.patientId, { ...opts, crisisOnly }),
        wrappedKeyQuery(db, access.patientId),
        sharingQuery(db, access.patientId),
      ] as const,
  );
  const full = sharing[0]?.full ?? false;
  const cipher = await userCipher(scope.config, access.patientId, keyRows[0]?.wrapped ?? null);
  if (!cipher) return { messages: [], full, next: null };
  const page = rows.slice(0, opts.limit);
  const next = rows.length > opts.limit ? (page[page.length - 1]?.seq ?? null) : null;
  const messages = await Promise.all(
    page.map(async (r) => ({
      seq: r.seq,
      role: r.role,
      text: await cipher.decrypt(CHAT_FIELD, r.contentEnc),
      crisis: r.crisis,
      at: r.createdAt.toISOString(),
    })),
  );
  return { messages, full, next };
}
