import { and, desc, eq, getTableColumns, gt, isNull, sql } from "drizzle-orm";
import { breakGlass, careAlerts, careTeam, notifications, users } from "../../db/schema";
import type { Database } from "../db";

export const CARE_ALERT_LIST = { action: "care_alert.list", resourceType: "care_alert" } as const;
export const CARE_ALERT_ACKNOWLEDGE = {
  action: "care_alert.acknowledge",
  resourceType: "care_alert",
} as const;
export const CARE_ALERT_CREATE = { action: "care_alert.create", resourceType: "care_alert" } as const;

export type CareAlertRow = typeof careAlerts.$inferSelect;

/** One clinician's inbox row for one crisis, as recorded in the patient's region. */
export interface RecordedAlert {
  alertId: string;
  clinicianId: string;
}

/**
 * Only while the clinician is still on the patient's active care team, or holds an unexpired
 * break-glass grant (an alert escalated to an on-call colleague).
 */
const onTeam = sql<boolean>`(exists (select 1 from ${careTeam} where ${and(
  eq(careTeam.patientId, careAlerts.patientId),
  eq(careTeam.clinicianId, careAlerts.clinicianId),
  eq(careTeam.status, "active"),
)}) or exists (select 1 from ${breakGlass} where ${and(
  eq(breakGlass.patientId, careAlerts.patientId),
  eq(breakGlass.actorId, careAlerts.clinicianId),
  gt(breakGlass.expiresAt, sql`now()`),
)}))`;

/** A clinician's unacknowledged alerts in one region (still on the team), newest first. */
export function inboxQuery(db: Database, clinicianId: string) {
  return db
    .select({ ...getTableColumns(careAlerts), patientName: users.displayName })
    .from(careAlerts)
    .innerJoin(users, eq(users.id, careAlerts.patientId))
    .where(and(eq(careAlerts.clinicianId, clinicianId), isNull(careAlerts.acknowledgedAt), onTeam))
    .orderBy(desc(careAlerts.createdAt))
    .limit(200);
}

/** One alert by id, with whether its clinician is still on the patient's active care team. */
export function alertByIdQuery(db: Database, id: string) {
  return db.select({ row: careAlerts, onTeam }).from(careAlerts).where(eq(careAlerts.id, id));
}

/** Acknowledges an alert once (a second acknowledgement keeps the first), then reads it back. */
export function acknowledgeWrites(db: Database, id: string, clinicianId: string) {
  return [
    db
      .update(careAlerts)
      .set({ acknowledgedAt: sql`now()`, acknowledgedBy: clinicianId })
      .where(and(eq(careAlerts.id, id), isNull(careAlerts.acknowledgedAt)))
      .returning(),
    db.select().from(careAlerts).where(eq(careAlerts.id, id)),
  ] as const;
}

/**
 * The inbox rows and pending notifications of one crisis for every clinician on the patient's
 * ACTIVE care team, then every inbox row of that crisis. Idempotent by (clinician, patient, seq).
 */
export function recordAlertWrites(db: Database, patientId: string, seq: number, severity: string) {
  const team = and(eq(careTeam.patientId, patientId), eq(careTeam.status, "active"));
  return [
    db.execute(sql`insert into ${careAlerts} (clinician_id, patient_id, seq, severity)
      select ${careTeam.clinicianId}, ${careTeam.patientId}, ${seq}, ${severity} from ${careTeam} where ${team}
      on conflict do nothing`),
    db.execute(sql`insert into ${notifications} (recipient_id, patient_id, kind, severity, seq)
      select ${careTeam.clinicianId}, ${careTeam.patientId}, 'crisis_alert', ${severity}, ${seq} from ${careTeam} where ${team}
      on conflict do nothing`),
    db
      .select({ alertId: careAlerts.id, clinicianId: careAlerts.clinicianId })
      .from(careAlerts)
      .where(and(eq(careAlerts.patientId, patientId), eq(careAlerts.seq, seq))),
  ] as const;
}

/**
 * Backlog of unacknowledged high/imminent alerts in one region (counts and an age only, no
 * patient or clinician): the metrics scrape's figure for "crisis alert not acknowledged in time".
 */
export function alertBacklogQuery(db: Database) {
  return db
    .select({
      count: sql<number>`count(*)::int`,
      oldestAgeSeconds: sql<number>`coalesce(extract(epoch from (now() - min(${careAlerts.createdAt}))), 0)::float8`,
    })
    .from(careAlerts)
    .where(and(isNull(careAlerts.acknowledgedAt), sql`${careAlerts.severity} in ('high', 'imminent')`));
}
