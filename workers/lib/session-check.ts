import { sql } from "drizzle-orm";
import { sessions } from "../db/schema";
import { AppError } from "./errors";
import { inc } from "./metrics/recorder";
import type { Principal } from "./principal";

/**
 * A session check inside a route's own Postgres statement, in addition to the Redis denylist that
 * `authenticate` reads for every request. Postgres records every revocation (sign-out, session
 * revoke, refresh-token reuse, password reset and change, role change, deactivation, erasure), so
 * this also refuses tokens of a session revoked where no denylist entry exists.
 *
 * It was first tried INSTEAD of the denylist read on GET /v1/me (issue 16: the Upstash call is
 * about half of that route's Worker CPU) and withdrawn: revocation writes the denylist before
 * Postgres, and a Postgres failure after the denylist write left that route serving a token every
 * other route refused (test/faults/revocation.fault.ts). Skipping the denylist needs a revocation
 * that lands in both stores atomically first.
 */
/** A boolean column for the route's select: the principal's session exists, is unrevoked and unexpired. */
export function sessionLive(p: Principal) {
  return sql<boolean>`exists (select 1 from ${sessions} where ${sessions.id} = ${p.sessionId} and ${sessions.userId} = ${p.userId} and ${sessions.revokedAt} is null and ${sessions.expiresAt} > now())`;
}

/** Records the statement's answer: a dead session is a 401, exactly as the denylist's would be. */
export function confirmLiveSession(live: boolean | null | undefined): void {
  if (live !== true) {
    inc("auth_failures_total", { reason: "revoked" });
    throw new AppError("unauthorized", "Invalid or expired credentials");
  }
}
