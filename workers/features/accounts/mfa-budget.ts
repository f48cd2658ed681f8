import type { users } from "../../db/schema";
import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";
import { userCipher } from "../../lib/user-cipher";
import { sendMail } from "./mail";

/**
 * The MFA failure budget of an ACCOUNT, across challenges. Each challenge still allows 5 codes,
 * but a password holder could start unlimited challenges (found in review: 30 wrong codes over 6
 * challenges, then the right one was accepted). Now every failed code counts per account for 24
 * hours; from the 5th on, the account's second step backs off exponentially (30 s, 60 s, 120 s …
 * capped at 1 hour), so guessing a 6-digit code becomes impractical, and the owner is told by
 * email that someone has their password. A successful second step clears the count.
 *
 * Redis unavailable → fail CLOSED (503): the budget cannot be checked, so no code is tried.
 */
export const MFA_FREE_FAILURES = 5;
export const MFA_WINDOW_SECONDS = 86_400;
export const MFA_BASE_BACKOFF_SECONDS = 30;
export const MFA_MAX_BACKOFF_SECONDS = 3600;

export const mfaFailuresKey = (userId: string) => `mfa:failures:${userId}`;
const backoffKey = (userId: string) => `mfa:backoff:${userId}`;

/** Back-off after the n-th failure (n ≥ MFA_FREE_FAILURES): 30 s · 2^(n−5), at most an hour. */
export function mfaBackoffSeconds(failures: number): number {
  if (failures < MFA_FREE_FAILURES) return 0;
  return Math.min(MFA_MAX_BACKOFF_SECONDS, MFA_BASE_BACKOFF_SECONDS * 2 ** (failures - MFA_FREE_FAILURES));
}

/** 429 with Retry-After while the account's second step is backed off. */
export async function assertMfaNotBackedOff(scope: Scope, userId: string): Promise<void> {
  const ttl = await scope.redis().ttl(backoffKey(userId));
  if (ttl > 0) {
    throw new AppError("rate_limited", "Too many wrong codes. Wait before trying again.", {
      headers: { "retry-after": String(ttl) },
    });
  }
}

/** Counts a failed code against the account; backs off and alerts the owner when over budget. */
export async function recordMfaFailure(scope: Scope, user: typeof users.$inferSelect): Promise<void> {
  const redis = scope.redis();
  const p = redis.pipeline();
  p.incr(mfaFailuresKey(user.id));
  p.expire(mfaFailuresKey(user.id), MFA_WINDOW_SECONDS, "NX");
  const [failures] = (await p.exec()) as [number, number];
  const backoff = mfaBackoffSeconds(failures);
  if (backoff > 0) await redis.set(backoffKey(user.id), failures, { ex: backoff });
  if (failures === MFA_FREE_FAILURES || (failures > MFA_FREE_FAILURES && failures % 20 === 0)) {
    await alertOwner(scope, user, failures);
  }
}

/** Mail to the account owner (no health data): their password was used, the code was not. */
async function alertOwner(scope: Scope, user: typeof users.$inferSelect, failures: number): Promise<void> {
  const cipher = await userCipher(scope.config, user.id, user.dataKeyWrapped);
  if (!cipher || !user.emailEnc) return;
  const to = await cipher.decrypt("email", user.emailEnc);
  await sendMail(scope, {
    to,
    subject: "Someone is trying to sign in to your Haven account",
    text: `Your password was entered correctly, then ${failures} wrong two-factor codes were tried. If this was not you, change your password now at ${scope.origin ?? ""}/reset-password and review your sessions at ${scope.origin ?? ""}/account/security.`,
  });
}
