import { z } from "@hono/zod-openapi";
import { DateTime, IANAZone } from "luxon";

/**
 * A clinician's availability and booking policy, and the pure slot generator. Times of day are
 * wall-clock times in the clinician's IANA zone; every instant is computed with luxon (tz data from
 * the runtime's Intl), so a rule "Monday 13:00" is 13:00 local on DST transition days too.
 */

const HHMM = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, "HH:mm (00:00–24:00)")
  .openapi({ example: "09:00" });

export const TimeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => IANAZone.isValidZone(tz), "an IANA time zone such as Europe/London")
  .openapi({ example: "America/New_York" });

const Window = z
  .object({ start: HHMM, end: HHMM })
  .refine((w) => minutesOf(w.end) > minutesOf(w.start), "end must be after start");

export const SessionTypeSchema = z.object({
  id: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,31}$/)
    .openapi({ example: "follow-up" }),
  label: z.string().trim().min(1).max(60),
  minutes: z.number().int().min(15).max(240),
});

export const AvailabilitySchema = z
  .object({
    timeZone: TimeZoneSchema,
    weekly: z
      .array(z.object({ weekday: z.number().int().min(1).max(7), start: HHMM, end: HHMM }))
      .max(70)
      .openapi({ description: "ISO weekdays (1 = Monday) with a window in the clinician's zone" }),
    overrides: z
      .array(z.object({ date: z.iso.date(), windows: z.array(Window).max(10) }))
      .max(366)
      .default([])
      .openapi({ description: "A date's windows replace the weekly ones; no windows = not available" }),
    timeOff: z
      .array(z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }))
      .max(200)
      .default([]),
    sessionTypes: z.array(SessionTypeSchema).min(1).max(10),
    bufferBeforeMinutes: z.number().int().min(0).max(120).default(0),
    bufferAfterMinutes: z.number().int().min(0).max(120).default(10),
    minNoticeHours: z
      .number()
      .int()
      .min(0)
      .max(24 * 14)
      .default(24),
    horizonDays: z.number().int().min(1).max(365).default(60),
    dailyMax: z.number().int().min(1).max(24).default(8),
    slotStepMinutes: z.number().int().min(5).max(240).default(30),
    lateCancelHours: z
      .number()
      .int()
      .min(0)
      .max(24 * 7)
      .default(24),
  })
  .superRefine((a, ctx) => {
    a.weekly.forEach((w, i) => {
      if (minutesOf(w.end) <= minutesOf(w.start))
        ctx.addIssue({ code: "custom", path: ["weekly", i, "end"], message: "end must be after start" });
    });
    const ids = a.sessionTypes.map((t) => t.id);
    if (new Set(ids).size !== ids.length)
      ctx.addIssue({ code: "custom", path: ["sessionTypes"], message: "session type ids must be unique" });
  })
  .openapi("Availability");
export type Availability = z.infer<typeof AvailabilitySchema>;

/** Minutes since midnight of "HH:mm" ("24:00" is 1440). */
export function minutesOf(hhmm: string): number {
  const [h = "0", m = "0"] = hhmm.split(":");
  return Number(h) * 60 + Number(m);
}

/** A half-open interval of epoch milliseconds. */
export interface Interval {
  start: number;
  end: number;
}

const overlaps = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;

/**
 * The instant of wall-clock `minutes` after midnight on `date` in `zone`; null when that time does
 * not exist there (the hour skipped by spring-forward). An ambiguous time (fall-back) is its first
 * occurrence.
 */
export function localInstant(date: string, minutes: number, zone: string): DateTime | null {
  const day = DateTime.fromISO(date, { zone });
  if (minutes === 1440) return day.plus({ days: 1 }).startOf("day");
  const hour = Math.floor(minutes / 60);
  const minute = minutes % 60;
  const t = day.set({ hour, minute, second: 0, millisecond: 0 });
  return t.hour === hour && t.minute === minute ? t : null;
}

