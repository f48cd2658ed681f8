import { audit, auditInsert } from "../../lib/audit";
import {
  acknowledgeWrites,
  alertByIdQuery,
  CARE_ALERT_ACKNOWLEDGE,
  CARE_ALERT_LIST,
  type CareAlertRow,
  inboxQuery,
} from "../../lib/care-data/alerts";
import { AppError } from "../../lib/errors";
import { publishQuietly } from "../../lib/events";
import { inc, observe } from "../../lib/metrics/recorder";
import type { Principal } from "../../lib/principal";
import type { Scope } from "../../lib/scope";
import { REGIONS, type Region } from "../../lib/vocabulary";

const toOut = (r: CareAlertRow & { patientName?: string }) => ({
  id: r.id,
  patientId: r.patientId,
  ...(r.patientName === undefined ? {} : { patientName: r.patientName }),
  severity: r.severity,
  createdAt: r.createdAt.toISOString(),
  acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null,
  acknowledgedBy: r.acknowledgedBy,
});

function clinician(scope: Scope): Principal {
  if (!scope.principal) throw new AppError("unauthorized", "Sign in to continue");
  return scope.principal;
}

/**
 * The clinician's unacknowledged crisis alerts from every region (alerts live in each patient's
 * region), newest first. Each region's read is audited in the same round trip as the query.
 */
export async function listAlerts(scope: Scope) {
  const p = clinician(scope);
  const perRegion = await Promise.all(
    REGIONS.map(async (region) => {
      const db = scope.db(region);
      const [rows] = await db.batch([
        inboxQuery(db, p.userId),
        auditInsert(db, scope, { ...CARE_ALERT_LIST, outcome: "success" }),
      ]);
      return rows;
    }),
  );
  const alerts = perRegion.flat().sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return { alerts: alerts.map(toOut) };
}

/**
 * Acknowledges one alert (who and when), audited in the patient's region in the same round trip.
 * Acknowledging twice keeps the first acknowledgement. Someone else's alert answers 404 and the
 * denial is audited in the patient's region.
 */
export async function acknowledgeAlert(scope: Scope, id: string) {
  const p = clinician(scope);
  const found = await Promise.all(
    REGIONS.map(async (region) => {
      const [row] = await alertByIdQuery(scope.db(region), id);
      return row ? { region, ...row } : null;
    }),
  );
  const hit = found.find((f): f is { region: Region; row: CareAlertRow; onTeam: boolean } => f !== null);
  const event = { ...CARE_ALERT_ACKNOWLEDGE, resourceId: id };
  if (!hit || hit.row.clinicianId !== p.userId || !hit.onTeam) {
    await audit(scope, hit?.region ?? p.region, {
      ...event,
      patientId: hit?.row.patientId ?? null,
      outcome: "denied",
    });
    throw new AppError("not_found", "No such alert");
  }
  const db = scope.db(hit.region);
  const [[updated], [current]] = await db.batch([
    ...acknowledgeWrites(db, id, p.userId),
    auditInsert(db, scope, { ...event, patientId: hit.row.patientId, outcome: "success" }),
  ]);
  const row = updated ?? current;
  if (!row) throw new AppError("not_found", "No such alert");
  if (updated) {
    inc("care_alerts_total", { outcome: "acknowledged" });
    observe("care_alert_ack_seconds", {}, (Date.now() - updated.createdAt.getTime()) / 1000);
  }
  if (updated)
    await publishQuietly(scope.env, scope.log, {
      type: "alert.acknowledged",
      v: 1,
      alertId: id,
      patientId: row.patientId,
      region: hit.region,
      clinicianId: p.userId,
    });
  return toOut(row);
}
