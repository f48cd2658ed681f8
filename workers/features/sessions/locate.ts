import type { PatientAccess } from "../../lib/care-data/access";
import { careData } from "../../lib/care-data/repository";
import { findSession, type SessionRow, sessionOp } from "../../lib/care-data/sessions";
import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";

/**
 * Finds session `id` and decides the caller's access to its patient in the data layer: the
 * patient, or a clinician on their active care team who is the session's clinician (or, with
 * `allow` including it, any care-team clinician). Anything else is an audited 404.
 */
export async function locateSession(
  scope: Scope,
  id: string,
  action: string,
  allow: ("self" | "care_team")[] = ["self", "care_team"],
): Promise<{ access: PatientAccess; row: SessionRow }> {
  const p = scope.principal;
  if (!p) throw new AppError("unauthorized", "Sign in to continue");
  const care = careData(scope);
  const op = sessionOp(action, id, allow);
  const found = await findSession(scope, id, p.role === "patient" ? [p.region] : undefined);
  if (!found) return care.refuse(op, "session");
  const access = await care.open(found.row.patientId, op);
  if (access.via === "care_team" && found.row.clinicianId !== p.userId)
    return care.refuse(op, "session", access);
  return { access, row: found.row };
}
