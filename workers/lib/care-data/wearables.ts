import { and, asc, desc, eq, gte, isNull, lt, type SQL, sql } from "drizzle-orm";
import {
  careAlerts,
  careTeam,
  notifications,
  riskEvents,
  telemetryHour,
  telemetryMinute,
  telemetryReadings,
  wearableDevices,
} from "../../db/schema";
import type { Database } from "../db";

/**
 * Queries of the wearables resource: devices, telemetry (raw, one-minute and one-hour rollups)
 * and the risk-timeline rows an anomaly writes. Only reached through the care-data repository
 * (routes) or a Durable Object's job scope with its audit row in the same batch.
 */

export const DEVICE_LIST = {
  action: "wearable.device.list",
  resourceType: "wearable_device",
  allow: ["self"],
} as const;
export const deviceCreate = (id: string) =>
  ({
    action: "wearable.device.create",
    resourceType: "wearable_device",
    resourceId: id,
    allow: ["self"],
    consent: "health_data",
  }) as const;
export const deviceRevoke = (id: string) =>
  ({
    action: "wearable.device.revoke",
    resourceType: "wearable_device",
    resourceId: id,
    allow: ["self"],
  }) as const;
export const TELEMETRY_READ = { action: "telemetry.read", resourceType: "telemetry" } as const;
export const TELEMETRY_LIVE = { action: "telemetry.live", resourceType: "telemetry" } as const;
export const TELEMETRY_FLUSH = { action: "telemetry.flush", resourceType: "telemetry" } as const;
export const WEARABLE_ANOMALY = { action: "wearable.anomaly", resourceType: "risk_event" } as const;

export type DeviceRow = typeof wearableDevices.$inferSelect;

export function insertDevice(db: Database, row: typeof wearableDevices.$inferInsert) {
  return db.insert(wearableDevices).values(row).returning();
}

export function devicesQuery(db: Database, userId: string) {
  return db
    .select({
      id: wearableDevices.id,
      kind: wearableDevices.kind,
      vendor: wearableDevices.vendor,
      model: wearableDevices.model,
      pairedVia: wearableDevices.pairedVia,
      createdAt: wearableDevices.createdAt,
      revokedAt: wearableDevices.revokedAt,
    })
    .from(wearableDevices)
    .where(eq(wearableDevices.userId, userId))
    .orderBy(desc(wearableDevices.createdAt));
}

/** Revokes one of the user's devices (a second revoke keeps the first time); returns its row. */
export function revokeDeviceWrite(db: Database, userId: string, id: string) {
  return db
    .update(wearableDevices)
    .set({ revokedAt: sql`coalesce(${wearableDevices.revokedAt}, now())` })
    .where(and(eq(wearableDevices.id, id), eq(wearableDevices.userId, userId)))
    .returning({ id: wearableDevices.id, tokenHash: wearableDevices.tokenHash });
}

/** The user's devices that are not revoked, with their token hashes (to re-seed a stream). */
export function activeDeviceHashes(db: Database, userId: string) {
  return db
    .select({ id: wearableDevices.id, tokenHash: wearableDevices.tokenHash })
    .from(wearableDevices)
    .where(and(eq(wearableDevices.userId, userId), isNull(wearableDevices.revokedAt)));
}

/** Column arrays of one flush (same length each): the `unnest` input. */
export interface FlushColumns {
  deviceIds: string[];
  types: string[];
  ts: number[];
  values: number[];
  stages: (string | null)[];
}

/**
 * Lands a flush in ONE statement: the readings from column arrays (`unnest`, thousands of rows
 * per statement over the HTTP driver), `ON CONFLICT DO NOTHING` on the natural key, and only the
 * rows actually inserted folded into the one-minute and one-hour rollups. A repeated flush (an
 * answer lost) inserts nothing and adds nothing to the rollups. Returns the inserted count.
 */
export function flushTelemetryWrite(db: Database, userId: string, c: FlushColumns) {
  const arr = (v: unknown[], type: string): SQL => sql`${sql.param(v)}::${sql.raw(type)}`;
  return db.execute<{ inserted: number }>(sql`
    with input as (
      select * from unnest(${arr(c.deviceIds, "uuid[]")}, ${arr(c.types, "text[]")},
        ${arr(c.ts, "float8[]")}, ${arr(c.values, "float8[]")}, ${arr(c.stages, "text[]")})
        as t(device_id, type, ms, value, stage)
    ), ins as (
      insert into ${telemetryReadings} (user_id, device_id, type, ts, value, stage)
      select ${userId}::uuid, device_id, type, to_timestamp(ms / 1000.0), value, stage from input
      on conflict do nothing
      returning type, ts, value
    ), minute as (
      insert into ${telemetryMinute} as r (user_id, type, bucket, n, sum, min, max)
      select ${userId}::uuid, type, date_trunc('minute', ts), count(*), sum(value), min(value), max(value)
      from ins group by 2, 3
      on conflict (user_id, type, bucket) do update set n = r.n + excluded.n, sum = r.sum + excluded.sum,
        min = least(r.min, excluded.min), max = greatest(r.max, excluded.max)
    ), hour as (
      insert into ${telemetryHour} as r (user_id, type, bucket, n, sum, min, max)
      select ${userId}::uuid, type, date_trunc('hour', ts), count(*), sum(value), min(value), max(value)
      from ins group by 2, 3
      on conflict (user_id, type, bucket) do update set n = r.n + excluded.n, sum = r.sum + excluded.sum,
        min = least(r.min, excluded.min), max = greatest(r.max, excluded.max)
    )
    select count(*)::int as inserted from ins`);
}

