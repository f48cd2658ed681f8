import { sql } from "drizzle-orm";
import {
  assessmentResponses,
  careAlertActions,
  careAlerts,
  riskEvents,
  riskSignals,
  safetyPlans,
} from "../../db/schema";
import type { Database } from "../db";

/** The care team's (and break-glass holders') view of a patient's risk history; not the patient's. */
export const TIMELINE_READ = {
  action: "timeline.read",
  resourceType: "risk_timeline",
  allow: ["care_team", "break_glass"],
} as const;

export const TIMELINE_KINDS = [
  "crisis",
  "score",
  "mood_drop",
  "missed_medication",
  "alert",
  "alert_acknowledged",
  "alert_note",
  "alert_escalated",
  "alert_realerted",
  "safety_plan",
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** One timeline row as the database returns it: ids, severities and numbers, never text. */
export type TimelineRow = {
  kind: TimelineKind;
  at: string | Date;
  id: string;
  severity: string | null;
  /** crisis: source; score: instrument; signals: kind; alerts: clinician id. */
  label: string | null;
  actor_id: string | null;
  detail: Record<string, unknown> | null;
  /** Encrypted follow-up note (alert_note only), for the service to decrypt. */
  note_enc: string | null;
};

/**
 * Every event of one patient's risk timeline, newest first, in ONE query (a union over the tables
 * that hold them, so there is no second copy to drift): crisis detections (chat, screeners,
 * assessments: `risk_events`), scores with their reliable change, self-tracking signals, care
 * alerts with who acknowledged them and the triage trail (notes, escalations, re-alerts), and
 * safety-plan versions. Ties at the same instant are ordered by a fixed kind rank, then id.
 */
export function timelineQuery(db: Database, patientId: string, days: number, limit = 500) {
  const since = sql`now() - make_interval(days => ${days})`;
  return db.execute<TimelineRow>(sql`
    select * from (
      select 'crisis' as kind, ${riskEvents.createdAt} as at, ${riskEvents.id}::text as id, ${riskEvents.severity} as severity,
        ${riskEvents.source} as label, null::uuid as actor_id,
        jsonb_build_object('rules', ${riskEvents.ruleIds}, 'seq', ${riskEvents.seq}) as detail, null::text as note_enc, 1 as rank
      from ${riskEvents} where ${riskEvents.userId} = ${patientId} and ${riskEvents.createdAt} >= ${since}
      union all
      select 'score', ${assessmentResponses.submittedAt}, ${assessmentResponses.id}::text, ${assessmentResponses.band},
        ${assessmentResponses.instrument}, null::uuid,
        jsonb_build_object('total', ${assessmentResponses.total}, 'previous', ${assessmentResponses.previousTotal},
          'change', ${assessmentResponses.change}, 'response', ${assessmentResponses.response},
          'remission', ${assessmentResponses.remission}, 'safetyFlag', ${assessmentResponses.safetyFlag}), null, 2
      from ${assessmentResponses} where ${assessmentResponses.patientId} = ${patientId} and ${assessmentResponses.submittedAt} >= ${since}
      union all
      select ${riskSignals.kind}, ${riskSignals.createdAt}, ${riskSignals.id}::text, ${riskSignals.severity}, ${riskSignals.kind},
        null::uuid, ${riskSignals.detail}, null, 3
      from ${riskSignals} where ${riskSignals.userId} = ${patientId} and ${riskSignals.createdAt} >= ${since}
      union all
      select 'alert', ${careAlerts.createdAt}, ${careAlerts.id}::text, ${careAlerts.severity}, null, ${careAlerts.clinicianId},
        jsonb_build_object('seq', ${careAlerts.seq}), null, 4
      from ${careAlerts} where ${careAlerts.patientId} = ${patientId} and ${careAlerts.createdAt} >= ${since}
      union all
      select 'alert_acknowledged', ${careAlerts.acknowledgedAt}, ${careAlerts.id}::text, ${careAlerts.severity}, null,
        ${careAlerts.acknowledgedBy}, jsonb_build_object('alertId', ${careAlerts.id}), null, 5
      from ${careAlerts} where ${careAlerts.patientId} = ${patientId} and ${careAlerts.acknowledgedAt} >= ${since}
      union all
      select 'alert_' || case ${careAlertActions.kind} when 'note' then 'note' when 'escalation' then 'escalated' else 'realerted' end,
        ${careAlertActions.createdAt}, ${careAlertActions.id}::text, null, null, ${careAlertActions.authorId},
        jsonb_build_object('alertId', ${careAlertActions.alertId}, 'targetId', ${careAlertActions.targetId}),
        ${careAlertActions.noteEnc}, 6
      from ${careAlertActions} where ${careAlertActions.patientId} = ${patientId} and ${careAlertActions.createdAt} >= ${since}
      union all
      select 'safety_plan', ${safetyPlans.createdAt}, ${safetyPlans.id}::text, null, null, ${safetyPlans.authorId},
        jsonb_build_object('version', ${safetyPlans.version}), null, 7
      from ${safetyPlans} where ${safetyPlans.userId} = ${patientId} and ${safetyPlans.createdAt} >= ${since}
    ) t
    order by at desc, rank desc, id desc
    limit ${limit}`);
}
