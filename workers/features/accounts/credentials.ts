import type { z } from "@hono/zod-openapi";
import { and, eq, isNull, ne } from "drizzle-orm";
import { emailTokens, recoveryCodes, sessions, users } from "../../db/schema";
import { auditInsert } from "../../lib/audit";
import { AppError } from "../../lib/errors";
import { publishQuietly } from "../../lib/events";
import type { Principal } from "../../lib/principal";
import type { Scope } from "../../lib/scope";
import { newUserCipher, userCipher } from "../../lib/user-cipher";
import { hashPassword, verifyPassword } from "../auth/password";
import {
  generateRecoveryCodes,
  generateTotpSecret,
  hashRecoveryCode,
  totpUri,
  verifyTotp,
} from "../auth/totp";
import { emailHash, lookupDirectory, writeDirectory } from "./directory";
import { sendMail } from "./mail";
import { assertMfaNotBackedOff, recordMfaFailure } from "./mfa-budget";
import type { InviteBody } from "./schema";
import { assertPasswordPolicy } from "./service";
import { revokeSession, revokeSessions, startSession } from "./sessions";
import { newEmailToken, spendEmailToken } from "./tokens";

const mfaSetupKey = (userId: string) => `mfa-setup:${userId}`;

async function loadUser(scope: Scope, p: Principal) {
  const [user] = await scope.db(p.region).select().from(users).where(eq(users.id, p.userId));
  if (!user) throw new AppError("unauthorized", "Sign in to continue");
  return user;
}

/** Always 202, known email or not; a known account gets a one-hour single-use link. */
export async function requestPasswordReset(scope: Scope, email: string): Promise<void> {
  const entry = await lookupDirectory(scope, await emailHash(scope.config.EMAIL_HASH_KEY, email));
  if (!entry) return;
  const reset = await newEmailToken(entry.region, entry.userId, "reset_password");
  const db = scope.db(entry.region);
  await db.insert(emailTokens).values(reset.row);
  const origin = scope.origin;
  await sendMail(scope, {
    to: email,
    subject: "Reset your Haven password",
    text: `Choose a new password: ${origin}/reset-password?token=${reset.token}\nThe link works once and expires in 1 hour.`,
  });
}

/** Sets a new password from a reset link and signs every session out. */
export async function confirmPasswordReset(scope: Scope, token: string, password: string): Promise<void> {
  assertPasswordPolicy(password, "body.password");
  const { userId, db } = await spendEmailToken(scope, token, "reset_password");
  const passwordHash = await hashPassword(password);
  const live = and(eq(sessions.userId, userId), isNull(sessions.revokedAt));
  const open = await db.select({ id: sessions.id, expiresAt: sessions.expiresAt }).from(sessions).where(live);
  await revokeSessions(scope, open, async () => {
    const [, revoked] = await db.batch([
      db
        .update(users)
        .set({ passwordHash, emailVerifiedAt: new Date(), updatedAt: new Date() })
        .where(eq(users.id, userId)),
      db
        .update(sessions)
        .set({ revokedAt: new Date(), revokedReason: "password_reset" })
        .where(live)
        .returning({ id: sessions.id }),
      auditInsert(db, scope, {
        action: "auth.password_reset",
        resourceType: "user",
        resourceId: userId,
        outcome: "success",
        actorId: userId,
      }),
    ]);
    return revoked.map((r) => r.id);
  });
}

/** Changes the password (current one required) and signs out every OTHER session. */
export async function changePassword(
  scope: Scope,
  p: Principal,
  current: string,
  next: string,
): Promise<void> {
  const user = await loadUser(scope, p);
  const check = user.passwordHash ? await verifyPassword(current, user.passwordHash) : { ok: false };
  const db = scope.db(p.region);
  if (!check.ok) {
    await auditInsert(db, scope, {
      action: "auth.password_change",
      resourceType: "user",
      resourceId: p.userId,
      outcome: "failure",
    });
    throw new AppError("validation_failed", "The current password is not correct", {
      errors: [{ path: "body.currentPassword", message: "Incorrect password" }],
    });
  }
  assertPasswordPolicy(next, "body.newPassword", { displayName: user.displayName });
  const passwordHash = await hashPassword(next);
  const others = and(eq(sessions.userId, p.userId), ne(sessions.id, p.sessionId), isNull(sessions.revokedAt));
  const open = await db
    .select({ id: sessions.id, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(others);
  await revokeSessions(scope, open, async () => {
    const [, revoked] = await db.batch([
      db.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, p.userId)),
      db
        .update(sessions)
        .set({ revokedAt: new Date(), revokedReason: "password_change" })
        .where(others)
        .returning({ id: sessions.id }),
      auditInsert(db, scope, {
        action: "auth.password_change",
        resourceType: "user",
        resourceId: p.userId,
        outcome: "success",
      }),
    ]);
    return revoked.map((r) => r.id);
  });
}

/** Starts TOTP enrolment: a new secret, held encrypted in Redis for 10 minutes until confirmed. */
export async function beginMfaSetup(scope: Scope, p: Principal) {
  const user = await loadUser(scope, p);
  const cipher = await userCipher(scope.config, user.id, user.dataKeyWrapped);
  if (!cipher) throw new AppError("conflict", "This account cannot enrol MFA");
  const secret = generateTotpSecret();
  await scope.redis().set(mfaSetupKey(p.userId), await cipher.encrypt("mfa_setup", secret), { ex: 600 });
  return { secret, otpauthUri: totpUri(secret, user.displayName) };
}

