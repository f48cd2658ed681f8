import { and, eq, gt, sql } from "drizzle-orm";
import type { Context } from "hono";
import { breakGlass, careTeam, users } from "../../db/schema";
import { REGIONS, type Region } from "../../lib/config";
import type { AppEnv } from "../../lib/context";
import type { Database } from "../../lib/db";
import type { Principal } from "../../lib/principal";

/** How a principal reaches a patient's record. */
export type AccessVia = "self" | "care_team" | "break_glass";

export interface PatientAccess {
  patientId: string;
  region: Region;
  via: AccessVia;
}

/** Redis key of the non-PHI user → region map (written at sign-up, repaired on a miss). */
export const userRegionKey = (userId: string) => `user-region:${userId}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The residency region holding a user's data: one Redis read, or on a miss a lookup in every
 * regional database (then the map is repaired). Null when no such user exists.
 */
export async function regionOfUser(c: Context<AppEnv>, userId: string): Promise<Region | null> {
  if (!UUID.test(userId)) return null;
  const redis = c.get("redis")();
  const cached = await redis.get<string>(userRegionKey(userId));
  if (cached && (REGIONS as readonly string[]).includes(cached)) return cached as Region;
  const found = await Promise.all(
    REGIONS.map(async (region) => {
      const rows = await c.get("db")(region).select({ id: users.id }).from(users).where(eq(users.id, userId)).limit(1);
      return rows.length > 0 ? region : null;
    }),
  );
  const region = found.find((r): r is Region => r !== null) ?? null;
  if (region) await redis.set(userRegionKey(userId), region);
  return region;
}

/**
 * Decides, in the data layer, whether `principal` may touch `patientId`'s health data:
 * the patient themself; a clinician on the patient's ACTIVE care team; or a clinician/admin with
 * an unexpired break-glass grant. One query in the patient's region. Null means "no such
 * patient, as far as this principal may know" — callers answer 404 and audit a denial.
 */
export async function resolvePatientAccess(
  c: Context<AppEnv>,
  principal: Principal,
  patientId: string,
): Promise<PatientAccess | null> {
  if (principal.role === "patient") {
    return principal.userId === patientId ? { patientId, region: principal.region, via: "self" } : null;
  }
  const region = await regionOfUser(c, patientId);
  if (!region) return null;
  const db = c.get("db")(region);
  const [row] = await db
    .select({
      team: sql<boolean>`exists (select 1 from ${careTeam} where ${and(
        eq(careTeam.patientId, patientId),
        eq(careTeam.clinicianId, principal.userId),
        eq(careTeam.status, "active"),
      )})`,
      glass: sql<boolean>`exists (select 1 from ${breakGlass} where ${and(
        eq(breakGlass.patientId, patientId),
        eq(breakGlass.actorId, principal.userId),
        gt(breakGlass.expiresAt, sql`now()`),
      )})`,
    })
    .from(users)
    .where(and(eq(users.id, patientId), eq(users.role, "patient")));
  if (!row) return null;
  if (principal.role === "clinician" && row.team) return { patientId, region, via: "care_team" };
  if (row.glass) return { patientId, region, via: "break_glass" };
  return null;
}

/** Clinicians on a patient's active care team (for live crisis alerts). */
export async function activeClinicianIds(db: Database, patientId: string): Promise<string[]> {
  const rows = await db
    .select({ id: careTeam.clinicianId })
    .from(careTeam)
    .where(and(eq(careTeam.patientId, patientId), eq(careTeam.status, "active")));
  return rows.map((r) => r.id);
}
