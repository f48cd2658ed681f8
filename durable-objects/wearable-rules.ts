/**
 * Personal-baseline anomaly rules for wearable telemetry: pure functions over one-minute buckets
 * and nightly summaries, so each rule is tested on synthetic series that must and must not fire
 * (durable-objects/wearable-rules.test.ts). Every parameter is in {@link ANOMALY_RULES} with its
 * source. Baselines are robust: median and MAD (scaled by 1.4826 to estimate an SD) over the
 * person's own previous 28 days, as the published wearable detectors do.
 */

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const MINUTE = 60_000;

/** Scales a median absolute deviation to a normal-consistent SD estimate. */
export const MAD_TO_SD = 1.4826;

/** One place for every rule's parameters, each with the source it follows. */
export const ANOMALY_RULES = {
  /**
   * Elevated resting heart rate on consecutive nights. Resting HR = heart rate in minutes with no
   * steps in the previous 12 minutes (Stanford RHRAD: Mishra et al., "Pre-symptomatic detection of
   * COVID-19 from smartwatch data", Nat Biomed Eng 2020). Alert when the night's resting HR is
   * ≥ 4 bpm above the person's 28-night median on 2 consecutive nights (NightSignal: Alavi et al.,
   * "Real-time alerting system for COVID-19 and other stress events using wearable data",
   * Nat Med 2022). Nights are 00:00–06:00 local time.
   */
  rhr_elevated: {
    deltaBpm: 4,
    consecutiveNights: 2,
    baselineNights: 28,
    minBaselineNights: 7,
    restWindowMin: 12,
    nightStartHour: 0,
    nightEndHour: 6,
    minRestMinutesPerNight: 20,
    cooldownMs: 72 * HOUR,
  },
  /**
   * Heart rate above baseline + 3 robust SD (median + 3 × 1.4826 × MAD of the person's resting
   * minutes over 28 days) for 10+ consecutive minutes while steps show rest (same 12-minute rest
   * definition). The 3-MAD outlier rule: Leys et al., "Detecting outliers: Do not use standard
   * deviation around the mean, use absolute deviation around the median", J Exp Soc Psychol 2013;
   * resting-minute baseline as in RHRAD (Mishra et al. 2020).
   */
  hr_high_at_rest: {
    madK: 3,
    minMinutes: 10,
    restWindowMin: 12,
    baselineDays: 28,
    minBaselineMinutes: 240,
    cooldownMs: 6 * HOUR,
  },
  /**
   * SpO2 under 90 % for 5+ minutes. 90 % is the conventional threshold of hypoxaemia (WHO,
   * "Pulse oximetry training manual", 2011; BTS oxygen guideline target 94–98 %, O'Driscoll et al.,
   * Thorax 2017); wrist oximetry is screening-grade, so it alerts for review, never diagnoses.
   * Readings up to 5 minutes apart count as continuous.
   */
  spo2_low: { below: 90, minMinutes: 5, maxGapMin: 5, cooldownMs: 6 * HOUR },
  /**
   * Nightly HRV sharply down against the 28-night baseline (z ≤ −2 with robust SD) on 3
   * consecutive nights. Rolling-baseline HRV monitoring: Plews et al., "Training adaptation and
   * heart rate variability in elite endurance athletes", Sports Med 2013; HRV decline before
   * illness: Hirten et al., "Use of physiological data from a wearable device to identify
   * SARS-CoV-2 infection and symptoms", JMIR 2021. SDNN and RMSSD are evaluated apart
   * (vendors differ). The robust SD is floored at 5 % of the median (a flat history).
   */
  hrv_drop: {
    z: -2,
    consecutiveNights: 3,
    baselineNights: 28,
    minBaselineNights: 7,
    sdFloor: 0.05,
    cooldownMs: 72 * HOUR,
  },
  /**
   * Under 4 h of sleep on 3 nights in a row. Adults need 7–9 h and under 6 h is not recommended
   * (Hirshkowitz et al., "National Sleep Foundation's sleep time duration recommendations",
   * Sleep Health 2015); sustained severe restriction worsens mood and suicidality risk (Harris
   * et al., "Sleep disturbances as risk factors for suicidal thoughts and behaviours", Sleep Med
   * Rev 2020). 4 h is Haven's clinical threshold for review. A night is noon to noon, local time.
   */
  short_sleep: { underHours: 4, consecutiveNights: 3, cooldownMs: 72 * HOUR },
  /**
   * A device that normally reports (on ≥ 5 of the 7 days before it stopped) silent for 24 h.
   * Informational (the patient is told; the care team is not paged): adherence, not physiology
   * (Torous et al., "Creating a digital health smartphone app and digital phenotyping platform
   * for mental health", JMIR Ment Health 2016, on passive-data missingness).
   */
  device_silent: { silentMs: 24 * HOUR, activeDays: 5, lookbackDays: 7, cooldownMs: 7 * DAY },
  /** Episodes that ended longer ago than this (late redeliveries) are recorded but never alerted. */
  alertWindowMs: 72 * HOUR,
} as const;

