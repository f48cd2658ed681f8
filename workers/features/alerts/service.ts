import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Context } from "hono";
import { careAlerts, careTeam } from "../../db/schema";
import { audit, auditInsert } from "../../lib/audit";
import { REGIONS, type Region } from "../../lib/config";
import type { AppEnv } from "../../lib/context";
import { AppError } from "../../lib/errors";
import type { Principal } from "../../lib/principal";

type Ctx = Context<AppEnv>;
type Row = typeof careAlerts.$inferSelect;

/** Only while the clinician is still on the patient's active care team. */
const onTeam = sql<boolean>`exists (select 1 from ${careTeam} where ${and(
  eq(careTeam.patientId, careAlerts.patientId),
  eq(careTeam.clinicianId, careAlerts.clinicianId),
  eq(careTeam.status, "active"),
)})`;

const toOut = (r: Row) => ({
  id: r.id,
  patientId: r.patientId,
  severity: r.severity,
  createdAt: r.createdAt.toISOString(),
  acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null,
  acknowledgedBy: r.acknowledgedBy,
});

/**
 * The clinician's unacknowledged crisis alerts from every region (alerts live in each patient's
 * region), newest first. Each region's read is audited in the same round trip as the query.
 */
export async function listAlerts(c: Ctx, p: Principal) {
  const perRegion = await Promise.all(
    REGIONS.map(async (region) => {
      const db = c.get("db")(region);
      const [rows] = await db.batch([
        db
          .select()
          .from(careAlerts)
          .where(and(eq(careAlerts.clinicianId, p.userId), isNull(careAlerts.acknowledgedAt), onTeam))
          .orderBy(desc(careAlerts.createdAt))
          .limit(200),
        auditInsert(db, c, { action: "care_alert.list", resourceType: "care_alert", outcome: "success" }),
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
export async function acknowledgeAlert(c: Ctx, p: Principal, id: string) {
  const found = await Promise.all(
    REGIONS.map(async (region) => {
      const [row] = await c
        .get("db")(region)
        .select({ row: careAlerts, onTeam })
        .from(careAlerts)
        .where(eq(careAlerts.id, id));
      return row ? { region, ...row } : null;
    }),
  );
  const hit = found.find((f): f is { region: Region; row: Row; onTeam: boolean } => f !== null);
  const event = { action: "care_alert.acknowledge", resourceType: "care_alert", resourceId: id };
  if (!hit || hit.row.clinicianId !== p.userId || !hit.onTeam) {
    await audit(c, hit?.region ?? p.region, {
      ...event,
      patientId: hit?.row.patientId ?? null,
      outcome: "denied",
    });
    throw new AppError("not_found", "No such alert");
  }
  const db = c.get("db")(hit.region);
  const [[updated], [current]] = await db.batch([
    db
      .update(careAlerts)
      .set({ acknowledgedAt: sql`now()`, acknowledgedBy: p.userId })
      .where(and(eq(careAlerts.id, id), isNull(careAlerts.acknowledgedAt)))
      .returning(),
    db.select().from(careAlerts).where(eq(careAlerts.id, id)),
    auditInsert(db, c, { ...event, patientId: hit.row.patientId, outcome: "success" }),
  ]);
  const row = updated ?? current;
  if (!row) throw new AppError("not_found", "No such alert");
  return toOut(row);
}
