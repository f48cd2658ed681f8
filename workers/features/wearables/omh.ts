import { z } from "@hono/zod-openapi";

/**
 * Open mHealth data points → Haven readings. Supported schemas (namespace `omh`): heart-rate 2.0,
 * step-count (1.x: number; 2.0/3.0: unit value), sleep-duration, oxygen-saturation. The time is
 * the point's `effective_time_frame` (`date_time`, or a `time_interval`'s start); units follow the
 * schemas (beats/min, steps, h|min|s, %). Anything else is refused with a reason.
 */
const UnitValue = z.object({ value: z.number(), unit: z.string() });
const TimeFrame = z.union([
  z.object({ date_time: z.string() }),
  z.object({ time_interval: z.object({ start_date_time: z.string() }).loose() }),
]);
const DataPoint = z.object({
  header: z
    .object({ schema_id: z.object({ namespace: z.string(), name: z.string(), version: z.string() }) })
    .loose(),
  body: z.record(z.string(), z.unknown()),
});

const timeOf = (frame: unknown): string | null => {
  const f = TimeFrame.safeParse(frame);
  if (!f.success) return null;
  return "date_time" in f.data ? f.data.date_time : f.data.time_interval.start_date_time;
};

const OMH_UNITS: Record<string, Record<string, string>> = {
  "heart-rate": { "beats/min": "bpm" },
  "oxygen-saturation": { "%": "%" },
  "sleep-duration": { h: "h", min: "min", s: "s", sec: "s" },
};

export function mapOmh(
  point: unknown,
): { reason: string } | { type: string; ts: string; value: number; unit: string; stage?: string } {
  const p = DataPoint.safeParse(point);
  if (!p.success) return { reason: "invalid: not an Open mHealth data point (header.schema_id and body)" };
  const { namespace, name } = p.data.header.schema_id;
  if (namespace !== "omh") return { reason: `unsupported: schema namespace ${namespace.slice(0, 20)}` };
  const body = p.data.body;
  const ts = timeOf(body.effective_time_frame);
  if (!ts)
    return { reason: "invalid: effective_time_frame needs date_time or time_interval.start_date_time" };
  const uv = (field: string) => UnitValue.safeParse(body[field]);
  switch (name) {
    case "heart-rate": {
      const v = uv("heart_rate");
      if (!v.success) return { reason: "invalid: heart_rate {value, unit}" };
      const unit = OMH_UNITS["heart-rate"]?.[v.data.unit];
      return unit
        ? { type: "heart_rate", ts, value: v.data.value, unit }
        : { reason: "unit: heart_rate takes beats/min" };
    }
    case "oxygen-saturation": {
      const v = uv("oxygen_saturation");
      if (!v.success) return { reason: "invalid: oxygen_saturation {value, unit}" };
      return v.data.unit === "%"
        ? { type: "spo2", ts, value: v.data.value, unit: "%" }
        : { reason: "unit: oxygen_saturation takes %" };
    }
    case "step-count": {
      const raw = body.step_count;
      const value = typeof raw === "number" ? raw : UnitValue.safeParse(raw).data?.value;
      if (typeof value !== "number") return { reason: "invalid: step_count" };
      return { type: "steps", ts, value, unit: "steps" };
    }
    case "sleep-duration": {
      const v = uv("sleep_duration");
      if (!v.success) return { reason: "invalid: sleep_duration {value, unit}" };
      const unit = OMH_UNITS["sleep-duration"]?.[v.data.unit];
      return unit
        ? { type: "sleep_stage", stage: "asleep", ts, value: v.data.value, unit }
        : { reason: "unit: sleep_duration takes h, min or s" };
    }
    default:
      return { reason: `unsupported: omh:${name.slice(0, 40)}` };
  }
}
