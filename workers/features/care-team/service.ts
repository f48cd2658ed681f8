import type { SQL } from "drizzle-orm";
import type { PatientAccess } from "../../lib/care-data/access";
import {
  assignMembership,
  careTeamOp,
  clinicianRelationsQuery,
  findMembership,
  insertMembership,
  liveMembership,
  type MembershipStatus,
  membershipWith,
  pendingInvitation,
  teamQuery,
  transitionMembership,
} from "../../lib/care-data/care-team";
import { careData } from "../../lib/care-data/repository";
import { AppError } from "../../lib/errors";
import type { Principal } from "../../lib/principal";
import type { Scope } from "../../lib/scope";
import { REGIONS } from "../../lib/vocabulary";
import { displayNames, findUser } from "./access";

type Status = MembershipStatus;

export interface Membership {
  id: string;
  patientId: string;
  clinicianId: string;
  status: Status;
}

/** The Postgres error code of a failed query, whether drizzle wrapped the driver error or not. */
function sqlState(err: unknown): string | undefined {
  for (let e: unknown = err; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    if ("code" in e && typeof e.code === "string") return e.code;
  }
  return undefined;
}

/**
 * Inserts a relationship with its audit row in one transaction (the repository's `run`); a live
 * duplicate is audited as a failure by `run` and answered 409.
 */
async function create(
  scope: Scope,
  p: Principal,
  access: PatientAccess,
  values: Omit<Membership, "id" | "patientId">,
  action: string,
): Promise<Membership> {
  const id = crypto.randomUUID();
  const row = { id, patientId: access.patientId, ...values };
  try {
    await careData(scope).run(access, careTeamOp(action, id), (db) => [
      insertMembership(db, { ...row, createdBy: p.userId }),
    ]);
  } catch (err) {
    if (sqlState(err) !== "23505") throw err;
    throw new AppError("conflict", "This clinician is already on the care team or has a pending invitation");
  }
  return row;
}

/** A patient invites a clinician (any region); the clinician must accept. */
export async function invite(scope: Scope, p: Principal, clinicianId: string): Promise<Membership> {
  const care = careData(scope);
  const clinician = await findUser(scope, clinicianId, "clinician");
  if (!clinician) return care.refuse(careTeamOp("care_team.invite"), "clinician", care.self());
  return create(scope, p, care.self(), { clinicianId, status: "pending_clinician" }, "care_team.invite");
}

/** A clinician asks to join a patient's team; the patient must accept. */
export async function requestToJoin(scope: Scope, p: Principal, patientId: string): Promise<Membership> {
  const access = await careData(scope).locate(patientId, careTeamOp("care_team.request"));
  return create(scope, p, access, { clinicianId: p.userId, status: "pending_patient" }, "care_team.request");
}

/** An admin puts a clinician on a patient's team directly (a pending row becomes active). */
export async function assign(
  scope: Scope,
  p: Principal,
  patientId: string,
  clinicianId: string,
): Promise<Membership> {
  const care = careData(scope);
  const op = careTeamOp("care_team.assign");
  const [access, clinician] = await Promise.all([
    care.locate(patientId, op),
    findUser(scope, clinicianId, "clinician"),
  ]);
  if (!clinician) return care.refuse(op, "clinician", access);
  const [[row]] = await care.run(access, op, (db) => [
    assignMembership(db, patientId, clinicianId, p.userId),
  ]);
  if (!row) throw new AppError("internal");
  return { id: row.id, patientId, clinicianId, status: "active" };
}

/**
 * Moves the relationship found with `match` to `to`, with its audit row in the same transaction.
 * The update repeats `match`, so a concurrent change cannot be overwritten. No row is an audited 404.
 */
async function transition(
  scope: Scope,
  found: Awaited<ReturnType<typeof findMembership>>,
  match: SQL,
  to: Status,
  action: string,
): Promise<Membership> {
  const care = careData(scope);
  if (!found) return care.refuse(careTeamOp(action), "care team relationship");
  const { region, ...row } = found;
  const access: PatientAccess = { patientId: row.patientId, region, via: "membership" };
  await care.run(access, careTeamOp(action, row.id), (db) => [transitionMembership(db, row.id, match, to)]);
  return { ...row, status: to };
}

/** A clinician accepts a patient's invitation. It lives in the patient's region: all are asked in parallel. */
export async function acceptInvitation(
  scope: Scope,
  p: Principal,
  invitationId: string,
): Promise<Membership> {
  const match = pendingInvitation(invitationId, p.userId);
  const found = await Promise.all(REGIONS.map((region) => findMembership(scope, region, match)));
  return transition(scope, found.find((r) => r !== null) ?? null, match, "active", "care_team.accept");
}

/** A patient accepts a clinician's request to join. */
export async function acceptRequest(scope: Scope, p: Principal, clinicianId: string): Promise<Membership> {
  const match = membershipWith(p.userId, clinicianId, "pending_patient");
  return transition(scope, await findMembership(scope, p.region, match), match, "active", "care_team.accept");
}

/** A patient removes a clinician (or withdraws an invitation): access ends with this commit. */
export async function remove(scope: Scope, p: Principal, clinicianId: string): Promise<Membership> {
  const match = liveMembership(p.userId, clinicianId);
  return transition(
    scope,
    await findMembership(scope, p.region, match),
    match,
    "removed",
    "care_team.remove",
  );
}

/** The patient's team (every live relationship) with clinicians' display names. */
export async function listTeam(scope: Scope, _p: Principal) {
  const care = careData(scope);
  const access = care.self();
  const [rows] = await care.run(access, careTeamOp("care_team.read"), (db) => [
    teamQuery(db, access.patientId),
  ]);
  const names = await displayNames(
    scope,
    rows.map((r) => r.clinicianId),
  );
  return rows.map((r) => ({
    id: r.id,
    clinicianId: r.clinicianId,
    clinicianDisplayName: names.get(r.clinicianId) ?? null,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  }));
}

/** A clinician's relationships of one status across all regions (queried in parallel), audited per region. */
export async function listForClinician(scope: Scope, _p: Principal, status: Status, action: string) {
  const perRegion = await careData(scope).everyRegion(careTeamOp(action), (db, clinicianId) => [
    clinicianRelationsQuery(db, clinicianId, status),
  ]);
  return perRegion.flatMap(([rows]) => rows).sort((a, b) => a.displayName.localeCompare(b.displayName));
}
