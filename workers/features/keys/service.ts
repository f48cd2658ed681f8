import { eq, like, not } from "drizzle-orm";
import { users } from "../../db/schema";
import { auditInsert } from "../../lib/audit";
import { rewrapDataKey } from "../../lib/crypto/envelope";
import type { Scope } from "../../lib/scope";
import { masterKeyring } from "../../lib/user-cipher";
import type { Region } from "../../lib/vocabulary";

const BATCH = 200;

/**
 * Master-key rotation for one region: re-wraps up to `BATCH` users' data keys that are not yet
 * under the current master key (field ciphertexts are untouched — only the small wrapped keys
 * change). Call until `remaining` is 0, then the old master key can be retired from MASTER_KEYS.
 */
export async function rotateRegion(scope: Scope, region: Region) {
  const ring = masterKeyring(scope.config);
  const db = scope.db(region);
  const stale = await db
    .select({ id: users.id, wrapped: users.dataKeyWrapped })
    .from(users)
    .where(not(like(users.dataKeyWrapped, `mk-${ring.current}:%`)))
    .limit(BATCH + 1);
  const batch = stale.slice(0, BATCH).filter((u): u is { id: string; wrapped: string } => u.wrapped !== null);
  // Compute the new wrapped keys first: awaiting a drizzle builder would execute it.
  const rewrapped = await Promise.all(
    batch.map(async (u) => ({ id: u.id, wrapped: await rewrapDataKey(ring, u.wrapped) })),
  );
  const updates = rewrapped.map((u) =>
    db.update(users).set({ dataKeyWrapped: u.wrapped }).where(eq(users.id, u.id)),
  );
  const auditRow = auditInsert(db, scope, {
    action: "admin.key_rotation",
    resourceType: "master_key",
    resourceId: ring.current,
    outcome: "success",
  });
  await db.batch([auditRow, ...updates]);
  return {
    region,
    currentVersion: ring.current,
    rewrapped: batch.length,
    remaining: Math.max(0, stale.length - BATCH),
  };
}