export type Resolution = "raw" | "minute" | "hour";

/** A patient's readings of one type in [from, to), oldest first (raw, capped by `limit`). */
export function readingsQuery(
  db: Database,
  userId: string,
  type: string,
  from: Date,
  to: Date,
  limit: number,
) {
  return db
    .select({
      ts: telemetryReadings.ts,
      value: telemetryReadings.value,
      stage: telemetryReadings.stage,
      deviceId: telemetryReadings.deviceId,
    })
    .from(telemetryReadings)
    .where(
      and(
        eq(telemetryReadings.userId, userId),
        eq(telemetryReadings.type, type),
        gte(telemetryReadings.ts, from),
        lt(telemetryReadings.ts, to),
      ),
    )
    .orderBy(asc(telemetryReadings.ts))
    .limit(limit);
}

/** Rollup buckets of one type in [from, to), oldest first. */
export function rollupQuery(
  db: Database,
  table: "minute" | "hour",
  userId: string,
  type: string,
  from: Date,
  to: Date,
  limit: number,
) {
  const t = table === "minute" ? telemetryMinute : telemetryHour;
  return db
    .select({ bucket: t.bucket, n: t.n, sum: t.sum, min: t.min, max: t.max })
    .from(t)
    .where(and(eq(t.userId, userId), eq(t.type, type), gte(t.bucket, from), lt(t.bucket, to)))
    .orderBy(asc(t.bucket))
    .limit(limit);
}

/** The patient's wearable risk-timeline rows, newest first. */
export function wearableRiskEventsQuery(db: Database, userId: string, limit: number) {
  return db
    .select({
      seq: riskEvents.seq,
      severity: riskEvents.severity,
      ruleIds: riskEvents.ruleIds,
      createdAt: riskEvents.createdAt,
    })
    .from(riskEvents)
    .where(and(eq(riskEvents.userId, userId), eq(riskEvents.source, "wearable")))
    .orderBy(desc(riskEvents.createdAt))
    .limit(limit);
}

/**
 * Wearable anomalies use `risk_events.seq` values below −1,000,000,000 (chat uses positive seqs,
 * screeners the negated response seq), so (user, seq) stays unique across sources and the same
 * anomaly retried records nothing twice.
 */
export const anomalySeq = (n: number) => -1_000_000_000 - n;

/**
 * One anomaly's records in the patient's region, in one transaction: the risk-timeline row (rule
 * and reading type ids only, no values), and — unless informational — one care-team inbox row
 * (`care_alerts`, severity `alertSeverity`) and one pending notification per clinician on the ACTIVE care team; an
 * informational one notifies the patient only. Idempotent by seq. Returns the inbox rows.
 */
export function anomalyWrites(
  db: Database,
  patientId: string,
  seq: number,
  a: { severity: string; alertSeverity: string; ruleIds: string[]; at: Date; informational: boolean },
) {
  const team = and(eq(careTeam.patientId, patientId), eq(careTeam.status, "active"));
  const risk = db
    .insert(riskEvents)
    .values({
      userId: patientId,
      seq,
      severity: a.severity,
      categories: ["wearable"],
      ruleIds: a.ruleIds,
      source: "wearable",
      createdAt: a.at,
    })
    .onConflictDoNothing();
  if (a.informational)
    return [
      risk,
      db
        .insert(notifications)
        .values({ recipientId: patientId, patientId, kind: "wearable_anomaly", severity: a.severity, seq })
        .onConflictDoNothing(),
      db
        .select({ alertId: careAlerts.id, clinicianId: careAlerts.clinicianId })
        .from(careAlerts)
        .where(sql`false`),
    ] as const;
  return [
    risk,
    db.execute(sql`insert into ${careAlerts} (clinician_id, patient_id, seq, severity)
      select ${careTeam.clinicianId}, ${careTeam.patientId}, ${seq}, ${a.alertSeverity} from ${careTeam} where ${team}
      on conflict do nothing`),
    db.execute(sql`insert into ${notifications} (recipient_id, patient_id, kind, severity, seq)
      select ${careTeam.clinicianId}, ${careTeam.patientId}, 'wearable_anomaly', ${a.severity}, ${seq} from ${careTeam} where ${team}
      on conflict do nothing`),
    db
      .select({ alertId: careAlerts.id, clinicianId: careAlerts.clinicianId })
      .from(careAlerts)
      .where(and(eq(careAlerts.patientId, patientId), eq(careAlerts.seq, seq))),
  ] as const;
}

/** Retention (cron): raw months before `rawBefore`, minute rollups before it, hour rollups before `hourBefore`. */
export function retentionWrites(db: Database, rawBefore: Date, hourBefore: Date) {
  return [
    db.execute<{ n: number }>(
      sql`select telemetry_ensure_partitions((now() - interval '1 month')::date, 5) as n`,
    ),
    db.execute<{ n: number }>(
      sql`select telemetry_drop_partitions_before(${rawBefore.toISOString()}::timestamptz) as n`,
    ),
    db.delete(telemetryReadings).where(lt(telemetryReadings.ts, rawBefore)),
    db.delete(telemetryMinute).where(lt(telemetryMinute.bucket, rawBefore)),
    db.delete(telemetryHour).where(lt(telemetryHour.bucket, hourBefore)),
  ] as const;
}
