import { eq } from "drizzle-orm";
import { users } from "../../db/schema";
import type { Scope } from "../scope";
import { isRegion, REGIONS, type Region } from "../vocabulary";

/** Redis key of the non-PHI user → region map (written at sign-up, repaired on a miss). */
export const userRegionKey = (userId: string) => `user-region:${userId}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Thrown when a user's region cannot be known right now (directory and some database unreachable). */
export class RegionUnknown extends Error {
  override readonly name = "RegionUnknown";
  constructor() {
    super("region_unknown");
  }
}

/**
 * The residency region holding a user's data: one Redis read, or on a miss a lookup in every
 * regional database (then the map is repaired). Null only when every region answered and none
 * holds the user. It never guesses: a Redis miss or outage falls back to the databases, and when
 * the user is found nowhere but some region could not be asked it throws {@link RegionUnknown}
 * (the caller answers an error or retries, never sends data to the wrong region).
 */
export async function regionOfUser(scope: Scope, userId: string): Promise<Region | null> {
  if (!UUID.test(userId)) return null;
  const redis = scope.redis();
  // Redis is only a cache: when it is down or slow the databases answer, never a default region.
  const cached = await redis.get<string>(userRegionKey(userId)).catch(() => null);
  if (isRegion(cached)) return cached;
  const answers = await Promise.allSettled(
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
  for (const a of answers) {
    if (a.status === "fulfilled" && a.value) {
      await redis.set(userRegionKey(userId), a.value).catch(() => undefined);
      return a.value;
    }
  }
  if (answers.some((a) => a.status === "rejected")) throw new RegionUnknown();
  return null;
}
