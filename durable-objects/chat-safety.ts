/**
 * The chat room's view of the safety layer (`workers/features/safety`): one narrow interface, so
 * the room does not depend on the detector's internals.
 */
import { checkModelOutput } from "../workers/features/safety/output-check";
import { type CrisisPlan, latestPlanForCrisis } from "../workers/lib/care-data/safety-plan";
import type { Scope } from "../workers/lib/scope";
import type { Region } from "../workers/lib/vocabulary";

export { CHECK_IN_TEXT } from "../workers/features/safety/check-in";
export type { CrisisAssessment } from "../workers/features/safety/detector";
export { crisisResponse } from "../workers/features/safety/fixed-response";
export {
  assessRisk,
  type RiskAssessment,
  safetyScanText,
  TIER_RANK,
} from "../workers/features/safety/index";
export { type ModelCheck, modelRiskCheck } from "../workers/features/safety/model-check";
export { SAFE_REPLACEMENT } from "../workers/features/safety/output-check";
export { type CrisisResource, crisisResources } from "../workers/features/safety/resources";

/** Severities that suppress the model's reply entirely (a fixed response with resources only). */
export const SUPPRESSING: ReadonlySet<string> = new Set(["imminent", "high"]);

/** True when the model's (accumulated) text must not be shown. */
export function isUnsafeOutput(text: string): boolean {
  return !checkModelOutput(text).safe;
}

/** How long the crisis path waits for the safety plan before going on without it. */
export const SAFETY_PLAN_TIMEOUT_MS = 3000;

/**
 * The patient's safety plan for a crisis response, or null: none written, unreadable, slow or
 * failing. Never throws, so the crisis response (whose lines are already on screen) cannot fail
 * because of it.
 */
export async function safetyPlanForCrisis(
  scope: Scope,
  patientId: string,
  region: Region,
  timeoutMs = SAFETY_PLAN_TIMEOUT_MS,
): Promise<CrisisPlan | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    return await Promise.race([latestPlanForCrisis(scope, patientId, region), timeout]);
  } catch (err) {
    scope.log.warn("safety_plan_unavailable", { error: err instanceof Error ? err.name : typeof err });
    return null;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
