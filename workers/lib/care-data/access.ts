import { and, eq, gt, sql } from "drizzle-orm";
import { breakGlass, careTeam, users } from "../../db/schema";
import type { Database } from "../db";
import type { Principal } from "../principal";
import type { Scope } from "../scope";
import type { Region } from "../vocabulary";
import { regionOfUser } from "./region";

/**
 * How a principal reaches a patient's record. `membership` is an operation on the relationship
 * itself (asking to join a team, accepting an invitation, opening break-glass, an admin's
 * assignment): it reaches no health data, and `open` never grants it.
 */
export type AccessVia = "self" | "care_team" | "break_glass" | "membership";

export interface PatientAccess {
  patientId: string;
  region: Region;
  via: AccessVia;
}

/**
 * Decides, in the data layer, whether `principal` may touch `patientId`'s health data:
 * the patient themself; a clinician on the patient's ACTIVE care team; or a clinician/admin with
 * an unexpired break-glass grant. One query in the patient's region. Null means "no such
 * patient, as far as this principal may know" — callers answer 404 and audit a denial.
 */
export async function resolvePatientAccess(
  scope: Scope,
  principal: Principal,
  patientId: string,
): Promise<PatientAccess | null> {
  if (principal.role === "patient") {
    return principal.userId === patientId ? { patientId, region: principal.region, via: "self" } : null;
  }
  const region = await regionOfUser(scope, patientId);
  if (!region) return null;
  const db = scope.db(region);
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
