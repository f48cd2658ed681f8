import { CHAT_FIELD } from "../../../durable-objects/chat-flush";
import { crisisWindow } from "../../../durable-objects/chat-store";
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
 * Reads and decrypts a patient's chat history, with the patient's sharing choice, for a principal
 * whose access was already decided. The patient sees everything; the care team sees everything
 * only when the patient shares fully, otherwise crisis messages and three turns either side. The
 * read is audited in the same batch.
 */
export async function readHistory(
  scope: Scope,
  access: PatientAccess,
  opts: { after: number; limit: number },
): Promise<{ messages: ChatMessageOut[]; full: boolean }> {
  const [rows, keyRows, sharing] = await careData(scope).run(
    access,
    CHAT_HISTORY_READ,
    (db) =>
      [
        historyQuery(db, access.patientId, opts.after),
        wrappedKeyQuery(db, access.patientId),
        sharingQuery(db, access.patientId),
      ] as const,
  );
  const full = sharing[0]?.full ?? false;
  const cipher = await userCipher(scope.config, access.patientId, keyRows[0]?.wrapped ?? null);
  if (!cipher) return { messages: [], full };
  const seeAll = access.via === "self" || full;
  const window = seeAll
    ? null
    : crisisWindow(
        rows.map((r) => r.seq),
        rows.filter((r) => r.crisis).map((r) => r.seq),
      );
  const visible = rows.filter((r) => window === null || window.has(r.seq)).slice(0, opts.limit);
  const messages = await Promise.all(
    visible.map(async (r) => ({
      seq: r.seq,
      role: r.role,
      text: await cipher.decrypt(CHAT_FIELD, r.contentEnc),
      crisis: r.crisis,
      at: r.createdAt.toISOString(),
    })),
  );
  return { messages, full };
}
