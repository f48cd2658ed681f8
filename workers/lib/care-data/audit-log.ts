import { and, desc, eq, gte, isNotNull, lt, lte, ne, sql } from "drizzle-orm";
import { auditLog, breakGlass } from "../../db/schema";
import type { Database } from "../db";

export interface AuditSearch {
  actorId?: string | undefined;
  patientId?: string | undefined;
  action?: string | undefined;
  outcome?: "success" | "denied" | "failure" | undefined;
  from?: string | undefined;
  to?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** One region's audit log, newest first, keyset-paginated by id (limit + 1 rows). */
export function auditSearchQuery(db: Database, q: AuditSearch) {
  const where = and(
    q.actorId ? eq(auditLog.actorId, q.actorId) : undefined,
    q.patientId ? eq(auditLog.patientId, q.patientId) : undefined,
    q.action ? eq(auditLog.action, q.action) : undefined,
    q.outcome ? eq(auditLog.outcome, q.outcome) : undefined,
    q.from ? gte(auditLog.at, new Date(q.from)) : undefined,
    q.to ? lte(auditLog.at, new Date(q.to)) : undefined,
    q.cursor ? lt(auditLog.id, Number(q.cursor)) : undefined,
  );
  return db
    .select()
    .from(auditLog)
    .where(where)
    .orderBy(desc(auditLog.id))
    .limit(q.limit + 1);
}

/** The row count of the chain as it stands (verification itself: ./audit-checkpoints.ts). */
export function chainCheckQueries(db: Database) {
  return [db.select({ rows: sql<number>`count(*)::int` }).from(auditLog)] as const;
}

/**
 * Accesses to a patient's data by another person, newest first (limit + 1 rows), refused and
 * failed attempts included. The patient's own actions and system jobs (no person as actor, such as
 * the chat flush) are left out. An access is flagged break-glass when the actor held a grant for
 * this patient at that moment.
 */
export function accessReportQuery(
  db: Database,
  patientId: string,
  cursor: string | undefined,
  limit: number,
) {
  const viaBreakGlass = sql<boolean>`exists (select 1 from ${breakGlass} where ${and(
    eq(breakGlass.patientId, auditLog.patientId),
    eq(breakGlass.actorId, auditLog.actorId),
    sql`${auditLog.at} between ${breakGlass.createdAt} and ${breakGlass.expiresAt}`,
  )})`;
  return db
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
        eq(auditLog.patientId, patientId),
        isNotNull(auditLog.actorId),
        ne(auditLog.actorId, patientId),
        sql`${auditLog.actorRole} is distinct from 'system'`,
        cursor ? lt(auditLog.id, Number(cursor)) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
}
