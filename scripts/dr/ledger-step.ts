/**
 * The DR drill's erasure step (README runbook step 9). Before the backup a patient is created with
 * a data key wrapped under the drill's master key and a field sealed with it; AFTER the backup the
 * patient is erased in the primary (account row and wrapped key gone, audit pseudonymised) and the
 * erasure is written to the ledger, which lives outside the database (a directory standing in for
 * the object-locked bucket). Restoring the backup brings the patient AND their wrapped key back:
 * the drill shows the sealed field is readable again, re-applies the ledger (the production ledger
 * format and matching, workers/lib/erasure-ledger.ts), and verifies the key is destroyed, the
 * sealed copy can no longer be opened, and no row names the patient.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as erasureLedger from "../../workers/lib/erasure-ledger.ts";
import type { Db } from "./backends.ts";
import { envelope, type Ring } from "./worker-modules.ts";

export interface DrillKeys {
  ring: Ring;
  emailHashKey: string;
  ledgerDir: string;
}

export interface ErasedSubject {
  id: string;
  /** A sealed field as it sits in the backup (and in any other copy: replicas, logs, exports). */
  sealed: string;
  requestId: string;
  pseudonym: string;
}

export interface LedgerOutcome {
  restoredWithKey: boolean;
  readableBeforeReapply: boolean;
  reErased: number;
  keyDestroyed: boolean;
  readableAfter: boolean;
  rowsNaming: number;
}

const AAD = "email";

export function drillKeys(ledgerDir: string): DrillKeys {
  const b64 = (n: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString("base64");
  return { ring: envelope.parseMasterKeys(`v1:${b64(32)}`), emailHashKey: b64(32), ledgerDir };
}

/** A patient with a wrapped data key, a sealed field, a consent and an audit row about them. */
export async function seedSubject(db: Db, keys: DrillKeys, region: string): Promise<ErasedSubject> {
  const { wrapped, key } = await envelope.createDataKey(keys.ring);
  const sealed = await envelope.encryptField(key, "erase-me@drill.example", AAD);
  const [row] = await db.query<{ id: string }>(
    `with u as (insert into users (email_hash, email_enc, display_name, role, region, data_key_wrapped)
       values ($1, $2, 'drill erased patient', 'patient', $3, $4) returning id),
     c as (insert into consents (user_id, kind, policy_version) select id, 'health_data', 'drill' from u)
     insert into audit_log (action, resource_type, patient_id, outcome)
     select 'drill.seed', 'patient', id, 'success' from u returning patient_id as id`,
    [`drill-erased-${crypto.randomUUID()}`, sealed, region, wrapped],
  );
  if (!row) throw new Error("seed failed");
  return { id: row.id, sealed, requestId: crypto.randomUUID(), pseudonym: crypto.randomUUID() };
}

/** The Postgres part of an erasure, as one statement: account (and wrapped key) gone, audit pseudonymised. */
async function erasePostgres(db: Db, subjectId: string, pseudonym: string) {
  const [r] = await db.query<{ removed: number }>(
    `with d as (delete from users where id = $1 returning id)
     select (select count(*) from d)::int as removed, audit_pseudonymise($1::uuid, $2::uuid) as pseudonymised`,
    [subjectId, pseudonym],
  );
  return r?.removed ?? 0;
}

/** Erases the subject in the primary and records the erasure in the ledger (outside the database). */
export async function eraseAndRecord(db: Db, keys: DrillKeys, region: string, s: ErasedSubject) {
  if ((await erasePostgres(db, s.id, s.pseudonym)) !== 1) throw new Error("erasure removed nothing");
  const entry: erasureLedger.LedgerEntry = {
    requestId: s.requestId,
    subject: await erasureLedger.ledgerTag(keys.emailHashKey, s.id),
    pseudonym: s.pseudonym,
    completedAt: new Date().toISOString(),
  };
  const file = join(keys.ledgerDir, erasureLedger.ledgerKey(region, s.requestId));
  await mkdir(join(keys.ledgerDir, erasureLedger.ledgerPrefix(region)), { recursive: true });
  await writeFile(file, JSON.stringify(entry));
}

/** Can the sealed copy be opened with what the database holds now? */
async function readable(db: Db, keys: DrillKeys, s: ErasedSubject): Promise<boolean> {
  const [row] = await db.query<{ wrapped: string | null }>(
    "select data_key_wrapped as wrapped from users where id = $1",
    [s.id],
  );
  if (!row?.wrapped) return false;
  try {
    const key = await envelope.unwrapDataKey(keys.ring, row.wrapped);
    return (await envelope.decryptField(key, s.sealed, AAD)) === "erase-me@drill.example";
  } catch {
    return false;
  }
}

/** Rows in any table whose owner column names the subject, plus audit rows still naming them. */
async function rowsNaming(db: Db, subjectId: string): Promise<number> {
  const cols = await db.query<{ t: string; c: string }>(
    `select table_name as t, column_name as c from information_schema.columns
     where table_schema = 'public' and column_name in ('id', 'user_id', 'patient_id', 'actor_id', 'recipient_id')
       and data_type = 'uuid' and (column_name <> 'id' or table_name = 'users')`,
  );
  let n = 0;
  for (const { t, c } of cols) {
    const [r] = await db.query<{ n: number }>(`select count(*)::int as n from "${t}" where "${c}" = $1`, [
      subjectId,
    ]);
    n += r?.n ?? 0;
  }
  return n;
}

/** Runbook step 9 on the restored database: every ledger entry whose subject is back is erased again. */
export async function reapplyLedger(db: Db, keys: DrillKeys, region: string): Promise<number> {
  const dir = join(keys.ledgerDir, erasureLedger.ledgerPrefix(region));
  const entries: erasureLedger.LedgerEntry[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const entry = erasureLedger.parseLedgerEntry(JSON.parse(await readFile(join(dir, name), "utf8")));
    if (entry) entries.push(entry);
  }
  const ids = (await db.query<{ id: string }>("select id from users")).map((r) => r.id);
  const again = await erasureLedger.erasedAmong(keys.emailHashKey, entries, ids);
  for (const s of again) await erasePostgres(db, s.subjectId, s.pseudonym);
  return again.length;
}

/** After the restore: shows the hazard, re-applies the ledger, verifies the subject is unreadable. */
export async function verifyAfterRestore(
  db: Db,
  keys: DrillKeys,
  region: string,
  s: ErasedSubject,
): Promise<LedgerOutcome> {
  const [back] = await db.query<{ wrapped: string | null }>(
    "select data_key_wrapped as wrapped from users where id = $1",
    [s.id],
  );
  const readableBeforeReapply = await readable(db, keys, s);
  const reErased = await reapplyLedger(db, keys, region);
  const [after] = await db.query<{ n: number }>(
    "select count(*)::int as n from users where id = $1 and data_key_wrapped is not null",
    [s.id],
  );
  return {
    restoredWithKey: Boolean(back?.wrapped),
    readableBeforeReapply,
    reErased,
    keyDestroyed: (after?.n ?? 0) === 0,
    readableAfter: await readable(db, keys, s),
    rowsNaming: await rowsNaming(db, s.id),
  };
}

/** The step passed: the backup really held the key (else the drill proves nothing) and it is gone now. */
export const ledgerPassed = (o: LedgerOutcome) =>
  o.restoredWithKey &&
  o.readableBeforeReapply &&
  o.reErased >= 1 &&
  o.keyDestroyed &&
  !o.readableAfter &&
  o.rowsNaming === 0;
