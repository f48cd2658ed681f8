import { allUserIds } from "../../lib/care-data/lifecycle";
import {
  erasedAmong,
  type LedgerEntry,
  ledgerKey,
  ledgerPrefix,
  ledgerTag,
  parseLedgerEntry,
} from "../../lib/erasure-ledger";
import type { Scope } from "../../lib/scope";
import type { Region } from "../../lib/vocabulary";

/**
 * The erasure ledger, kept in object storage OUTSIDE the databases it protects. A point-in-time
 * restore of Postgres (Neon keeps history for days) to before an erasure brings back the subject's
 * rows and their wrapped data key, which the master keys can open: crypto-shredding alone does not
 * cover a database restore. After any restore the runbook re-applies this ledger
 * (`reapplyLedger`; `npm run dr:drill` rehearses it), which erases again every restored subject
 * whose erasure completed. Entries name the subject only by a keyed hash (HMAC under
 * EMAIL_HASH_KEY), never by id; the format is workers/lib/erasure-ledger.ts.
 */
export { ledgerPrefix };

export const subjectTag = (scope: Scope, subjectId: string) =>
  ledgerTag(scope.config.EMAIL_HASH_KEY, subjectId);

export async function recordInLedger(
  scope: Scope,
  region: Region,
  requestId: string,
  subjectId: string,
  pseudonym: string,
) {
  const entry: LedgerEntry = {
    requestId,
    subject: await subjectTag(scope, subjectId),
    pseudonym,
    completedAt: new Date().toISOString(),
  };
  await scope.env.EXPORTS.put(ledgerKey(region, requestId), JSON.stringify(entry), {
    httpMetadata: { contentType: "application/json" },
  });
}

/** Subjects in `region`'s (restored) database that the ledger says were erased: id → ledger entry. */
export async function erasedButPresent(scope: Scope, region: Region) {
  const entries: LedgerEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await scope.env.EXPORTS.list({
      prefix: ledgerPrefix(region),
      ...(cursor ? { cursor } : {}),
    });
    for (const o of page.objects) {
      const body = await scope.env.EXPORTS.get(o.key);
      const entry = body ? parseLedgerEntry(await body.json().catch(() => null)) : null;
      if (entry) entries.push(entry);
      else scope.log.warn("erasure_ledger_entry_invalid", { region });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return erasedAmong(scope.config.EMAIL_HASH_KEY, entries, await allUserIds(scope.db(region)));
}
