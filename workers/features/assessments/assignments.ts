import {
  ASSIGNMENT_LIST_MINE,
  ASSIGNMENT_READ,
  ASSIGNMENT_WRITE,
  type AssignableInstrument,
  type AssignmentRow,
  assignWrites,
  dueState,
  endAssignmentWrite,
  openAssignmentsQuery,
  teamAssignmentsQuery,
} from "../../lib/care-data/assessments";
import { careData } from "../../lib/care-data/repository";
import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";
import { instrumentName } from "./instruments";
import type { Assignment, AssignmentList } from "./schema";

/** An assignment row with its due date and state now. */
export function toAssignment(row: AssignmentRow, now = new Date()): Assignment {
  const { dueAt, status } = dueState(row, now);
  return {
    id: row.id,
    patientId: row.patientId,
    clinicianId: row.clinicianId,
    instrument: row.instrument,
    instrumentName: instrumentName(row.instrument),
    cadenceDays: row.cadenceDays,
    startsAt: row.startsAt.toISOString(),
    lastCompletedAt: row.lastCompletedAt ? row.lastCompletedAt.toISOString() : null,
    dueAt: dueAt.toISOString(),
    status,
  };
}

const soonestFirst = (list: Assignment[]) => list.sort((x, y) => x.dueAt.localeCompare(y.dueAt));

/**
 * A clinician on the patient's ACTIVE care team assigns an instrument at a cadence (first due now).
 * Reassigning the same instrument replaces the open assignment. Anyone else: audited 404.
 */
export async function assign(
  scope: Scope,
  patientId: string,
  input: { instrument: AssignableInstrument; cadenceDays: number },
): Promise<Assignment> {
  const care = careData(scope);
  const access = await care.open(patientId, ASSIGNMENT_WRITE);
  const id = crypto.randomUUID();
  const clinicianId = access.via === "care_team" ? (scope.principal?.userId ?? "") : "";
  const [, [row]] = await care.run(access, { ...ASSIGNMENT_WRITE, resourceId: id }, (db) =>
    assignWrites(db, { id, patientId, clinicianId, ...input }),
  );
  if (!row) throw new AppError("internal");
  return toAssignment({ ...row, lastCompletedAt: null });
}

/** Ends one open assignment (care team only). */
export async function endAssignment(scope: Scope, patientId: string, id: string): Promise<void> {
  const care = careData(scope);
  const access = await care.open(patientId, { ...ASSIGNMENT_WRITE, resourceId: id });
  const [rows] = await care.run(access, { ...ASSIGNMENT_WRITE, resourceId: id }, (db) => [
    endAssignmentWrite(db, patientId, id),
  ]);
  if (rows.length === 0) throw new AppError("not_found", "No such assignment");
}

/** A patient's open assignments with due state: the patient, the care team or a break-glass holder. */
export async function patientAssignments(scope: Scope, patientId?: string): Promise<AssignmentList> {
  const care = careData(scope);
  const access = patientId ? await care.open(patientId, ASSIGNMENT_READ) : care.self();
  const [rows] = await care.run(access, ASSIGNMENT_READ, (db) => [
    openAssignmentsQuery(db, access.patientId),
  ]);
  const now = new Date();
  return { assignments: soonestFirst(rows.map((r) => toAssignment(r, now))) };
}

/**
 * The clinician's due and overdue assessments: open assignments of every patient on their active
 * care teams, in every region (whoever assigned them). Upcoming ones are left out.
 */
export async function clinicianDue(scope: Scope): Promise<AssignmentList> {
  const perRegion = await careData(scope).everyRegion(ASSIGNMENT_LIST_MINE, (db, me) => [
    teamAssignmentsQuery(db, me),
  ]);
  const now = new Date();
  const all = perRegion.flatMap(([rows]) => rows.map((r) => toAssignment(r, now)));
  return { assignments: soonestFirst(all.filter((a) => a.status !== "upcoming")) };
}
