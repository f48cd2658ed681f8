import { and, desc, eq, ne, type SQL, sql } from "drizzle-orm";
import { breakGlass, careTeam, users } from "../../db/schema";
import type { Database } from "../db";
import type { Scope } from "../scope";
import type { Region } from "../vocabulary";

export type MembershipStatus = (typeof careTeam.$inferSelect)["status"];

/** A care-team operation (audited with resource type `care_team`). */
export const careTeamOp = (action: string, resourceId: string | null = null) =>
  ({ action, resourceType: "care_team", resourceId }) as const;
export const breakGlassOp = (action: string, resourceId: string | null = null) =>
  ({ action, resourceType: "break_glass", resourceId }) as const;

/** A live (not removed) relationship between a patient and a clinician. */
export const liveMembership = (patientId: string, clinicianId: string): SQL =>
  and(
    eq(careTeam.patientId, patientId),
    eq(careTeam.clinicianId, clinicianId),
    ne(careTeam.status, "removed"),
  )!;

/** A relationship of one status between a patient and a clinician. */
export const membershipWith = (patientId: string, clinicianId: string, status: MembershipStatus): SQL =>
  and(eq(careTeam.patientId, patientId), eq(careTeam.clinicianId, clinicianId), eq(careTeam.status, status))!;

/** A patient's invitation to this clinician, still waiting for them. */
export const pendingInvitation = (invitationId: string, clinicianId: string): SQL =>
  and(
    eq(careTeam.id, invitationId),
    eq(careTeam.clinicianId, clinicianId),
    eq(careTeam.status, "pending_clinician"),
  )!;

/**
 * The relationship matching `match` in `region`, or null: part of the access decision for a
 * transition (the transition itself is audited with its update in `careData(scope).run`).
 */
export async function findMembership(scope: Scope, region: Region, match: SQL) {
  const [row] = await scope
    .db(region)
    .select({ id: careTeam.id, patientId: careTeam.patientId, clinicianId: careTeam.clinicianId })
    .from(careTeam)
    .where(match)
    .limit(1);
  return row ? { ...row, region } : null;
}

/** Inserts a new relationship (a live duplicate fails with SQLSTATE 23505). */
export function insertMembership(
  db: Database,
  row: { id?: string; patientId: string; clinicianId: string; status: MembershipStatus; createdBy: string },
) {
  return db.insert(careTeam).values(row);
}

/** Makes the pair's relationship active (inserting it, or activating a pending one); returns its id. */
export function assignMembership(db: Database, patientId: string, clinicianId: string, createdBy: string) {
  return db
    .insert(careTeam)
    .values({ patientId, clinicianId, status: "active", createdBy })
    .onConflictDoUpdate({
      target: [careTeam.patientId, careTeam.clinicianId],
      targetWhere: sql`status <> 'removed'`,
      set: { status: "active", updatedAt: sql`now()` },
    })
    .returning({ id: careTeam.id });
}

/** Moves relationship `id` to `to`, repeating `match` so a concurrent change is not overwritten. */
export function transitionMembership(db: Database, id: string, match: SQL, to: MembershipStatus) {
  return db
    .update(careTeam)
    .set({ status: to, updatedAt: sql`now()` })
    .where(and(eq(careTeam.id, id), match));
}

/** A patient's live relationships, newest first. */
export function teamQuery(db: Database, patientId: string) {
  return db
    .select()
    .from(careTeam)
    .where(and(eq(careTeam.patientId, patientId), ne(careTeam.status, "removed")))
    .orderBy(desc(careTeam.createdAt));
}

/** A clinician's relationships of one status in one region, with the patients' display names. */
export function clinicianRelationsQuery(db: Database, clinicianId: string, status: MembershipStatus) {
  return db
    .select({
      id: careTeam.id,
      patientId: careTeam.patientId,
      displayName: users.displayName,
      createdAt: careTeam.createdAt,
    })
    .from(careTeam)
    .innerJoin(users, eq(users.id, careTeam.patientId))
    .where(and(eq(careTeam.clinicianId, clinicianId), eq(careTeam.status, status)));
}

/**
 * For opening break-glass: the patient's wrapped data key and whether `actorId` is already on the
 * active team (part of the access decision; the grant is audited with its insert).
 */
export async function breakGlassTarget(scope: Scope, region: Region, patientId: string, actorId: string) {
  const [row] = await scope
    .db(region)
    .select({
      wrapped: users.dataKeyWrapped,
      onTeam: sql<boolean>`exists (select 1 from ${careTeam} where ${membershipWith(patientId, actorId, "active")})`,
    })
    .from(users)
    .where(eq(users.id, patientId));
  return row ?? null;
}

/** Break-glass grants last one hour; the clock is the patient database's `now()`. */
const BREAK_GLASS_UNTIL = sql`now() + interval '60 minutes'`;

/** Inserts a one-hour grant; returns when it opened and expires. */
export function insertBreakGlass(
  db: Database,
  row: {
    id: string;
    patientId: string;
    actorId: string;
    actorRole: "clinician" | "admin";
    reasonEnc: string;
  },
) {
  return db
    .insert(breakGlass)
    .values({ ...row, expiresAt: BREAK_GLASS_UNTIL })
    .returning({ openedAt: breakGlass.createdAt, expiresAt: breakGlass.expiresAt });
}

/** Every break-glass grant on a patient, newest first (reasons still encrypted). */
export function breakGlassLogQuery(db: Database, patientId: string) {
  return db
    .select()
    .from(breakGlass)
    .where(eq(breakGlass.patientId, patientId))
    .orderBy(desc(breakGlass.createdAt));
}
