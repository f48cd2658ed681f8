import { sql } from "drizzle-orm";
import { careAlerts, careTeam, riskEvents, riskSignals, trackingEntries, users } from "../../db/schema";
import type { Database } from "../db";

export const CASELOAD_READ = { action: "caseload.read", resourceType: "caseload" } as const;

/** Days of history that count as "recent" for the caseload's risk ranking. */
export const RECENT_RISK_DAYS = 14;

/** Severity → rank, shared by the caseload's ordering and its tests. */
export const SEVERITY_RANK_SQL = (col: unknown) => sql`case ${col}
  when 'imminent' then 4 when 'high' then 3 when 'elevated' then 2 when 'moderate' then 2
  when 'low' then 1 when 'check_in' then 1 else 0 end`;

export type CaseloadRow = {
  patient_id: string;
  display_name: string;
  since: string | Date;
  unacked_alerts: number;
  unacked_top: number;
  crisis_top: number;
  crisis_count: number;
  last_crisis_at: string | Date | null;
  signal_top: number;
  signal_count: number;
  last_entry_at: string | Date | null;
};

/**
 * The clinician's ACTIVE care-team patients in one region with the numbers the caseload ranks
 * them by, computed in the database: their unacknowledged alerts for this clinician (and the
 * highest severity among them), the highest crisis severity and count in the last
 * {@link RECENT_RISK_DAYS} days, self-tracking signals in that window, and the last entry.
 */
export function caseloadQuery(db: Database, clinicianId: string) {
  const recent = sql`now() - make_interval(days => ${RECENT_RISK_DAYS})`;
  return db.execute<CaseloadRow>(sql`
    select ${careTeam.patientId} as patient_id, ${users.displayName} as display_name, ${careTeam.updatedAt} as since,
      (select count(*)::int from ${careAlerts} where ${careAlerts.patientId} = ${careTeam.patientId}
         and ${careAlerts.clinicianId} = ${clinicianId} and ${careAlerts.acknowledgedAt} is null) as unacked_alerts,
      (select coalesce(max(${SEVERITY_RANK_SQL(careAlerts.severity)}), 0)::int from ${careAlerts}
         where ${careAlerts.patientId} = ${careTeam.patientId} and ${careAlerts.clinicianId} = ${clinicianId}
         and ${careAlerts.acknowledgedAt} is null) as unacked_top,
      (select coalesce(max(${SEVERITY_RANK_SQL(riskEvents.severity)}), 0)::int from ${riskEvents}
         where ${riskEvents.userId} = ${careTeam.patientId} and ${riskEvents.createdAt} >= ${recent}) as crisis_top,
      (select count(*)::int from ${riskEvents}
         where ${riskEvents.userId} = ${careTeam.patientId} and ${riskEvents.createdAt} >= ${recent}) as crisis_count,
      (select max(${riskEvents.createdAt}) from ${riskEvents} where ${riskEvents.userId} = ${careTeam.patientId}) as last_crisis_at,
      (select coalesce(max(${SEVERITY_RANK_SQL(riskSignals.severity)}), 0)::int from ${riskSignals}
         where ${riskSignals.userId} = ${careTeam.patientId} and ${riskSignals.createdAt} >= ${recent}) as signal_top,
      (select count(*)::int from ${riskSignals}
         where ${riskSignals.userId} = ${careTeam.patientId} and ${riskSignals.createdAt} >= ${recent}) as signal_count,
      (select max(${trackingEntries.recordedAt}) from ${trackingEntries} where ${trackingEntries.userId} = ${careTeam.patientId}) as last_entry_at
    from ${careTeam} join ${users} on ${users.id} = ${careTeam.patientId}
    where ${careTeam.clinicianId} = ${clinicianId} and ${careTeam.status} = 'active'
    limit 1000`);
}

/** Display names of staff accounts (clinicians acting on a timeline), looked up in one region. */
export function staffNamesQuery(db: Database, ids: readonly string[]) {
  return db
    .select({ id: users.id, name: users.displayName })
    .from(users)
    .where(
      sql`${users.id} in (${sql.join(
        (ids.length > 0 ? ids : ["00000000-0000-0000-0000-000000000000"]).map((id) => sql`${id}::uuid`),
        sql`, `,
      )}) and ${users.role} <> 'patient'`,
    );
}
