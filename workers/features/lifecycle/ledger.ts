import { allUserIds } from "../../lib/care-data/lifecycle";
import { toHex, utf8Encode } from "../../lib/crypto/encoding";
import type { Scope } from "../../lib/scope";
import type { Region } from "../../lib/vocabulary";

/**
 * The erasure ledger, kept in object storage OUTSIDE the databases it protects. A point-in-time
 * restore of Postgres (Neon keeps history for days) to before an erasure brings back the subject's
 * rows and their wrapped data key, which the master keys can open: crypto-shredding alone does not
 * cover a database restore. After any restore the runbook re-applies this ledger
 * (`reapplyLedger`), which erases again every restored subject whose erasure completed. Entries
 * name the subject only by a keyed hash (HMAC under EMAIL_HASH_KEY), never by id.
 */
export const ledgerPrefix = (region: Region) => `erasure-ledger/${region}/`;

export async function subjectTag(scope: Scope, subjectId: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    utf8Encode(scope.config.EMAIL_HASH_KEY),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return toHex(
    new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8Encode(`haven/erasure-ledger/v1|${subjectId}`))),
  );
}

export async function recordInLedger(
  scope: Scope,
  region: Region,
  requestId: string,
  subjectId: string,
  pseudonym: string,
) {
  const entry = {
    requestId,
    subject: await subjectTag(scope, subjectId),
    pseudonym,
    completedAt: new Date().toISOString(),
  };
  await scope.env.EXPORTS.put(`${ledgerPrefix(region)}${requestId}.json`, JSON.stringify(entry), {
    httpMetadata: { contentType: "application/json" },
  });
}

/** Subjects in `region`'s (restored) database that the ledger says were erased: id → ledger entry. */
export async function erasedButPresent(scope: Scope, region: Region) {
  const tags = new Map<string, { requestId: string; pseudonym: string }>();
  let cursor: string | undefined;
  do {
    const page = await scope.env.EXPORTS.list({
      prefix: ledgerPrefix(region),
      ...(cursor ? { cursor } : {}),
    });
    for (const o of page.objects) {
      const body = await scope.env.EXPORTS.get(o.key);
      const e = body
        ? ((await body.json()) as { subject: string; requestId: string; pseudonym: string })
        : null;
      if (e) tags.set(e.subject, { requestId: e.requestId, pseudonym: e.pseudonym });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  const found: Array<{ subjectId: string; requestId: string; pseudonym: string }> = [];
  for (const id of await allUserIds(scope.db(region))) {
    const hit = tags.get(await subjectTag(scope, id));
    if (hit) found.push({ subjectId: id, ...hit });
  }
  return found;
}
