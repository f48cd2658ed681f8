/**
 * The chat room's view of the safety layer (`workers/features/safety`): one narrow interface, so
 * the room does not depend on the detector's internals.
 */
import { checkModelOutput } from "../workers/features/safety/output-check";

export { CHECK_IN_TEXT } from "../workers/features/safety/check-in";
export type { CrisisAssessment } from "../workers/features/safety/detector";
export { crisisResponse } from "../workers/features/safety/fixed-response";
export { assessRisk, type RiskAssessment, TIER_RANK } from "../workers/features/safety/index";
export { type ModelCheck, modelRiskCheck } from "../workers/features/safety/model-check";
export { SAFE_REPLACEMENT } from "../workers/features/safety/output-check";
export { type CrisisResource, crisisResources } from "../workers/features/safety/resources";

/** Severities that suppress the model's reply entirely (a fixed response with resources only). */
export const SUPPRESSING: ReadonlySet<string> = new Set(["imminent", "high"]);

/** True when the model's (accumulated) text must not be shown. */
export function isUnsafeOutput(text: string): boolean {
  return !checkModelOutput(text).safe;
}
