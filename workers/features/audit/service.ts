import { and, desc, eq, gte, lt, lte, sql } from "drizzle-orm";
import { auditLog, breakGlass } from "../../db/schema";
import { auditInsert } from "../../lib/audit";
import type { Principal } from "../../lib/principal";
import type { Scope } from "../../lib/scope";
import type { Region } from "../../lib/vocabulary";
import type { AuditQuery, ReportQuery } from "./schema";

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
  const db = scope.db(q.region);
  const where = and(
    q.actorId ? eq(auditLog.actorId, q.actorId) : undefined,
    q.patientId ? eq(auditLog.patientId, q.patientId) : undefined,
    q.action ? eq(auditLog.action, q.action) : undefined,
    q.outcome ? eq(auditLog.outcome, q.outcome) : undefined,
    q.from ? gte(auditLog.at, new Date(q.from)) : undefined,
    q.to ? lte(auditLog.at, new Date(q.to)) : undefined,
    q.cursor ? lt(auditLog.id, Number(q.cursor)) : undefined,
  );
  const [rows] = await db.batch([
    db
      .select()
      .from(auditLog)
      .where(where)
      .orderBy(desc(auditLog.id))
      .limit(q.limit + 1),
    auditInsert(db, scope, {
      action: "audit.query",
      resourceType: "audit_log",
      patientId: q.patientId ?? null,
      outcome: "success",
    }),
  ]);
  return page(rows, q.limit, ({ prevHash, hash, at, ...row }) => ({ ...row, at: at.toISOString() }));
}

/** Recomputes one region's hash chain with `audit_verify_chain()` (the trigger's own hash function). */
export async function verifyChain(scope: Scope, region: Region) {
  const db = scope.db(region);
  const [check, [count]] = await db.batch([
    db.execute<{ broken_id: string | number; problem: "link" | "hash" }>(
      sql`select broken_id, problem from audit_verify_chain()`,
    ),
    db.select({ rows: sql<number>`count(*)::int` }).from(auditLog),
    auditInsert(db, scope, { action: "audit.verify", resourceType: "audit_log", outcome: "success" }),
  ]);
  const broken = check.rows[0];
  const rows = Number(count?.rows ?? 0);
  if (!broken) return { region, intact: true, rows };
  return { region, intact: false, brokenId: Number(broken.broken_id), problem: broken.problem, rows };
}

/**
 * "Who accessed my data": audit rows about the patient by anyone else, newest first. An access is
 * flagged break-glass when the actor held a grant for this patient at that moment.
 */
export async function accessReport(scope: Scope, p: Principal, q: ReportQuery) {
  const db = scope.db(p.region);
  const viaBreakGlass = sql<boolean>`exists (select 1 from ${breakGlass} where ${and(
    eq(breakGlass.patientId, auditLog.patientId),
    eq(breakGlass.actorId, auditLog.actorId),
    sql`${auditLog.at} between ${breakGlass.createdAt} and ${breakGlass.expiresAt}`,
  )})`;
  const [rows] = await db.batch([
    db
      .select({
        id: auditLog.id,
        actorId: auditLog.actorId,
        actorRole: auditLog.actorRole,
        action: auditLog.action,
        resourceType: auditLog.resourceType,
        outcome: auditLog.outcome,
        at: auditLog.at,
        breakGlass: viaBreakGlass,
      })
      .from(auditLog)
      .where(
        and(
          eq(auditLog.patientId, p.userId),
          sql`${auditLog.actorId} is distinct from ${p.userId}`,
          q.cursor ? lt(auditLog.id, Number(q.cursor)) : undefined,
        ),
      )
      .orderBy(desc(auditLog.id))
      .limit(q.limit + 1),
    auditInsert(db, scope, {
      action: "audit.access_report",
      resourceType: "audit_log",
      patientId: p.userId,
      outcome: "success",
    }),
  ]);
  return page(rows, q.limit, ({ id, at, ...row }) => ({ ...row, at: at.toISOString() }));
}
