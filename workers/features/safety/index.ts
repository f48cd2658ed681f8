/**
 * The safety net's one entry point. The chat, the screeners and the evaluation all call
 * `assessRisk`; nothing else decides whether a patient's words are a crisis.
 *
 * Layers (all offline, all before any model sees the text):
 * 1. rules (`detector.ts` over `patterns*.ts`, plus `intl-lexicon.ts` for scripts the ASCII
 *    normaliser cannot read) — deterministic, sub-millisecond;
 * 2. a logistic-regression classifier over hashed n-grams (`classifier.ts`), trained offline on the
 *    tuning set by `npm run safety:train`;
 * 3. conversation-level risk (`conversation.ts`): earlier turns carry risk forward with decay.
 * Layer 3 (a model-based classifier, `model-check.ts`) is asynchronous and separate; it can only
 * raise risk, never lower it.
 *
 * The result lists which layers and which rule or score ids fired — ids only, never text — so it
 * is safe to store and to log.
 *
 * @example
 * const risk = assessRisk("dad keeps a gun in the safe", ["nothing matters anymore"]);
 * // risk.tier === "high", risk.fired includes "conv:means_after_risk"
 */

import { assessConversation } from "./conversation";
import type { CrisisCategory, CrisisSeverity } from "./detector";

export type { CrisisCategory, CrisisSeverity } from "./detector";

export type RiskTier = "none" | "check_in" | "elevated" | "high" | "imminent";

export interface RiskAssessment {
  /** `check_in`: ambiguous; the companion asks directly about suicidal thoughts. */
  readonly tier: RiskTier;
  readonly categories: CrisisCategory[];
  /** Layer and rule/score ids that fired, e.g. "l1:plan.means_ready", "l2:elevated", "conv:carried". */
  readonly fired: string[];
  /** True from `elevated` up: the crisis response and the care-team alert apply. */
  readonly detected: boolean;
  /** The tier as a crisis severity (`check_in` → "none"), for the crisis response and alerts. */
  readonly severity: CrisisSeverity;
  /** Layer-2 crisis probability of this message alone (0–1). */
  readonly score: number;
}

export interface AssessOptions {
  /** The companion's previous turn was a check-in question; this message answers it. */
  readonly afterCheckIn?: boolean;
}

export const TIER_RANK: Readonly<Record<RiskTier, number>> = {
  none: 0,
  check_in: 1,
  elevated: 2,
  high: 3,
  imminent: 4,
};

/**
 * Assesses a patient's message in the context of their recent turns (oldest first). Synchronous,
 * never throws, no network.
 */
export function assessRisk(
  text: string,
  recentTurns: readonly string[] = [],
  options: AssessOptions = {},
): RiskAssessment {
  return assessConversation(text, recentTurns, options);
}

export { CLASSIFIER } from "./classifier";

/**
 * The most characters of one text (a refused chat message, a journal entry) the safety net reads:
 * all of it up to this size, else its first 48,000 and last 16,000 characters. The detector is
 * linear (≈ 60 ms of CPU for 64,000 characters), so a 1 MiB frame cannot buy seconds of it, and a
 * crisis statement at the start or the end of a long text is still read.
 */
export const SAFETY_SCAN_CHARS = 64_000;

/** The part of `text` the safety net reads (see {@link SAFETY_SCAN_CHARS}). */
export function safetyScanText(text: string): string {
  if (text.length <= SAFETY_SCAN_CHARS) return text;
  return `${text.slice(0, SAFETY_SCAN_CHARS - 16_000)}\n${text.slice(-16_000)}`;
}
