import { describe, expect, it } from "vitest";
import type { CrisisCategory } from "./detector";
import { detectCrisis } from "./detector";
import { crisisResponse } from "./fixed-response";
import { NON_ENGLISH } from "./labelled-crisis-others";
import { LABELLED } from "./labelled-set";
import { normalize } from "./normalize";
import { checkModelOutput, SAFE_REPLACEMENT } from "./output-check";
import { findMatches, LEXICON, RULES } from "./patterns";
import { activeRules } from "./prefilter";
import { crisisResources } from "./resources";

const CATEGORIES: readonly CrisisCategory[] = [
  "suicidal_ideation_explicit",
  "suicidal_ideation_passive",
  "self_harm",
  "plan_or_means",
  "overdose",
  "harm_to_others",
  "abuse",
  "third_party_concern",
];

describe("labelled set", () => {
  it("meets the size and coverage requirements", () => {
    const crisis = LABELLED.filter((e) => e.crisis);
    expect(crisis.length).toBeGreaterThanOrEqual(250);
    expect(LABELLED.filter((e) => !e.crisis).length).toBeGreaterThanOrEqual(250);
    for (const c of CATEGORIES)
      expect(crisis.filter((e) => e.category === c).length).toBeGreaterThanOrEqual(20);
    expect(NON_ENGLISH.length).toBeGreaterThanOrEqual(30);
  });

  it("detects crisis with recall >= 0.95 and false-positive rate <= 0.05", () => {
    let tp = 0;
    let fn = 0;
    let fp = 0;
    let tn = 0;
    const perCategory = new Map<CrisisCategory, { hit: number; total: number; sameCategory: number }>();
    const misses: string[] = [];
    for (const example of LABELLED) {
      const result = detectCrisis(example.text);
      if (example.crisis && example.category !== undefined) {
        const stats = perCategory.get(example.category) ?? { hit: 0, total: 0, sameCategory: 0 };
        stats.total++;
        if (result.detected) {
          tp++;
          stats.hit++;
          if (result.categories.includes(example.category)) stats.sameCategory++;
        } else {
          fn++;
          misses.push(`missed: ${example.text}`);
        }
        perCategory.set(example.category, stats);
      } else if (result.detected) {
        fp++;
        misses.push(`false positive: ${example.text} [${result.rules.join(",")}]`);
      } else {
        tn++;
      }
    }
    const recall = tp / (tp + fn);
    const fpr = fp / (fp + tn);
    console.log(
      `crisis detector: recall=${recall.toFixed(3)} (${tp}/${tp + fn}) FPR=${fpr.toFixed(3)} (${fp}/${fp + tn})`,
    );
    for (const [category, s] of perCategory) {
      console.log(
        `  ${category}: recall=${(s.hit / s.total).toFixed(3)} (${s.hit}/${s.total}) category-match=${(s.sameCategory / s.total).toFixed(3)}`,
      );
    }
    for (const m of misses) console.log(`  ${m}`);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(fpr).toBeLessThanOrEqual(0.05);
  });
});

