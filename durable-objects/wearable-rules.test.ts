import { describe, expect, it } from "vitest";
import {
  detectAcute,
  detectAll,
  deviceSilent,
  type Episode,
  hrHighAtRest,
  hrvDrop,
  type MinutePoint,
  newEpisodes,
  type RuleInput,
  restBaseline,
  restingMinutes,
  rhrElevated,
  robust,
  shortSleep,
  spo2Low,
} from "./wearable-rules";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** A fixed "now": 2026-11-30 12:00 UTC. Day numbers count from the epoch. */
const NOW = Date.UTC(2026, 10, 30, 12);
const TODAY = Math.floor(NOW / DAY) * DAY;

function input(over: Partial<RuleInput> = {}): RuleInput {
  return {
    now: NOW,
    offsetMin: 0,
    heartRate: [],
    steps: [],
    spo2: [],
    hrvSdnn: [],
    hrvRmssd: [],
    restingHeartRate: [],
    sleep: [],
    devices: [],
    ...over,
  };
}

/** Deterministic jitter in [-1, 1]. */
const jitter = (i: number) => Math.sin(i * 12.9898) * 0.999;

/** Night-time heart rate 01:00–05:00 for `nights` nights ending last night; `bump(night)` adds bpm. */
function nightlyHr(nights: number, base: number, bump: (nightsAgo: number) => number): MinutePoint[] {
  const out: MinutePoint[] = [];
  for (let k = nights; k >= 1; k--) {
    const start = TODAY - (k - 1) * DAY + HOUR; // 01:00 of the night k nights ago (k = 1: last night)
    for (let m = 0; m < 240; m += 2)
      out.push({ minute: start + m * MIN, value: base + bump(k) + jitter(k * 1000 + m) });
  }
  return out;
}

describe("resting heart rate elevated on 2 consecutive nights (NightSignal)", () => {
  it("fires when the last two nights are ≥ 4 bpm above the 28-night median", () => {
    const hr = nightlyHr(30, 58, (ago) => (ago <= 2 ? 6 : 0));
    const found = rhrElevated(input({ heartRate: hr }));
    expect(found).toHaveLength(1);
    expect(found[0]?.rule).toBe("rhr_elevated");
    expect(found[0]?.value).toBeGreaterThanOrEqual(62);
  });
  it("stays silent for one elevated night, for +3 bpm, and without a baseline", () => {
    expect(rhrElevated(input({ heartRate: nightlyHr(30, 58, (ago) => (ago === 1 ? 8 : 0)) }))).toEqual([]);
    expect(rhrElevated(input({ heartRate: nightlyHr(30, 58, (ago) => (ago <= 3 ? 3 : 0)) }))).toEqual([]);
    expect(rhrElevated(input({ heartRate: nightlyHr(4, 58, (ago) => (ago <= 2 ? 10 : 0)) }))).toEqual([]);
  });
  it("counts only minutes with no steps in the previous 12 minutes", () => {
    const hr = nightlyHr(30, 58, (ago) => (ago <= 2 ? 10 : 0));
    // Steps every 5 minutes during the two high nights: those minutes are not resting.
    const steps = hr
      .filter((p) => p.minute > NOW - 2 * DAY && p.minute % (5 * MIN) === 0)
      .map((p) => ({ minute: p.minute, value: 30 }));
    expect(restingMinutes(hr, steps, 12).length).toBeLessThan(hr.length);
    expect(rhrElevated(input({ heartRate: hr, steps }))).toEqual([]);
  });
});

/** A resting day of minute HR (no steps) at `base`, for `days` days before the last 24 h. */
function restingBaseline(days: number, base: number): MinutePoint[] {
  const out: MinutePoint[] = [];
  for (let m = 0; m < days * 24 * 60; m += 10)
    out.push({ minute: NOW - DAY - days * DAY + m * MIN, value: base + 3 * jitter(m) });
  return out;
}

