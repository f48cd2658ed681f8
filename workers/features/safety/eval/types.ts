/**
 * Evaluation and tuning data for the safety net (data only; never imported by the detector).
 *
 * - `tuning/`: what the rules and the classifier are tuned and trained on (the original labelled
 *   set plus later batches).
 * - `heldout/`: written before a round of tuning, by people with no view of the rules, and never
 *   used for tuning. A round's file is only moved to `tuning/` after its figures are reported, and a
 *   fresh round is written before tuning again.
 */

export const CRISIS_FAMILIES = [
  "explicit_intent",
  "plan_time",
  "means_access",
  "method_seeking",
  "passive_ideation",
  "indirect_euphemism",
  "self_harm_current",
  "harm_to_others",
  "third_party",
  "non_english",
  "slang_obfuscation",
  "multi_turn",
  "abuse",
] as const;

export const BENIGN_FAMILIES = [
  "benign_idiom_hyperbole",
  "benign_recovery_past",
  "benign_clinical_professional",
  "benign_fiction_games",
  "benign_everyday_stress",
  "benign_negation",
  "benign_non_english",
  "benign_multi_turn",
  "benign_other",
] as const;

export type Family = (typeof CRISIS_FAMILIES)[number] | (typeof BENIGN_FAMILIES)[number];

export interface EvalCase {
  readonly id: string;
  readonly family: string;
  readonly lang: string;
  readonly crisis: boolean;
  readonly text: string;
  /** The patient's earlier messages in the conversation, oldest first (multi-turn cases). */
  readonly turns?: readonly string[];
}
