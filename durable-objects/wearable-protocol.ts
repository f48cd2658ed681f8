import { z } from "zod";
import { RegionSchema } from "../workers/lib/vocabulary";

/**
 * The telemetry model shared by the ingest routes and the WearableStream Durable Object: reading
 * types with their canonical unit, accepted units and plausible range, the per-item validation
 * that gives each refused reading its own reason, and the RPC and socket frames.
 */

export const READING_TYPES = [
  "heart_rate",
  "resting_heart_rate",
  "hrv_sdnn",
  "hrv_rmssd",
  "steps",
  "spo2",
  "respiratory_rate",
  "skin_temperature",
  "sleep_stage",
] as const;
export type ReadingType = (typeof READING_TYPES)[number];
export const ReadingTypeSchema = z.enum(READING_TYPES);

export const SLEEP_STAGES = ["awake", "light", "deep", "rem", "asleep"] as const;
export type SleepStage = (typeof SLEEP_STAGES)[number];

interface TypeSpec {
  /** Canonical unit (UCUM), the one stored. */
  unit: string;
  /** Accepted units and how to convert each to the canonical one. */
  units: Record<string, (v: number) => number>;
  min: number;
  max: number;
  integer?: boolean;
}

const same = (v: number) => v;
const BPM = { bpm: same, "/min": same, "beats/min": same, "{beats}/min": same };
const MS = { ms: same };

/**
 * Per-type unit and range checks. Ranges are physiological plausibility limits (a reading outside
 * is a sensor or mapping error, not a patient state): heart rate 20–250 bpm, SpO2 50–100 %.
 */
export const TYPE_SPECS: Record<ReadingType, TypeSpec> = {
  heart_rate: { unit: "/min", units: BPM, min: 20, max: 250 },
  resting_heart_rate: { unit: "/min", units: BPM, min: 20, max: 200 },
  hrv_sdnn: { unit: "ms", units: MS, min: 1, max: 500 },
  hrv_rmssd: { unit: "ms", units: MS, min: 1, max: 500 },
  steps: {
    unit: "{steps}",
    units: { count: same, steps: same, "{steps}": same },
    min: 0,
    max: 60_000,
    integer: true,
  },
  spo2: { unit: "%", units: { "%": same }, min: 50, max: 100 },
  respiratory_rate: {
    unit: "/min",
    units: { "/min": same, "breaths/min": same, "{breaths}/min": same },
    min: 4,
    max: 60,
  },
  skin_temperature: {
    unit: "Cel",
    units: {
      Cel: same,
      "°C": same,
      degC: same,
      "[degF]": (f) => ((f - 32) * 5) / 9,
      "°F": (f) => ((f - 32) * 5) / 9,
      degF: (f) => ((f - 32) * 5) / 9,
    },
    min: 25,
    max: 45,
  },
  sleep_stage: { unit: "s", units: { s: same, min: (m) => m * 60, h: (h) => h * 3600 }, min: 1, max: 86_400 },
};

/** Limits of one batch: up to 1,000 readings, at most 256 KiB. */
export const MAX_READINGS = 1000;
export const MAX_BATCH_BYTES = 256 * 1024;
/** A reading may be at most 5 minutes in the future (clock skew) and at most 30 days late. */
export const MAX_FUTURE_MS = 5 * 60_000;
export const MAX_LATE_MS = 30 * 24 * 3600_000;

/** RFC 3339 date-time with a time zone offset ("Z" or ±hh:mm). */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** One reading as a device posts it (before per-type checks). */
export const RawReading = z.object({
  type: ReadingTypeSchema,
  ts: z.string().max(40),
  value: z.number().finite(),
  unit: z.string().max(16).optional(),
  /** Sleep stages only: which stage; `value` is then its duration (unit s, min or h). */
  stage: z.enum(SLEEP_STAGES).optional(),
});

/** The body of `POST /v1/telemetry`: items are checked one by one, so one bad reading refuses only itself. */
export const TelemetryBatch = z.object({
  readings: z.array(z.unknown()).min(1).max(MAX_READINGS),
});

