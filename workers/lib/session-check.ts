import { sql } from "drizzle-orm";
import { sessions } from "../db/schema";
import { AppError } from "./errors";
import { inc } from "./metrics/recorder";
import type { Principal } from "./principal";

/**
 * The revocation check riding on a route's own Postgres statement instead of the Redis denylist
 * read (issue 16: the Upstash call was ≈ half of `GET /v1/me`'s Worker CPU and its only Redis
 * round trip).
 *
 * Postgres is the record of every revocation: sign-out, session revoke, refresh-token reuse,
 * password reset and change, role change, deactivation and erasure all set `sessions.revoked_at`
 * (before, or instead of, writing the Redis denylist), and a session row that is gone (erasure,
 * account deletion) is not live either. So `sessionLive` refuses at least every token the denylist
 * refuses — also those of a password reset, which writes no denylist entry.
 *
 * Only side-effect-free reads opt in (the list below): the route's single statement reads the data
 * and the session together, and nothing happens before it. Fail closed: `authenticate` turns any
 * successful answer of an opted-in route into a 401 unless the route called
 * {@link confirmLiveSession} with a true result, so a route that forgets the check cannot serve.
 */
const IN_STATEMENT = new Set(["GET /v1/me"]);

export function revocationInStatement(method: string, path: string): boolean {
  return IN_STATEMENT.has(`${method} ${path}`);
}

/** A boolean column for the route's select: the principal's session exists, is unrevoked and unexpired. */
export function sessionLive(p: Principal) {
  return sql<boolean>`exists (select 1 from ${sessions} where ${sessions.id} = ${p.sessionId} and ${sessions.userId} = ${p.userId} and ${sessions.revokedAt} is null and ${sessions.expiresAt} > now())`;
}

const confirmed = new WeakSet<Principal>();

/** Records the statement's answer: a dead session is a 401, exactly as the denylist's would be. */
export function confirmLiveSession(p: Principal, live: boolean | null | undefined): void {
  if (live !== true) {
    inc("auth_failures_total", { reason: "revoked" });
    throw new AppError("unauthorized", "Invalid or expired credentials");
  }
  confirmed.add(p);
}

export function liveSessionConfirmed(p: Principal): boolean {
  return confirmed.has(p);
}
