import { eq } from "drizzle-orm";
import { users } from "../../db/schema";
import type { Scope } from "../scope";
import { isRegion, REGIONS, type Region } from "../vocabulary";

/** Redis key of the non-PHI user → region map (written at sign-up, repaired on a miss). */
export const userRegionKey = (userId: string) => `user-region:${userId}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The residency region holding a user's data: one Redis read, or on a miss a lookup in every
 * regional database (then the map is repaired). Null when no such user exists. It never guesses:
 * a Redis miss or outage falls back to the databases.
 */
export async function regionOfUser(scope: Scope, userId: string): Promise<Region | null> {
  if (!UUID.test(userId)) return null;
  const redis = scope.redis();
  // Redis is only a cache: when it is down or slow the databases answer, never a default region.
  const cached = await redis.get<string>(userRegionKey(userId)).catch(() => null);
  if (isRegion(cached)) return cached;
  const found = await Promise.all(
    REGIONS.map(async (region) => {
      const rows = await scope
        .db(region)
        .select({ id: users.id })
        .from(users)
        .where(eq(users.id, userId))
        .limit(1);
      return rows.length > 0 ? region : null;
    }),
  );
  const region = found.find((r): r is Region => r !== null) ?? null;
  if (region) await redis.set(userRegionKey(userId), region).catch(() => undefined);
  return region;
}
