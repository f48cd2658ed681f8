import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { refreshTokens, sessions, users } from "../../db/schema";
import { auditInsert } from "../../lib/audit";
import { AppError } from "../../lib/errors";
import {
  ACCESS_TTL_SECONDS,
  denylistKey,
  type Principal,
  REFRESH_TTL_SECONDS,
  sessionDenylistKey,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
} from "../../lib/principal";
import type { Scope } from "../../lib/scope";
import { isRegion, type Region, type Role } from "../../lib/vocabulary";
import { randomToken, sha256Hex, signAccessToken } from "../auth/jwt";

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  tokenType: "Bearer";
}

interface SessionUser {
  id: string;
  role: Role;
  region: Region;
}

/** Refresh tokens carry their region so the right database is asked: `<region>.<random>`. */
function newRefreshToken(region: Region): string {
  return `${region}.${randomToken(32)}`;
}

function regionOfToken(token: string): Region | null {
  const region = token.split(".", 1)[0];
  return isRegion(region) ? region : null;
}

async function accessToken(scope: Scope, user: SessionUser, sid: string, mfa: boolean): Promise<string> {
  return signAccessToken(
    { sub: user.id, role: user.role, region: user.region, sid, jti: crypto.randomUUID(), mfa },
    scope.config.JWT_SECRET,
    { ttlSeconds: ACCESS_TTL_SECONDS, issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE },
  );
}

/**
 * Starts a session (a refresh-token family): session row, hashed refresh token and the
 * `auth.login` audit row in ONE batch (one round trip, one transaction).
 */
export async function startSession(scope: Scope, user: SessionUser, mfa: "none" | "totp" | "recovery") {
  const db = scope.db(user.region);
  const sid = crypto.randomUUID();
  const refresh = newRefreshToken(user.region);
  const expiresAt = new Date(Date.now() + REFRESH_TTL_SECONDS * 1000);
  await db.batch([
    db.insert(sessions).values({
      id: sid,
      userId: user.id,
      mfa,
      expiresAt,
      userAgent: scope.audit.userAgent,
    }),
    db.insert(refreshTokens).values({ tokenHash: await sha256Hex(refresh), sessionId: sid, expiresAt }),
    auditInsert(db, scope, {
      action: "auth.login",
      resourceType: "session",
      resourceId: sid,
      outcome: "success",
      actorId: user.id,
      actorRole: user.role,
      patientId: user.role === "patient" ? user.id : null,
    }),
  ]);
  const tokens: IssuedTokens = {
    accessToken: await accessToken(scope, user, sid, mfa !== "none"),
    refreshToken: refresh,
    expiresIn: ACCESS_TTL_SECONDS,
    tokenType: "Bearer",
  };
  return { sid, tokens };
}

/**
 * Rotates a refresh token. Presenting a token that was already used means it was copied: the
 * whole session family is revoked and audited (`auth.refresh_reuse`). Only tokens of live sessions
 * are spent: an unused token of a signed-out or expired session is refused as it is, not marked
 * used (marking it made its own refusal look like reuse, a false theft alarm in the audit trail).
 */
export async function rotateRefreshToken(scope: Scope, presented: string): Promise<IssuedTokens> {
  const region = regionOfToken(presented);
  if (!region) throw new AppError("unauthorized", "Invalid or expired credentials");
  const db = scope.db(region);
  const hash = await sha256Hex(presented);
  const rotated = await db.execute<{
    session_id: string;
    user_id: string;
    role: Role;
    region: Region;
    mfa: string;
  }>(sql`
    with spent as (
      update ${refreshTokens} rt set used_at = now()
      from ${sessions} live
      where rt.token_hash = ${hash} and rt.used_at is null and rt.expires_at > now()
        and live.id = rt.session_id and live.revoked_at is null and live.expires_at > now()
      returning rt.session_id
    )
    select s.id as session_id, u.id as user_id, u.role, u.region, s.mfa
    from spent join ${sessions} s on s.id = spent.session_id join ${users} u on u.id = s.user_id
    where s.revoked_at is null and s.expires_at > now()`);
  const row = rotated.rows[0];
  if (!row) {
    const [reused] = await db
      .select({
        sessionId: refreshTokens.sessionId,
        expiresAt: sessions.expiresAt,
        userId: sessions.userId,
        role: users.role,
      })
      .from(refreshTokens)
      .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(refreshTokens.tokenHash, hash), sql`${refreshTokens.usedAt} is not null`));
    if (reused) {
      await revokeSessions(scope, [{ id: reused.sessionId, expiresAt: reused.expiresAt }], async () => {
        const [rows] = await db.batch([
          db
            .update(sessions)
            .set({ revokedAt: new Date(), revokedReason: "refresh_reuse" })
            .where(and(eq(sessions.id, reused.sessionId), isNull(sessions.revokedAt)))
            .returning({ id: sessions.id }),
          auditInsert(db, scope, {
            action: "auth.refresh_reuse",
            resourceType: "session",
            resourceId: reused.sessionId,
            outcome: "denied",
            actorId: reused.userId,
            actorRole: reused.role,
          }),
        ]);
        return rows.map((r) => r.id);
      });
    }
    throw new AppError("unauthorized", "Invalid or expired credentials");
  }
  const refresh = newRefreshToken(region);
  const expiresAt = new Date(Date.now() + REFRESH_TTL_SECONDS * 1000);
  await db.batch([
    db
      .insert(refreshTokens)
      .values({ tokenHash: await sha256Hex(refresh), sessionId: row.session_id, expiresAt }),
    db.update(sessions).set({ lastUsedAt: new Date() }).where(eq(sessions.id, row.session_id)),
  ]);
  const user = { id: row.user_id, role: row.role, region: row.region };
  return {
    accessToken: await accessToken(scope, user, row.session_id, row.mfa !== "none"),
    refreshToken: refresh,
    expiresIn: ACCESS_TTL_SECONDS,
    tokenType: "Bearer",
  };
}