/** A reading as the stream stores it: canonical unit, epoch milliseconds, the sender's UTC offset. */
export const Reading = z.object({
  type: ReadingTypeSchema,
  ts: z.number().int(),
  value: z.number().finite(),
  stage: z.enum(SLEEP_STAGES).nullable(),
  /** The offset the device reported, in minutes (nights are local nights). */
  offsetMin: z
    .number()
    .int()
    .min(-14 * 60)
    .max(14 * 60),
});
export type Reading = z.infer<typeof Reading>;

export interface Rejection {
  index: number;
  reason: string;
}

/** Parses an RFC 3339 timestamp with offset into epoch ms and the offset in minutes; null if invalid. */
export function parseTimestamp(ts: string): { ms: number; offsetMin: number } | null {
  const m = RFC3339.exec(ts);
  if (!m) return null;
  const ms = Date.parse(ts.toUpperCase());
  if (!Number.isFinite(ms)) return null;
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const offsetMin = m[9] ? (m[8]?.startsWith("-") ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) : 0;
  return { ms, offsetMin };
}

/**
 * Checks one posted item: shape, unit, range, sleep stage, and time (not more than 5 minutes in
 * the future, not more than 30 days late, against `now`). Returns the stored form or a reason
 * (never the value itself).
 */
export function checkReading(item: unknown, now: number): Reading | { reason: string } {
  let r: z.infer<typeof RawReading>;
  if (isRawReading(item)) r = item;
  else {
    // Only a refused item pays for zod: its issue is the reason (same schema, same message).
    const parsed = RawReading.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { reason: `invalid: ${issue ? [...issue.path.map(String), issue.message].join(" ") : "shape"}` };
    }
    r = parsed.data;
  }
  const spec = TYPE_SPECS[r.type];
  const convert = spec.units[r.unit ?? spec.unit];
  if (!convert) return { reason: `unit: ${r.type} takes ${Object.keys(spec.units).join(", ")}` };
  const value = convert(r.value);
  if (spec.integer && !Number.isInteger(value)) return { reason: "invalid: value must be a whole number" };
  if (value < spec.min || value > spec.max)
    return { reason: `out_of_range: ${r.type} must be ${spec.min}–${spec.max} ${spec.unit}` };
  if (r.type === "sleep_stage" && !r.stage) return { reason: "invalid: stage is required for sleep_stage" };
  if (r.type !== "sleep_stage" && r.stage) return { reason: "invalid: stage is only for sleep_stage" };
  const at = parseTimestamp(r.ts);
  if (!at) return { reason: "invalid: ts must be an RFC 3339 date-time with offset" };
  if (at.ms > now + MAX_FUTURE_MS) return { reason: "future: ts is more than 5 minutes ahead" };
  if (at.ms < now - MAX_LATE_MS) return { reason: "too_late: ts is more than 30 days old" };
  return { type: r.type, ts: Math.floor(at.ms), value, stage: r.stage ?? null, offsetMin: at.offsetMin };
}

const TYPE_SET: ReadonlySet<string> = new Set(READING_TYPES);
const STAGE_SET: ReadonlySet<string> = new Set(SLEEP_STAGES);

/**
 * Exactly what {@link RawReading} accepts, checked in one pass without building a zod result (the
 * per-reading cost of a 100-reading batch). `test/wearables-protocol.test.ts` holds it to the
 * schema on a corpus of valid and invalid items; an item it refuses is re-checked by the schema
 * for its reason.
 */
export function isRawReading(item: unknown): item is z.infer<typeof RawReading> {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return false;
  const o = item as Record<string, unknown>;
  const { type, ts, value, unit, stage } = o;
  if (typeof type !== "string" || !TYPE_SET.has(type)) return false;
  if (typeof ts !== "string" || ts.length > 40) return false;
  if (typeof value !== "number" || !Number.isFinite(value)) return false;
  if (unit !== undefined && (typeof unit !== "string" || unit.length > 16)) return false;
  return stage === undefined || (typeof stage === "string" && STAGE_SET.has(stage));
}