export type RuleId =
  | "rhr_elevated"
  | "hr_high_at_rest"
  | "spo2_low"
  | "hrv_drop"
  | "short_sleep"
  | "device_silent";

/** One detected episode: a rule, the reading type, when it started and ended (epoch ms). */
export interface Episode {
  rule: RuleId;
  readingType: string;
  start: number;
  end: number;
  /** The value that fired (nightly RHR, minute HR, SpO2 %, nightly HRV, hours slept) and its baseline. */
  value: number;
  baseline: number | null;
}

/** A minute bucket: start (epoch ms, UTC minute) and mean value (steps: the sum). */
export interface MinutePoint {
  minute: number;
  value: number;
}

/** Sleep intervals (start, seconds) with their stage. */
export interface SleepPoint {
  ts: number;
  seconds: number;
  stage: string;
}

export interface RuleInput {
  now: number;
  /** The person's UTC offset in minutes (from their devices' timestamps). */
  offsetMin: number;
  heartRate: MinutePoint[];
  steps: MinutePoint[];
  spo2: MinutePoint[];
  hrvSdnn: MinutePoint[];
  hrvRmssd: MinutePoint[];
  restingHeartRate: MinutePoint[];
  sleep: SleepPoint[];
  /** Per device: the days (local, as day numbers) it reported on, and when it was last seen. */
  devices: { id: string; lastSeen: number; days: number[] }[];
  /**
   * The resting-HR baseline of {@link hrHighAtRest}, computed earlier by {@link restBaseline}
   * over the full 28 days (null: not enough history). When present, the minute series need only
   * cover the last day and the rest window before it.
   */
  restBaseline?: RestBaseline | null;
}