describe("detectCrisis", () => {
  it("ignores idioms and everyday uses of death and violence words", () => {
    for (const text of [
      "this traffic is killing me",
      "I'd kill for a pizza",
      "dying to see that movie",
      "I nearly died laughing",
      "my phone is dead",
      "killer workout today",
      "this cake is to die for",
      "the deadline is friday",
      "how do I kill the process",
      "this exam will be the death of me",
      "cut the onions into rings",
      "dead tired after my shift",
      "Suicide Squad is on tonight",
      "my mom is going to kill me when she sees this",
      "I shot myself in the foot with that email",
      "I'm overdue for a dentist visit",
      "I need a pill organiser",
    ]) {
      expect(detectCrisis(text), text).toMatchObject({ detected: false, severity: "none" });
    }
  });

  it("handles negation without swallowing ideation that contains a negative", () => {
    expect(detectCrisis("I'm not suicidal, just tired").detected).toBe(false);
    expect(detectCrisis("I would never hurt myself").detected).toBe(false);
    expect(detectCrisis("I have no plans to end my life").detected).toBe(false);
    expect(detectCrisis("I'm not sure I want to live").categories).toContain("suicidal_ideation_passive");
    expect(detectCrisis("I don't want to live anymore").detected).toBe(true);
    expect(detectCrisis("Not a day goes by that I don't want to die").detected).toBe(true);
    expect(detectCrisis("I'm not okay and I want to die").detected).toBe(true);
    expect(detectCrisis("I'm not actively suicidal").categories).toEqual(["suicidal_ideation_passive"]);
  });

  it("assigns categories", () => {
    const cases: ReadonlyArray<readonly [string, CrisisCategory]> = [
      ["I want to kill myself", "suicidal_ideation_explicit"],
      ["everyone would be better off without me", "suicidal_ideation_passive"],
      ["I've been cutting myself again", "self_harm"],
      ["I wrote a suicide note", "plan_or_means"],
      ["I swallowed all my pills", "overdose"],
      ["I want to kill my boss", "harm_to_others"],
      ["he hits me when he's drunk", "abuse"],
      ["my friend said she wants to die", "third_party_concern"],
      ["je veux mourir", "suicidal_ideation_explicit"],
      ["ich will nicht mehr leben", "suicidal_ideation_passive"],
    ];
    for (const [text, category] of cases) expect(detectCrisis(text).categories, text).toContain(category);
    expect(detectCrisis("my friend said she wants to die").categories).not.toContain(
      "suicidal_ideation_explicit",
    );
  });

  it("grades severity, with plan or timeframe plus intent as imminent", () => {
    expect(detectCrisis("I wish I wasn't here").severity).toBe("elevated");
    expect(detectCrisis("I want to kill myself").severity).toBe("high");
    expect(detectCrisis("I'm going to kill myself tonight").severity).toBe("imminent");
    expect(detectCrisis("I bought a rope and I'm going to hang myself").severity).toBe("imminent");
    expect(detectCrisis("I took a whole bottle of tylenol").severity).toBe("imminent");
    expect(detectCrisis("my roommate took a bunch of pills and won't wake up").severity).toBe("imminent");
    expect(detectCrisis("my friend said she wants to die").severity).toBe("elevated");
  });

  it("sees through obfuscation and slang", () => {
    for (const text of [
      "i want to k1ll mys3lf",
      "i want to k!ll myself",
      "s*icide is all i think about",
      "thinking about su1c1de",
      "i want to k i l l myself",
      "i want to kil\u200Bl myself",
      "i want to kіll myself",
      "ｉ ｗａｎｔ ｔｏ ｄｉｅ",
      "sooo done, i want to diiiie",
      "i'm going to unalive myself",
      "kms",
      "thinking about sewerslide",
      "im gonna kys tonight",
    ]) {
      expect(detectCrisis(text).detected, text).toBe(true);
    }
    expect(detectCrisis("kys loser").detected).toBe(false);
  });

  it("treats recovered history as context, not crisis, unless current", () => {
    const history = detectCrisis("I used to self-harm but I've been clean two years");
    expect(history).toMatchObject({ detected: false, severity: "none" });
    expect(history.rules).toContain("context.history");
    expect(detectCrisis("I used to self harm and the urges are back").detected).toBe(true);
    expect(detectCrisis("I used to be happy but now I want to die").detected).toBe(true);
  });

  it("ignores fiction and educational questions", () => {
    expect(detectCrisis("In the movie the main character kills himself at the end").detected).toBe(false);
    expect(detectCrisis("What are the warning signs of suicide?").detected).toBe(false);
    expect(detectCrisis("Is self-harm a symptom of BPD?").detected).toBe(false);
  });

  it("reports rule ids only, never message text", () => {
    const result = detectCrisis("I want to kill myself tonight, I have the pills ready");
    for (const id of result.rules) expect(id).toMatch(/^[a-z_.:]+$/);
  });

  it("handles 4,000-character messages", () => {
    const filler = "Today was long and I talked to my manager about the schedule for next week. ";
    const long = filler.repeat(Math.ceil(4000 / filler.length)).slice(0, 3950);
    expect(long.length).toBeGreaterThan(3900);
    expect(detectCrisis(long).detected).toBe(false);
    expect(detectCrisis(`${long} I want to end my life.`).detected).toBe(true);
    expect(detectCrisis("").detected).toBe(false);
  });

  it("never prefilters out a rule that would have matched", () => {
    const texts = [
      ...LABELLED.map((e) => e.text),
      "k i l l m y s e l f",
      "中文die now",
      `x${"a".repeat(50)} kill myself`,
    ];
    for (const text of texts) {
      const norm = normalize(text, LEXICON);
      const active = activeRules(norm);
      RULES.forEach((rule, i) => {
        if (findMatches(rule.re, norm).length > 0) expect(active[i], `${rule.id} on ${text}`).toBe(1);
      });
    }
    expect(RULES.every((r) => r.anchors === null || r.anchors.length > 0)).toBe(true);
  });

  it("normalises to plain ASCII tokens with boundary markers", () => {
    expect(normalize("I’m SOOO tired... can’t go on!")).toBe("im soo tired . cant go on");
    expect(normalize("I’m SOOO tired", LEXICON)).toBe("im so tired");
  });
});