/**
 * Checked readings as they cross to the stream: one JSON array of `[type, ts, value, stage,
 * offsetMin]` tuples. One string is cheap to send over RPC (no per-object structured clone), and
 * the stream hands the same text to SQLite's `json_each` for a single INSERT of the whole batch.
 */
export function encodeReadings(readings: readonly Reading[]): string {
  let out = "[";
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i] as Reading;
    out += `${i ? "," : ""}["${r.type}",${r.ts},${JSON.stringify(r.value)},${r.stage === null ? "null" : `"${r.stage}"`},${r.offsetMin}]`;
  }
  return `${out}]`;
}

const MIN_OFFSET = -14 * 60;
const MAX_OFFSET = 14 * 60;

/**
 * The stream's check of {@link encodeReadings} text: every tuple must be a valid {@link Reading}
 * (type, integer ms, finite value, stage or null, offset within ±14 h); null if any is not.
 */
export function decodeReadings(text: string): Reading[] | null {
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(rows) || rows.length > MAX_READINGS) return null;
  const out: Reading[] = [];
  for (const t of rows) {
    if (!Array.isArray(t) || t.length !== 5) return null;
    const [type, ts, value, stage, offsetMin] = t as unknown[];
    if (typeof type !== "string" || !TYPE_SET.has(type)) return null;
    if (typeof ts !== "number" || !Number.isSafeInteger(ts)) return null;
    if (typeof value !== "number" || !Number.isFinite(value)) return null;
    if (stage !== null && (typeof stage !== "string" || !STAGE_SET.has(stage))) return null;
    if (typeof offsetMin !== "number" || !Number.isInteger(offsetMin)) return null;
    if (offsetMin < MIN_OFFSET || offsetMin > MAX_OFFSET) return null;
    out.push({ type: type as ReadingType, ts, value, stage: stage as SleepStage | null, offsetMin });
  }
  return out;
}

/** Who the stream belongs to; bound on first use, so a call naming another user is refused. */
export const StreamRef = z.object({ userId: z.uuid(), region: RegionSchema });
export type StreamRef = z.infer<typeof StreamRef>;

/** A device as the stream knows it: id and token hash (the token itself is never stored). */
export const DeviceEntry = z.object({ id: z.uuid(), tokenHash: z.string().regex(/^[0-9a-f]{64}$/) });

/**
 * `ingest` RPC input: the device's token hash, the checked readings ({@link encodeReadings} text,
 * each tuple re-checked by {@link decodeReadings}) and the optional Idempotency-Key.
 */
export const IngestCall = z.object({
  tokenHash: z.string().regex(/^[0-9a-f]{64}$/),
  readings: z
    .string()
    .max(MAX_READINGS * 96)
    .transform((text, ctx) => {
      const rows = decodeReadings(text);
      if (rows) return { text, rows };
      ctx.addIssue({ code: "custom", message: "readings: not a list of checked readings" });
      return z.NEVER;
    }),
  idempotencyKey: z.string().min(1).max(200).nullable(),
  /** Refusals found by the Worker, kept with the answer for an idempotent resend. */
  rejected: z.array(z.object({ index: z.number().int(), reason: z.string() })),
});
export type IngestCall = z.input<typeof IngestCall>;

export type IngestResult =
  | { ok: true; accepted: number; duplicates: number; rejected: Rejection[]; replayed: boolean }
  | {
      ok: false;
      error: "unauthorized" | "consent_required" | "backlog" | "unavailable";
      retryAfter?: number;
    };

/** A live frame to the wearables page: at most one reading per type per second, and anomalies. */
export type LiveFrame =
  | { type: "reading"; reading: { type: ReadingType; ts: number; value: number; stage: SleepStage | null } }
  | { type: "anomaly"; anomaly: { rule: string; readingType: string; start: number; end: number } }
  | { type: "welcome"; pending: number };

/** Per-socket state kept across hibernation. */
export const LiveAttachment = z.object({ viewerId: z.uuid() });
