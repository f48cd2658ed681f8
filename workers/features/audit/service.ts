import { verifyAuditTrail } from "../../lib/care-data/audit-checkpoints";
import { accessReportQuery, auditSearchQuery, chainCheckQueries } from "../../lib/care-data/audit-log";
import { careData } from "../../lib/care-data/repository";
import type { Principal } from "../../lib/principal";
import type { Scope } from "../../lib/scope";
import type { Region } from "../../lib/vocabulary";
import { displayNames } from "../care-team/access";
import type { AuditQuery, ReportQuery } from "./schema";
import { describeAction, describeActor, describeOutcome } from "./words";

/** One page of `rows` fetched with limit + 1: the extra row only says that another page exists. */
function page<T extends { id: number }, U>(rows: T[], limit: number, map: (row: T) => U) {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return { entries: shown.map(map), nextCursor: rows.length > limit && last ? String(last.id) : null };
}

/**
 * Admin search of one region's audit log, newest first, keyset-paginated by id. The search is
 * itself audited in the same transaction (with the patient it was about, so they can see it).
 */
export async function queryAudit(scope: Scope, q: AuditQuery) {
  const op = { action: "audit.query", resourceType: "audit_log", patientId: q.patientId ?? null };
  const [rows] = await careData(scope).region(q.region, op, (db) => [auditSearchQuery(db, q)] as const);
  return page(
    rows,
    q.limit,
    ({ prevHash, hash, hashVersion, personalSalt, personalDigest, pseudonymisedAt, at, ...row }) => ({
      ...row,
      at: at.toISOString(),
    }),
  );
}

/**
 * Verifies one region's audit trail: every keyed checkpoint left by retention, then the hash chain
 * from the latest checkpoint with `audit_verify_chain()` (the trigger's own hash function).
 */
export async function verifyChain(scope: Scope, region: Region) {
  const op = { action: "audit.verify", resourceType: "audit_log" };
  const [[count]] = await careData(scope).region(region, op, chainCheckQueries);
  const trail = await verifyAuditTrail(scope.db(region), scope.config.EMAIL_HASH_KEY, region);
  return { region, ...trail, rows: Number(count?.rows ?? 0) };
}

/**
 * "Who accessed my data", in words: every access to the patient's records by another person,
 * newest first, including refused and failed attempts. The patient's own actions and system jobs
 * (rows without a person as actor, such as the chat flush) are not someone else's access and are
 * left out. An access is flagged break-glass when the actor held a grant for this patient then.
 */
export async function accessReport(scope: Scope, p: Principal, q: ReportQuery) {
  const care = careData(scope);
  const op = { action: "audit.access_report", resourceType: "audit_log", resourceId: null };
  const [rows] = await care.run(
    care.self(),
    op,
    (db) => [accessReportQuery(db, p.userId, q.cursor, q.limit)] as const,
  );
  const shown = rows.slice(0, q.limit);
  const names = await displayNames(
    scope,
    shown.flatMap((r) => (r.actorId ? [r.actorId] : [])),
  );
  return page(rows, q.limit, ({ id, at, ...row }) => {
    const actorName = row.actorId ? (names.get(row.actorId) ?? null) : null;
    const who = describeActor(row.actorRole, actorName, row.actorId === p.userId);
    const what = describeAction(row.action, row.resourceType, row.outcome);
    const { allowed, result } = describeOutcome(row.outcome);
    return {
      ...row,
      at: at.toISOString(),
      actorName,
      who,
      what,
      allowed,
      summary: `${who.charAt(0).toUpperCase()}${who.slice(1)} ${what}${row.breakGlass ? " using emergency access" : ""}: ${result}.`,
    };
  });
}
