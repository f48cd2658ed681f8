import { and, asc, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import { breakGlass, careAlertActions, careAlerts, careTeam, users } from "../../db/schema";
import type { Database } from "../db";

export const CARE_ALERT_READ = { action: "care_alert.read", resourceType: "care_alert" } as const;
export const CARE_ALERT_NOTE = { action: "care_alert.note", resourceType: "care_alert" } as const;
export const CARE_ALERT_ESCALATE = { action: "care_alert.escalate", resourceType: "care_alert" } as const;
export const CARE_ALERT_REALERT = { action: "care_alert.realert", resourceType: "care_alert" } as const;

/** Severities whose unacknowledged alerts are re-sent after the configured time. */
/**
 * Every crisis alert is re-sent until someone acknowledges it, whatever the source's severity
 * scale (chat: elevated/high/imminent; PHQ-9 item 9: moderate/high; C-SSRS: low/moderate/high).
 * Only wearable anomalies (informational) are not.
 */
export const REALERT_SEVERITIES = ["imminent", "high", "elevated", "moderate", "low"] as const;

/** The alert's triage trail (notes still encrypted), oldest first. */
export function alertActionsQuery(db: Database, alertId: string) {
  return db
    .select()
    .from(careAlertActions)
    .where(eq(careAlertActions.alertId, alertId))
    .orderBy(asc(careAlertActions.createdAt));
}

/** The patient's wrapped key and display name, for sealing a note and naming the alert. */
export function alertPatientQuery(db: Database, patientId: string) {
  return db
    .select({ wrapped: users.dataKeyWrapped, name: users.displayName })
    .from(users)
    .where(eq(users.id, patientId));
}

export function insertAlertAction(db: Database, row: typeof careAlertActions.$inferInsert) {
  return db.insert(careAlertActions).values(row).returning();
}

/** A staff account in one region (escalation target): id, role and name. */
export function staffQuery(db: Database, id: string) {
  return db
    .select({ id: users.id, role: users.role, name: users.displayName })
    .from(users)
    .where(eq(users.id, id));
}

/**
 * Escalation writes in the patient's region: a one-hour break-glass grant for the colleague (the
 * reason sealed with the patient's key), the same alert in the colleague's inbox (idempotent by
 * clinician, patient, seq) and the triage row.
 */
export function escalateWrites(
  db: Database,
  alert: { id: string; patientId: string; seq: number; severity: string },
  row: {
    grantId: string;
    actionId: string;
    authorId: string;
    targetId: string;
    reasonEnc: string;
    noteEnc: string;
  },
) {
  return [
    db.insert(breakGlass).values({
      id: row.grantId,
      patientId: alert.patientId,
      actorId: row.targetId,
      actorRole: "clinician",
      reasonEnc: row.reasonEnc,
      expiresAt: sql`now() + interval '60 minutes'`,
    }),
    db
      .insert(careAlerts)
      .values({
        clinicianId: row.targetId,
        patientId: alert.patientId,
        seq: alert.seq,
        severity: alert.severity,
      })
      .onConflictDoNothing()
      .returning({ id: careAlerts.id }),
    insertAlertAction(db, {
      id: row.actionId,
      alertId: alert.id,
      patientId: alert.patientId,
      kind: "escalation",
      authorId: row.authorId,
      targetId: row.targetId,
      noteEnc: row.noteEnc,
    }),
  ] as const;
}

/**
 * Unacknowledged high-risk alerts older than `minutes` whose last re-alert (if any) is also older
 * than `minutes`, whose clinician may still see the patient (active team or unexpired grant), in
 * one region. At most 200 per run.
 */
export function dueRealertsQuery(db: Database, minutes: number) {
  const cutoff = sql`now() - make_interval(mins => ${minutes})`;
  const lastRealert = sql`(select max(${careAlertActions.createdAt}) from ${careAlertActions}
    where ${careAlertActions.alertId} = ${careAlerts.id} and ${careAlertActions.kind} = 'realert')`;
  const reachable = sql`(exists (select 1 from ${careTeam} where ${and(
    eq(careTeam.patientId, careAlerts.patientId),
    eq(careTeam.clinicianId, careAlerts.clinicianId),
    eq(careTeam.status, "active"),
  )}) or exists (select 1 from ${breakGlass} where ${and(
    eq(breakGlass.patientId, careAlerts.patientId),
    eq(breakGlass.actorId, careAlerts.clinicianId),
    gt(breakGlass.expiresAt, sql`now()`),
  )}))`;
  return db
    .select()
    .from(careAlerts)
    .where(
      and(
        isNull(careAlerts.acknowledgedAt),
        inArray(careAlerts.severity, [...REALERT_SEVERITIES]),
        lt(careAlerts.createdAt, cutoff),
        sql`(${lastRealert} is null or ${lastRealert} < ${cutoff})`,
        reachable,
      ),
    )
    .limit(200);
}
