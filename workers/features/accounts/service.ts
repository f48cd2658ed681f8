import type { z } from "@hono/zod-openapi";
import { and, eq, isNull } from "drizzle-orm";
import { emailTokens, recoveryCodes, users } from "../../db/schema";
import { auditInsert } from "../../lib/audit";
import { initialConsents } from "../../lib/care-data/consents";
import { AppError } from "../../lib/errors";
import { publishQuietly } from "../../lib/events";
import { inc } from "../../lib/metrics/recorder";
import type { Scope } from "../../lib/scope";
import { newUserCipher, userCipher } from "../../lib/user-cipher";
import type { ConsentKind, Region } from "../../lib/vocabulary";
import { randomToken } from "../auth/jwt";
import { dummyVerify, hashPassword, validatePasswordPolicy, verifyPassword } from "../auth/password";
import { hashRecoveryCode, verifyTotp } from "../auth/totp";
import { emailHash, lookupDirectory, writeDirectory } from "./directory";
import { sendMail } from "./mail";
import { assertMfaNotBackedOff, mfaFailuresKey, recordMfaFailure } from "./mfa-budget";
import type { LoginBody, MfaLoginBody, SignupBody } from "./schema";
import { startSession } from "./sessions";
import { assertNotThrottled, clearFailures, recordFailure } from "./throttle";
import { newEmailToken, spendEmailToken } from "./tokens";

const MFA_CHALLENGE_TTL = 300;
const mfaChallengeKey = (t: string) => `mfa-challenge:${t}`;

/** Rejects a password that breaks policy with a 422 naming the rule (never echoing the value). */
export function assertPasswordPolicy(
  password: string,
  path: string,
  context?: { email?: string; displayName?: string },
) {
  const policy = validatePasswordPolicy(password, context);
  if (!policy.ok) {
    const messages = {
      too_short: "Use at least 12 characters",
      too_long: "Use at most 128 characters",
      common: "This password is too common",
      contains_personal_info: "Do not use your email or name in your password",
    } as const;
    throw new AppError("validation_failed", "The password does not meet the policy", {
      errors: [{ path, message: messages[policy.reason] }],
    });
  }
}

function origin(scope: Scope): string {
  return scope.origin ?? "";
}

/**
 * Patient sign-up. The answer is the same whether or not the email is taken (no enumeration),
 * and so is the work: both paths hash the password, make a data key and a verification token,
 * write one batch to Postgres, one pipeline to the directory and one mail. An existing owner gets
 * an email instead of an account, and the attempt is audited against their account (found in
 * review: 13 ms for an existing email against 97 ms for a new one, since the taken path skipped
 * the PBKDF2 hash and the writes).
 */
export async function signup(scope: Scope, body: z.infer<typeof SignupBody>): Promise<void> {
  assertPasswordPolicy(body.password, "body.password", { email: body.email, displayName: body.displayName });
  const config = scope.config;
  const hash = await emailHash(config.EMAIL_HASH_KEY, body.email);
  const existing = await lookupDirectory(scope, hash);
  const userId = crypto.randomUUID();
  const [passwordHash, { wrapped, cipher }, verify] = await Promise.all([
    hashPassword(body.password),
    newUserCipher(config, userId),
    newEmailToken(body.region, userId, "verify_email"),
  ]);
  const emailEnc = await cipher.encrypt("email", body.email);
  if (existing) {
    const db = scope.db(existing.region);
    await db.batch([
      auditInsert(db, scope, {
        action: "auth.signup_existing",
        resourceType: "user",
        resourceId: existing.userId,
        outcome: "denied",
        actorId: null,
      }),
    ]);
    await writeDirectory(scope, hash, existing);
    await sendMail(scope, {
      to: body.email,
      subject: "Someone tried to create a Haven account with your email",
      text: `If this was you, sign in at ${origin(scope)}/login or reset your password at ${origin(scope)}/reset-password.`,
    });
    return;
  }
  const db = scope.db(body.region);
  const consentKinds: ConsentKind[] = body.consents.aiCompanion
    ? ["health_data", "ai_companion"]
    : ["health_data"];
  await db.batch([
    db.insert(users).values({
      id: userId,
      emailHash: hash,
      emailEnc,
      displayName: body.displayName,
      role: "patient",
      region: body.region,
      passwordHash,
      dataKeyWrapped: wrapped,
    }),
    initialConsents(db, userId, consentKinds),
    db.insert(emailTokens).values(verify.row),
    auditInsert(db, scope, {
      action: "auth.signup",
      resourceType: "user",
      resourceId: userId,
      patientId: userId,
      outcome: "success",
      actorId: userId,
      actorRole: "patient",
    }),
  ]);
  await writeDirectory(scope, hash, { region: body.region, userId });
  await sendMail(scope, {
    to: body.email,
    subject: "Confirm your email for Haven",
    text: `Confirm your email address: ${origin(scope)}/verify-email?token=${verify.token}\nThe link expires in 24 hours.`,
  });
}

export async function verifyEmail(scope: Scope, token: string): Promise<void> {
  const { userId, db } = await spendEmailToken(scope, token, "verify_email");
  await db.batch([
    db.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.id, userId)),
    auditInsert(db, scope, {
      action: "auth.verify_email",
      resourceType: "user",
      resourceId: userId,
      outcome: "success",
      actorId: userId,
    }),
  ]);
}

const INVALID_LOGIN = "Invalid email or password";

/**
 * Password step of sign-in. Unknown email and wrong password give the same answer after the
 * same PBKDF2 work; failures count per account and per IP. Accounts with MFA get a short-lived
 * challenge instead of tokens.
 */
