import type { PatientAccess } from "../../lib/care-data/access";
import { wrappedKeyQuery } from "../../lib/care-data/chat";
import { careData } from "../../lib/care-data/repository";
import {
  insertPlanVersion,
  latestPlanQuery,
  planField,
  planVersionsQuery,
  SAFETY_PLAN_READ,
  type SafetyPlanRow,
  safetyPlanWrite,
} from "../../lib/care-data/safety-plan";
import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";
import { userCipher } from "../../lib/user-cipher";
import { type SafetyPlan, SafetyPlanSections } from "./schema";

/** Decrypts one stored version (null when the owner's key is gone). */
export async function openPlan(
  config: Scope["config"],
  userId: string,
  wrapped: string | null,
  row: SafetyPlanRow,
): Promise<SafetyPlanSections | null> {
  const cipher = await userCipher(config, userId, wrapped);
  if (!cipher) return null;
  return SafetyPlanSections.parse(JSON.parse(await cipher.decrypt(planField(row.id), row.contentEnc)));
}

async function read(scope: Scope, access: PatientAccess): Promise<SafetyPlan> {
  const [[latest], versions] = await careData(scope).run(
    access,
    SAFETY_PLAN_READ,
    (db) => [latestPlanQuery(db, access.patientId), planVersionsQuery(db, access.patientId)] as const,
  );
  const sections = latest
    ? await openPlan(scope.config, access.patientId, latest.wrapped, latest.plan)
    : null;
  return {
    patientId: access.patientId,
    plan:
      latest && sections
        ? {
            version: latest.plan.version,
            authorId: latest.plan.authorId,
            createdAt: latest.plan.createdAt.toISOString(),
            sections,
          }
        : null,
    versions: versions.map((v) => ({ ...v, createdAt: v.createdAt.toISOString() })),
  };
}

/** The caller's own safety plan (audited). */
export const ownPlan = (scope: Scope) => read(scope, careData(scope).self());

/** A patient's plan for their care team or a break-glass holder (audited, denials too). */
export async function patientPlan(scope: Scope, patientId: string): Promise<SafetyPlan> {
  return read(scope, await careData(scope).open(patientId, SAFETY_PLAN_READ));
}

/**
 * Saves a new version (never overwrites one), encrypted with the PATIENT's key, by the patient or
 * a clinician on their active care team. `baseVersion` must be the newest version: a save in
 * between answers 409 so nobody's edits are silently lost.
 */
export async function savePlan(
  scope: Scope,
  patientId: string | null,
  baseVersion: number,
  sections: SafetyPlanSections,
): Promise<SafetyPlan> {
  const care = careData(scope);
  const id = crypto.randomUUID();
  const op = safetyPlanWrite(id);
  const access = patientId ? await care.open(patientId, op) : care.self();
  await care.requireConsent(access, "health_data");
  const [owner] = await wrappedKeyQuery(scope.db(access.region), access.patientId);
  const cipher = await userCipher(scope.config, access.patientId, owner?.wrapped ?? null);
  if (!cipher) throw new AppError("not_found", "No such patient");
  const contentEnc = await cipher.encrypt(planField(id), JSON.stringify(sections));
  const authorId = scope.principal?.userId ?? access.patientId;
  const [inserted] = await care.run(access, op, (db) => [
    insertPlanVersion(db, { id, userId: access.patientId, contentEnc, authorId }, baseVersion),
  ]);
  if (inserted.rows.length === 0)
    throw new AppError("conflict", "The plan was changed since you opened it: reload and try again");
  return read(scope, access);
}
