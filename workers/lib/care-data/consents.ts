import { and, desc, eq, isNull, ne, sql } from "drizzle-orm";
import { consents } from "../../db/schema";
import type { Database } from "../db";
import { AppError } from "../errors";
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

export type ConsentState = Record<ConsentKind, boolean>;

/** The consents a user holds now (open grants under the current policy): one indexed query. */
export async function consentState(db: Database, userId: string): Promise<ConsentState> {
  const rows = await db
    .select({ kind: consents.kind })
    .from(consents)
    .where(
      and(
        eq(consents.userId, userId),
        isNull(consents.withdrawnAt),
        eq(consents.policyVersion, POLICY_VERSION),
      ),
    );
  const kinds = new Set(rows.map((r) => r.kind));
  return {
    health_data: kinds.has("health_data"),
    ai_companion: kinds.has("ai_companion"),
    care_plan_context: kinds.has("care_plan_context"),
  };
}

/** Chatting with the companion stores messages (health data) and sends them to the model. */
export const chatAllowed = (s: ConsentState) => s.ai_companion && s.health_data;

/** The first consent missing for chatting, or null when chat is allowed. */
export function missingChatConsent(s: ConsentState): ConsentKind | null {
  if (!s.health_data) return "health_data";
  if (!s.ai_companion) return "ai_companion";
  return null;
}

const EXPLAIN: Record<ConsentKind, string> = {
  ai_companion:
    "Chatting with the companion needs your consent to the AI companion. You can turn it on in your account (/account), under Consent.",
  health_data:
    "Haven stores no new health data without your consent to processing health data. You can turn it on in your account (/account), under Consent.",
  care_plan_context:
    "The companion uses your care plan only with your consent to it. You can turn it on in your account (/account), under Consent.",
};

/** The problem a refused operation answers: 403 with the missing consent named (never PHI). */
export function consentRequired(kind: ConsentKind): AppError {
  return new AppError("forbidden", EXPLAIN[kind], { extensions: { consent: kind, manage: "/account" } });
}