describe("checkModelOutput", () => {
  it("flags overdose instructions but not a refusal or ordinary medication talk", () => {
    expect(checkModelOutput("You could take all your pills at once.")).toEqual({
      safe: false,
      rules: ["output.overdose_instruction"],
    });
    expect(checkModelOutput("Swallow the whole bottle of sleeping pills.").safe).toBe(false);
    expect(checkModelOutput("Please don't take all your pills at once; call 988 instead.").safe).toBe(true);
    expect(
      checkModelOutput("Taking your meds at the same time each day can help build a routine.").safe,
    ).toBe(true);
  });

  it("flags methods, doses, encouragement and diagnoses", () => {
    const unsafe: ReadonlyArray<readonly [string, string]> = [
      ["Here is the most painless way to kill yourself.", "output.method_instructions"],
      ["Cut vertically along the vein.", "output.method_detail"],
      ["You can hide the cuts with long sleeves.", "output.hide_injuries"],
      ["The lethal dose of paracetamol is about 10 grams.", "output.lethal_dose"],
      ["Try taking 50mg of sertraline.", "output.dose_amount"],
      ["You should stop taking your antidepressants.", "output.dosing_advice"],
      ["Honestly, everyone would be better off without you.", "output.encouragement"],
      ["You have depression.", "output.diagnosis"],
      ["You are bipolar.", "output.diagnosis"],
    ];
    for (const [text, rule] of unsafe) {
      const result = checkModelOutput(text);
      expect(result.safe, text).toBe(false);
      expect(result.rules, text).toContain(rule);
    }
  });

  it("passes supportive replies, refusals and hedged language", () => {
    for (const text of [
      "I'm really sorry you're feeling this way. If you're thinking about ending your life, please call or text 988.",
      "I can't share information about lethal doses, but I can help you find support right now.",
      "I can't tell you whether you have depression; a doctor can help with that.",
      "Please don't stop taking your medication without talking to your doctor.",
      "It sounds like you've been feeling really low lately. Would you like to talk about it?",
      "It may feel like everyone would be better off without you, but that is the depression talking.",
    ]) {
      expect(checkModelOutput(text), text).toEqual({ safe: true, rules: [] });
    }
  });

  it("catches unsafe content split across streamed chunks when given accumulated text", () => {
    const chunks = ["Well, one way", " to kill your", "self is"];
    let accumulated = "";
    const verdicts = chunks.map((chunk) => {
      accumulated += chunk;
      return checkModelOutput(accumulated).safe;
    });
    expect(verdicts).toEqual([true, true, false]);
    expect(checkModelOutput(SAFE_REPLACEMENT).safe).toBe(true);
  });
});

describe("crisisResources and crisisResponse", () => {
  it("lists 988 for the US and Samaritans for the UK", () => {
    expect(crisisResources("us").some((r) => r.phone === "988")).toBe(true);
    expect(crisisResources("US").some((r) => r.text?.includes("741741"))).toBe(true);
    expect(crisisResources("uk").some((r) => r.phone === "116 123")).toBe(true);
    expect(crisisResources("au").some((r) => r.phone === "13 11 14")).toBe(true);
    expect(crisisResources("eu").some((r) => r.phone === "112")).toBe(true);
  });

  it("falls back to the generic emergency message for unknown regions", () => {
    const fallback = crisisResources("zz");
    expect(fallback.length).toBeGreaterThan(0);
    expect(fallback[0]?.description).toMatch(/immediate danger.*local emergency number/i);
  });

  it("uses the locale's country inside a multi-country region", () => {
    expect(crisisResources("eu", "de-DE").some((r) => r.name === "TelefonSeelsorge")).toBe(true);
    expect(crisisResources("us", "es-US").find((r) => r.phone === "988")?.description).toMatch(/español/);
  });

  it("builds a warm fixed response that urges emergency contact when imminent", () => {
    const imminent = crisisResponse(detectCrisis("I'm going to kill myself tonight"), crisisResources("us"));
    expect(imminent.text).toContain("988");
    expect(imminent.text).toMatch(/call 911 \(emergency services\)/);
    expect(imminent.offerScreener).toBe(false);

    const passive = crisisResponse(detectCrisis("I wish I wasn't here anymore"), crisisResources("gb"));
    expect(passive.text).toContain("116 123");
    expect(passive.text).not.toMatch(/emergency department/);
    expect(passive.offerScreener).toBe(true);

    const abuse = crisisResponse(detectCrisis("my husband hits me"), crisisResources("us"));
    expect(abuse.text).toContain("National Domestic Violence Hotline");
    expect(crisisResponse(detectCrisis("I want to die"), crisisResources("us")).text).not.toContain(
      "Domestic Violence",
    );
  });

  it("returns the fitting resources and can leave them out of the text for clients that render them", () => {
    const selfHarm = crisisResponse(detectCrisis("I want to die"), crisisResources("us"), {
      listResources: false,
    });
    expect(selfHarm.resources.map((r) => r.name)).toContain("988 Suicide & Crisis Lifeline");
    expect(selfHarm.resources.some((r) => r.kind === "abuse")).toBe(false);
    expect(selfHarm.text).not.toContain("988 Suicide & Crisis Lifeline");
    const abuse = crisisResponse(detectCrisis("my husband hits me"), crisisResources("us"));
    expect(abuse.resources[0]?.kind).toBe("abuse");
  });
});
