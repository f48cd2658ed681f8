import { eq } from "drizzle-orm";
import { users } from "../../db/schema";
import { userRegionKey } from "../../lib/care-data/region";
import { toHex, utf8Encode } from "../../lib/crypto/encoding";
import type { Scope } from "../../lib/scope";
import { isRegion, REGIONS, type Region } from "../../lib/vocabulary";

/**
 * The only cross-region data: keyed hash of an email → (region, user id). No PHI, no email.
 * Lives in Redis (global); on a miss every regional database is asked and the entry repaired.
 */
const dirKey = (emailHash: string) => `dir:${emailHash}`;

export interface DirectoryEntry {
  region: Region;
  userId: string;
}

const keyCache = new Map<string, CryptoKey>();

/** Normalises and HMACs an email with EMAIL_HASH_KEY, so a database leak does not list emails. */
export async function emailHash(secret: string, email: string): Promise<string> {
  let key = keyCache.get(secret);
  if (!key) {
    key = await crypto.subtle.importKey("raw", utf8Encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
    ]);
    keyCache.set(secret, key);
  }
  const mac = await crypto.subtle.sign("HMAC", key, utf8Encode(email.trim().toLowerCase().normalize("NFKC")));
  return toHex(new Uint8Array(mac));
}

export async function lookupDirectory(scope: Scope, hash: string): Promise<DirectoryEntry | null> {
  const redis = scope.redis();
  const hit = await redis.get<DirectoryEntry>(dirKey(hash));
  if (hit && isRegion(hit.region)) return hit;
  const found = await Promise.all(
    REGIONS.map(async (region) => {
      const [row] = await scope
        .db(region)
        .select({ id: users.id })
        .from(users)
        .where(eq(users.emailHash, hash));
      return row ? { region, userId: row.id } : null;
    }),
  );
  const entry = found.find((e): e is DirectoryEntry => e !== null) ?? null;
  if (entry) await writeDirectory(scope, hash, entry);
  return entry;
}

export async function writeDirectory(scope: Scope, hash: string, entry: DirectoryEntry): Promise<void> {
  const p = scope.redis().pipeline();
  p.set(dirKey(hash), entry);
  p.set(userRegionKey(entry.userId), entry.region);
  await p.exec();
}
