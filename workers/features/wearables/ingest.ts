import {
  checkReading,
  encodeReadings,
  type IngestCall,
  type IngestResult,
  MAX_BATCH_BYTES,
  type Reading,
  type Rejection,
  TelemetryBatch,
} from "../../../durable-objects/wearable-protocol";
import { streamStub } from "../../../durable-objects/wearable-stub";
import { consentRequired } from "../../lib/care-data/consents";
import { AppError, validationError } from "../../lib/errors";
import { inc } from "../../lib/metrics/recorder";
import type { Scope } from "../../lib/scope";
import { mapOmh } from "./omh";
import { type ParsedDeviceToken, parseDeviceToken, sha256Hex } from "./tokens";

const unauthorized = () =>
  new AppError("unauthorized", "Invalid or revoked device token", {
    headers: { "www-authenticate": "Bearer" },
  });

/** The device token of a request (Bearer), or a 401. */
export function deviceOf(authorization: string | undefined): ParsedDeviceToken {
  const m = /^Bearer (\S+)$/.exec(authorization ?? "");
  const parsed = m ? parseDeviceToken(m[1] as string) : null;
  if (!parsed) throw unauthorized();
  return parsed;
}

/** Reads a JSON body of at most 256 KiB (413 past it, 400 if it is not JSON). */
export async function readBody(req: Request): Promise<unknown> {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > MAX_BATCH_BYTES)
    throw new AppError("payload_too_large", "A telemetry batch is at most 256 KiB");
  const text = await req.text();
  if (new TextEncoder().encode(text).byteLength > MAX_BATCH_BYTES)
    throw new AppError("payload_too_large", "A telemetry batch is at most 256 KiB");
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "The body is not valid JSON");
  }
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/**
 * Ingests a batch for the token's patient: each reading checked on its own (unit, range, time),
 * then handed to the patient's stream, which answers only once the new readings are durable.
 * Nothing valid → 422 listing each refusal. Consent withdrawn → 403 and nothing stored.
 */
export async function ingest(
  scope: Scope,
  device: ParsedDeviceToken,
  items: unknown[],
  idempotencyKey: string | undefined,
  presetRejections: Rejection[] = [],
  indexOf: (i: number) => number = (i) => i,
): Promise<{ accepted: number; duplicates: number; rejected: Rejection[]; replayed: boolean }> {
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey))
    throw new AppError("validation_failed", "Idempotency-Key must be 1–200 visible ASCII characters", {
      errors: [{ path: "header.idempotency-key", message: "invalid" }],
    });
  const now = Date.now();
  const readings: Reading[] = [];
  const rejected: Rejection[] = [...presetRejections];
  items.forEach((item, i) => {
    const r = checkReading(item, now);
    if ("reason" in r) rejected.push({ index: indexOf(i), reason: r.reason });
    else readings.push(r);
  });
  rejected.sort((a, b) => a.index - b.index);
  const stream = streamStub(scope.env, device.userId, device.region);
  const call: IngestCall = {
    tokenHash: device.tokenHash ?? (await sha256Hex(device.token)),
    readings: encodeReadings(readings),
    idempotencyKey: idempotencyKey ?? null,
    rejected,
  };
  const result: IngestResult = await stream.ingest({ userId: device.userId, region: device.region }, call);
  if (!result.ok) {
    if (result.error === "unauthorized") throw unauthorized();
    if (result.error === "consent_required") throw consentRequired("health_data");
    throw new AppError(
      "service_unavailable",
      result.error === "backlog"
        ? "Too many readings are waiting to be stored for this person; retry after Retry-After seconds"
        : "Telemetry cannot be accepted right now; retry after Retry-After seconds",
      { headers: { "retry-after": String(result.retryAfter ?? 30) } },
    );
  }
  if (!result.replayed && readings.length === 0)
    throw new AppError("validation_failed", "No reading in the batch was valid", {
      errors: rejected.map((r) => ({ path: `body.readings.${r.index}`, message: r.reason })),
      extensions: { accepted: 0, duplicates: 0, rejected },
    });
  if (!result.replayed) {
    inc("telemetry_readings_total", { outcome: "accepted" }, result.accepted);
    inc("telemetry_readings_total", { outcome: "duplicate" }, result.duplicates);
    inc("telemetry_readings_total", { outcome: "rejected" }, result.rejected.length);
  }
  return {
    accepted: result.accepted,
    duplicates: result.duplicates,
    rejected: result.rejected,
    replayed: result.replayed,
  };
}

/** `POST /v1/telemetry`: the batch's envelope is checked here, each reading by {@link ingest}. */
export async function ingestBatch(
  scope: Scope,
  device: ParsedDeviceToken,
  body: unknown,
  key: string | undefined,
) {
  const batch = TelemetryBatch.safeParse(body);
  if (!batch.success) throw validationError(batch.error, "body");
  return ingest(scope, device, batch.data.readings, key);
}

/** `POST /v1/telemetry/omh`: Open mHealth data points mapped to the same readings. */
export async function ingestOmh(
  scope: Scope,
  device: ParsedDeviceToken,
  body: unknown,
  key: string | undefined,
) {
  const points: unknown = Array.isArray(body)
    ? body
    : (body as { data_points?: unknown } | null)?.data_points;
  const batch = TelemetryBatch.safeParse({ readings: points });
  if (!batch.success) throw validationError(batch.error, "body.data_points");
  const items: unknown[] = [];
  const origin: number[] = [];
  const refused: Rejection[] = [];
  batch.data.readings.forEach((p, i) => {
    const mapped = mapOmh(p);
    if ("reason" in mapped && typeof mapped.reason === "string")
      refused.push({ index: i, reason: mapped.reason });
    else {
      items.push(mapped);
      origin.push(i);
    }
  });
  return ingest(scope, device, items, key, refused, (i) => origin[i] as number);
}
