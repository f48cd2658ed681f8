import { z } from "zod";

/**
 * The erasure ledger's format, shared by the Worker (workers/features/lifecycle/ledger.ts, which
 * keeps it in object storage outside the databases it protects) and the DR drill
 * (scripts/dr/ledger-step.ts), so the drill re-applies exactly what production writes. An entry
 * names the subject only by a keyed hash (HMAC-SHA256 under EMAIL_HASH_KEY), never by id.
 * No relative imports: the drill loads this file in plain Node.
 */
export const ledgerPrefix = (region: string) => `erasure-ledger/${region}/`;
export const ledgerKey = (region: string, requestId: string) => `${ledgerPrefix(region)}${requestId}.json`;

export const LedgerEntry = z.object({
  requestId: z.uuid(),
  subject: z.string().regex(/^[0-9a-f]{64}$/),
  pseudonym: z.uuid(),
  completedAt: z.iso.datetime(),
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;

/** The keyed hash that stands for a subject in the ledger (hex HMAC-SHA256). */
export async function ledgerTag(secret: string, subjectId: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, enc.encode(`haven/erasure-ledger/v1|${subjectId}`));
  return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** One ledger object's body, validated; null when it is not a ledger entry (never trusted as-is). */
export function parseLedgerEntry(body: unknown): LedgerEntry | null {
  const parsed = LedgerEntry.safeParse(body);
  return parsed.success ? parsed.data : null;
}

/** The restored account ids the ledger says were erased, with their ledger entries. */
export async function erasedAmong(secret: string, entries: readonly LedgerEntry[], ids: readonly string[]) {
  const bySubject = new Map(entries.map((e) => [e.subject, e]));
  const found: Array<{ subjectId: string; requestId: string; pseudonym: string }> = [];
  for (const id of ids) {
    const hit = bySubject.get(await ledgerTag(secret, id));
    if (hit) found.push({ subjectId: id, requestId: hit.requestId, pseudonym: hit.pseudonym });
  }
  return found;
}