/** Median and robust SD of the person's resting minutes over the baseline window. */
export interface RestBaseline {
  median: number;
  sd: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  const mid = Math.floor(n / 2);
  return n % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Median and MAD-scaled SD of `xs`. */
export function robust(xs: readonly number[]): { median: number; sd: number } {
  const m = median(xs);
  return { median: m, sd: MAD_TO_SD * median(xs.map((x) => Math.abs(x - m))) };
}

/** Local day number (days since epoch in the person's zone) of an instant, shifted by `shiftH` hours. */
export const localDay = (ts: number, offsetMin: number, shiftH = 0) =>
  Math.floor((ts + offsetMin * MINUTE - shiftH * HOUR) / DAY);
const localHour = (ts: number, offsetMin: number) => ((((ts + offsetMin * MINUTE) % DAY) + DAY) % DAY) / HOUR;
/** The instant local midnight of `day` begins. */
const dayStart = (day: number, offsetMin: number) => day * DAY - offsetMin * MINUTE;

/** Heart-rate minutes with no steps in the previous `window` minutes (missing step minutes count as none). */
export function restingMinutes(hr: MinutePoint[], steps: MinutePoint[], window: number): MinutePoint[] {
  const active = steps
    .filter((s) => s.value > 0)
    .map((s) => s.minute)
    .sort((a, b) => a - b);
  let j = 0;
  return [...hr]
    .sort((a, b) => a.minute - b.minute)
    .filter((p) => {
      const from = p.minute - window * MINUTE;
      while (j < active.length && (active[j] as number) < from) j++;
      // rest unless a minute with steps falls in [from, p.minute]
      return !(j < active.length && (active[j] as number) <= p.minute);
    });
}

/** Per local night (day number → value) by `reduce`, only for the hours [startH, endH). */
function nightly(
  points: MinutePoint[],
  offsetMin: number,
  startH: number,
  endH: number,
  minCount: number,
  reduce: (xs: number[]) => number,
): Map<number, number> {
  const byNight = new Map<number, number[]>();
  for (const p of points) {
    const h = localHour(p.minute, offsetMin);
    if (h < startH || h >= endH) continue;
    const d = localDay(p.minute, offsetMin);
    const xs = byNight.get(d) ?? [];
    if (xs.length === 0) byNight.set(d, xs);
    xs.push(p.value);
  }
  const out = new Map<number, number>();
  for (const [d, xs] of byNight) if (xs.length >= minCount) out.set(d, reduce(xs));
  return out;
}

/**
 * Runs of consecutive nights where `hit(value, baseline)` holds, each night judged against the
 * robust baseline of the `baselineNights` nights before it (at least `minBaseline`). Returns one
 * episode per maximal run of at least `need` nights.
 */
function nightRuns(
  nights: Map<number, number>,
  cfg: { baselineNights: number; minBaselineNights: number; consecutiveNights: number },
  hit: (v: number, b: { median: number; sd: number }) => boolean,
  make: (firstDay: number, lastDay: number, v: number, baseline: number) => Episode,
): Episode[] {
  const days = [...nights.keys()].sort((a, b) => a - b);
  const out: Episode[] = [];
  type Run = { first: number; last: number; v: number; b: number };
  let run = null as Run | null;
  const close = () => {
    if (run && run.last - run.first + 1 >= cfg.consecutiveNights)
      out.push(make(run.first, run.last, run.v, run.b));
    run = null;
  };
  for (const d of days) {
    const prior = days
      .filter((x) => x < d && x >= d - cfg.baselineNights)
      .map((x) => nights.get(x) as number);
    const v = nights.get(d) as number;
    const b = prior.length >= cfg.minBaselineNights ? robust(prior) : null;
    if (b && hit(v, b)) {
      if (run && d === run.last + 1) run = { first: run.first, b: run.b, last: d, v };
      else {
        close();
        run = { first: d, last: d, v, b: b.median };
      }
    } else close();
  }
  close();
  return out;
}

/** Runs of points (sorted by minute) where `hit` holds, gaps of at most `maxGap` minutes, lasting ≥ `minMinutes`. */
function minuteRuns(
  points: MinutePoint[],
  hit: (p: MinutePoint) => boolean,
  maxGap: number,
  minMinutes: number,
  worse: (a: number, b: number) => number,
) {
  const runs: { start: number; end: number; worst: number }[] = [];
  type Run = { start: number; end: number; worst: number };
  let cur = null as Run | null;
  const close = () => {
    if (cur && (cur.end - cur.start) / MINUTE + 1 >= minMinutes) runs.push(cur);
    cur = null;
  };
  for (const p of [...points].sort((a, b) => a.minute - b.minute)) {
    if (!hit(p)) {
      close();
      continue;
    }
    if (cur && p.minute - cur.end <= maxGap * MINUTE)
      cur = { start: cur.start, end: p.minute, worst: worse(cur.worst, p.value) };
    else {
      close();
      cur = { start: p.minute, end: p.minute, worst: p.value };
    }
  }
  close();
  return runs;
}

export function rhrElevated(input: RuleInput, cfg = ANOMALY_RULES.rhr_elevated): Episode[] {
  const rest = restingMinutes(input.heartRate, input.steps, cfg.restWindowMin);
  const nights = nightly(
    rest,
    input.offsetMin,
    cfg.nightStartHour,
    cfg.nightEndHour,
    cfg.minRestMinutesPerNight,
    median,
  );
  // A vendor's own resting HR fills nights without enough resting minutes.
  for (const [d, v] of nightly(input.restingHeartRate, input.offsetMin, 0, 24, 1, median))
    if (!nights.has(d)) nights.set(d, v);
  return nightRuns(
    nights,
    cfg,
    (v, b) => v - b.median >= cfg.deltaBpm,
    (first, last, v, baseline) => ({
      rule: "rhr_elevated",
      readingType: "heart_rate",
      start: dayStart(first, input.offsetMin),
      end: dayStart(last, input.offsetMin) + cfg.nightEndHour * HOUR,
      value: v,
      baseline,
    }),
  );
}

/**
 * The baseline of {@link hrHighAtRest}: resting minutes in the 28 days before the last day
 * (null below `minBaselineMinutes`). Needs the full minute history in `input`.
 */
export function restBaseline(input: RuleInput, cfg = ANOMALY_RULES.hr_high_at_rest): RestBaseline | null {
  const evalFrom = input.now - DAY;
  const base = restingMinutes(
    input.heartRate.filter((p) => p.minute < evalFrom && p.minute >= evalFrom - cfg.baselineDays * DAY),
    input.steps,
    cfg.restWindowMin,
  );
  return base.length < cfg.minBaselineMinutes ? null : robust(base.map((p) => p.value));
}

export function hrHighAtRest(input: RuleInput, cfg = ANOMALY_RULES.hr_high_at_rest): Episode[] {
  const evalFrom = input.now - DAY;
  const out: Episode[] = [];
  const b = input.restBaseline !== undefined ? input.restBaseline : restBaseline(input, cfg);
  if (!b) return out;
  const recent = input.heartRate.filter((p) => p.minute >= evalFrom);
  const restSet = new Set(restingMinutes(recent, input.steps, cfg.restWindowMin).map((p) => p.minute));
  const threshold = b.median + cfg.madK * Math.max(b.sd, 1);
  for (const run of minuteRuns(
    recent,
    (p) => restSet.has(p.minute) && p.value > threshold,
    1,
    cfg.minMinutes,
    Math.max,
  ))
    out.push({
      rule: "hr_high_at_rest",
      readingType: "heart_rate",
      start: run.start,
      end: run.end + MINUTE,
      value: run.worst,
      baseline: b.median,
    });
  return out;
}

export function spo2Low(input: RuleInput, cfg = ANOMALY_RULES.spo2_low): Episode[] {
  return minuteRuns(input.spo2, (p) => p.value < cfg.below, cfg.maxGapMin, cfg.minMinutes, Math.min).map(
    (r) => ({
      rule: "spo2_low",
      readingType: "spo2",
      start: r.start,
      end: r.end + MINUTE,
      value: r.worst,
      baseline: null,
    }),
  );
}

export function hrvDrop(input: RuleInput, cfg = ANOMALY_RULES.hrv_drop): Episode[] {
  const out: Episode[] = [];
  for (const [readingType, points] of [
    ["hrv_rmssd", input.hrvRmssd],
    ["hrv_sdnn", input.hrvSdnn],
  ] as const) {
    const nights = nightly(
      points,
      input.offsetMin,
      0,
      6,
      1,
      (xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
    );
    out.push(
      ...nightRuns(
        nights,
        cfg,
        (v, b) => (v - b.median) / Math.max(b.sd, cfg.sdFloor * b.median) <= cfg.z,
        (first, last, v, baseline) => ({
          rule: "hrv_drop",
          readingType,
          start: dayStart(first, input.offsetMin),
          end: dayStart(last, input.offsetMin) + 6 * HOUR,
          value: v,
          baseline,
        }),
      ),
    );
  }
  return out;
}

export function shortSleep(input: RuleInput, cfg = ANOMALY_RULES.short_sleep): Episode[] {
  const hours = new Map<number, number>();
  for (const s of input.sleep) {
    if (s.stage === "awake") continue;
    const night = localDay(s.ts, input.offsetMin, 12);
    hours.set(night, (hours.get(night) ?? 0) + s.seconds / 3600);
  }
  const days = [...hours.keys()].sort((a, b) => a - b);
  const out: Episode[] = [];
  let first = -1;
  let last = -2;
  const close = () => {
    if (first >= 0 && last - first + 1 >= cfg.consecutiveNights)
      out.push({
        rule: "short_sleep",
        readingType: "sleep_stage",
        start: dayStart(first, input.offsetMin) + 12 * HOUR,
        end: dayStart(last + 1, input.offsetMin) + 12 * HOUR,
        value: hours.get(last) as number,
        baseline: null,
      });
    first = -1;
  };
  for (const d of days) {
    if ((hours.get(d) as number) < cfg.underHours) {
      if (first >= 0 && d === last + 1) last = d;
      else {
        close();
        first = d;
        last = d;
      }
    } else close();
  }
  close();
  return out;
}

export function deviceSilent(input: RuleInput, cfg = ANOMALY_RULES.device_silent): Episode[] {
  const out: Episode[] = [];
  for (const d of input.devices) {
    if (input.now - d.lastSeen < cfg.silentMs) continue;
    const lastDay = localDay(d.lastSeen, input.offsetMin);
    const active = new Set(d.days.filter((x) => x <= lastDay && x > lastDay - cfg.lookbackDays));
    if (active.size >= cfg.activeDays)
      out.push({
        rule: "device_silent",
        readingType: "device",
        start: d.lastSeen,
        end: d.lastSeen + cfg.silentMs,
        value: 24,
        baseline: null,
      });
  }
  return out;
}

const COOLDOWN: Record<RuleId, number> = {
  rhr_elevated: ANOMALY_RULES.rhr_elevated.cooldownMs,
  hr_high_at_rest: ANOMALY_RULES.hr_high_at_rest.cooldownMs,
  spo2_low: ANOMALY_RULES.spo2_low.cooldownMs,
  hrv_drop: ANOMALY_RULES.hrv_drop.cooldownMs,
  short_sleep: ANOMALY_RULES.short_sleep.cooldownMs,
  device_silent: ANOMALY_RULES.device_silent.cooldownMs,
};

/**
 * The rules that watch minutes (heart rate at rest, SpO2): run every minute while data arrives,
 * over the last day only, with the resting baseline cached from the last {@link detectAll} run.
 * The nightly rules (resting HR, HRV, sleep) and device silence need the whole history and run
 * hourly with {@link detectAll}: their unit is a night, so an hour's delay changes no alert.
 */
export function detectAcute(input: RuleInput): Episode[] {
  return [...hrHighAtRest(input), ...spo2Low(input)];
}

/** Every rule over one input. */
export function detectAll(input: RuleInput): Episode[] {
  return [
    ...rhrElevated(input),
    ...hrHighAtRest(input),
    ...spo2Low(input),
    ...hrvDrop(input),
    ...shortSleep(input),
    ...deviceSilent(input),
  ];
}

/**
 * Cool-down, so one episode is one alert: an episode is new only if no earlier episode of the same
 * rule and reading type started at the same time (the same episode growing) or ended less than
 * the rule's cool-down before it started. Episodes that ended outside the alert window are dropped.
 */
export function newEpisodes(found: Episode[], known: readonly Episode[], now: number): Episode[] {
  const kept: Episode[] = [...known];
  const out: Episode[] = [];
  for (const e of [...found].sort((a, b) => a.start - b.start)) {
    if (e.end < now - ANOMALY_RULES.alertWindowMs) continue;
    const clash = kept.some(
      (k) =>
        k.rule === e.rule &&
        k.readingType === e.readingType &&
        (k.start === e.start || (k.start <= e.start && e.start < k.end + COOLDOWN[e.rule])),
    );
    if (clash) continue;
    kept.push(e);
    out.push(e);
  }
  return out;
}
