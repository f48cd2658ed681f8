import type { CssrsAnswers, ScreenerRisk } from "./schema";

/**
 * The C-SSRS Screener's standard triage: high for intent (Q4), a plan (Q5) or suicidal behaviour
 * within 3 months (Q6); moderate for thinking about a method (Q3) or behaviour longer ago; low for
 * a wish to be dead or suicidal thoughts only (Q1/Q2); none when every answer is no.
 *
 * @example triageCssrs({ wishedDead: true, suicidalThoughts: false, behavior: false }) // "low"
 */
export function triageCssrs(a: CssrsAnswers): ScreenerRisk {
  if (a.intent === true || a.plan === true || (a.behavior && a.behaviorPast3Months === true)) return "high";
  if (a.method === true || a.behavior) return "moderate";
  if (a.wishedDead || a.suicidalThoughts) return "low";
  return "none";
}

/**
 * Risk levels that create a risk event and alert the care team: every positive screen (any yes),
 * as PHQ-9 item 9 above 0 does — a wish to be dead (Q1) is the same content as item 9, so the two
 * instruments take the same safety path. The triage level still says how urgent.
 */
export const ALERTING_RISKS: ReadonlySet<ScreenerRisk> = new Set(["low", "moderate", "high"]);

/** What the person reads next, by risk level. Plain language; no clinical labels. */
export function nextSteps(risk: ScreenerRisk, careTeamAlerted: boolean): string {
  const team = careTeamAlerted
    ? " We have let your care team know, but they may not be able to reply straight away, so please do not wait for them."
    : "";
  switch (risk) {
    case "high":
      return `Your safety matters most right now. Please contact emergency services now, or go to your nearest emergency department. If you can, ask someone you trust to stay with you.${team}`;
    case "moderate":
      return `Thank you for answering honestly. Please talk to someone today: call or text one of the crisis lines below, or contact your clinician.${team}`;
    case "low":
      return `Thank you for answering honestly. These feelings are worth talking about: please tell your clinician or someone you trust. If things get worse, the crisis lines below are there any time.${team}`;
    case "none":
      return "Thank you for checking in. If things change, you can take this check again, and the crisis lines below are there any time.";
  }
}