/**
 * Confirms enrolment with a first code: stores the secret encrypted, issues ten single-use
 * recovery codes (shown once), and replaces the session with an MFA-verified one.
 */
export async function enableMfa(scope: Scope, p: Principal, code: string) {
  const user = await loadUser(scope, p);
  const cipher = await userCipher(scope.config, user.id, user.dataKeyWrapped);
  const pending = await scope.redis().get<string>(mfaSetupKey(p.userId));
  if (!cipher || !pending) throw new AppError("conflict", "Start MFA setup again");
  const secret = await cipher.decrypt("mfa_setup", pending);
  const result = await verifyTotp(secret, code);
  if (!result.ok) {
    throw new AppError("validation_failed", "That code did not work", {
      errors: [{ path: "body.code", message: "Incorrect code" }],
    });
  }
  const codes = generateRecoveryCodes(10);
  const hashes = await Promise.all(codes.map((rc) => hashRecoveryCode(rc, p.userId)));
  const db = scope.db(p.region);
  await db.batch([
    db
      .update(users)
      .set({
        mfaSecretEnc: await cipher.encrypt("mfa_secret", secret),
        mfaEnabledAt: new Date(),
        mfaLastStep: String(result.step),
      })
      .where(eq(users.id, p.userId)),
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, p.userId)),
    db.insert(recoveryCodes).values(hashes.map((codeHash) => ({ userId: p.userId, codeHash }))),
    auditInsert(db, scope, {
      action: "auth.mfa_enable",
      resourceType: "user",
      resourceId: p.userId,
      outcome: "success",
    }),
  ]);
  await scope.redis().del(mfaSetupKey(p.userId));
  await publishQuietly(scope.env, scope.log, {
    type: "security.mfa_changed",
    v: 1,
    userId: p.userId,
    region: p.region,
    change: "enabled",
  });
  await revokeSession(scope, p, p.sessionId, "mfa_upgrade");
  const { tokens } = await startSession(scope, user, "totp");
  return { recoveryCodes: codes, tokens };
}

/**
 * Replaces every recovery code with ten new ones (shown once), after a current TOTP code proves
 * the authenticator is at hand. Failed codes count towards the account's MFA failure budget.
 */
export async function regenerateRecoveryCodes(scope: Scope, p: Principal, code: string) {
  const user = await loadUser(scope, p);
  if (!user.mfaEnabledAt || !user.mfaSecretEnc)
    throw new AppError("conflict", "Two-factor sign-in is not on");
  await assertMfaNotBackedOff(scope, user.id);
  const cipher = await userCipher(scope.config, user.id, user.dataKeyWrapped);
  const secret = cipher ? await cipher.decrypt("mfa_secret", user.mfaSecretEnc) : "";
  const result = await verifyTotp(secret, code);
  if (!result.ok) {
    await recordMfaFailure(scope, user);
    throw new AppError("validation_failed", "That code did not work", {
      errors: [{ path: "body.code", message: "Incorrect code" }],
    });
  }
  const codes = generateRecoveryCodes(10);
  const hashes = await Promise.all(codes.map((rc) => hashRecoveryCode(rc, p.userId)));
  const db = scope.db(p.region);
  await db.batch([
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, p.userId)),
    db.insert(recoveryCodes).values(hashes.map((codeHash) => ({ userId: p.userId, codeHash }))),
    auditInsert(db, scope, {
      action: "auth.recovery_codes_regenerate",
      resourceType: "user",
      resourceId: p.userId,
      outcome: "success",
    }),
  ]);
  return { recoveryCodes: codes };
}

/** Admin invites a clinician or admin: an account without a password and a 72-hour link. */
export async function invite(scope: Scope, body: z.infer<typeof InviteBody>) {
  const config = scope.config;
  const hash = await emailHash(config.EMAIL_HASH_KEY, body.email);
  if (await lookupDirectory(scope, hash))
    throw new AppError("conflict", "An account with this email already exists");
  const userId = crypto.randomUUID();
  const { wrapped, cipher } = await newUserCipher(config, userId);
  const link = await newEmailToken(body.region, userId, "invite");
  const db = scope.db(body.region);
  await db.batch([
    db.insert(users).values({
      id: userId,
      emailHash: hash,
      emailEnc: await cipher.encrypt("email", body.email),
      displayName: body.displayName,
      role: body.role,
      region: body.region,
      dataKeyWrapped: wrapped,
    }),
    db.insert(emailTokens).values(link.row),
    auditInsert(db, scope, {
      action: "admin.invite",
      resourceType: "user",
      resourceId: userId,
      outcome: "success",
    }),
  ]);
  await writeDirectory(scope, hash, { region: body.region, userId });
  await sendMail(scope, {
    to: body.email,
    subject: "You have been invited to Haven",
    text: `Set your password to join Haven as a ${body.role}: ${scope.origin}/accept-invite?token=${link.token}\nYou will set up two-factor authentication when you first sign in.`,
  });
  return { userId };
}

/** Accepting an invitation sets the password and verifies the email in one step. */
export async function acceptInvite(scope: Scope, token: string, password: string): Promise<void> {
  assertPasswordPolicy(password, "body.password");
  const { userId, db } = await spendEmailToken(scope, token, "invite");
  await db.batch([
    db
      .update(users)
      .set({ passwordHash: await hashPassword(password), emailVerifiedAt: new Date() })
      .where(eq(users.id, userId)),
    auditInsert(db, scope, {
      action: "auth.accept_invite",
      resourceType: "user",
      resourceId: userId,
      outcome: "success",
      actorId: userId,
    }),
  ]);
}
