import { eq, sql } from "drizzle-orm";
import { profiles, users } from "../../db/schema";
import type { Database } from "../db";

export const PROFILE_READ = { action: "profile.read", resourceType: "profile" } as const;
export const PROFILE_UPDATE = { action: "profile.update", resourceType: "profile" } as const;

/** The profile's ciphertexts with the subject's wrapped data key. */
export function profileQuery(db: Database, userId: string) {
  return db
    .select({
      wrapped: users.dataKeyWrapped,
      legalName: profiles.legalNameEnc,
      dateOfBirth: profiles.dateOfBirthEnc,
      phone: profiles.phoneEnc,
      emergencyContact: profiles.emergencyContactEnc,
      updatedAt: profiles.updatedAt,
    })
    .from(users)
    .leftJoin(profiles, eq(profiles.userId, users.id))
    .where(eq(users.id, userId));
}

export type ProfileRow = Awaited<ReturnType<typeof profileQuery>>[number];

/** Encrypted profile columns, as the service sealed them. */
export interface SealedProfile {
  legalNameEnc: string | null;
  dateOfBirthEnc: string | null;
  phoneEnc: string | null;
  emergencyContactEnc: string | null;
}

/** Replaces the profile (insert or update), returning its new `updatedAt`. */
export function upsertProfile(db: Database, userId: string, values: SealedProfile) {
  return db
    .insert(profiles)
    .values({ userId, ...values })
    .onConflictDoUpdate({ target: profiles.userId, set: { ...values, updatedAt: sql`now()` } })
    .returning({ updatedAt: profiles.updatedAt });
}
