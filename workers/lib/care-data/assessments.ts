import { and, asc, desc, eq, inArray, isNull, lte, type SQL, sql } from "drizzle-orm";
import {
  type AssessmentInstrument,
  type AssignableInstrument,
  assessmentAssignments,
  assessmentResponses,
  careTeam,
  type ReliableChange,
  riskEvents,
  screenerResponses,
} from "../../db/schema";
import type { Database } from "../db";

export type { AssessmentInstrument, AssignableInstrument, ReliableChange } from "../../db/schema";

// ---- operations (access decision + audit row) ------------------------------------------------

/** The crisis path of a form that is not stored (no health-data consent): the risk event only. */
export const ASSESSMENT_CRISIS_UNSTORED = {
  action: "assessment.crisis_unstored",
  resourceType: "risk_event",
  allow: ["self"],
} as const;
export const ASSESSMENT_READ = { action: "assessment.read", resourceType: "assessment_response" } as const;
/** Scores only (no answers): caseload and chart summaries. */
export const ASSESSMENT_SCORES_READ = {
  action: "assessment.scores.read",
  resourceType: "assessment_response",
} as const;
export const assessmentCreate = (id: string) =>
  ({
    action: "assessment.create",
    resourceType: "assessment_response",
    resourceId: id,
    allow: ["self"],
  }) as const;
export const ASSIGNMENT_READ = {
  action: "assessment_assignment.read",
  resourceType: "assessment_assignment",
} as const;
/** Assigning and ending: the patient's care team only (not break-glass, not the patient). */
export const ASSIGNMENT_WRITE = {
  action: "assessment_assignment.write",
  resourceType: "assessment_assignment",
  allow: ["care_team"],
} as const;
export const ASSIGNMENT_LIST_MINE = {
  action: "assessment_assignment.list",
  resourceType: "assessment_assignment",
} as const;

// ---- responses ----------------------------------------------------------------------------------

/** How a reliable change is judged for one instrument (null threshold: the instrument has none here). */
export interface ChangeRule {
  /** Minimum absolute difference in reported score that counts as reliable. */
  threshold: number | null;
  /** "lower" for symptom scales (PHQ-9, GAD-7, PSS-10), "higher" for WHO-5. */
  better: "lower" | "higher";
  /** Whether a ≥ 50 % drop from baseline counts as response (symptom scales only). */
  response: boolean;
  /** Scores below this are remission (null: none defined). */
  remissionBelow: number | null;
}

const r = assessmentResponses;
const sameInstrument = (patientId: string, instrument: AssessmentInstrument) =>
  and(eq(r.patientId, patientId), eq(r.instrument, instrument));

/**
 * Stores one scored response, linked to the open assignment of its instrument if there is one. The previous score, reliable change and response flag are computed
 * in the same statement from the rows already there (subqueries see the table before this insert),
 * so two submissions cannot both compare against a stale previous score outside the transaction.
 */
export function insertAssessment(
  db: Database,
  row: {
    id: string;
    patientId: string;
    instrument: AssessmentInstrument;
    version: string;
    total: number;
    band: string;
    item9: number | null;
    safetyFlag: boolean;
    answersEnc: string;
    /** Only for demo data and imports; submissions take the database's time. */
    submittedAt?: Date;
  },
  rule: ChangeRule,
) {
  const previous = sql<
    number | null
  >`(select ${r.total} from ${r} where ${sameInstrument(row.patientId, row.instrument)} order by ${r.submittedAt} desc, ${r.seq} desc limit 1)`;
  const baseline = sql<
    number | null
  >`(select ${r.total} from ${r} where ${sameInstrument(row.patientId, row.instrument)} order by ${r.submittedAt} asc, ${r.seq} asc limit 1)`;
  const sign = rule.better === "lower" ? 1 : -1;
  const change: SQL<ReliableChange | null> =
    rule.threshold === null
      ? sql`null`
      : sql`case when ${previous} is null then null
          when (${previous} - ${row.total}) * ${sign} >= ${rule.threshold} then 'improved'
          when (${row.total} - ${previous}) * ${sign} >= ${rule.threshold} then 'worse'
          else 'no_reliable_change' end`;
  const response: SQL<boolean | null> = rule.response
    ? sql`case when ${baseline} is null or ${baseline} = 0 then null else ${row.total} * 2 <= ${baseline} end`
    : sql`null`;
  return db
    .insert(r)
    .values({
      ...row,
      // The open assignment of this instrument it answers, if any.
      assignmentId: sql`(select ${assessmentAssignments.id} from ${assessmentAssignments} where ${and(
        eq(assessmentAssignments.patientId, row.patientId),
        eq(assessmentAssignments.instrument, row.instrument),
        isNull(assessmentAssignments.endedAt),
      )} limit 1)`,
      previousTotal: previous,
      change,
      response,
      remission: rule.remissionBelow === null ? null : row.total < rule.remissionBelow,
    })
    .returning({
      seq: r.seq,
      submittedAt: r.submittedAt,
      previousTotal: r.previousTotal,
      change: r.change,
      response: r.response,
      remission: r.remission,
    });
}