/**
 * Seconds beyond the access-token lifetime that a session's denylist entry is kept: it covers a
 * token minted by a refresh that raced the revocation's commit (the commit's deadline is at most
 * a few seconds).
 */
const DENYLIST_MARGIN_SECONDS = 60;

/** A session about to be revoked, as read before the revocation. */
export interface OpenSession {
  id: string;
  /** The session family's own end: no token of it can be minted afterwards. */
  expiresAt: Date;
}

/**
 * Revokes sessions so that a session Postgres calls revoked never has a working access token
 * (issue 15: Postgres first, then Redis, let a failed denylist write leave revoked sessions'
 * tokens working for up to 15 minutes):
 *
 * 1. the sessions are written to the Redis denylist **before** anything is revoked — if that
 *    write fails the caller answers 503 and nothing is revoked (a retry starts again);
 * 2. `commit` revokes them in Postgres (with its audit row) and returns the ids it revoked;
 * 3. an id the commit revoked that step 1 did not know (a session started meanwhile) is
 *    denylisted too.
 *
 * If the commit fails after step 1, the denylist entries are stretched to the sessions' own end
 * (best effort) so their refresh tokens cannot mint working access tokens later; the caller
 * still answers 503. `authenticate` is unchanged: one EXISTS per request, as before.
 *
 * @example
 * await revokeSessions(scope, open, async () =>
 *   (await db.update(sessions).set({ revokedAt: new Date() }).where(...).returning({ id: sessions.id }))
 *     .map((r) => r.id));
 */
export async function revokeSessions(
  scope: Scope,
  open: OpenSession[],
  commit: () => Promise<string[]>,
  current?: Principal,
): Promise<string[]> {
  await denylistSessions(
    scope,
    open.map((s) => s.id),
    current,
  );
  let revoked: string[];
  try {
    revoked = await commit();
  } catch (err) {
    await extendDenylist(scope, open).catch(() => undefined);
    throw err;
  }
  const known = new Set(open.map((s) => s.id));
  const late = revoked.filter((id) => !known.has(id));
  if (late.length > 0) await denylistSessions(scope, late);
  return revoked;
}

/** Keeps denylist entries until each session's own end (a revocation whose commit failed). */
async function extendDenylist(scope: Scope, open: OpenSession[]): Promise<void> {
  if (open.length === 0) return;
  const now = Date.now();
  const p = scope.redis().pipeline();
  for (const s of open) {
    const seconds = Math.ceil((s.expiresAt.getTime() - now) / 1000);
    if (seconds > ACCESS_TTL_SECONDS + DENYLIST_MARGIN_SECONDS) p.expire(sessionDenylistKey(s.id), seconds);
  }
  if (p.length() > 0) await p.exec();
}

/**
 * Revokes one of the principal's sessions (sign-out, or from the security page). Idempotent: a
 * retry after a 503 finds the session already revoked, writes its denylist entry again while
 * its tokens could still be alive, and succeeds — it never answers success while a token of a
 * session it revoked still works. Another user's session is a 404.
 */
export async function revokeSession(scope: Scope, principal: Principal, sessionId: string, reason: string) {
  const db = scope.db(principal.region);
  const [session] = await db
    .select({ id: sessions.id, expiresAt: sessions.expiresAt, revokedAt: sessions.revokedAt })
    .from(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, principal.userId)));
  if (!session) throw new AppError("not_found", "No such session");
  const current = sessionId === principal.sessionId ? principal : undefined;
  if (session.revokedAt) {
    const alive = session.revokedAt.getTime() + (ACCESS_TTL_SECONDS + DENYLIST_MARGIN_SECONDS) * 1000;
    if (alive > Date.now() || current) await denylistSessions(scope, [sessionId], current);
    return;
  }
  await revokeSessions(
    scope,
    [session],
    async () =>
      (
        await db
          .update(sessions)
          .set({ revokedAt: new Date(), revokedReason: reason })
          .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
          .returning({ id: sessions.id })
      ).map((r) => r.id),
    current,
  );
}

/**
 * Refuses the access tokens of sessions until the longest-lived one would have expired (one
 * Redis round trip). `current` also denylists the caller's own token by jti, for sign-out.
 * Call it through {@link revokeSessions}, which orders it before the Postgres revocation.
 */
export async function denylistSessions(
  scope: Scope,
  sessionIds: string[],
  current?: Principal,
): Promise<void> {
  if (sessionIds.length === 0 && !current) return;
  const p = scope.redis().pipeline();
  for (const id of sessionIds)
    p.set(sessionDenylistKey(id), 1, { ex: ACCESS_TTL_SECONDS + DENYLIST_MARGIN_SECONDS });
  if (current) {
    p.set(denylistKey(current.jti), 1, { ex: Math.max(1, current.exp - Math.floor(Date.now() / 1000)) });
  }
  await p.exec();
}

/** Active sessions of the principal, for the security page. */
export async function listSessions(scope: Scope, principal: Principal) {
  const db = scope.db(principal.region);
  const rows = await db
    .select({
      id: sessions.id,
      userAgent: sessions.userAgent,
      createdAt: sessions.createdAt,
      lastUsedAt: sessions.lastUsedAt,
      mfa: sessions.mfa,
    })
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, principal.userId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, new Date()),
      ),
    );
  return rows.map((r) => ({ ...r, current: r.id === principal.sessionId }));
}
