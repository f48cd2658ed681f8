import { and, desc, eq, ne, type SQL, sql } from "drizzle-orm";
import { careTeam, users } from "../../db/schema";
import { type AuditEvent, audit, auditInsert } from "../../lib/audit";
import { AppError } from "../../lib/errors";
import type { Principal } from "../../lib/principal";
import type { Scope } from "../../lib/scope";
import { REGIONS, type Region } from "../../lib/vocabulary";
import { displayNames, findUser } from "./access";

type Status = (typeof careTeam.$inferSelect)["status"];
type Event = Pick<AuditEvent, "action" | "resourceType">;

export interface Membership {
  id: string;
  patientId: string;
  clinicianId: string;
  status: Status;
}

const careTeamEvent = (action: string): Event => ({ action, resourceType: "care_team" });
const notFound = (what: string) => new AppError("not_found", `No such ${what}`);

/** The Postgres error code of a failed query, whether drizzle wrapped the driver error or not. */
function sqlState(err: unknown): string | undefined {
  for (let e: unknown = err; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    if ("code" in e && typeof e.code === "string") return e.code;
  }
  return undefined;
}

/** Inserts a relationship with its audit row in one transaction; a live duplicate is a 409. */
async function insertMembership(
  scope: Scope,
  p: Principal,
  region: Region,
  values: Omit<Membership, "id">,
  action: string,
): Promise<Membership> {
  const db = scope.db(region);
  const id = crypto.randomUUID();
  const event = { ...careTeamEvent(action), resourceId: id, patientId: values.patientId };
  try {
    await db.batch([
      db.insert(careTeam).values({ id, ...values, createdBy: p.userId }),
      auditInsert(db, scope, { ...event, outcome: "success" }),
    ]);
  } catch (err) {
    if (sqlState(err) !== "23505") throw err;
    await audit(scope, region, { ...event, resourceId: null, outcome: "failure" });
    throw new AppError("conflict", "This clinician is already on the care team or has a pending invitation");
  }
  return { id, ...values };
}

/** Audits a refused care-team change (in the patient's region when known) and answers 404. */
async function deny(
  scope: Scope,
  region: Region,
  action: string,
  what: string,
  patientId?: string,
): Promise<never> {
  await audit(scope, region, { ...careTeamEvent(action), patientId: patientId ?? null, outcome: "denied" });
  throw notFound(what);
}

/** A patient invites a clinician (any region); the clinician must accept. */
export async function invite(scope: Scope, p: Principal, clinicianId: string): Promise<Membership> {
  const clinician = await findUser(scope, clinicianId, "clinician");
  if (!clinician) return deny(scope, p.region, "care_team.invite", "clinician", p.userId);
  const values = { patientId: p.userId, clinicianId, status: "pending_clinician" as const };
  return insertMembership(scope, p, p.region, values, "care_team.invite");
}

/** A clinician asks to join a patient's team; the patient must accept. */
export async function requestToJoin(scope: Scope, p: Principal, patientId: string): Promise<Membership> {
  const patient = await findUser(scope, patientId, "patient");
  if (!patient) return deny(scope, p.region, "care_team.request", "patient");
  const values = { patientId, clinicianId: p.userId, status: "pending_patient" as const };
  return insertMembership(scope, p, patient.region, values, "care_team.request");
}

/** An admin puts a clinician on a patient's team directly (a pending row becomes active). */
export async function assign(
  scope: Scope,
  p: Principal,
  patientId: string,
  clinicianId: string,
): Promise<Membership> {
  const [patient, clinician] = await Promise.all([
    findUser(scope, patientId, "patient"),
    findUser(scope, clinicianId, "clinician"),
  ]);
  if (!patient) return deny(scope, p.region, "care_team.assign", "patient");
  if (!clinician) return deny(scope, patient.region, "care_team.assign", "clinician", patientId);
  const db = scope.db(patient.region);
  const [[row]] = await db.batch([
    db
      .insert(careTeam)
      .values({ patientId, clinicianId, status: "active", createdBy: p.userId })
      .onConflictDoUpdate({
        target: [careTeam.patientId, careTeam.clinicianId],
        targetWhere: sql`status <> 'removed'`,
        set: { status: "active", updatedAt: sql`now()` },
      })
      .returning({ id: careTeam.id }),
    auditInsert(db, scope, { ...careTeamEvent("care_team.assign"), patientId, outcome: "success" }),
  ]);
  if (!row) throw new AppError("internal");
  return { id: row.id, patientId, clinicianId, status: "active" };
}

