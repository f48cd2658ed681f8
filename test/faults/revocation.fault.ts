import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { sessions } from "../../workers/db/schema";
import { signAccessToken } from "../../workers/features/auth/jwt";
import { createDatabase } from "../../workers/lib/db";
import {
  ACCESS_TTL_SECONDS,
  REFRESH_TTL_SECONDS,
  sessionDenylistKey,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
} from "../../workers/lib/principal";
import { createRedis } from "../../workers/lib/redis";
import { createUser, type TestUser, testConfig } from "../fixtures";
import { call, problem, until } from "../helpers";
import { allPass, fault } from "./control";

/**
 * Revocation must never fail open (issue 15): a session that Postgres calls revoked must have no
 * working access token, whatever part of the revocation failed, and a revocation may only
 * answer success once the denylist holds the session. The Redis write (or the Postgres commit)
 * is failed on its own with the proxies' `match`, while every other request passes — the case
 * where a revoked session's tokens used to keep working for up to 15 minutes.
 */

afterEach(allPass);

/** The Redis write of a revocation: a pipeline of `SET denylist:sid:… 1 EX …`. */
const DENYLIST_WRITE = '["set","denylist:sid:';
/** The Postgres commit of a revocation (only the UPDATE names `revoked_reason`). */
const REVOKE_COMMIT = "revoked_reason";

interface Session {
  id: string;
  auth: { authorization: string };
}

/** A real session row of `user` and an access token of it. */
async function openSession(user: TestUser): Promise<Session> {
  const config = testConfig();
  const id = crypto.randomUUID();
  await createDatabase(config, user.region)
    .insert(sessions)
    .values({ id, userId: user.id, expiresAt: new Date(Date.now() + REFRESH_TTL_SECONDS * 1000) });
  const token = await signAccessToken(
    { sub: user.id, role: user.role, region: user.region, sid: id, jti: crypto.randomUUID(), mfa: false },
    config.JWT_SECRET,
    { ttlSeconds: ACCESS_TTL_SECONDS, issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE },
  );
  return { id, auth: { authorization: `Bearer ${token}` } };
}

async function revokedAt(user: TestUser, sessionId: string): Promise<Date | null> {
  const [row] = await createDatabase(testConfig(), user.region)
    .select({ revokedAt: sessions.revokedAt })
    .from(sessions)
    .where(eq(sessions.id, sessionId));
  return row?.revokedAt ?? null;
}

/** Status of an authenticated read with `s`'s token, once Redis answers reads again. */
async function tokenStatus(s: Session): Promise<number> {
  return until(async () => {
    const res = await call("/v1/me", { headers: s.auth });
    return res.status === 503 ? undefined : res.status;
  }, 10_000);
}

/** The invariant: a session Postgres calls revoked has no working token. */
async function expectNoRevokedSessionWorks(user: TestUser, s: Session): Promise<void> {
  const status = await tokenStatus(s);
  if ((await revokedAt(user, s.id)) !== null) expect(status).toBe(401);
}

const revoke = (by: Session, target: Session) =>
  call(`/v1/me/sessions/${target.id}`, { method: "DELETE", headers: by.auth });

/** Retries like a client after a 503, until the breaker has closed again. */
const retried = (send: () => Promise<Response>) =>
  until(async () => {
    const res = await send();
    return res.status === 503 ? undefined : res;
  }, 10_000);

describe("revocation when the denylist write fails", () => {
  for (const mode of ["refuse", "drop", "hang"] as const) {
    it(`${mode}: answers 503, no revoked session keeps a working token, the retry revokes it`, async () => {
      const patient = await createUser("patient");
      const a = await openSession(patient);
      const b = await openSession(patient);
      expect(await tokenStatus(b)).toBe(200);

      await fault("upstash", mode, { match: DENYLIST_WRITE });
      const res = await revoke(a, b);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
      expect((await problem(res)).code).toBe("cache_unavailable");
      await fault("upstash", "pass");

      await expectNoRevokedSessionWorks(patient, b);
      // The client retries: the revocation completes, and only then reports success.
      expect((await retried(() => revoke(a, b))).status).toBe(204);
      expect(await revokedAt(patient, b.id)).not.toBeNull();
      expect(await tokenStatus(b)).toBe(401);
      expect(await tokenStatus(a)).toBe(200);
      // Retrying again is still a success (idempotent), not a 404.
      expect((await revoke(a, b)).status).toBe(204);
    });
  }

  it("sign-out whose denylist write is lost: the session is not half-revoked", async () => {
    const patient = await createUser("patient");
    const a = await openSession(patient);
    await fault("upstash", "refuse", { match: DENYLIST_WRITE });
    const res = await call("/v1/auth/logout", { method: "POST", headers: a.auth });
    expect(res.status).toBe(503);
    await fault("upstash", "pass");
    await expectNoRevokedSessionWorks(patient, a);
    expect((await retried(() => call("/v1/auth/logout", { method: "POST", headers: a.auth }))).status).toBe(
      204,
    );
    expect(await revokedAt(patient, a.id)).not.toBeNull();
    expect(await tokenStatus(a)).toBe(401);
  });

  it("Postgres commit fails after the denylist write: 503, the token stays refused for the session's life", async () => {
    const patient = await createUser("patient");
    const a = await openSession(patient);
    const b = await openSession(patient);
    await fault("neon", "refuse", { match: REVOKE_COMMIT });
    const res = await revoke(a, b);
    expect(res.status).toBe(503);
    expect((await problem(res)).code).toBe("database_unavailable");
    await fault("neon", "pass");
    expect(await tokenStatus(b)).toBe(401);
    // Its refresh token could still mint tokens until the retry lands: they stay refused.
    const ttl = await createRedis(testConfig()).ttl(sessionDenylistKey(b.id));
    expect(ttl).toBeGreaterThan(ACCESS_TTL_SECONDS + 120);
    expect((await retried(() => revoke(a, b))).status).toBe(204);
    expect(await revokedAt(patient, b.id)).not.toBeNull();
  });
});
