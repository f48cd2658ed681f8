import { auditInsert } from "../workers/lib/audit";
import { anomalySeq, anomalyWrites, WEARABLE_ANOMALY } from "../workers/lib/care-data/wearables";
import { publishQuietly } from "../workers/lib/events";
import type { Scope } from "../workers/lib/scope";
import { roomStub } from "./chat-stub";
import type { StreamRef } from "./wearable-protocol";
import type { Episode } from "./wearable-rules";

/** Severity on the care team's inbox row: the dashboard words these as wearable alerts, not crises. */
export const WEARABLE_ALERT_SEVERITY = "wearable";

/** Informational rules tell the patient only; the rest page the care team. */
const INFORMATIONAL = new Set<Episode["rule"]>(["device_silent"]);

/**
 * THE place a wearable anomaly is published. In one transaction in the patient's region: a
 * `risk_events` row of source `wearable` (the risk timeline; rule and reading-type ids only, no
 * values), a `care_alerts` inbox row per clinician on the active care team, and a pending
 * `notifications` row per recipient (kind `wearable_anomaly`; queued delivery picks those up),
 * with the audit row. Then the live pushes are handed to the patient's ChatRoom outbox, which
 * retries them until each clinician's dashboard has it (the inbox row is the record either way).
 * Idempotent by the anomaly's number: a retry after a lost answer records nothing twice.
 * Throws when Postgres cannot take it (the stream retries from its alarm).
 */
export async function publishWearableAnomaly(
  scope: Scope,
  ref: StreamRef,
  anomaly: Episode & { id: number },
): Promise<{ alerted: number }> {
  const db = scope.db(ref.region);
  const seq = anomalySeq(anomaly.id);
  const informational = INFORMATIONAL.has(anomaly.rule);
  const [, , , , recorded] = await db.batch([
    auditInsert(db, scope, {
      ...WEARABLE_ANOMALY,
      resourceId: String(seq),
      patientId: ref.userId,
      outcome: "success",
    }),
    ...anomalyWrites(db, ref.userId, seq, {
      severity: informational ? "info" : "elevated",
      alertSeverity: WEARABLE_ALERT_SEVERITY,
      ruleIds: [`wearable.${anomaly.rule}`, `type.${anomaly.readingType}`],
      at: new Date(anomaly.end),
      informational,
    }),
  ] as const);
  const alerts = (recorded ?? []) as { alertId: string; clinicianId: string }[];
  if (alerts.length > 0) {
    const handed = await roomStub(scope.env, ref.userId, ref.region)
      .enqueueAlerts(
        { ownerId: ref.userId, region: ref.region },
        { about: seq, severity: WEARABLE_ALERT_SEVERITY, alerts },
      )
      .catch(() => ({ ok: false }));
    if (!handed.ok) scope.log.warn("wearable_alert_push_not_handed", {});
  }
  // The notifications service delivers it per preference (queued; ids and the metric code only).
  await publishQuietly(scope.env, scope.log, {
    type: "anomaly.detected",
    v: 1,
    patientId: ref.userId,
    region: ref.region,
    metric: anomaly.readingType,
    critical: !informational,
  });
  return { alerted: alerts.length };
}
