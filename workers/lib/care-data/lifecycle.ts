import { and, count, desc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import {
  auditLog,
  breakGlass,
  dataRequests,
  jobRuns,
  legalHolds,
  notificationDeadLetters,
  sessionRecordings,
  users,
} from "../../db/schema";
import { auditInsert } from "../audit";
import type { Database } from "../db";
import type { Scope } from "../scope";
import { notUnderHold } from "./kind";
import { DATA_KINDS } from "./kinds";

type Request = typeof dataRequests.$inferSelect;
export type DataRequestRow = Request;
export type JobRunRow = typeof jobRuns.$inferSelect;

/** The account row's fields an export and an erasure need (ciphertext stays encrypted here). */
export function accountQuery(db: Database, subjectId: string) {
  return db
    .select({
      id: users.id,
      role: users.role,
      region: users.region,
      displayName: users.displayName,
      emailEnc: users.emailEnc,
      emailHash: users.emailHash,
      wrapped: users.dataKeyWrapped,
      mfaEnabledAt: users.mfaEnabledAt,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(eq(users.id, subjectId));
}

export const requestById = (db: Database, id: string) =>
  db.select().from(dataRequests).where(eq(dataRequests.id, id));

export const requestsOf = (db: Database, subjectId: string) =>
  db
    .select()
    .from(dataRequests)
    .where(eq(dataRequests.patientId, subjectId))
    .orderBy(desc(dataRequests.requestedAt));

export const allRequests = (db: Database, limit = 200) =>
  db.select().from(dataRequests).orderBy(desc(dataRequests.requestedAt)).limit(limit);

export const insertRequest = (db: Database, row: typeof dataRequests.$inferInsert) =>
  db.insert(dataRequests).values(row).returning();

export const updateRequest = (db: Database, id: string, set: Partial<typeof dataRequests.$inferInsert>) =>
  db.update(dataRequests).set(set).where(eq(dataRequests.id, id)).returning();

/** Moves a request from one of `from` to `to` atomically (a claim): returns the row only if it moved. */
export const transitionRequest = (
  db: Database,
  id: string,
  from: Request["status"][],
  set: Partial<typeof dataRequests.$inferInsert>,
) =>
  db
    .update(dataRequests)
    .set(set)
    .where(and(eq(dataRequests.id, id), inArray(dataRequests.status, from)))
    .returning();

/** Erasures whose cooling-off has ended (and failed ones, retried), oldest first. */
export const dueErasures = (db: Database, now: Date) =>
  db
    .select()
    .from(dataRequests)
    .where(
      and(
        eq(dataRequests.kind, "erasure"),
        or(
          and(eq(dataRequests.status, "pending"), lt(dataRequests.dueAt, now)),
          eq(dataRequests.status, "failed"),
        ),
      ),
    )
    .orderBy(dataRequests.dueAt)
    .limit(50);

/** Exports whose download window ended: their objects are deleted and the request marked expired. */
export const expiredExports = (db: Database, now: Date) =>
  db
    .select()
    .from(dataRequests)
    .where(
      and(eq(dataRequests.kind, "export"), eq(dataRequests.status, "ready"), lt(dataRequests.expiresAt, now)),
    );

export const activeHolds = (db: Database, subjectId: string) =>
  db
    .select()
    .from(legalHolds)
    .where(and(eq(legalHolds.patientId, subjectId), isNull(legalHolds.releasedAt)));

export const allHolds = (db: Database) =>
  db.select().from(legalHolds).orderBy(desc(legalHolds.placedAt)).limit(200);

export const insertHold = (db: Database, row: typeof legalHolds.$inferInsert) =>
  db.insert(legalHolds).values(row).returning();

export const releaseHold = (db: Database, id: string, by: string) =>
  db
    .update(legalHolds)
    .set({ releasedAt: new Date(), releasedBy: by })
    .where(and(eq(legalHolds.id, id), isNull(legalHolds.releasedAt)))
    .returning();

export const insertJobRun = (db: Database, row: typeof jobRuns.$inferInsert) =>
  db.insert(jobRuns).values(row);

export const lastJobRun = (db: Database, job: string, outcome?: "success" | "failure") =>
  db
    .select()
    .from(jobRuns)
    .where(and(eq(jobRuns.job, job), outcome ? eq(jobRuns.outcome, outcome) : undefined))
    .orderBy(desc(jobRuns.startedAt))
    .limit(1);

export const recentJobRuns = (db: Database, limit = 50) =>
  db.select().from(jobRuns).orderBy(desc(jobRuns.startedAt)).limit(limit);

type Batch = [BatchItem<"pg">, ...BatchItem<"pg">[]];

/**
 * Erases the subject from their regional Postgres in ONE transaction: the data key is destroyed
 * first (crypto-shredding: every ciphertext anywhere, backups included, becomes unreadable), then
 * every registered kind's rows and the account row are deleted, the audit rows about or by the
 * subject are pseudonymised (chain intact), requests and holds keep only the pseudonym, and the
 * erasure itself is audited under the pseudonym. Returns rows removed per kind.
 */
export async function erasePostgres(scope: Scope, db: Database, subjectId: string, pseudonym: string) {
  const statements: Batch = [
    db.update(users).set({ dataKeyWrapped: null }).where(eq(users.id, subjectId)).returning({ id: users.id }),
    ...DATA_KINDS.map((k) => k.erase(db, subjectId)),
    db.delete(users).where(eq(users.id, subjectId)).returning({ id: users.id }),
    db.execute<{ n: number }>(sql`select audit_pseudonymise(${subjectId}::uuid, ${pseudonym}::uuid) as n`),
    db.update(dataRequests).set({ patientId: pseudonym }).where(eq(dataRequests.patientId, subjectId)),
    db.update(legalHolds).set({ patientId: pseudonym }).where(eq(legalHolds.patientId, subjectId)),
    auditInsert(db, scope, {
      action: "erasure.execute",
      resourceType: "patient",
      resourceId: pseudonym,
      patientId: pseudonym,
      outcome: "success",
    }),
  ];
  const results = (await db.batch(statements)) as unknown[];
  const rows = (i: number) => {
    const r = results[i] as { rows?: unknown[] } | unknown[];
    return Array.isArray(r) ? r.length : (r?.rows?.length ?? 0);
  };
  const removed: Record<string, number> = {};
  DATA_KINDS.forEach((k, i) => {
    removed[k.name] = rows(i + 1);
  });
  removed.account = rows(DATA_KINDS.length + 1);
  const pseudo = results[DATA_KINDS.length + 2] as { rows: Array<{ n: number | string }> };
  return { keyShredded: rows(0) === 1, removed, auditPseudonymised: Number(pseudo.rows[0]?.n ?? 0) };
}

/**
 * Reads every Postgres store raw for the subject after erasure: rows per kind, the account row,
 * and audit rows still naming them (v2 rows must be 0; v1 rows cannot be pseudonymised and are
 * reported). The certificate is built from this, never from what the deletes claimed.
 */
export async function remainingInPostgres(db: Database, subjectId: string) {
  const perKind: Record<string, number> = {};
  for (const k of DATA_KINDS) perKind[k.name] = await k.remaining(db, subjectId);
  const [account] = await db.select({ n: count() }).from(users).where(eq(users.id, subjectId));
  perKind.account = Number(account?.n ?? 0);
  const naming = or(
    eq(auditLog.patientId, subjectId),
    eq(auditLog.actorId, subjectId),
    eq(auditLog.resourceId, subjectId),
  );
  const [v2] = await db
    .select({ n: count() })
    .from(auditLog)
    .where(and(naming, eq(auditLog.hashVersion, 2)));
  const [v1] = await db
    .select({ n: count() })
    .from(auditLog)
    .where(and(naming, eq(auditLog.hashVersion, 1)));
  return { perKind, auditNaming: Number(v2?.n ?? 0), auditV1Naming: Number(v1?.n ?? 0) };
}

/** Audit rows about the subject (the count a certificate reports; ids only). */
export const auditAbout = (db: Database, subjectId: string) =>
  db.select({ n: count() }).from(auditLog).where(eq(auditLog.patientId, subjectId));

/** Audit rows older than `cutoff` (retention reports them; the chain is never pruned here). */
export async function auditOlderThan(db: Database, cutoff: Date): Promise<number> {
  const [row] = await db.select({ n: count() }).from(auditLog).where(lt(auditLog.at, cutoff));
  return Number(row?.n ?? 0);
}

/**
 * Dead letters (failed notification messages: ids and codes only) older than `cutoff`, whatever
 * their status, are deleted; returns the status of each row removed (retention counts open ones).
 */
export const expireDeadLetters = (db: Database, cutoff: Date) =>
  db
    .delete(notificationDeadLetters)
    .where(lt(notificationDeadLetters.createdAt, cutoff))
    .returning({ status: notificationDeadLetters.status });

/**
 * Recordings past policy: stopped (or, never stopped, started) before `cutoff`, of patients under
 * no active legal hold; oldest first, a bounded batch per run.
 */
export const expiredRecordings = (db: Database, cutoff: Date, limit = 200) =>
  db
    .select({ id: sessionRecordings.id, patientId: sessionRecordings.patientId })
    .from(sessionRecordings)
    .where(
      and(
        sql`coalesce(${sessionRecordings.stoppedAt}, ${sessionRecordings.startedAt}) < ${cutoff.toISOString()}::timestamptz`,
        notUnderHold(sessionRecordings.patientId),
      ),
    )
    .orderBy(sessionRecordings.startedAt)
    .limit(limit);

/** Deletes recording index rows (after their R2 chunks are gone). */
export const deleteRecordingRows = (db: Database, ids: string[]) =>
  db
    .delete(sessionRecordings)
    .where(inArray(sessionRecordings.id, ids))
    .returning({ id: sessionRecordings.id });

/** The subject's erasure requests that are not finished (at most one may exist). */
export const openErasures = (db: Database, subjectId: string) =>
  db
    .select({ id: dataRequests.id })
    .from(dataRequests)
    .where(
      and(
        eq(dataRequests.patientId, subjectId),
        eq(dataRequests.kind, "erasure"),
        inArray(dataRequests.status, ["pending", "held", "running", "failed"]),
      ),
    );

/** After the last hold on a subject is released, their held erasure is pending again. */
export const unholdRequests = (db: Database, subjectId: string) =>
  db
    .update(dataRequests)
    .set({ status: "pending" })
    .where(and(eq(dataRequests.patientId, subjectId), eq(dataRequests.status, "held")));

/** Every account id in a region (the erasure ledger is re-applied over them after a restore). */
export async function allUserIds(db: Database): Promise<string[]> {
  return (await db.select({ id: users.id }).from(users)).map((r) => r.id);
}

/** Break-glass grants in a region for admin review, newest first, with each patient's wrapped key. */
export const breakGlassReviewQuery = (db: Database, limit = 100) =>
  db
    .select({
      id: breakGlass.id,
      patientId: breakGlass.patientId,
      actorId: breakGlass.actorId,
      actorRole: breakGlass.actorRole,
      reasonEnc: breakGlass.reasonEnc,
      createdAt: breakGlass.createdAt,
      expiresAt: breakGlass.expiresAt,
      wrapped: users.dataKeyWrapped,
    })
    .from(breakGlass)
    .leftJoin(users, eq(users.id, breakGlass.patientId))
    .orderBy(desc(breakGlass.createdAt))
    .limit(limit);

/** Exports waiting for or in their background job (counts only): the export queue's backlog. */
export function pendingExportCountQuery(db: Database) {
  return db
    .select({ n: sql<number>`count(*)::int` })
    .from(dataRequests)
    .where(and(eq(dataRequests.kind, "export"), inArray(dataRequests.status, ["queued", "running"])));
}