describe("heart rate above baseline + 3 robust SD for 10+ minutes at rest", () => {
  const base = restingBaseline(7, 62);
  const run = (minutes: number, value: number) =>
    Array.from({ length: minutes }, (_, i) => ({ minute: NOW - 2 * HOUR + i * MIN, value }));
  it("fires on 12 resting minutes at 110 bpm", () => {
    const found = hrHighAtRest(input({ heartRate: [...base, ...run(12, 110)] }));
    expect(found).toHaveLength(1);
    expect((found[0]?.end ?? 0) - (found[0]?.start ?? 0)).toBe(12 * MIN);
  });
  it("stays silent for 9 minutes, for walking, and below the threshold", () => {
    expect(hrHighAtRest(input({ heartRate: [...base, ...run(9, 110)] }))).toEqual([]);
    const walking = run(15, 110).map((p) => ({ minute: p.minute, value: 90 }));
    expect(hrHighAtRest(input({ heartRate: [...base, ...run(15, 110)], steps: walking }))).toEqual([]);
    const b = robust(base.map((p) => p.value));
    expect(hrHighAtRest(input({ heartRate: [...base, ...run(15, b.median + 2 * b.sd)] }))).toEqual([]);
  });
});

describe("the minute pass: last day only, with the resting baseline cached from the hourly run", () => {
  const base = restingBaseline(7, 62);
  const episode = Array.from({ length: 12 }, (_, i) => ({ minute: NOW - 2 * HOUR + i * MIN, value: 110 }));
  const spo2 = [96, 87, 88, 86, 87, 88, 89, 95].map((value, i) => ({ minute: NOW - HOUR + i * MIN, value }));
  const full = input({ heartRate: [...base, ...episode], spo2 });
  const lastDay = (xs: MinutePoint[]) => xs.filter((p) => p.minute >= NOW - 25 * HOUR);
  const recent = input({ heartRate: lastDay(full.heartRate), spo2: lastDay(full.spo2) });
  it("finds what the full run finds for heart rate at rest and SpO2, reading only the last day", () => {
    const cached = restBaseline(full);
    expect(cached?.median).toBeCloseTo(robust(base.map((p) => p.value)).median, 6);
    const acute = detectAcute({ ...recent, restBaseline: cached });
    const fromAll = detectAll(full).filter((e) => e.rule === "hr_high_at_rest" || e.rule === "spo2_low");
    expect(acute.map((e) => [e.rule, e.start, e.end, e.value])).toEqual(
      fromAll.map((e) => [e.rule, e.start, e.end, e.value]),
    );
    expect(acute.map((e) => e.rule).sort()).toEqual(["hr_high_at_rest", "spo2_low"]);
    expect(recent.heartRate.length).toBeLessThan(full.heartRate.length / 10);
  });
  it("without the cached baseline the last day alone has none, so heart rate at rest stays silent", () => {
    expect(restBaseline(recent)).toBeNull();
    expect(detectAcute(recent).map((e) => e.rule)).toEqual(["spo2_low"]);
    expect(detectAcute({ ...recent, restBaseline: null }).map((e) => e.rule)).toEqual(["spo2_low"]);
  });
});

describe("SpO2 under 90 % for 5+ minutes", () => {
  const series = (values: number[], stepMin = 1) =>
    values.map((value, i) => ({ minute: NOW - HOUR + i * stepMin * MIN, value }));
  it("fires on 6 minutes at 87 %, and on sparse readings 2 minutes apart spanning 6 minutes", () => {
    expect(spo2Low(input({ spo2: series([96, 87, 88, 86, 87, 88, 89, 95]) }))).toHaveLength(1);
    expect(spo2Low(input({ spo2: series([96, 87, 88, 87, 88, 97], 2) }))).toHaveLength(1);
  });
  it("stays silent for 4 minutes, for 90 % exactly, and when a normal reading breaks the run", () => {
    expect(spo2Low(input({ spo2: series([96, 87, 88, 86, 87, 95]) }))).toEqual([]);
    expect(spo2Low(input({ spo2: series([90, 90, 90, 90, 90, 90, 90]) }))).toEqual([]);
    expect(spo2Low(input({ spo2: series([87, 88, 86, 95, 87, 88, 86]) }))).toEqual([]);
  });
});

/** Nightly HRV (one reading at 03:00) for `nights` nights; `at(ago)` is the value. */
function nightlyHrv(nights: number, at: (ago: number) => number): MinutePoint[] {
  return Array.from({ length: nights }, (_, i) => {
    const ago = nights - i;
    return { minute: TODAY - (ago - 1) * DAY + 3 * HOUR - DAY, value: at(ago) };
  });
}

