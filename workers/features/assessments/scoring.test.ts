import { describe, expect, it } from "vitest";
import { AppError } from "../../lib/errors";
import { INSTRUMENTS, type Instrument } from "./instruments";
import { recommend } from "./recommendations";
import { bandOf, needsCrisisPath, scoreForm } from "./scoring";

const scored = (i: Instrument) => i.items.filter((x) => !x.unscored);
const maxOption = (i: Instrument) => Math.max(...i.options.map((o) => o.value));

/**
 * Answers whose REPORTED score is exactly `total` (all items unreversed here except PSS-10's, which
 * are set to their maximum so they contribute 0): fills items in order with the largest value.
 */
function answersFor(i: Instrument, total: number): Record<string, number> {
  let left = total / i.multiplier;
  const out: Record<string, number> = {};
  for (const item of scored(i)) {
    const max = maxOption(i);
    const v = Math.min(max, left);
    if (item.reverse) {
      if (left >= max && scored(i).filter((x) => !x.reverse).length * max < total / i.multiplier) {
        out[item.id] = 0; // contributes max
        left -= max;
      } else out[item.id] = max; // contributes 0
      continue;
    }
    out[item.id] = v;
    left -= v;
  }
  if (left !== 0) throw new Error(`cannot build ${total} for ${i.id}`);
  return out;
}

describe("scoring at every band boundary, every instrument", () => {
  const cases: Array<[keyof typeof INSTRUMENTS, number, string]> = [
    ["phq-9", 0, "minimal"],
    ["phq-9", 4, "minimal"],
    ["phq-9", 5, "mild"],
    ["phq-9", 9, "mild"],
    ["phq-9", 10, "moderate"],
    ["phq-9", 14, "moderate"],
    ["phq-9", 15, "moderately_severe"],
    ["phq-9", 19, "moderately_severe"],
    ["phq-9", 20, "severe"],
    ["phq-9", 27, "severe"],
    ["gad-7", 0, "minimal"],
    ["gad-7", 4, "minimal"],
    ["gad-7", 5, "mild"],
    ["gad-7", 9, "mild"],
    ["gad-7", 10, "moderate"],
    ["gad-7", 14, "moderate"],
    ["gad-7", 15, "severe"],
    ["gad-7", 21, "severe"],
    // WHO-5: raw ×4; ≤ 28 likely depression, ≤ 50 poor well-being.
    ["who-5", 0, "likely_depression"],
    ["who-5", 28, "likely_depression"],
    ["who-5", 32, "poor"],
    ["who-5", 48, "poor"],
    ["who-5", 52, "adequate"],
    ["who-5", 100, "adequate"],
    ["pss-10", 0, "low"],
    ["pss-10", 13, "low"],
    ["pss-10", 14, "moderate"],
    ["pss-10", 26, "moderate"],
    ["pss-10", 27, "high"],
    ["pss-10", 40, "high"],
  ];
  it.each(cases)("%s total %i → %s", (id, total, band) => {
    const i = INSTRUMENTS[id];
    const result = scoreForm(i, answersFor(i, total));
    expect(result.total).toBe(total);
    expect(result.band.id).toBe(band);
  });

  it("bands cover every reachable score with no gap or overlap", () => {
    for (const i of Object.values(INSTRUMENTS)) {
      for (let t = 0; t <= i.maxScore; t += i.multiplier) expect(() => bandOf(i, t)).not.toThrow();
      const sorted = [...i.bands].sort((a, b) => a.min - b.min);
      for (let k = 1; k < sorted.length; k++) expect(sorted[k]?.min).toBeGreaterThan(sorted[k - 1]?.max ?? 0);
    }
  });

  it("WHO-5 reports raw × 4: raw 7 → 28 (likely depression), raw 13 → 52", () => {
    const i = INSTRUMENTS["who-5"];
    expect(scoreForm(i, { q1: 3, q2: 2, q3: 1, q4: 1, q5: 0 })).toMatchObject({ raw: 7, total: 28 });
    expect(scoreForm(i, { q1: 5, q2: 5, q3: 3, q4: 0, q5: 0 })).toMatchObject({ raw: 13, total: 52 });
  });
});

describe("PSS-10 reverse scoring (items 4, 5, 7, 8)", () => {
  const i = INSTRUMENTS["pss-10"];
  const zeros = Object.fromEntries(scored(i).map((x) => [x.id, 0]));
  it("marks exactly items 4, 5, 7 and 8 as reversed", () => {
    expect(i.items.filter((x) => x.reverse).map((x) => x.id)).toEqual(["q4", "q5", "q7", "q8"]);
  });
  it("'never' on a reversed item scores 4, 'very often' scores 0", () => {
    expect(scoreForm(i, zeros).total).toBe(16);
    expect(scoreForm(i, { ...zeros, q4: 4, q5: 4, q7: 4, q8: 4 }).total).toBe(0);
    expect(scoreForm(i, { ...zeros, q4: 1 }).total).toBe(15);
    expect(scoreForm(i, { ...zeros, q1: 4, q4: 4, q5: 4, q7: 4, q8: 4 }).total).toBe(4);
  });
});

