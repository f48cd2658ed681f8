import { and, eq, isNull } from "drizzle-orm";
import { sessions } from "../../db/schema";
import { audit } from "../../lib/audit";
import {
  accountQuery,
  activeHolds,
  dueErasures,
  erasePostgres,
  remainingInPostgres,
  requestById,
  transitionRequest,
  updateRequest,
} from "../../lib/care-data/lifecycle";
import type { Scope } from "../../lib/scope";
import { REGIONS, type Region } from "../../lib/vocabulary";
import { erasedButPresent, recordInLedger } from "./ledger";
import { OUTSIDE_STORES, runStore, type StoreResult, type Subject } from "./stores";

/** Cooling-off before an erasure takes effect; cancellable until then. */
export const COOLING_OFF_MS = 7 * 24 * 3600_000;

export interface ErasureCertificate {
  certificate: "haven-erasure/1";
  requestId: string;
  /** The id that replaces the subject's in the audit trail and in this request. */
  pseudonym: string;
  region: Region;
  job: string;
  startedAt: string;
  completedAt: string | null;
  keyShredded: boolean;
  stores: StoreResult[];
  audit: { pseudonymised: number; stillNaming: number; legacyRowsNotPseudonymised: number };
  outcome: "complete" | "incomplete";
}

/**
 * Executes one erasure whose cooling-off has ended. Order: every store outside Postgres first
 * (sessions cut, chat room and wearable stream storage, Redis keys, the directory entry, R2
 * objects), each read back; if any is unreached the request is `failed` (retried by the next
 * sweep) and Postgres is left untouched, so the subject can still be found to retry. Then one
 * Postgres transaction shreds the data key, deletes every registered kind and the account,
 * pseudonymises the audit trail; then every Postgres store is read back raw. Only when every store
 * was reached and reads back empty is the request `completed` with its certificate.
 */
export async function runErasure(
  scope: Scope,
  region: Region,
  requestId: string,
): Promise<ErasureCertificate | null> {
  const db = scope.db(region);
  const [req] = await requestById(db, requestId);
  if (req?.kind !== "erasure") return null;
  const subjectId = req.patientId;
  if ((await activeHolds(db, subjectId)).length > 0) {
    await transitionRequest(db, requestId, ["pending", "failed"], { status: "held" });
    await audit(scope, region, {
      action: "erasure.held",
      resourceType: "data_request",
      resourceId: requestId,
      patientId: subjectId,
      outcome: "denied",
    });
    return null;
  }
  const [claimed] = await transitionRequest(db, requestId, ["pending", "failed"], {
    status: "running",
    startedAt: new Date(),
    jobId: scope.audit.requestId,
  });
  if (!claimed) return null;
  const startedAt = new Date().toISOString();
  const [account] = await accountQuery(db, subjectId);
  const cert = (stores: StoreResult[], extra: Partial<ErasureCertificate>): ErasureCertificate => ({
    certificate: "haven-erasure/1",
    requestId,
    pseudonym: "",
    region,
    job: scope.audit.requestId,
    startedAt,
    completedAt: null,
    keyShredded: false,
    stores,
    audit: { pseudonymised: 0, stillNaming: 0, legacyRowsNotPseudonymised: 0 },
    outcome: "incomplete",
    ...extra,
  });
  if (!account) {
    const c = cert(
      [{ store: "postgres:account", reached: true, removed: 0, remaining: 0, error: "subject_missing" }],
      {},
    );
    await updateRequest(db, requestId, { status: "failed", error: "subject_missing", result: c });
    return c;
  }
  // Sessions are cut in Postgres too (the record `GET /v1/me`'s in-statement check reads, see
  // lib/session-check.ts), before the Redis denylist below.
  await db
    .update(sessions)
    .set({ revokedAt: new Date(), revokedReason: "erasure" })
    .where(and(eq(sessions.userId, subjectId), isNull(sessions.revokedAt)));
  const open = await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, subjectId));
  const subject: Subject = {
    id: subjectId,
    region,
    emailHash: account.emailHash,
    sessionIds: open.map((s) => s.id),
  };

  const outside: StoreResult[] = [];
  for (const store of OUTSIDE_STORES) outside.push(await runStore(scope, store, subject));
  if (outside.some((s) => !s.reached || s.remaining > 0)) {
    const c = cert(outside, {});
    await updateRequest(db, requestId, { status: "failed", error: "store_unreached", result: c });
    await audit(scope, region, {
      action: "erasure.execute",
      resourceType: "data_request",
      resourceId: requestId,
      patientId: subjectId,
      outcome: "failure",
    });
    return c;
  }

  const pseudonym = crypto.randomUUID();
  let pg: Awaited<ReturnType<typeof erasePostgres>>;
  try {
    pg = await erasePostgres(scope, db, subjectId, pseudonym);
  } catch (err) {
    scope.log.error("erasure_postgres_failed", { error: err instanceof Error ? err.name : "unknown" });
    const c = cert(
      [...outside, { store: "postgres", reached: false, removed: 0, remaining: -1, error: "unreachable" }],
      {},
    );
    await updateRequest(db, requestId, { status: "failed", error: "postgres_failed", result: c });
    return c;
  }
  const left = await remainingInPostgres(db, subjectId);
  const postgres: StoreResult[] = Object.entries(left.perKind).map(([kind, remaining]) => ({
    store: `postgres:${kind}`,
    reached: true,
    removed: pg.removed[kind] ?? 0,
    remaining,
  }));
  const stores = [...outside, ...postgres];
  const complete =
    pg.keyShredded && left.auditNaming === 0 && stores.every((s) => s.reached && s.remaining === 0);
  const c = cert(stores, {
    pseudonym,
    keyShredded: pg.keyShredded,
    completedAt: new Date().toISOString(),
    audit: {
      pseudonymised: pg.auditPseudonymised,
      stillNaming: left.auditNaming,
      legacyRowsNotPseudonymised: left.auditV1Naming,
    },
    outcome: complete ? "complete" : "incomplete",
  });
  if (complete) await recordInLedger(scope, region, requestId, subjectId, pseudonym);
  // The request row already carries the pseudonym (same transaction as the erasure).
  await updateRequest(db, requestId, {
    status: complete ? "completed" : "failed",
    completedAt: new Date(),
    result: c,
    error: complete ? null : "remaining_rows",
  });
  return c;
}

/** The erasure sweep (cron): every due erasure in every region; returns how many ran and completed. */
export async function runDueErasures(scope: Scope, now = new Date()) {
  let ran = 0;
  let completed = 0;
  for (const region of REGIONS) {
    for (const req of await dueErasures(scope.db(region), now)) {
      const c = await runErasure(scope, region, req.id);
      if (c) ran += 1;
      if (c?.outcome === "complete") completed += 1;
    }
  }
  return { ran, completed };
}

/**
 * After a database restore: erases again (Postgres only: the other stores were not restored by a
 * database restore) every subject the ledger says was erased but the restored database holds.
 */
export async function reapplyLedger(scope: Scope, region: Region) {
  const again = await erasedButPresent(scope, region);
  for (const s of again) await erasePostgres(scope, scope.db(region), s.subjectId, s.pseudonym);
  return { reErased: again.length };
}
