import type { z } from "@hono/zod-openapi";
import { TYPE_SPECS } from "../../../durable-objects/wearable-protocol";
import { streamStub } from "../../../durable-objects/wearable-stub";
import { careData } from "../../lib/care-data/repository";
import {
  readingsQuery,
  rollupQuery,
  TELEMETRY_LIVE,
  TELEMETRY_READ,
  wearableRiskEventsQuery,
} from "../../lib/care-data/wearables";
import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";
import { observationBundle } from "./fhir";
import type { FhirQuery, TelemetryQuery, TelemetrySeries } from "./schema";

const MAX_POINTS = 10_000;
const MAX_RANGE_MS = { raw: 7 * 86_400_000, minute: 31 * 86_400_000, hour: 7 * 366 * 86_400_000 } as const;

function range(q: { from: string; to: string }, maxMs: number) {
  const from = new Date(q.from);
  const to = new Date(q.to);
  if (!(from < to))
    throw new AppError("validation_failed", "from must be before to", {
      errors: [{ path: "query.from", message: "must be before to" }],
    });
  if (to.getTime() - from.getTime() > maxMs)
    throw new AppError("validation_failed", "The range is too long for this resolution", {
      errors: [{ path: "query.to", message: "range too long" }],
    });
  return { from, to };
}

/**
 * A patient's readings or rollups of one type in a time range, for the patient, their care team
 * or a break-glass holder (audited, denials too). Steps report the bucket's sum, others the mean.
 */
export async function telemetrySeries(
  scope: Scope,
  patientId: string,
  q: z.infer<typeof TelemetryQuery>,
): Promise<z.infer<typeof TelemetrySeries>> {
  const care = careData(scope);
  const access = await care.open(patientId, TELEMETRY_READ);
  const { from, to } = range(q, MAX_RANGE_MS[q.resolution]);
  const base = { patientId, type: q.type, unit: TYPE_SPECS[q.type].unit, resolution: q.resolution };
  if (q.resolution === "raw") {
    const [rows] = await care.run(
      access,
      TELEMETRY_READ,
      (db) => [readingsQuery(db, patientId, q.type, from, to, MAX_POINTS + 1)] as const,
    );
    return {
      ...base,
      points: rows
        .slice(0, MAX_POINTS)
        .map((r) => ({ ts: r.ts.toISOString(), value: r.value, stage: r.stage })),
      truncated: rows.length > MAX_POINTS,
    };
  }
  const [rows] = await care.run(
    access,
    TELEMETRY_READ,
    (db) =>
      [
        rollupQuery(db, q.resolution as "minute" | "hour", patientId, q.type, from, to, MAX_POINTS + 1),
      ] as const,
  );
  const sum = q.type === "steps" || q.type === "sleep_stage";
  return {
    ...base,
    points: rows.slice(0, MAX_POINTS).map((r) => ({
      ts: r.bucket.toISOString(),
      value: sum ? r.sum : r.sum / r.n,
      min: r.min,
      max: r.max,
      n: r.n,
    })),
    truncated: rows.length > MAX_POINTS,
  };
}

/** The same readings as a FHIR R4 searchset Bundle of Observations (raw, at most 7 days). */
export async function telemetryFhir(scope: Scope, patientId: string, q: z.infer<typeof FhirQuery>) {
  const care = careData(scope);
  const access = await care.open(patientId, TELEMETRY_READ);
  const { from, to } = range(q, MAX_RANGE_MS.raw);
  const [rows] = await care.run(
    access,
    TELEMETRY_READ,
    (db) => [readingsQuery(db, patientId, q.type, from, to, MAX_POINTS)] as const,
  );
  return observationBundle(patientId, q.type, rows);
}

/** The patient's wearable anomalies on the risk timeline (ids only), newest first. */
export async function wearableAnomalies(scope: Scope, patientId: string) {
  const care = careData(scope);
  const access = await care.open(patientId, TELEMETRY_READ);
  const [rows] = await care.run(
    access,
    TELEMETRY_READ,
    (db) => [wearableRiskEventsQuery(db, patientId, 200)] as const,
  );
  return { anomalies: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })) };
}

/**
 * Opens the live feed of a patient's stream for the patient or their care team (audited), by
 * forwarding the WebSocket upgrade to the stream with the viewer's id.
 */
export async function openLive(scope: Scope, patientId: string, upgrade: boolean): Promise<Response> {
  const care = careData(scope);
  const access = await care.open(patientId, TELEMETRY_LIVE);
  if (!upgrade) throw new AppError("bad_request", "Expected a WebSocket upgrade");
  await care.record(access, TELEMETRY_LIVE);
  const viewer = scope.principal?.userId ?? "";
  const headers = new Headers({
    upgrade: "websocket",
    "x-haven-viewer": viewer,
    "x-haven-stream": JSON.stringify({ userId: patientId, region: access.region }),
  });
  return streamStub(scope.env, patientId, access.region).fetch(
    new Request("https://stream/live", { headers }),
  );
}
