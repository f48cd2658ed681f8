import { and, desc, eq, gt, ilike, isNull } from "drizzle-orm";
import { sessions, users } from "../../db/schema";
import { auditInsert } from "../../lib/audit";
import { regionOfUser } from "../../lib/care-data/region";
import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";
import { REGIONS, type Region, type Role } from "../../lib/vocabulary";
import { emailHash } from "../accounts/directory";
import { revokeSessions } from "../accounts/sessions";

export interface UserSearch {
  q?: string | undefined;
  role?: Role | undefined;
  region?: Region | undefined;
}

/** A session that is neither revoked nor expired at `now`. */
const liveSession = (now: Date) => and(isNull(sessions.revokedAt), gt(sessions.expiresAt, now));

/**
 * Admin user search over every region (or one): by display name (contains) or exact email (via
 * the email hash, never stored in the clear). Returns role, region, MFA, active sessions, status.
 * Audited as `admin.user_search` in each region searched.
 */
export async function searchUsers(scope: Scope, s: UserSearch) {
  const term = s.q?.trim() ?? "";
  const hash = term.includes("@") ? await emailHash(scope.config.EMAIL_HASH_KEY, term) : null;
  const regions = s.region ? [s.region] : REGIONS;
  const now = new Date();
  const found = await Promise.all(
    regions.map(async (region) => {
      const db = scope.db(region);
      const where = and(
        s.role ? eq(users.role, s.role) : undefined,
        term
          ? hash
            ? eq(users.emailHash, hash)
            : ilike(users.displayName, `%${term.replace(/[%_\\]/g, "\\$&")}%`)
          : undefined,
      );
      const [rows] = await db.batch([
        db
          .select({
            id: users.id,
            displayName: users.displayName,
            role: users.role,
            region: users.region,
            mfaEnabledAt: users.mfaEnabledAt,
            emailVerifiedAt: users.emailVerifiedAt,
            deactivatedAt: users.deactivatedAt,
            createdAt: users.createdAt,
            activeSessions: db.$count(sessions, and(eq(sessions.userId, users.id), liveSession(now))),
          })
          .from(users)
          .where(where)
          .orderBy(desc(users.createdAt))
          .limit(100),
        auditInsert(db, scope, { action: "admin.user_search", resourceType: "user", outcome: "success" }),
      ]);
      return rows;
    }),
  );
  return found.flat().map((u) => ({
    id: u.id,
    displayName: u.displayName,
    role: u.role,
    region: u.region,
    mfa: u.mfaEnabledAt !== null,
    verified: u.emailVerifiedAt !== null,
    active: u.deactivatedAt === null,
    activeSessions: Number(u.activeSessions),
    createdAt: u.createdAt.toISOString(),
  }));
}

/**
 * Deactivates (or reactivates) an account: deactivation revokes every session at once (Postgres
 * and the Redis denylist) and login refuses the account. Admins cannot deactivate themselves.
 * Audited as `admin.user_deactivate` / `admin.user_reactivate`.
 */
export async function setActive(scope: Scope, userId: string, active: boolean) {
  const actor = scope.principal;
  if (!actor) throw new AppError("unauthorized", "Sign in to continue");
  if (userId === actor.userId) throw new AppError("conflict", "You cannot deactivate your own account");
  const region = await regionOfUser(scope, userId);
  if (!region) throw new AppError("not_found", "No such user");
  const db = scope.db(region);
  const action = active ? "admin.user_reactivate" : "admin.user_deactivate";
  const live = and(eq(sessions.userId, userId), isNull(sessions.revokedAt));
  const update = db
    .update(users)
    .set({ deactivatedAt: active ? null : new Date(), updatedAt: new Date() })
    .where(eq(users.id, userId))
    .returning({ id: users.id });
  const row = auditInsert(db, scope, {
    action,
    resourceType: "user",
    resourceId: userId,
    outcome: "success",
  });
  if (active) {
    const [changed] = await db.batch([update, row]);
    if (changed.length === 0) throw new AppError("not_found", "No such user");
    return { id: userId, active, sessionsRevoked: 0 };
  }
  // The denylist is written before the sessions are revoked (revokeSessions), so a deactivated
  // account never keeps a working access token.
  const open = await db.select({ id: sessions.id, expiresAt: sessions.expiresAt }).from(sessions).where(live);
  const revoked = await revokeSessions(scope, open, async () => {
    const [changed, ids] = await db.batch([
      update,
      db
        .update(sessions)
        .set({ revokedAt: new Date(), revokedReason: "deactivated" })
        .where(live)
        .returning({ id: sessions.id }),
      row,
    ]);
    if (changed.length === 0) throw new AppError("not_found", "No such user");
    return ids.map((s) => s.id);
  });
  return { id: userId, active, sessionsRevoked: revoked.length };
}