describe("incomplete and invalid forms are refused, never guessed", () => {
  it("names every missing item (422)", () => {
    const i = INSTRUMENTS["phq-9"];
    try {
      scoreForm(i, { q1: 0, q2: 1, q4: 0, q5: 0, q6: 0, q7: 0, q8: 0 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      const e = err as AppError;
      expect(e.code).toBe("validation_failed");
      expect(e.extensions).toEqual({ missing: ["q3", "q9"] });
      expect(e.errors?.map((x) => x.path)).toEqual(["body.answers.q3", "body.answers.q9"]);
    }
  });
  it("the PHQ-9 difficulty question is optional and unscored", () => {
    const i = INSTRUMENTS["phq-9"];
    const all = Object.fromEntries(scored(i).map((x) => [x.id, 1]));
    expect(scoreForm(i, all).total).toBe(9);
    expect(scoreForm(i, { ...all, difficulty: 3 }).total).toBe(9);
  });
  it("refuses values outside the options and unknown items", () => {
    const i = INSTRUMENTS["gad-7"];
    const all = Object.fromEntries(scored(i).map((x) => [x.id, 0]));
    expect(() => scoreForm(i, { ...all, q1: 4 })).toThrow(AppError);
    expect(() => scoreForm(i, { ...all, q8: 0 })).toThrow(AppError);
    expect(() => scoreForm(INSTRUMENTS["who-5"], { q1: 6, q2: 0, q3: 0, q4: 0, q5: 0 })).toThrow(AppError);
  });
});

describe("crisis rule and recommendations", () => {
  const phq = INSTRUMENTS["phq-9"];
  const base = Object.fromEntries(scored(phq).map((x) => [x.id, 0]));
  it("item 9 above 0 takes the crisis path whatever the total; 0 does not fire (never 'safe')", () => {
    expect(needsCrisisPath(phq, scoreForm(phq, { ...base, q9: 1 }))).toBe(true);
    expect(needsCrisisPath(phq, scoreForm(phq, { ...base, q1: 3, q2: 3, q3: 3, q9: 0 }))).toBe(false);
    const gad = INSTRUMENTS["gad-7"];
    const gadAll = Object.fromEntries(gad.items.map((x) => [x.id, 3]));
    expect(needsCrisisPath(gad, scoreForm(gad, gadAll))).toBe(false);
  });
  it("moderately severe and worse → review suggestion naming the facts; no diagnosis words", () => {
    const recs = recommend({
      instrument: phq,
      total: 17,
      bandId: "moderately_severe",
      bandLabel: "Moderately severe",
      previousTotal: 9,
      change: "worse",
      response: null,
      remission: false,
      safetyFlag: false,
    });
    expect(recs[0]).toMatchObject({ rule: "review.severe_and_worse" });
    expect(recs[0]?.because).toEqual([
      "PHQ-9 17 (Moderately severe)",
      "previous PHQ-9 9",
      "reliable change: worse",
    ]);
    expect(JSON.stringify(recs)).not.toMatch(/you have (depression|anxiety)|diagnos/i);
  });
  it("the safety suggestion says the care team was told only when it was", () => {
    const x = {
      instrument: phq,
      total: 1,
      bandId: "minimal",
      bandLabel: "Minimal",
      previousTotal: null,
      change: null,
      response: null,
      remission: false,
      safetyFlag: true,
    };
    expect(recommend({ ...x, careTeamAlerted: true })[0]?.text).toContain("your care team has been told");
    expect(recommend({ ...x, careTeamAlerted: false })[0]?.text).not.toContain("care team");
  });

  it("remission and WHO-5 screening rules", () => {
    const rem = recommend({
      instrument: phq,
      total: 3,
      bandId: "minimal",
      bandLabel: "Minimal",
      previousTotal: 12,
      change: "improved",
      response: true,
      remission: true,
      safetyFlag: false,
    });
    expect(rem.map((r) => r.rule)).toEqual(["progress.remission"]);
    const who = recommend({
      instrument: INSTRUMENTS["who-5"],
      total: 24,
      bandId: "likely_depression",
      bandLabel: "x",
      previousTotal: null,
      change: null,
      response: null,
      remission: null,
      safetyFlag: false,
    });
    expect(who.map((r) => r.rule)).toEqual(["review.severe", "screen.who5_low"]);
  });
});
