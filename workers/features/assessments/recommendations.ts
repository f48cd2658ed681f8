import type { ReliableChange } from "../../db/schema/assessments";
import type { Instrument } from "./instruments";

/** One suggestion with the rule that produced it and the facts it read: explainable, never a diagnosis. */
export interface Recommendation {
  rule: string;
  text: string;
  because: string[];
}

export interface RecommendationInput {
  instrument: Instrument;
  total: number;
  bandId: string;
  bandLabel: string;
  previousTotal: number | null;
  change: ReliableChange | null;
  response: boolean | null;
  remission: boolean | null;
  safetyFlag: boolean;
  /** Whether a care team was alerted (the safety text must not claim it otherwise). */
  careTeamAlerted?: boolean;
}

const SEVERE_BANDS: Readonly<Record<string, readonly string[]>> = {
  "phq-9": ["moderately_severe", "severe"],
  "gad-7": ["severe"],
  "who-5": ["likely_depression"],
  "pss-10": ["high"],
};
const MODERATE_BANDS: Readonly<Record<string, readonly string[]>> = {
  "phq-9": ["moderate"],
  "gad-7": ["moderate"],
  "who-5": ["poor"],
  "pss-10": ["moderate"],
};

/**
 * Rule-based suggestions for one scored form. Each names its rule and the facts it used (band,
 * change, flags), so a clinician can see why. They suggest a conversation or a next step; they
 * never name a diagnosis.
 *
 * @example recommend({ …, bandId: "moderately_severe", change: "worse" })[0].rule // "review.severe_and_worse"
 */
export function recommend(x: RecommendationInput): Recommendation[] {
  const name = x.instrument.shortTitle;
  const score = `${name} ${x.total} (${x.bandLabel})`;
  const since =
    x.previousTotal === null
      ? []
      : [`previous ${name} ${x.previousTotal}`, `reliable change: ${x.change ?? "not defined"}`];
  const out: Recommendation[] = [];
  if (x.safetyFlag) {
    out.push({
      rule: "safety.phq9_item9",
      text: `Thoughts of death or self-harm were reported. Crisis resources are shown now${
        x.careTeamAlerted ? " and your care team has been told" : ""
      }; please talk to someone today.`,
      because: ["PHQ-9 item 9 above 0 (whatever the total)"],
    });
  }
  const severe = SEVERE_BANDS[x.instrument.id]?.includes(x.bandId) ?? false;
  const moderate = MODERATE_BANDS[x.instrument.id]?.includes(x.bandId) ?? false;
  if (severe && x.change === "worse") {
    out.push({
      rule: "review.severe_and_worse",
      text: "Suggest a review with your clinician soon: the score is in a high range and has reliably worsened since last time.",
      because: [score, ...since],
    });
  } else if (x.change === "worse") {
    out.push({
      rule: "review.worse",
      text: "Suggest discussing this with your clinician: the score has reliably worsened since last time.",
      because: [score, ...since],
    });
  } else if (severe) {
    out.push({
      rule: "review.severe",
      text: "Suggest a review with your clinician: the score is in a high range.",
      because: [score],
    });
  } else if (moderate && x.change === "no_reliable_change") {
    out.push({
      rule: "review.no_change",
      text: "Suggest checking with your clinician whether the current plan is helping: no reliable change since last time.",
      because: [score, ...since],
    });
  }
  if (x.instrument.id === "who-5" && x.bandId === "likely_depression") {
    out.push({
      rule: "screen.who5_low",
      text: "Suggest completing the PHQ-9 as well: a WHO-5 score of 28 or below is a recommended reason to screen for depression.",
      because: [score, "WHO-5 guidance: ≤ 28 → screen for depression (Topp et al. 2015)"],
    });
  }
  if (x.remission) {
    out.push({
      rule: "progress.remission",
      text: "The score is now below the remission cut-off. Keep going with what helps, and keep checking in.",
      because: [score, `remission: ${name} below ${x.instrument.remission?.below}`],
    });
  } else if (x.response) {
    out.push({
      rule: "progress.response",
      text: "The score has at least halved since the first one: a treatment response.",
      because: [score, "≥ 50 % below the first score"],
    });
  } else if (x.change === "improved") {
    out.push({
      rule: "progress.improved",
      text: "The score has reliably improved since last time.",
      because: [score, ...since],
    });
  }
  return out;
}
