/**
 * The fixed message shown the moment crisis language is detected, before (or instead of) any model
 * output. It is static text assembled from the assessment and the region's resources: no model,
 * no network, so it appears instantly and cannot be talked out of its content.
 *
 * Tone follows safe-messaging guidance: warm, non-judgmental, direct about safety, no method talk,
 * and it always names a concrete next step. Imminent risk leads with contacting emergency services
 * now; otherwise it leads with connection and offers an optional screener.
 */

import type { CrisisAssessment, CrisisCategory } from "./detector";
import type { CrisisResource } from "./resources";

export interface FixedCrisisResponse {
  text: string;
  /** True when a short self-report screener may be offered (never during imminent risk). */
  offerScreener: boolean;
  /** The resources that fit this assessment, most relevant first (abuse lines only for abuse). */
  resources: CrisisResource[];
}

export interface CrisisResponseOptions {
  /**
   * Whether the resource list is written into `text`. A client that renders `resources` itself
   * (the chat banner) passes false, so each help line is shown once.
   */
  listResources?: boolean;
}

const SELF_CATEGORIES: ReadonlySet<CrisisCategory> = new Set([
  "suicidal_ideation_explicit",
  "suicidal_ideation_passive",
  "self_harm",
  "plan_or_means",
  "overdose",
]);

const SCREENER_CATEGORIES: ReadonlySet<CrisisCategory> = new Set([
  "suicidal_ideation_explicit",
  "suicidal_ideation_passive",
  "self_harm",
]);

/**
 * Builds the immediate response for `assessment` using `resources` (from `crisisResources`). Safe to
 * call for any assessment; for `detected: false` it returns a gentle "here if you need it" note.
 */
export function crisisResponse(
  assessment: Pick<CrisisAssessment, "detected" | "severity" | "categories">,
  resources: readonly CrisisResource[],
  options: CrisisResponseOptions = {},
): FixedCrisisResponse {
  const listResources = options.listResources ?? true;
  const has = (c: CrisisCategory): boolean => assessment.categories.includes(c);
  const emergencyNumber = resources.find((r) => r.kind === "emergency" && r.phone !== undefined)?.phone;
  const callEmergency =
    emergencyNumber === undefined
      ? "call your local emergency number"
      : `call ${emergencyNumber} (emergency services)`;
  const abuse = has("abuse");
  const listed = resources.filter((r) => r.kind !== "abuse" || abuse);
  const ordered = abuse
    ? [...listed.filter((r) => r.kind === "abuse"), ...listed.filter((r) => r.kind !== "abuse")]
    : listed;

  if (!assessment.detected) {
    const text = joinParagraphs(listResources ? [NOT_DETECTED, formatResources(ordered)] : [NOT_DETECTED]);
    return { text, offerScreener: false, resources: ordered };
  }

  const paragraphs: string[] = [];
  const self = assessment.categories.some((c) => SELF_CATEGORIES.has(c));
  const imminent = assessment.severity === "imminent";

  if (self) paragraphs.push(OPENING_SELF);
  else if (has("abuse")) paragraphs.push(OPENING_ABUSE);
  else if (has("harm_to_others")) paragraphs.push(OPENING_HARM_TO_OTHERS);
  else if (has("third_party_concern")) paragraphs.push(OPENING_THIRD_PARTY);
  else paragraphs.push(OPENING_SELF);

  if (imminent && self) {
    paragraphs.push(
      `Your safety comes first right now. Please ${callEmergency} or go to your nearest emergency department now. If you can, stay with someone you trust and move away from anything you could use to hurt yourself.`,
    );
  } else if (imminent && has("third_party_concern")) {
    paragraphs.push(
      `If they are in immediate danger, please ${callEmergency} now and stay with them if it is safe for you to do so.`,
    );
  } else if (imminent) {
    paragraphs.push(`If anyone is in immediate danger, please ${callEmergency} now.`);
  }
  if (has("overdose")) {
    paragraphs.push(
      `If more medication or other substances have been taken than prescribed, please ${callEmergency} or poison control now, even if things feel okay at the moment. Some overdoses cause serious harm hours later.`,
    );
  }
  if (has("abuse") && self) paragraphs.push(OPENING_ABUSE);
  if (has("harm_to_others") && !imminent) paragraphs.push(harmToOthersStep(callEmergency));
  if (has("third_party_concern") && !imminent && self) paragraphs.push(OPENING_THIRD_PARTY);

  if (listResources) paragraphs.push(formatResources(ordered));

  const offerScreener = !imminent && assessment.categories.some((c) => SCREENER_CATEGORIES.has(c));
  paragraphs.push(offerScreener ? CLOSING_WITH_SCREENER : CLOSING);
  return { text: joinParagraphs(paragraphs), offerScreener, resources: ordered };
}

const OPENING_SELF =
  "I'm really glad you told me, and I'm sorry you're carrying this much right now. You don't have to go through it alone, and talking to someone today can help.";
const OPENING_ABUSE =
  "Thank you for trusting me with this. What is happening is not your fault, and you deserve to be safe. The services below can listen and help you make a safety plan, confidentially.";
const OPENING_HARM_TO_OTHERS =
  "Thank you for being honest about these thoughts. Telling someone is a responsible step, and having these thoughts does not make you a bad person.";
const OPENING_THIRD_PARTY =
  "It's caring of you to reach out about someone you're worried about. Crisis lines also support people who are helping someone else, and can talk you through what to say and do.";
const harmToOthersStep = (callEmergency: string): string =>
  `If you feel you might act on them, put some distance between yourself and the person and anything you could use, and ${callEmergency} or contact a crisis line now.`;
const NOT_DETECTED = "If things ever feel like too much, support is available any time.";
const CLOSING = "I'm here to keep talking with you as well.";
const CLOSING_WITH_SCREENER =
  "I'm here to keep talking with you as well. If you'd like, I can also ask a few short questions to understand how you've been feeling.";

function formatResources(resources: readonly CrisisResource[]): string {
  if (resources.length === 0) return "";
  const lines = resources.map((r) => {
    const ways: string[] = [];
    if (r.phone !== undefined) ways.push(`call ${r.phone}`);
    if (r.text !== undefined) ways.push(r.text.charAt(0).toLowerCase() + r.text.slice(1));
    if (r.url !== undefined) ways.push(r.url);
    const how = ways.length > 0 ? `: ${ways.join(", ")}` : "";
    const note = r.description === undefined ? "" : ` ${r.description}`;
    return `• ${r.name}${how} (${r.available}).${note}`;
  });
  return `You can reach:\n${lines.join("\n")}`;
}

function joinParagraphs(paragraphs: readonly string[]): string {
  return paragraphs.filter((p) => p.length > 0).join("\n\n");
}