/**
 * The `risk_events` row of a response that took the crisis path, in the same batch as the
 * response: its `seq` is the response's sequence number negated (shared with screeners).
 */
export function assessmentRiskEvent(
  db: Database,
  patientId: string,
  id: string,
  severity: string,
  ruleIds: readonly string[],
) {
  const seq: SQL<number> = sql`(select -${r.seq} from ${r} where ${eq(r.id, id)})`;
  return db.insert(riskEvents).values({
    userId: patientId,
    seq,
    severity,
    categories: ["self_harm"],
    ruleIds: [...ruleIds],
    source: "assessment",
    createdAt: sql`now()`,
  });
}

/**
 * A crisis path WITHOUT a stored response (the patient has not consented to processing health
 * data: the form is not kept, but a PHQ-9 item 9 above 0 still raises a risk event, as a crisis chat
 * message does when chat consent is off). Its seq is a fresh negative from the shared sequence.
 */
export function standaloneRiskEvent(
  db: Database,
  patientId: string,
  severity: string,
  ruleIds: readonly string[],
) {
  return db
    .insert(riskEvents)
    .values({
      userId: patientId,
      seq: sql`-nextval('screener_responses_seq_seq')`,
      severity,
      categories: ["self_harm"],
      ruleIds: [...ruleIds],
      source: "assessment",
      createdAt: sql`now()`,
    })
    .returning({ seq: riskEvents.seq });
}

/** Score columns (no answers), as lists and charts need them. */
const scoreColumns = {
  id: r.id,
  patientId: r.patientId,
  instrument: r.instrument,
  version: r.version,
  total: r.total,
  band: r.band,
  item9: r.item9,
  safetyFlag: r.safetyFlag,
  previousTotal: r.previousTotal,
  change: r.change,
  response: r.response,
  remission: r.remission,
  submittedAt: r.submittedAt,
};
export type ScoreRow = {
  id: string;
  patientId: string;
  instrument: AssessmentInstrument;
  version: string;
  total: number;
  band: string;
  item9: number | null;
  safetyFlag: boolean;
  previousTotal: number | null;
  change: ReliableChange | null;
  response: boolean | null;
  remission: boolean | null;
  submittedAt: Date;
};

/** A patient's scores, oldest first (for charts), optionally one instrument, at most `limit` newest. */
export function scoresQuery(
  db: Database,
  patientId: string,
  instrument: AssessmentInstrument | null,
  limit = 200,
) {
  return db
    .select(scoreColumns)
    .from(r)
    .where(instrument ? sameInstrument(patientId, instrument) : eq(r.patientId, patientId))
    .orderBy(desc(r.submittedAt), desc(r.seq))
    .limit(limit);
}

/** A patient's responses with their (still encrypted) answers, newest first. */
export function responsesQuery(db: Database, patientId: string, limit = 100) {
  return db
    .select({ ...scoreColumns, answersEnc: r.answersEnc })
    .from(r)
    .where(eq(r.patientId, patientId))
    .orderBy(desc(r.submittedAt), desc(r.seq))
    .limit(limit);
}

/** One response by id for one patient, with its encrypted answers (FHIR export). */
export function responseByIdQuery(db: Database, patientId: string, id: string) {
  return db
    .select({ ...scoreColumns, answersEnc: r.answersEnc })
    .from(r)
    .where(and(eq(r.patientId, patientId), eq(r.id, id)));
}

/**
 * The latest and previous score per (patient, instrument) for many patients in ONE query
 * (caseload, chart header). Run it in each patient's region (e.g. inside `everyRegion`, or with
 * `run` for one patient); pair the rows with {@link latestByPatient}.
 *
 * @example
 * const [rows] = await care.run(access, ASSESSMENT_SCORES_READ, (db) => [latestScoresQuery(db, [id])]);
 * latestByPatient(rows).get(id)?.["phq-9"]?.latest.total
 */
export function latestScoresQuery(db: Database, patientIds: readonly string[]) {
  const ranked = db.$with("ranked").as(
    db
      .select({
        ...scoreColumns,
        rank: sql<number>`row_number() over (partition by ${r.patientId}, ${r.instrument} order by ${r.submittedAt} desc, ${r.seq} desc)`.as(
          "rank",
        ),
      })
      .from(r)
      .where(
        inArray(
          r.patientId,
          patientIds.length > 0 ? [...patientIds] : ["00000000-0000-0000-0000-000000000000"],
        ),
      ),
  );
  return db
    .with(ranked)
    .select()
    .from(ranked)
    .where(lte(ranked.rank, 2))
    .orderBy(asc(ranked.patientId), asc(ranked.instrument), asc(ranked.rank));
}

export interface LatestPair {
  latest: ScoreRow;
  previous: ScoreRow | null;
}

