import { describe, expect, it } from "vitest";
import { CLASSIFIER_MODEL } from "./classifier-weights";
import { HELDOUT, HELDOUT_ROUND } from "./eval/heldout/index";
import { evaluate, formatReport, fpr, recall, withoutOverlap } from "./eval/report";
import { TUNING } from "./eval/tuning/index";
import { FEATURE_DIM } from "./features";
import { assessRisk, CLASSIFIER, type RiskAssessment } from "./index";

/** The gate on held-out data; reported every run, never lowered. */
const GATE = {
  recall: 0.98,
  fullRecallFamilies: ["explicit_intent", "plan_time", "method_seeking"],
  maxFpr: 0.05,
};

/**
 * Regression floor: the held-out figures measured when this round was first evaluated (see the
 * README), minus a small margin. The gate above is NOT met; this floor keeps what was reached.
 */
const FLOOR = { recall: 0.86, maxFpr: 0.08 };

const ID = /^(?:l1|l2|l3|conv|moderation):[a-z0-9_.:-]+$/;

describe("safety net evaluation", () => {
  it("reports recall and false positives per family and language, in-sample and held-out apart", () => {
    const judge = (text: string, turns: readonly string[]) => assessRisk(text, turns);
    const tuning = evaluate(TUNING, judge);
    const { cases, dropped } = withoutOverlap(HELDOUT, TUNING);
    const heldout = evaluate(cases, judge);
    console.log(formatReport(`tuning set (IN-SAMPLE: rules and classifier were fit to it)`, tuning));
    console.log(
      formatReport(
        `held-out round ${HELDOUT_ROUND} (never tuned on; ${dropped} also in tuning, excluded)`,
        heldout,
      ),
    );
    const failing = GATE.fullRecallFamilies.filter(
      (f) => recall(heldout.byFamily.get(f) ?? tuning.overall) < 1,
    );
    const met =
      recall(heldout.overall) >= GATE.recall && fpr(heldout.overall) <= GATE.maxFpr && failing.length === 0;
    console.log(
      `held-out gate (recall >= ${GATE.recall}, 100% on ${GATE.fullRecallFamilies.join("/")}, false positives <= ${GATE.maxFpr}): ${met ? "MET" : "NOT MET"}`,
    );
    expect(heldout.overall.crisis + heldout.overall.benign).toBeGreaterThanOrEqual(900);
    expect(recall(heldout.overall)).toBeGreaterThanOrEqual(FLOOR.recall);
    expect(fpr(heldout.overall)).toBeLessThanOrEqual(FLOOR.maxFpr);
  });

  it("held-out data has at least 40 cases per family and 20 per claimed language", () => {
    const families = new Map<string, number>();
    const languages = new Map<string, number>();
    for (const c of HELDOUT) {
      families.set(c.family, (families.get(c.family) ?? 0) + 1);
      languages.set(c.lang, (languages.get(c.lang) ?? 0) + 1);
    }
    for (const [family, n] of families)
      if (family !== "non_english" && family !== "benign_non_english")
        expect(n, family).toBeGreaterThanOrEqual(40);
    for (const lang of ["es", "fr", "de", "pt", "it", "nl", "pl", "hi", "ar", "zh"])
      expect(languages.get(lang) ?? 0, lang).toBeGreaterThanOrEqual(20);
  });

  it("shares almost no message with the tuning set (the few verbatim repeats are excluded above)", () => {
    expect(withoutOverlap(HELDOUT, TUNING).dropped / HELDOUT.length).toBeLessThan(0.02);
  });
});