describe("HRV down sharply against baseline on 3 nights", () => {
  const normal = (ago: number) => 45 + 4 * jitter(ago);
  it("fires when the last 3 nights are far below (RMSSD)", () => {
    const found = hrvDrop(input({ hrvRmssd: nightlyHrv(30, (ago) => (ago <= 3 ? 25 : normal(ago))) }));
    expect(found.map((e) => [e.rule, e.readingType])).toEqual([["hrv_drop", "hrv_rmssd"]]);
  });
  it("keeps SDNN and RMSSD apart, and stays silent for 2 low nights or a mild dip", () => {
    const found = hrvDrop(input({ hrvSdnn: nightlyHrv(30, (ago) => (ago <= 3 ? 25 : normal(ago))) }));
    expect(found.map((e) => e.readingType)).toEqual(["hrv_sdnn"]);
    expect(hrvDrop(input({ hrvRmssd: nightlyHrv(30, (ago) => (ago <= 2 ? 25 : normal(ago))) }))).toEqual([]);
    expect(hrvDrop(input({ hrvRmssd: nightlyHrv(30, (ago) => (ago <= 3 ? 41 : normal(ago))) }))).toEqual([]);
  });
});

/** One sleep interval per night starting 23:30 local, `hours(ago)` long. */
function nights(n: number, hours: (ago: number) => number, offsetMin = 0) {
  return Array.from({ length: n }, (_, i) => {
    const ago = n - i;
    return {
      ts: TODAY - ago * DAY + 23.5 * HOUR - offsetMin * MIN,
      seconds: hours(ago) * 3600,
      stage: "asleep",
    };
  });
}

describe("under 4 h of sleep on 3 nights in a row", () => {
  it("fires on 3 short nights in a row (also in another time zone)", () => {
    expect(shortSleep(input({ sleep: nights(10, (ago) => (ago <= 3 ? 3.5 : 7.5)) }))).toHaveLength(1);
    expect(
      shortSleep(input({ offsetMin: 600, sleep: nights(10, (ago) => (ago <= 3 ? 3 : 8), 600) })),
    ).toHaveLength(1);
  });
  it("stays silent for 2 short nights, for a gap between them, and ignores time awake", () => {
    expect(shortSleep(input({ sleep: nights(10, (ago) => (ago <= 2 ? 3 : 7)) }))).toEqual([]);
    expect(shortSleep(input({ sleep: nights(10, (ago) => (ago === 2 ? 8 : ago <= 4 ? 3 : 7)) }))).toEqual([]);
    const awake = nights(10, () => 7).map((s) => ({ ...s, stage: "awake" }));
    expect(shortSleep(input({ sleep: [...nights(10, (ago) => (ago <= 3 ? 3 : 7)), ...awake] }))).toHaveLength(
      1,
    );
  });
});

describe("a device that normally reports, silent for 24 h (informational)", () => {
  const day = (t: number) => Math.floor(t / DAY);
  it("fires after 24 h of silence from a daily device", () => {
    const last = NOW - 25 * HOUR;
    const days = Array.from({ length: 7 }, (_, i) => day(last) - i);
    expect(deviceSilent(input({ devices: [{ id: "d1", lastSeen: last, days }] }))).toHaveLength(1);
  });
  it("stays silent before 24 h and for a device that rarely reports", () => {
    const days = Array.from({ length: 7 }, (_, i) => day(NOW) - i);
    expect(deviceSilent(input({ devices: [{ id: "d1", lastSeen: NOW - 23 * HOUR, days }] }))).toEqual([]);
    expect(
      deviceSilent(
        input({ devices: [{ id: "d2", lastSeen: NOW - 30 * HOUR, days: [day(NOW - 30 * HOUR)] }] }),
      ),
    ).toEqual([]);
  });
});

describe("cool-down: one episode, one alert", () => {
  const e = (start: number, end: number): Episode => ({
    rule: "spo2_low",
    readingType: "spo2",
    start,
    end,
    value: 85,
    baseline: null,
  });
  it("drops the same episode growing, and a new one inside the cool-down; keeps one after it", () => {
    const first = e(NOW - 3 * HOUR, NOW - 2.9 * HOUR);
    expect(newEpisodes([first], [], NOW)).toEqual([first]);
    expect(newEpisodes([e(first.start, NOW - 2 * HOUR)], [first], NOW)).toEqual([]);
    expect(newEpisodes([e(NOW - HOUR, NOW - 0.9 * HOUR)], [first], NOW)).toEqual([]);
    const later = e(first.end + 7 * HOUR, first.end + 7.1 * HOUR);
    expect(newEpisodes([later], [first], NOW + 10 * HOUR)).toEqual([later]);
  });
  it("never alerts an episode that ended outside the alert window (a month-late redelivery)", () => {
    expect(newEpisodes([e(NOW - 10 * DAY, NOW - 10 * DAY + HOUR)], [], NOW)).toEqual([]);
  });
});
