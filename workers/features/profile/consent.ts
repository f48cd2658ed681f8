import { and, eq, isNull } from "drizzle-orm";
import { consents } from "../../db/schema";
import type { Database } from "../../lib/db";
import { AppError } from "../../lib/errors";
import { type CONSENT_KINDS, POLICY_VERSION } from "./schema";

export type ConsentKind = (typeof CONSENT_KINDS)[number];
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
  return { health_data: kinds.has("health_data"), ai_companion: kinds.has("ai_companion") };
}

/** Chatting with the companion stores messages (health data) and sends them to the model. */
export const chatAllowed = (s: ConsentState) => s.ai_companion && s.health_data;

const EXPLAIN: Record<ConsentKind, string> = {
  ai_companion:
    "Chatting with the companion needs your consent to the AI companion. You can turn it on in your account (/account), under Consent.",
  health_data:
    "Haven stores no new health data without your consent to processing health data. You can turn it on in your account (/account), under Consent.",
};

/** The problem a refused operation answers: 403 with the missing consent named (never PHI). */
export function consentRequired(kind: ConsentKind): AppError {
  return new AppError("forbidden", EXPLAIN[kind], { extensions: { consent: kind, manage: "/account" } });
}

/** The first consent missing for chatting, or null when chat is allowed. */
export function missingChatConsent(s: ConsentState): ConsentKind | null {
  if (!s.health_data) return "health_data";
  if (!s.ai_companion) return "ai_companion";
  return null;
}
