/**
 * The chat room's view of the safety layer (`workers/features/safety`): one narrow interface so the
 * room does not depend on the detector's internals.
 *
 * `detectCrisis` is the real detector. INTERIM: `crisisResources`, `crisisResponse`,
 * `checkModelOutput` (here `isUnsafeOutput`) and `SAFE_REPLACEMENT` are still being finished in
 * `workers/features/safety`; until they land this module carries small stand-ins with the same
 * signatures. Swap each for a re-export when it does.
 */

import type { CrisisAssessment } from "../workers/features/safety/detector";
import type { Region } from "../workers/lib/config";

export { type CrisisAssessment, detectCrisis } from "../workers/features/safety/detector";

/** Severities that suppress the model's reply entirely (a fixed response with resources only). */
export const SUPPRESSING: ReadonlySet<string> = new Set(["imminent", "high"]);

export interface CrisisResource {
  name: string;
  phone?: string;
  text?: string;
  url?: string;
}

/** @see workers/features/safety — interim stand-in. */
export function crisisResources(region: Region): CrisisResource[] {
  if (region === "eu")
    return [
      { name: "Emergency services", phone: "112" },
      { name: "Samaritans (UK & IE)", phone: "116 123" },
    ];
  if (region === "apac")
    return [
      { name: "Emergency services", phone: "000 / 111 / 119" },
      { name: "Lifeline Australia", phone: "13 11 14" },
    ];
  return [
    { name: "988 Suicide & Crisis Lifeline", phone: "988", text: "988" },
    { name: "Emergency services", phone: "911" },
  ];
}

/** @see workers/features/safety — interim stand-in. */
export function crisisResponse(assessment: CrisisAssessment, resources: CrisisResource[]): string {
  const first = resources[0];
  const reach = first?.phone ? `${first.name} at ${first.phone}` : "your local emergency number";
  return assessment.severity === "elevated"
    ? `I'm really glad you told me. You deserve support with this. If things feel unsafe, you can reach ${reach} any time.`
    : `I'm really concerned about your safety. Please contact ${reach} now, or your local emergency number. You don't have to go through this alone.`;
}

/** The text shown instead of a model reply that failed the output check. */
export const SAFE_REPLACEMENT =
  "I'm not able to help with that, but I care about how you're doing. If you're struggling, please reach out to someone you trust or a crisis line.";

/** @see workers/features/safety — interim stand-in: true when the model's text must not be shown. */
export function isUnsafeOutput(text: string): boolean {
  return /\b(pills at once|all (your|the) pills|overdose on|\d+\s?mg\b|lethal dose|how to (kill|hang))/i.test(
    text,
  );
}