describe("assessRisk", () => {
  const tier = (text: string, turns: readonly string[] = [], afterCheckIn = false): RiskAssessment =>
    assessRisk(text, turns, { afterCheckIn });

  it("returns the tier, categories and fired layer ids — ids only, never text", () => {
    const r = tier("I'm going to kill myself tonight, I have the pills ready");
    expect(r).toMatchObject({ tier: "imminent", detected: true, severity: "imminent" });
    expect(r.categories).toContain("plan_or_means");
    expect(r.fired.length).toBeGreaterThan(0);
    for (const id of r.fired) expect(id).toMatch(ID);
    expect(JSON.stringify(r)).not.toMatch(/pills|tonight/);
  });

  it("catches plans, method questions, means and goodbyes without the words suicide or kill", () => {
    expect(tier("friday. I've decided friday. I just wanted to tell someone before then").detected).toBe(
      true,
    );
    expect(tier("how many of my sertraline would it take to not wake up").tier).toBe("high");
    expect(tier("I've been saving my oxy from after the surgery, there's enough now").detected).toBe(true);
    expect(tier("please make sure someone looks after my cat. this is my last message").detected).toBe(true);
    expect(tier("I keep hoping I just won't wake up tomorrow").detected).toBe(true);
  });

  it("leaves idioms, fiction, professional questions, recovery and denials alone", () => {
    for (const text of [
      "this exam is killing me lol",
      "I died 40 times on that boss, send help",
      "I'm a nurse, what is the antidote for paracetamol overdose?",
      "I used to cut, 3 years clean and proud of it",
      "I'm not suicidal, just exhausted from work",
      "second message",
    ])
      expect(tier(text).detected, text).toBe(false);
  });

  it("reads Arabic and Chinese, which the ASCII rules cannot", () => {
    expect(tier("أريد أن أموت").detected).toBe(true);
    expect(tier("我不想活了").detected).toBe(true);
    expect(tier("笑死我了，这个视频太好笑").detected).toBe(false);
  });

  it("a means statement after earlier hopelessness weighs more than alone", () => {
    const means = "there's a whole box of my mum's sleeping pills in the bathroom cabinet";
    const alone = tier(means);
    const after = tier(means, ["nothing is ever going to get better", "I'm so tired of being alive"]);
    expect(alone.tier === "none" || alone.tier === "check_in" || alone.tier === "elevated").toBe(true);
    expect(after.tier).toBe("high");
    expect(after.fired).toContain("conv:means_after_risk");
  });

  it("a denial followed by a method question is still risk", () => {
    const r = tier("how high does a bridge need to be to be sure", ["I'm not suicidal don't worry"]);
    expect(r.detected).toBe(true);
  });

  it("risk decays: an old turn does not flag a later everyday message", () => {
    const r = tier("what should I cook for dinner tonight?", [
      "I wish I could disappear forever",
      "thanks for listening",
      "I made tea",
      "my sister called",
      "we watched a film",
      "it was a nice evening",
    ]);
    expect(r.detected).toBe(false);
  });

  it("check-in: ambiguous messages get the question; yes is risk, no is not", () => {
    expect(tier("i can't do this anymore").tier).toBe("check_in");
    const yes = tier("yeah sometimes", ["i can't do this anymore"], true);
    expect(yes).toMatchObject({ tier: "elevated", detected: true });
    expect(yes.fired).toContain("conv:check_in_yes");
    expect(tier("yeah sometimes", ["i can't do this anymore"], false).detected).toBe(false);
    expect(tier("no, just tired of work", ["i can't do this anymore"], true).detected).toBe(false);
  });

  it("never throws on odd input", () => {
    for (const text of ["", "   ", "\u0000\u200b", "a".repeat(10_000), "🙂".repeat(500)])
      expect(() => assessRisk(text, ["", "x"])).not.toThrow();
    expect(assessRisk("").tier).toBe("none");
  });
});

describe("layer 2 classifier", () => {
  it("ships weights for this feature layout, with cut-offs from out-of-fold data", () => {
    expect(CLASSIFIER_MODEL.dim).toBe(FEATURE_DIM);
    expect(CLASSIFIER.bytes).toBe(FEATURE_DIM);
    const t = CLASSIFIER.thresholds;
    expect(t.checkIn).toBeLessThan(t.elevated);
    expect(t.elevated).toBeLessThan(1);
  });
});
