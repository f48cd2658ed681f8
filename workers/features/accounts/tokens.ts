import { and, eq, gt, isNull } from "drizzle-orm";
import { emailTokens } from "../../db/schema";
import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";
import { isRegion, type Region } from "../../lib/vocabulary";
import { randomToken, sha256Hex } from "../auth/jwt";

export type EmailTokenPurpose = "verify_email" | "reset_password" | "invite";

export const TOKEN_TTL_SECONDS: Record<EmailTokenPurpose, number> = {
  verify_email: 24 * 3600,
  reset_password: 3600,
  invite: 72 * 3600,
};

/** A single-use mail token `<region>.<random>`; only its SHA-256 is stored. */
export async function newEmailToken(region: Region, userId: string, purpose: EmailTokenPurpose) {
  const token = `${region}.${randomToken(32)}`;
  return {
    token,
    row: {
      tokenHash: await sha256Hex(token),
      userId,
      purpose,
      expiresAt: new Date(Date.now() + TOKEN_TTL_SECONDS[purpose] * 1000),
    },
  };
}

/**
 * Spends a mail token atomically (unused, unexpired, right purpose) and returns its user and
 * region. Any failure is the same 400, so a token's state is not revealed.
 */
export async function spendEmailToken(scope: Scope, token: string, purpose: EmailTokenPurpose) {
  const region = token.split(".", 1)[0];
  if (!isRegion(region)) throw invalid();
  const db = scope.db(region);
  const [row] = await db
    .update(emailTokens)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(emailTokens.tokenHash, await sha256Hex(token)),
        eq(emailTokens.purpose, purpose),
        isNull(emailTokens.usedAt),
        gt(emailTokens.expiresAt, new Date()),
      ),
    )
    .returning({ userId: emailTokens.userId });
  if (!row) throw invalid();
  return { userId: row.userId, region, db };
}

function invalid() {
  return new AppError("bad_request", "This link is invalid or has expired. Request a new one.");
}
