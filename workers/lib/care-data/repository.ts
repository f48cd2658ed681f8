import { and, eq } from "drizzle-orm";
import type { BatchItem, BatchResponse } from "drizzle-orm/batch";
import { users } from "../../db/schema";
import { audit, auditInsert } from "../audit";
import type { Database } from "../db";
import { AppError } from "../errors";
import type { Scope } from "../scope";
import { type ConsentKind, REGIONS, type Region } from "../vocabulary";
import { type AccessVia, type PatientAccess, resolvePatientAccess } from "./access";
import { type ConsentState, consentRequired, consentState } from "./consents";
import { regionOfUser } from "./region";

/** What an operation on a patient's data is, for the access decision and the audit row. */
export interface CareOperation {
  action: string;
  resourceType: string;
  resourceId?: string | null;
  /** Ways in that this operation accepts (default: self, care team, break-glass). */
  allow?: readonly AccessVia[];
  /** A consent the patient must hold for this operation (checked before any data is touched). */
  consent?: ConsentKind;
}

type Batch = Readonly<[BatchItem<"pg">, ...BatchItem<"pg">[]]>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVERY_WAY: readonly AccessVia[] = ["self", "care_team", "break_glass"];

/**
 * The one door to a patient's health data, built per scope (Medplum's per-request Repository is
 * the model). `open` resolves the patient's region (never guessing) and decides access in the
 * data layer; a refusal is audited in the patient's region and answered 404. `run` executes the
 * operation's queries and its success audit row in ONE `db.batch` (one round trip, one
 * transaction); if the batch fails, a `failure` row is written and the error rethrown.
 * PHI tables are imported only under `workers/lib/care-data/` (test/phi-door.test.ts).
 *
 * @example
 * const care = careData(scope);
 * const access = await care.open(patientId, PROFILE_READ);
 * const [rows] = await care.run(access, PROFILE_READ, (db) => [profileQuery(db, patientId)]);
 */
export function careData(scope: Scope) {
  const principal = () => {
    if (!scope.principal) throw new AppError("unauthorized", "Sign in to continue");
    return scope.principal;
  };
  const event = (access: PatientAccess | null, patientId: string, op: CareOperation) => ({
    action: op.action,
    resourceType: op.resourceType,
    resourceId: op.resourceId === undefined ? (UUID.test(patientId) ? patientId : null) : op.resourceId,
    patientId: access || UUID.test(patientId) ? patientId : null,
  });

  async function deny(patientId: string, op: CareOperation): Promise<never> {
    const region = await regionOfUser(scope, patientId);
    // In the patient's region when the patient exists, so the refusal shows in their access report.
    await audit(scope, region ?? principal().region, {
      ...event(null, patientId, op),
      patientId: region ? patientId : null,
      outcome: "denied",
    });
    throw new AppError("not_found", "No such patient");
  }

  async function requireConsent(access: PatientAccess, kind: ConsentKind): Promise<void> {
    const state = await consentState(scope.db(access.region), access.patientId);
    if (!state[kind]) throw consentRequired(kind);
  }

  return {
    scope,
    /** The principal's own record: no lookup (the token carries the region). */
    self(): PatientAccess {
      const p = principal();
      return { patientId: p.userId, region: p.region, via: "self" };
    },
    /** Refuses (403 naming the consent) unless the patient holds consent `kind` now. */
    requireConsent,
    /** The consents the patient holds now. */
    consents(access: PatientAccess): Promise<ConsentState> {
      return consentState(scope.db(access.region), access.patientId);
    },
    /** Decides access to `patientId` for `op`; refusals are audited and answered 404. */
    async open(patientId: string, op: CareOperation): Promise<PatientAccess> {
      const access = await resolvePatientAccess(scope, principal(), patientId);
      if (!access || !(op.allow ?? EVERY_WAY).includes(access.via)) return deny(patientId, op);
      if (op.consent) await requireConsent(access, op.consent);
      return access;
    },
    /**
     * Locates a patient for an operation on the care relationship itself (`via: "membership"`):
     * the id must be a patient's, found in their region without guessing. Anything else is a
     * denial audited in the caller's region (no patient id) and answered 404 naming `what`.
     */
    async locate(patientId: string, op: CareOperation, what = "patient"): Promise<PatientAccess> {
      const region = await regionOfUser(scope, patientId);
      const [row] = region
        ? await scope
            .db(region)
            .select({ id: users.id })
            .from(users)
            .where(and(eq(users.id, patientId), eq(users.role, "patient")))
        : [];
      if (!region || !row) return this.refuse(op, what);
      return { patientId, region, via: "membership" };
    },
    /**
     * Refuses `op` after the access decision (no such relationship, no such clinician): audited
     * as `denied` in the patient's region when `access` is known, else in the caller's; 404.
     */
    async refuse(op: CareOperation, what: string, access?: PatientAccess): Promise<never> {
      await audit(scope, access?.region ?? principal().region, {
        action: op.action,
        resourceType: op.resourceType,
        resourceId: op.resourceId ?? null,
        patientId: access?.patientId ?? null,
        outcome: "denied",
      });
      throw new AppError("not_found", `No such ${what}`);
    },
    /**
     * The caller's own relationships in every region, queried in parallel: `build(db, userId)`
     * gets the caller's id and runs with one success audit row per region in one batch.
     */
    everyRegion<T extends Batch>(
      op: CareOperation,
      build: (db: Database, userId: string) => T,
    ): Promise<BatchResponse<T>[]> {
      const { userId } = principal();
      return Promise.all(
        REGIONS.map(async (region) => {
          const db = scope.db(region);
          const row = auditInsert(db, scope, {
            action: op.action,
            resourceType: op.resourceType,
            resourceId: op.resourceId ?? null,
            patientId: null,
            outcome: "success",
          });
          const [, ...results] = await db.batch([row, ...build(db, userId)]);
          return results as unknown as BatchResponse<T>;
        }),
      );
    },
    /** Runs `build(db)` and the success audit row in one batch in the patient's region. */
    async run<T extends Batch>(
      access: PatientAccess,
      op: CareOperation,
      build: (db: Database) => T,
    ): Promise<BatchResponse<T>> {
      const db = scope.db(access.region);
      const row = auditInsert(db, scope, { ...event(access, access.patientId, op), outcome: "success" });
      try {
        const [, ...results] = await db.batch([row, ...build(db)]);
        return results as unknown as BatchResponse<T>;
      } catch (err) {
        await audit(scope, access.region, {
          ...event(access, access.patientId, op),
          outcome: "failure",
        }).catch(() => undefined);
        throw err;
      }
    },
    /** Records a successful operation that touches no table here (e.g. joining a patient's room). */
    async record(access: PatientAccess, op: CareOperation): Promise<void> {
      await audit(scope, access.region, { ...event(access, access.patientId, op), outcome: "success" });
    },
    /** A staff operation over a whole region (e.g. the audit log search): admins only, audited. */
    async region<T extends Batch>(
      region: Region,
      op: CareOperation & { patientId?: string | null },
      build: (db: Database) => T,
    ): Promise<BatchResponse<T>> {
      if (principal().role !== "admin") throw new AppError("not_found", "No such resource");
      const db = scope.db(region);
      const row = auditInsert(db, scope, {
        action: op.action,
        resourceType: op.resourceType,
        resourceId: op.resourceId ?? null,
        patientId: op.patientId ?? null,
        outcome: "success",
      });
      const [, ...results] = await db.batch([row, ...build(db)]);
      return results as unknown as BatchResponse<T>;
    },
  };
}

export type CareData = ReturnType<typeof careData>;