/** patientId → instrument → { latest, previous } from {@link latestScoresQuery}'s rows. */
export function latestByPatient(
  rows: readonly (ScoreRow & { rank: number })[],
): Map<string, Partial<Record<AssessmentInstrument, LatestPair>>> {
  const out = new Map<string, Partial<Record<AssessmentInstrument, LatestPair>>>();
  for (const { rank, ...row } of rows) {
    const byInstrument = out.get(row.patientId) ?? {};
    out.set(row.patientId, byInstrument);
    const pair = byInstrument[row.instrument];
    if (Number(rank) === 1) byInstrument[row.instrument] = { latest: row, previous: pair?.previous ?? null };
    else if (pair) pair.previous = row;
    else byInstrument[row.instrument] = { latest: row, previous: null };
  }
  return out;
}

// ---- assignments --------------------------------------------------------------------------------

const a = assessmentAssignments;

/** Ends any open assignment of this instrument, then opens the new one (one batch). */
export function assignWrites(
  db: Database,
  row: {
    id: string;
    patientId: string;
    clinicianId: string;
    instrument: AssignableInstrument;
    cadenceDays: number;
    /** First due (default now); only demo data and imports set it. */
    startsAt?: Date;
  },
) {
  return [
    db
      .update(a)
      .set({ endedAt: sql`now()` })
      .where(and(eq(a.patientId, row.patientId), eq(a.instrument, row.instrument), isNull(a.endedAt))),
    db.insert(a).values(row).returning(),
  ] as const;
}

/** Ends one open assignment of this patient; returns it (empty when there was none). */
export function endAssignmentWrite(db: Database, patientId: string, id: string) {
  return db
    .update(a)
    .set({ endedAt: sql`now()` })
    .where(and(eq(a.id, id), eq(a.patientId, patientId), isNull(a.endedAt)))
    .returning();
}

/** When the patient last completed the assignment's instrument since it started (null: not yet). */
const lastCompleted = sql<Date | null>`case when ${a.instrument} = 'c-ssrs'
  then (select max(${screenerResponses.createdAt}) from ${screenerResponses}
        where ${screenerResponses.userId} = ${a.patientId} and ${screenerResponses.createdAt} >= ${a.startsAt})
  else (select max(${r.submittedAt}) from ${r}
        where ${r.patientId} = ${a.patientId} and ${r.instrument} = ${a.instrument} and ${r.submittedAt} >= ${a.startsAt}) end`;

const assignmentColumns = {
  id: a.id,
  patientId: a.patientId,
  clinicianId: a.clinicianId,
  instrument: a.instrument,
  cadenceDays: a.cadenceDays,
  startsAt: a.startsAt,
  createdAt: a.createdAt,
  lastCompletedAt: sql<string | null>`${lastCompleted}`.mapWith((v: unknown) =>
    v === null ? null : new Date(String(v)),
  ),
};
export interface AssignmentRow {
  id: string;
  patientId: string;
  clinicianId: string;
  instrument: AssignableInstrument;
  cadenceDays: number;
  startsAt: Date;
  createdAt: Date;
  lastCompletedAt: Date | null;
}

/** A patient's open assignments with when each was last completed. */
export function openAssignmentsQuery(db: Database, patientId: string) {
  return db
    .select(assignmentColumns)
    .from(a)
    .where(and(eq(a.patientId, patientId), isNull(a.endedAt)))
    .orderBy(asc(a.instrument));
}

/**
 * Open assignments of every patient on `clinicianId`'s ACTIVE care team in one region (whoever
 * assigned them), with when each was last completed: the clinician's due/overdue list.
 */
export function teamAssignmentsQuery(db: Database, clinicianId: string) {
  return db
    .select(assignmentColumns)
    .from(a)
    .innerJoin(
      careTeam,
      and(
        eq(careTeam.patientId, a.patientId),
        eq(careTeam.clinicianId, clinicianId),
        eq(careTeam.status, "active"),
      ),
    )
    .where(isNull(a.endedAt))
    .orderBy(asc(a.patientId), asc(a.instrument));
}

/**
 * Every open assignment in one region with when it was last completed (ids, instrument and dates
 * only): the hourly reminder job's input.
 */
export function allOpenAssignmentsQuery(db: Database) {
  return db.select(assignmentColumns).from(a).where(isNull(a.endedAt)).limit(10_000);
}

/** Days after the due date before an assignment counts as overdue. */
export const OVERDUE_AFTER_DAYS = 2;
const DAY = 86_400_000;

export type DueStatus = "upcoming" | "due" | "overdue";

/**
 * When an assignment is next due and whether it is due now: first at `startsAt`, then `cadenceDays`
 * after the last completion; overdue {@link OVERDUE_AFTER_DAYS} days after that.
 *
 * @example dueState({ startsAt, cadenceDays: 14, lastCompletedAt: null }, now) // { status: "due", … }
 */
export function dueState(
  row: Pick<AssignmentRow, "startsAt" | "cadenceDays" | "lastCompletedAt">,
  now: Date,
): { dueAt: Date; status: DueStatus } {
  const dueAt = row.lastCompletedAt
    ? new Date(row.lastCompletedAt.getTime() + row.cadenceDays * DAY)
    : new Date(row.startsAt.getTime());
  const status: DueStatus =
    now.getTime() < dueAt.getTime()
      ? "upcoming"
      : now.getTime() > dueAt.getTime() + OVERDUE_AFTER_DAYS * DAY
        ? "overdue"
        : "due";
  return { dueAt, status };
}