export async function login(scope: Scope, body: z.infer<typeof LoginBody>) {
  const config = scope.config;
  const hash = await emailHash(config.EMAIL_HASH_KEY, body.email);
  await assertNotThrottled(scope, hash);
  const entry = await lookupDirectory(scope, hash);
  const db = entry ? scope.db(entry.region) : undefined;
  const [user] = entry && db ? await db.select().from(users).where(eq(users.id, entry.userId)) : [];
  let check: Awaited<ReturnType<typeof verifyPassword>> | null = null;
  if (user?.passwordHash) check = await verifyPassword(body.password, user.passwordHash);
  else await dummyVerify(); // same PBKDF2 work for unknown accounts: no timing oracle
  if (!user || !db || !check?.ok) {
    inc("auth_failures_total", { reason: "bad_password" });
    await recordFailure(scope, hash);
    if (user && db) {
      await auditInsert(db, scope, {
        action: "auth.login_failed",
        resourceType: "user",
        resourceId: user.id,
        outcome: "failure",
        actorId: user.id,
        actorRole: user.role,
      });
    }
    throw new AppError("unauthorized", INVALID_LOGIN);
  }
  await clearFailures(scope, hash);
  if (user.deactivatedAt)
    throw new AppError("forbidden", "This account is deactivated: contact your administrator.");
  if (!user.emailVerifiedAt)
    throw new AppError("forbidden", "Confirm your email address first: check your inbox.");
  if (check.needsRehash) {
    await db
      .update(users)
      .set({ passwordHash: await hashPassword(body.password) })
      .where(eq(users.id, user.id));
  }
  if (user.mfaEnabledAt) {
    const mfaToken = randomToken(32);
    await scope
      .redis()
      .set(
        mfaChallengeKey(mfaToken),
        { userId: user.id, region: user.region, attempts: 0 },
        { ex: MFA_CHALLENGE_TTL },
      );
    return { mfaRequired: true as const, mfaToken };
  }
  const { sid, tokens } = await startSession(scope, user, "none");
  await notifySignIn(scope, user, sid);
  return { ...tokens, mfaRequired: false as const, mfaSetupRequired: user.role !== "patient" };
}

/** Second step: a TOTP code (never the same time step twice) or a single-use recovery code. */
export async function completeMfa(scope: Scope, body: z.infer<typeof MfaLoginBody>) {
  const redis = scope.redis();
  const challenge = await redis.get<{ userId: string; region: "us" | "eu" | "apac"; attempts: number }>(
    mfaChallengeKey(body.mfaToken),
  );
  if (!challenge || challenge.attempts >= 5)
    throw new AppError("unauthorized", "Sign-in expired. Start again.");
  await assertMfaNotBackedOff(scope, challenge.userId);
  const db = scope.db(challenge.region);
  const [user] = await db.select().from(users).where(eq(users.id, challenge.userId));
  if (!user?.mfaSecretEnc) throw new AppError("unauthorized", "Sign-in expired. Start again.");
  let method: "totp" | "recovery" = "totp";
  let ok = false;
  if (body.code) {
    const cipher = await userCipher(scope.config, user.id, user.dataKeyWrapped);
    const secret = cipher ? await cipher.decrypt("mfa_secret", user.mfaSecretEnc) : "";
    const result = await verifyTotp(secret, body.code);
    // Time steps must strictly increase: a code from the same or an earlier step (still inside
    // the ±1 window) is a replay once a later one has been accepted.
    const lastStep = user.mfaLastStep === null ? -1 : Number(user.mfaLastStep);
    if (result.ok && result.step !== undefined && result.step > lastStep) {
      const [claimed] = await db
        .update(users)
        .set({ mfaLastStep: String(result.step) })
        .where(
          and(
            eq(users.id, user.id),
            user.mfaLastStep ? eq(users.mfaLastStep, user.mfaLastStep) : isNull(users.mfaLastStep),
          ),
        )
        .returning({ id: users.id });
      ok = Boolean(claimed);
    }
  } else if (body.recoveryCode) {
    method = "recovery";
    const codeHash = await hashRecoveryCode(body.recoveryCode, user.id);
    const [used] = await db
      .update(recoveryCodes)
      .set({ usedAt: new Date() })
      .where(
        and(
          eq(recoveryCodes.userId, user.id),
          eq(recoveryCodes.codeHash, codeHash),
          isNull(recoveryCodes.usedAt),
        ),
      )
      .returning({ userId: recoveryCodes.userId });
    ok = Boolean(used);
  }
  if (!ok) {
    inc("auth_failures_total", { reason: "bad_mfa" });
    await redis.set(
      mfaChallengeKey(body.mfaToken),
      { ...challenge, attempts: challenge.attempts + 1 },
      { keepTtl: true },
    );
    await recordMfaFailure(scope, user);
    await auditInsert(db, scope, {
      action: "auth.mfa_failed",
      resourceType: "user",
      resourceId: user.id,
      outcome: "failure",
      actorId: user.id,
      actorRole: user.role,
    });
    throw new AppError("unauthorized", "That code did not work");
  }
  await redis.del(mfaChallengeKey(body.mfaToken), mfaFailuresKey(user.id));
  const { sid, tokens } = await startSession(scope, user, method);
  await notifySignIn(scope, user, sid);
  return { ...tokens, mfaRequired: false as const, mfaSetupRequired: false };
}

/** Publishes the new-sign-in security event (ids only); a queue outage never fails a sign-in. */
function notifySignIn(scope: Scope, user: { id: string; region: Region }, sessionId: string) {
  return publishQuietly(scope.env, scope.log, {
    type: "security.sign_in",
    v: 1,
    userId: user.id,
    region: user.region,
    sessionId,
  });
}