const rowColumns = { id: careTeam.id, patientId: careTeam.patientId, clinicianId: careTeam.clinicianId };

async function findRow(scope: Scope, region: Region, match: SQL) {
  const [row] = await scope.db(region).select(rowColumns).from(careTeam).where(match).limit(1);
  return row ? { ...row, region } : null;
}

/**
 * Moves a row found with `match` to `to`, with its audit row in the same transaction. The update
 * repeats `match`, so a concurrent change cannot be overwritten. No row is an audited 404.
 */
async function transition(
  scope: Scope,
  found: (Omit<Membership, "status"> & { region: Region }) | null,
  fallback: Region,
  match: SQL,
  to: Status,
  action: string,
): Promise<Membership> {
  if (!found) return deny(scope, fallback, action, "care team relationship");
  const { region, ...row } = found;
  const db = scope.db(region);
  await db.batch([
    db
      .update(careTeam)
      .set({ status: to, updatedAt: sql`now()` })
      .where(and(eq(careTeam.id, row.id), match)),
    auditInsert(db, scope, {
      ...careTeamEvent(action),
      resourceId: row.id,
      patientId: row.patientId,
      outcome: "success",
    }),
  ]);
  return { ...row, status: to };
}

/** A clinician accepts a patient's invitation. It lives in the patient's region: all are asked in parallel. */
export async function acceptInvitation(
  scope: Scope,
  p: Principal,
  invitationId: string,
): Promise<Membership> {
  const match = and(
    eq(careTeam.id, invitationId),
    eq(careTeam.clinicianId, p.userId),
    eq(careTeam.status, "pending_clinician"),
  )!;
  const found = await Promise.all(REGIONS.map((region) => findRow(scope, region, match)));
  return transition(
    scope,
    found.find((r) => r !== null) ?? null,
    p.region,
    match,
    "active",
    "care_team.accept",
  );
}

/** A patient accepts a clinician's request to join. */
export async function acceptRequest(scope: Scope, p: Principal, clinicianId: string): Promise<Membership> {
  const match = and(
    eq(careTeam.patientId, p.userId),
    eq(careTeam.clinicianId, clinicianId),
    eq(careTeam.status, "pending_patient"),
  )!;
  return transition(
    scope,
    await findRow(scope, p.region, match),
    p.region,
    match,
    "active",
    "care_team.accept",
  );
}

/** A patient removes a clinician (or withdraws an invitation): access ends with this commit. */
export async function remove(scope: Scope, p: Principal, clinicianId: string): Promise<Membership> {
  const match = and(
    eq(careTeam.patientId, p.userId),
    eq(careTeam.clinicianId, clinicianId),
    ne(careTeam.status, "removed"),
  )!;
  return transition(
    scope,
    await findRow(scope, p.region, match),
    p.region,
    match,
    "removed",
    "care_team.remove",
  );
}

/** The patient's team (every live relationship) with clinicians' display names. */
export async function listTeam(scope: Scope, p: Principal) {
  const db = scope.db(p.region);
  const [rows] = await db.batch([
    db
      .select()
      .from(careTeam)
      .where(and(eq(careTeam.patientId, p.userId), ne(careTeam.status, "removed")))
      .orderBy(desc(careTeam.createdAt)),
    auditInsert(db, scope, { ...careTeamEvent("care_team.read"), patientId: p.userId, outcome: "success" }),
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
export async function listForClinician(scope: Scope, p: Principal, status: Status, action: string) {
  const perRegion = await Promise.all(
    REGIONS.map(async (region) => {
      const db = scope.db(region);
      const [rows] = await db.batch([
        db
          .select({
            id: careTeam.id,
            patientId: careTeam.patientId,
            displayName: users.displayName,
            createdAt: careTeam.createdAt,
          })
          .from(careTeam)
          .innerJoin(users, eq(users.id, careTeam.patientId))
          .where(and(eq(careTeam.clinicianId, p.userId), eq(careTeam.status, status))),
        auditInsert(db, scope, { ...careTeamEvent(action), outcome: "success" }),
      ]);
      return rows;
    }),
  );
  return perRegion.flat().sort((a, b) => a.displayName.localeCompare(b.displayName));
}
