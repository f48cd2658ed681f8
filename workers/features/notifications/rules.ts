import type { Channel } from "../../db/schema";
import type { EventType } from "../../lib/events";
import type { Role } from "../../lib/vocabulary";
import { POLICY } from "./catalog";

/**
 * Pure workflow rules: local time in a person's IANA zone (DST-correct), quiet hours, which channels
 * a notification may use and in what order, and retry timing per provider error class.
 */

// ---- time zones ----------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();
function fmt(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `tz` is an IANA zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    fmt(tz);
    return true;
  } catch {
    return false;
  }
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock time of `instant` in `tz`. */
export function localParts(instant: Date, tz: string): LocalParts {
  const parts = Object.fromEntries(
    fmt(tz)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** Offset of `tz` from UTC at `instant`, in ms (e.g. +3_600_000 for CET). */
function offsetMs(instant: number, tz: string): number {
  const p = localParts(new Date(instant), tz);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `tz` shows the given local date and time. A local time
 * skipped by a spring-forward change resolves to the same time after the jump (02:30 → 03:30); one
 * repeated by a fall-back change resolves to its first occurrence.
 */
export function zonedInstant(
  tz: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
): Date {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const before = guess - offsetMs(guess - 12 * 3600_000, tz);
  const after = guess - offsetMs(guess + 12 * 3600_000, tz);
  // Fall-back: both candidates show the time; take the earlier. Spring-forward: neither does; the
  // offset from before the gap lands the same distance after the jump (02:30 → 03:30).
  const candidates = [before, after].filter((t) => {
    const p = localParts(new Date(t), tz);
    return p.hour === hour && p.minute === minute;
  });
  return new Date(candidates.length > 0 ? Math.min(...candidates) : before);
}

/** The next instant strictly after `after` when the clock in `tz` reads `hh:mm`. */
export function nextLocalTime(after: Date, tz: string, hh: number, mm: number): Date {
  const today = localParts(after, tz);
  for (let add = 0; add < 3; add++) {
    const d = new Date(Date.UTC(today.year, today.month - 1, today.day + add));
    const at = zonedInstant(tz, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), hh, mm);
    if (at.getTime() > after.getTime()) return at;
  }
  throw new Error("unreachable: a local time occurs within three days");
}

/** Minutes after local midnight in `tz`. */
export function localMinutes(instant: Date, tz: string): number {
  const p = localParts(instant, tz);
  return p.hour * 60 + p.minute;
}

export interface QuietHours {
  timeZone: string;
  /** Minutes after local midnight; start > end spans midnight (22:00–07:00). */
  start: number | null;
  end: number | null;
}

/** When quiet hours hold at `now`, the instant they end; otherwise null. */
export function quietUntil(now: Date, q: QuietHours): Date | null {
  if (q.start === null || q.end === null || q.start === q.end) return null;
  const m = localMinutes(now, q.timeZone);
  const inside = q.start < q.end ? m >= q.start && m < q.end : m >= q.start || m < q.end;
  if (!inside) return null;
  return nextLocalTime(now, q.timeZone, Math.floor(q.end / 60), q.end % 60);
}

/** A local date-time for message bodies ("Sun, Mar 8, 2026, 9:00 AM EDT"), in the person's zone and locale. */
export function formatLocal(instant: Date, tz: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: tz,
    dateStyle: "medium",
    timeStyle: "short",
  }).format(instant);
}

// ---- channel plan ----------------------------------------------------------------------------------

export interface PreferenceInput {
  eventType: string;
  channel: Channel;
  enabled: boolean;
  digest: boolean;
}

export interface PlanInput {
  type: EventType;
  critical: boolean;
  role: Role;
  onCall: boolean;
  prefs: PreferenceInput[];
  /** Channels the person can be reached on (a push subscription, a phone number, an email). */
  reachable: Set<Channel>;
  quiet: QuietHours;
  digestMinutes: number;
  now: Date;
}

export interface Plan {
  /** External channels in failover order (the first is tried now or at `releaseAt`). */
  channels: Channel[];
  /** Held until this instant (quiet hours or a digest window); null to send now. */
  releaseAt: Date | null;
  /** Folded into a digest email at `releaseAt`. */
  digest: boolean;
}

/**
 * Which external channels a notification uses, in failover order, and whether it waits. Critical
 * notifications ignore quiet hours and digests; a clinician on call gets every channel of a
 * critical alert whatever their preferences say. Non-critical ones follow preferences (absent →
 * the event type's defaults), wait out quiet hours, and may be batched into a digest.
 */
export function planChannels(input: PlanInput): Plan {
  const policy = POLICY[input.type];
  const pref = (c: Channel) => input.prefs.find((p) => p.eventType === input.type && p.channel === c);
  const forced = !policy.optional || (input.critical && input.role === "clinician" && input.onCall);
  const allowed = policy.channels.filter(
    (c) => input.reachable.has(c) && (forced || (pref(c)?.enabled ?? policy.defaults.includes(c))),
  );
  if (input.critical) return { channels: allowed, releaseAt: null, digest: false };
  const digest =
    policy.digestable &&
    allowed.includes("email") &&
    (pref("email")?.digest ?? false) &&
    input.digestMinutes > 0;
  if (digest)
    return {
      channels: ["email"],
      releaseAt: new Date(input.now.getTime() + input.digestMinutes * 60_000),
      digest: true,
    };
  return { channels: allowed, releaseAt: quietUntil(input.now, input.quiet), digest: false };
}

/** Whether a preference change is refused: a clinician on call may not turn off critical alerts. */
export function refusesCriticalOptOut(
  role: Role,
  onCall: boolean,
  type: EventType,
  enabled: boolean,
): boolean {
  return !enabled && role === "clinician" && onCall && POLICY[type].critical;
}

// ---- retries -------------------------------------------------------------------------------------

/**
 * Provider outcomes by class: `transient` (5xx, network, timeout), `rate_limited` (429), both
 * retried with exponential backoff and jitter; `permanent` (other 4xx, misconfiguration) and `gone`
 * (a push subscription or number that no longer exists) fail over to the next channel at once.
 */
export type ErrorClass = "transient" | "rate_limited" | "permanent" | "gone";

export const RETRY: Record<
  "transient" | "rate_limited",
  { baseSec: number; capSec: number; maxAttempts: number }
> = {
  transient: { baseSec: 5, capSec: 300, maxAttempts: 5 },
  rate_limited: { baseSec: 30, capSec: 900, maxAttempts: 6 },
};

/**
 * Seconds before attempt `attempt + 1`: exponential from the class's base, capped, with "equal
 * jitter" (half fixed, half random, so retries of many messages spread out but never collapse to
 * zero); at least the provider's Retry-After. `random` is in [0, 1).
 */
export function backoffSeconds(
  cls: "transient" | "rate_limited",
  attempt: number,
  random: number,
  retryAfterSec?: number,
): number {
  const { baseSec, capSec } = RETRY[cls];
  const exp = Math.min(capSec, baseSec * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor(exp / 2 + (exp / 2) * random);
  return Math.min(43_200, Math.max(jittered, Math.ceil(retryAfterSec ?? 0)));
}

/** Classifies an HTTP status from a provider. */
export function classifyStatus(status: number): ErrorClass {
  if (status === 429) return "rate_limited";
  if (status === 404 || status === 410) return "gone";
  if (status >= 500 || status === 408) return "transient";
  return "permanent";
}
