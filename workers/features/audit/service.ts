import { and, desc, eq, gte, isNotNull, lt, lte, ne, sql } from "drizzle-orm";
import type { Context } from "hono";
import { auditLog, breakGlass } from "../../db/schema";
import { auditInsert } from "../../lib/audit";
import type { Region } from "../../lib/config";
import type { AppEnv } from "../../lib/context";
import type { Principal } from "../../lib/principal";
import { displayNames } from "../care-team/access";
import type { AuditQuery, ReportQuery } from "./schema";
import { describeAction, describeActor, describeOutcome } from "./words";

type Ctx = Context<AppEnv>;

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
export async function queryAudit(c: Ctx, q: AuditQuery) {
  const db = c.get("db")(q.region);
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
    auditInsert(db, c, {
      action: "audit.query",
      resourceType: "audit_log",
      patientId: q.patientId ?? null,
      outcome: "success",
    }),
  ]);
  return page(rows, q.limit, ({ prevHash, hash, at, ...row }) => ({ ...row, at: at.toISOString() }));
}

/** Recomputes one region's hash chain with `audit_verify_chain()` (the trigger's own hash function). */
export async function verifyChain(c: Ctx, region: Region) {
  const db = c.get("db")(region);
  const [check, [count]] = await db.batch([
    db.execute<{ broken_id: string | number; problem: "link" | "hash" }>(
      sql`select broken_id, problem from audit_verify_chain()`,
    ),
    db.select({ rows: sql<number>`count(*)::int` }).from(auditLog),
    auditInsert(db, c, { action: "audit.verify", resourceType: "audit_log", outcome: "success" }),
  ]);
  const broken = check.rows[0];
  const rows = Number(count?.rows ?? 0);
  if (!broken) return { region, intact: true, rows };
  return { region, intact: false, brokenId: Number(broken.broken_id), problem: broken.problem, rows };
}

/**
 * "Who accessed my data", in words: every access to the patient's records by another person,
 * newest first, including refused and failed attempts. The patient's own actions and system jobs
 * (rows without a person as actor, such as the chat flush) are not someone else's access and are
 * left out. An access is flagged break-glass when the actor held a grant for this patient then.
 */
export async function accessReport(c: Ctx, p: Principal, q: ReportQuery) {
  const db = c.get("db")(p.region);
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
          isNotNull(auditLog.actorId),
          ne(auditLog.actorId, p.userId),
          sql`${auditLog.actorRole} is distinct from 'system'`,
          q.cursor ? lt(auditLog.id, Number(q.cursor)) : undefined,
        ),
      )
      .orderBy(desc(auditLog.id))
      .limit(q.limit + 1),
    auditInsert(db, c, {
      action: "audit.access_report",
      resourceType: "audit_log",
      patientId: p.userId,
      outcome: "success",
    }),
  ]);
  const shown = rows.slice(0, q.limit);
  const names = await displayNames(
    c,
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
