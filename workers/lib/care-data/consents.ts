import { and, desc, eq, isNull, ne, sql } from "drizzle-orm";
import { consents } from "../../db/schema";
import type { Database } from "../db";
import { type ConsentKind, POLICY_VERSION } from "../vocabulary";

/** A patient's consent records, newest first. */
export function consentRows(db: Database, userId: string) {
  return db
    .select({
      id: consents.id,
      kind: consents.kind,
      policyVersion: consents.policyVersion,
      grantedAt: consents.grantedAt,
      withdrawnAt: consents.withdrawnAt,
    })
    .from(consents)
    .where(eq(consents.userId, userId))
    .orderBy(desc(consents.grantedAt), desc(consents.id));
}

const openGrant = (userId: string, kind: ConsentKind) =>
  and(eq(consents.userId, userId), eq(consents.kind, kind), isNull(consents.withdrawnAt));

/**
 * Grants `kind` under the current policy: a grant under an older version is closed, and a new row
 * is added unless a current one is open (idempotent). Rows only ever change to set `withdrawn_at`.
 */
export function grantConsentWrites(db: Database, userId: string, kind: ConsentKind) {
  return [
    db
      .update(consents)
      .set({ withdrawnAt: sql`now()` })
      .where(and(openGrant(userId, kind), ne(consents.policyVersion, POLICY_VERSION))),
    db.execute(sql`insert into ${consents} (user_id, kind, policy_version)
      select ${userId}::uuid, ${kind}, ${POLICY_VERSION}
      where not exists (select 1 from ${consents} where ${openGrant(userId, kind)})
      on conflict do nothing`),
  ] as const;
}

/** Closes any open grant of `kind`. */
export function withdrawConsentWrite(db: Database, userId: string, kind: ConsentKind) {
  return db.update(consents).set({ withdrawnAt: sql`now()` }).where(openGrant(userId, kind));
}

/** The consents given at sign-up (or by the dev seed), under the current policy, for a new account's batch. */
export function initialConsents(db: Database, userId: string, kinds: readonly ConsentKind[]) {
  return db.insert(consents).values(kinds.map((kind) => ({ userId, kind, policyVersion: POLICY_VERSION })));
}
