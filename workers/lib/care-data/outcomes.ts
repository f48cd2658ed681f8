import { sql } from "drizzle-orm";
import {
  assessmentAssignments,
  assessmentResponses,
  careTeam,
  trackingEntries,
  users,
} from "../../db/schema";
import type { Database } from "../db";

export const OUTCOMES_READ = { action: "outcomes.read", resourceType: "practice_outcomes" } as const;

/** Instruments with a reliable-change threshold and a remission cut-off (symptom scales). */
export const OUTCOME_RULES = {
  /** PHQ-9: reliable change 6 points (NHS Talking Therapies manual, after Jacobson & Truax 1991); remission < 5. */
  "phq-9": { reliable: 6, remissionBelow: 5 },
  /** GAD-7: reliable change 4 points (NHS Talking Therapies manual); remission < 5. */
  "gad-7": { reliable: 4, remissionBelow: 5 },
} as const;
export type OutcomeInstrument = keyof typeof OUTCOME_RULES;

/** Counts for one month of one region (no patient ids: nothing here identifies anyone). */
export type OutcomeCounts = {
  month: string | Date;
  patients: number;
  scored: number;
  measured: number;
  improved: number;
  responded: number;
  remitted: number;
  assigned: number;
  completed: number;
  engaged: number;
};

/**
 * Practice outcomes per calendar month (the last `months`, oldest first), computed in the database
 * over a cohort: a clinician's ACTIVE care-team patients (`clinicianId`), or every patient of the
 * region (null, admins). For each month, with scores up to its end:
 * `scored` (≥ 1 score), `measured` (≥ 2), `improved` (first − latest ≥ the reliable-change
 * threshold), `responded` (latest ≤ half the first, first > 0), `remitted` (latest below the
 * cut-off, among `scored`); `assigned` (an assignment open during the month) and `completed` (of
 * those, any assessment submitted in the month); `engaged` (any self-tracking entry in the month).
 */
export function outcomesQuery(
  db: Database,
  clinicianId: string | null,
  instrument: OutcomeInstrument,
  months: number,
) {
  const rule = OUTCOME_RULES[instrument];
  const cohort = clinicianId
    ? sql`select ${careTeam.patientId} as patient_id from ${careTeam} where ${careTeam.clinicianId} = ${clinicianId} and ${careTeam.status} = 'active'`
    : sql`select ${users.id} as patient_id from ${users} where ${users.role} = 'patient'`;
  const r = assessmentResponses;
  const a = assessmentAssignments;
  const e = trackingEntries;
  return db.execute<OutcomeCounts>(sql`
    with cohort as (${cohort}),
    months as (
      select generate_series(date_trunc('month', now()) - make_interval(months => ${months - 1}),
                             date_trunc('month', now()), interval '1 month') as m
    )
    select months.m as month,
      count(t.patient_id)::int as patients,
      count(*) filter (where s.n >= 1)::int as scored,
      count(*) filter (where s.n >= 2)::int as measured,
      count(*) filter (where s.n >= 2 and s.first - s.latest >= ${rule.reliable})::int as improved,
      count(*) filter (where s.n >= 2 and s.first > 0 and s.latest * 2 <= s.first)::int as responded,
      count(*) filter (where s.n >= 1 and s.latest < ${rule.remissionBelow})::int as remitted,
      count(*) filter (where x.assigned)::int as assigned,
      count(*) filter (where x.assigned and x.completed)::int as completed,
      count(*) filter (where x.engaged)::int as engaged
    from months
    left join cohort t on true
    left join lateral (
      select count(*) as n,
        (array_agg(${r.total} order by ${r.submittedAt} asc, ${r.seq} asc))[1] as first,
        (array_agg(${r.total} order by ${r.submittedAt} desc, ${r.seq} desc))[1] as latest
      from ${r} where ${r.patientId} = t.patient_id and ${r.instrument} = ${instrument}
        and ${r.submittedAt} < months.m + interval '1 month'
    ) s on true
    left join lateral (
      select
        exists (select 1 from ${a} where ${a.patientId} = t.patient_id and ${a.startsAt} < months.m + interval '1 month'
                and (${a.endedAt} is null or ${a.endedAt} >= months.m)) as assigned,
        exists (select 1 from ${r} where ${r.patientId} = t.patient_id and ${r.submittedAt} >= months.m
                and ${r.submittedAt} < months.m + interval '1 month') as completed,
        exists (select 1 from ${e} where ${e.userId} = t.patient_id and ${e.recordedAt} >= months.m
                and ${e.recordedAt} < months.m + interval '1 month') as engaged
    ) x on true
    group by months.m
    order by months.m`);
}