/** The windows of one local date: its override, else the weekly rules of its weekday. */
export function windowsOn(a: Availability, date: string): { start: string; end: string }[] {
  const override = a.overrides.find((o) => o.date === date);
  if (override) return override.windows;
  const weekday = DateTime.fromISO(date, { zone: a.timeZone }).weekday;
  return a.weekly.filter((w) => w.weekday === weekday).map(({ start, end }) => ({ start, end }));
}

export interface SlotQuery {
  /** First and last local dates (clinician's zone) to consider, inclusive. */
  from: string;
  to: string;
  sessionType: string;
  now: Date;
  /** Occupied time on the clinician's calendar (held slots, buffers included). */
  busy: readonly Interval[];
  /** Bookings already on each local date (clinician's zone), for the daily maximum. */
  perDay?: ReadonlyMap<string, number>;
}

export interface Slot {
  start: string;
  end: string;
}

/**
 * The free slots of one session type. A slot fits inside a window (stepping `slotStepMinutes`
 * from the window's start in real time), misses time off, keeps its buffers clear of `busy`,
 * respects the minimum notice and the horizon, and its date has not reached the daily maximum.
 */
export function freeSlots(a: Availability, q: SlotQuery): Slot[] {
  const type = a.sessionTypes.find((t) => t.id === q.sessionType);
  if (!type) return [];
  const zone = a.timeZone;
  const earliest = q.now.getTime() + a.minNoticeHours * 3_600_000;
  const latest = q.now.getTime() + a.horizonDays * 86_400_000;
  const off = a.timeOff.map((o) => ({ start: Date.parse(o.from), end: Date.parse(o.to) }));
  const length = type.minutes * 60_000;
  const out: Slot[] = [];
  let day = DateTime.fromISO(q.from, { zone });
  const last = DateTime.fromISO(q.to, { zone });
  for (let guard = 0; day <= last && guard < 400; guard++, day = day.plus({ days: 1 })) {
    const date = day.toISODate() ?? "";
    if ((q.perDay?.get(date) ?? 0) >= a.dailyMax) continue;
    for (const w of windowsOn(a, date)) {
      const ws = firstExisting(date, minutesOf(w.start), zone, 1);
      const we = firstExisting(date, minutesOf(w.end), zone, -1);
      if (!ws || !we) continue;
      for (let s = ws.toMillis(); s + length <= we.toMillis(); s += a.slotStepMinutes * 60_000) {
        const slot = { start: s, end: s + length };
        const padded = {
          start: s - a.bufferBeforeMinutes * 60_000,
          end: slot.end + a.bufferAfterMinutes * 60_000,
        };
        if (s < earliest || s > latest) continue;
        if (off.some((o) => overlaps(o, slot))) continue;
        if (q.busy.some((b) => overlaps(b, padded))) continue;
        out.push({ start: new Date(s).toISOString(), end: new Date(slot.end).toISOString() });
      }
    }
  }
  return out;
}

/** A window edge inside the skipped hour moves to the first (start) or last (end) real minute. */
function firstExisting(date: string, minutes: number, zone: string, dir: 1 | -1): DateTime | null {
  for (let m = minutes, i = 0; i <= 120; i++, m += dir) {
    if (m < 0 || m > 1440) return null;
    const t = localInstant(date, m, zone);
    if (t) return t;
  }
  return null;
}

/** The clinician-local date of an instant (for the daily maximum). */
export function localDate(instant: Date | string, zone: string): string {
  const d = typeof instant === "string" ? DateTime.fromISO(instant) : DateTime.fromJSDate(instant);
  return d.setZone(zone).toISODate() ?? "";
}

/** The demo clinician's availability: weekdays 09:00–17:00, intake 60 and follow-up 50 minutes. */
export const DEFAULT_AVAILABILITY = (timeZone: string): Availability =>
  AvailabilitySchema.parse({
    timeZone,
    weekly: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "09:00", end: "17:00" })),
    sessionTypes: [
      { id: "intake", label: "Intake", minutes: 60 },
      { id: "follow-up", label: "Follow-up", minutes: 50 },
    ],
    minNoticeHours: 0,
    slotStepMinutes: 60,
  });
