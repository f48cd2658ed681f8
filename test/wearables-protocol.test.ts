import { describe, expect, it } from "vitest";
import {
  checkReading,
  decodeReadings,
  encodeReadings,
  isRawReading,
  RawReading,
  Reading,
} from "../durable-objects/wearable-protocol";

/** Items around every edge of RawReading: each one is judged by the fast check and by the schema. */
const corpus: unknown[] = [
  { type: "heart_rate", ts: "2026-11-30T10:00:00Z", value: 60 },
  { type: "heart_rate", ts: "2026-11-30T10:00:00Z", value: 60, unit: "bpm", extra: 1 },
  { type: "sleep_stage", ts: "2026-11-30T10:00:00+01:00", value: 30, unit: "min", stage: "deep" },
  { type: "sleep_stage", ts: "x", value: 30, stage: "nap" },
  { type: "mood", ts: "2026-11-30T10:00:00Z", value: 3 },
  { type: "heart_rate", ts: "2026-11-30T10:00:00Z", value: "60" },
  { type: "heart_rate", ts: 1764496800000, value: 60 },
  { type: "heart_rate", ts: "2".repeat(40), value: 60 },
  { type: "heart_rate", ts: "2".repeat(41), value: 60 },
  { type: "heart_rate", ts: "2026-11-30T10:00:00Z", value: 60, unit: "u".repeat(16) },
  { type: "heart_rate", ts: "2026-11-30T10:00:00Z", value: 60, unit: "u".repeat(17) },
  { type: "heart_rate", ts: "2026-11-30T10:00:00Z", value: 60, unit: 5 },
  { type: "heart_rate", ts: "2026-11-30T10:00:00Z", value: 60, unit: null },
  { type: "heart_rate", ts: "2026-11-30T10:00:00Z", value: 60, stage: null },
  { type: "heart_rate", ts: "2026-11-30T10:00:00Z", value: Number.NaN },
  { type: "heart_rate", ts: "2026-11-30T10:00:00Z", value: Number.POSITIVE_INFINITY },
  { type: "heart_rate", ts: "2026-11-30T10:00:00Z" },
  { type: null, ts: "2026-11-30T10:00:00Z", value: 1 },
  [],
  ["heart_rate", "2026-11-30T10:00:00Z", 60],
  null,
  "heart_rate",
  42,
  {},
];

describe("telemetry protocol: the fast per-item check agrees with the schema", () => {
  it("isRawReading accepts exactly what RawReading accepts", () => {
    for (const item of corpus)
      expect([item, isRawReading(item)]).toEqual([item, RawReading.safeParse(item).success]);
  });

  it("a refused item still gets the schema's reason; an accepted one the checked form", () => {
    const now = Date.parse("2026-11-30T12:00:00Z");
    expect(checkReading({ type: "heart_rate", ts: "2026-11-30T10:00:00Z", value: "60" }, now)).toEqual({
      reason: expect.stringMatching(/^invalid: value /),
    });
    expect(
      checkReading({ type: "heart_rate", ts: "2026-11-30T10:00:00+02:00", value: 61, unit: "bpm" }, now),
    ).toEqual({
      type: "heart_rate",
      ts: Date.parse("2026-11-30T08:00:00Z"),
      value: 61,
      stage: null,
      offsetMin: 120,
    });
  });

  it("encodeReadings → decodeReadings round-trips checked readings; anything else is refused whole", () => {
    const readings: Reading[] = [
      { type: "heart_rate", ts: 1764496800000, value: 61.5, stage: null, offsetMin: -300 },
      { type: "sleep_stage", ts: 1764496801000, value: 1800, stage: "rem", offsetMin: 840 },
      { type: "skin_temperature", ts: 1764496802000, value: 1 / 3, stage: null, offsetMin: 0 },
    ];
    const text = encodeReadings(readings);
    expect(decodeReadings(text)).toEqual(readings);
    for (const r of decodeReadings(text) ?? []) expect(Reading.safeParse(r).success).toBe(true);
    for (const bad of [
      '[["heart_rate",1.5,60,null,0]]',
      '[["mood",1,60,null,0]]',
      '[["heart_rate",1,60,"deep",900]]',
      '[["heart_rate",1,60,"nap",0]]',
      '[["heart_rate",1,"60",null,0]]',
      '[["heart_rate",1,60,null]]',
      '{"0":["heart_rate",1,60,null,0]}',
      "not json",
    ])
      expect([bad, decodeReadings(bad)]).toEqual([bad, null]);
  });
});
