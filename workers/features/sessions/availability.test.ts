import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { type Availability, AvailabilitySchema, freeSlots } from "./availability";

const everyDay = (timeZone: string, start = "09:00", end = "17:00"): Availability =>
  AvailabilitySchema.parse({
    timeZone,
    weekly: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start, end })),
    sessionTypes: [{ id: "follow-up", label: "Follow-up", minutes: 50 }],
    minNoticeHours: 0,
    horizonDays: 365,
    slotStepMinutes: 60,
    bufferAfterMinutes: 10,
  });

const NOW = new Date("2027-01-01T00:00:00Z");
const local = (iso: string, zone: string) => DateTime.fromISO(iso).setZone(zone).toFormat("HH:mm");
const offset = (iso: string, zone: string) => DateTime.fromISO(iso).setZone(zone).offset;
const slotsOn = (a: Availability, date: string) =>
  freeSlots(a, { from: date, to: date, sessionType: "follow-up", now: NOW, busy: [] });

// Transition dates of 2027: [zone, spring-forward, fall-back]
const TRANSITIONS: [string, string, string][] = [
  ["America/New_York", "2027-03-14", "2027-11-07"],
  ["Europe/London", "2027-03-28", "2027-10-31"],
  ["Australia/Sydney", "2027-10-03", "2027-04-04"],
];

describe("slot generation across DST transitions", () => {
  it.each(TRANSITIONS)(
    "%s: 09:00–17:00 stays 09:00–16:00 local on both transition days",
    (zone, spring, fall) => {
      const a = everyDay(zone);
      for (const date of [spring, fall]) {
        const slots = slotsOn(a, date);
        expect(slots.map((s) => local(s.start, zone))).toEqual([
          "09:00",
          "10:00",
          "11:00",
          "12:00",
          "13:00",
          "14:00",
          "15:00",
          "16:00",
        ]);
        // Every slot is on the local date asked for, 50 minutes long.
        for (const s of slots) {
          expect(DateTime.fromISO(s.start).setZone(zone).toISODate()).toBe(date);
          expect(Date.parse(s.end) - Date.parse(s.start)).toBe(50 * 60_000);
        }
      }
    },
  );

  it.each(TRANSITIONS)(
    "%s: 13:00 local keeps its wall time while the UTC offset changes",
    (zone, spring, fall) => {
      const a = everyDay(zone);
      for (const date of [spring, fall]) {
        const before = DateTime.fromISO(date, { zone }).minus({ days: 1 }).toISODate() ?? "";
        const at = (d: string) => slotsOn(a, d).find((s) => local(s.start, zone) === "13:00");
        const [x, y] = [at(before), at(date)];
        expect(x && y).toBeTruthy();
        expect(offset(x?.start ?? "", zone)).not.toBe(offset(y?.start ?? "", zone));
        // Exactly one day apart in wall time, 23 or 25 hours apart in real time.
        const hours = (Date.parse(y?.start ?? "") - Date.parse(x?.start ?? "")) / 3_600_000;
        expect(hours === 23 || hours === 25).toBe(true);
      }
    },
  );

  it("New York spring-forward: a night window skips the hour that does not exist", () => {
    const a = everyDay("America/New_York", "00:00", "04:00");
    const slots = slotsOn(a, "2027-03-14").map((s) => local(s.start, "America/New_York"));
    expect(slots).toEqual(["00:00", "01:00", "03:00"]);
  });

  it("New York fall-back: 01:00 happens twice, so a night window has two 01:00 slots, an hour apart", () => {
    const a = everyDay("America/New_York", "00:00", "04:00");
    const slots = slotsOn(a, "2027-11-07");
    expect(slots.map((s) => local(s.start, "America/New_York"))).toEqual([
      "00:00",
      "01:00",
      "01:00",
      "02:00",
      "03:00",
    ]);
    expect(new Set(slots.map((s) => s.start)).size).toBe(5);
  });

  it("Sydney spring-forward (02:00 → 03:00): a window starting inside the gap starts at 03:00", () => {
    const a = everyDay("Australia/Sydney", "02:30", "06:00");
    const slots = slotsOn(a, "2027-10-03").map((s) => local(s.start, "Australia/Sydney"));
    expect(slots).toEqual(["03:00", "04:00", "05:00"]);
  });
});

describe("slot policy", () => {
  const a = AvailabilitySchema.parse({
    timeZone: "Europe/London",
    weekly: [{ weekday: 1, start: "09:00", end: "12:00" }],
    overrides: [
      { date: "2027-02-08", windows: [] },
      { date: "2027-02-13", windows: [{ start: "10:00", end: "11:00" }] },
    ],
    timeOff: [{ from: "2027-02-15T10:00:00Z", to: "2027-02-15T11:00:00Z" }],
    sessionTypes: [{ id: "follow-up", label: "Follow-up", minutes: 50 }],
    bufferBeforeMinutes: 15,
    bufferAfterMinutes: 10,
    minNoticeHours: 24,
    horizonDays: 30,
    dailyMax: 2,
    slotStepMinutes: 60,
  });
  const on = (
    date: string,
    extra: Partial<Parameters<typeof freeSlots>[1]> = {},
    now = new Date("2027-02-01T00:00:00Z"),
  ) =>
    freeSlots(a, { from: date, to: date, sessionType: "follow-up", now, busy: [], ...extra }).map((s) =>
      local(s.start, "Europe/London"),
    );

  it("weekly rule, override that closes a day, override that opens a Saturday", () => {
    expect(on("2027-02-01", {}, new Date("2027-01-25T00:00:00Z"))).toEqual(["09:00", "10:00", "11:00"]);
    expect(on("2027-02-08")).toEqual([]);
    expect(on("2027-02-13")).toEqual(["10:00"]);
  });

  it("time off, minimum notice and horizon", () => {
    expect(on("2027-02-15")).toEqual(["09:00", "11:00"]);
    expect(on("2027-02-01", {}, new Date("2027-01-31T09:30:00Z"))).toEqual(["10:00", "11:00"]);
    expect(on("2027-03-08")).toEqual([]);
  });

  it("buffers keep a slot clear of a busy hold on both sides; the daily maximum closes the day", () => {
    const busy = [{ start: Date.parse("2027-02-22T10:50:00Z"), end: Date.parse("2027-02-22T11:30:00Z") }];
    // 10:00–10:50 plus 10 min after touches 11:00 > 10:50 → blocked; 09:00 is clear; 11:00 overlaps.
    expect(on("2027-02-22", { busy })).toEqual(["09:00"]);
    expect(on("2027-02-22", { perDay: new Map([["2027-02-22", 2]]) })).toEqual([]);
    expect(on("2027-02-22", { perDay: new Map([["2027-02-22", 1]]) })).toEqual(["09:00", "10:00", "11:00"]);
  });

  it("rejects an unknown zone and a window that ends before it starts", () => {
    expect(AvailabilitySchema.safeParse({ ...a, timeZone: "Mars/Olympus" }).success).toBe(false);
    expect(
      AvailabilitySchema.safeParse({ ...a, weekly: [{ weekday: 1, start: "12:00", end: "09:00" }] }).success,
    ).toBe(false);
  });
});
