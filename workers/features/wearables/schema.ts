import { z } from "@hono/zod-openapi";
import { MAX_READINGS, READING_TYPES, SLEEP_STAGES } from "../../../durable-objects/wearable-protocol";

const label = (what: string) => z.string().trim().min(1).max(64).openapi({ description: what });

export const DeviceInput = z
  .object({
    kind: z.enum(["watch", "ring", "band", "chest_strap", "phone", "scale", "other"]),
    vendor: label("Maker, e.g. Garmin"),
    model: label("Model, e.g. Venu 3"),
  })
  .openapi("WearableDeviceInput");

export const Device = z
  .object({
    id: z.uuid(),
    kind: z.string(),
    vendor: z.string(),
    model: z.string(),
    pairedVia: z.enum(["web", "device_code"]),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .openapi("WearableDevice");

export const DeviceCreated = z
  .object({
    device: Device,
    token: z
      .string()
      .openapi({ description: "Shown once: the device posts telemetry with it as a Bearer token" }),
    scopes: z.array(z.string()),
  })
  .openapi("WearableDeviceCreated");

export const DeviceList = z.object({ devices: z.array(Device) }).openapi("WearableDeviceList");
export const DeviceIdParam = z.object({
  deviceId: z.uuid().openapi({ param: { name: "deviceId", in: "path" } }),
});
export const PatientIdParam = z.object({
  patientId: z.uuid().openapi({ param: { name: "patientId", in: "path" } }),
});

export const ReadingIn = z
  .object({
    type: z.enum(READING_TYPES),
    ts: z
      .string()
      .openapi({ description: "RFC 3339 date-time with offset", example: "2026-11-30T08:15:00+01:00" }),
    value: z.number(),
    unit: z.string().optional(),
    stage: z
      .enum(SLEEP_STAGES)
      .optional()
      .openapi({ description: "sleep_stage only; value is its duration" }),
  })
  .openapi("TelemetryReading");

/** Documented shape; items are checked one by one (a bad item is refused with its index and reason). */
export const TelemetryIn = z
  .object({ readings: z.array(ReadingIn).min(1).max(MAX_READINGS) })
  .openapi("TelemetryBatch");

export const IngestAnswer = z
  .object({
    accepted: z.number().int().openapi({ description: "New readings stored (durably, before this answer)" }),
    duplicates: z
      .number()
      .int()
      .openapi({ description: "Readings already held (same device, type and time)" }),
    rejected: z.array(z.object({ index: z.number().int(), reason: z.string() })),
  })
  .openapi("TelemetryIngestAnswer");

/** Open mHealth data points (heart-rate 2.0, step-count, sleep-duration, oxygen-saturation). */
export const OmhIn = z
  .object({ data_points: z.array(z.unknown()).min(1).max(MAX_READINGS) })
  .openapi("OpenMHealthBatch");

export const TelemetryQuery = z.object({
  type: z.enum(READING_TYPES),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  resolution: z.enum(["raw", "minute", "hour"]).default("hour"),
});

export const TelemetrySeries = z
  .object({
    patientId: z.uuid(),
    type: z.enum(READING_TYPES),
    unit: z.string(),
    resolution: z.enum(["raw", "minute", "hour"]),
    points: z.array(
      z.object({
        ts: z.string(),
        value: z.number().openapi({ description: "The reading (raw) or the bucket's mean (steps: sum)" }),
        min: z.number().optional(),
        max: z.number().optional(),
        n: z.number().int().optional(),
        stage: z.string().nullable().optional(),
      }),
    ),
    truncated: z.boolean(),
  })
  .openapi("TelemetrySeries");

export const FhirQuery = z.object({
  type: z.enum(READING_TYPES),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
});

export const FhirBundle = z
  .object({
    resourceType: z.literal("Bundle"),
    type: z.literal("searchset"),
    total: z.number(),
    entry: z.array(z.unknown()),
  })
  .passthrough()
  .openapi("FhirObservationBundle");

export const AnomalyList = z
  .object({
    anomalies: z.array(
      z.object({
        seq: z.number().int(),
        severity: z.string(),
        ruleIds: z.array(z.string()),
        createdAt: z.string(),
      }),
    ),
  })
  .openapi("WearableAnomalyList");

/** RFC 8628 §3.1 device authorization request (form or JSON). */
export const DeviceAuthorizeIn = z.object({
  client_id: z.string().min(1).max(100),
  kind: DeviceInput.shape.kind,
  vendor: DeviceInput.shape.vendor,
  model: DeviceInput.shape.model,
});

export const DeviceAuthorizeAnswer = z
  .object({
    device_code: z.string(),
    user_code: z.string(),
    verification_uri: z.string(),
    verification_uri_complete: z.string(),
    expires_in: z.number().int(),
    interval: z.number().int(),
  })
  .openapi("DeviceAuthorization");

/** RFC 8628 §3.4 device access token request. */
export const DeviceTokenIn = z.object({
  grant_type: z.literal("urn:ietf:params:oauth:grant-type:device_code"),
  device_code: z.string().min(1).max(200),
  client_id: z.string().min(1).max(100),
});

export const DeviceTokenAnswer = z
  .object({
    access_token: z.string(),
    token_type: z.literal("Bearer"),
    scope: z.string(),
    device_id: z.uuid(),
  })
  .openapi("DeviceAccessToken");

export const ActivateIn = z
  .object({ userCode: z.string().trim().min(8).max(12), approve: z.boolean() })
  .openapi("DeviceActivation");

export const ActivateAnswer = z
  .object({
    approved: z.boolean(),
    device: z.object({ kind: z.string(), vendor: z.string(), model: z.string() }),
  })
  .openapi("DeviceActivationAnswer");
