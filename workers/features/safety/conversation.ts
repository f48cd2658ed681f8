/**
 * Combines the layers for one message and carries risk across the recent turns of a conversation.
 *
 * - A message's own tier is the highest of layer 1 (rules) and layer 2 (classifier bands).
 * - Earlier turns carry their risk forward, decaying per turn. A later message that shows any
 *   signal of its own (a means, a method question, a goodbye, ambiguity, a weak classifier score)
 *   inherits at least `elevated`; a means or method signal after earlier risk is `high`. A plain
 *   "thanks, that helped", a later "I mean the card game" or a "no" to a check-in inherits nothing.
 * - Known gap: earlier turns carry their own single-message tier, not the tier the conversation
 *   gave them, so "anyway. found the key" after "nothing matters" and "dad keeps a gun in the safe"
 *   is not flagged (the gun message itself is `high` only in context).
 * - A denial followed by a method question is still risk: method questions are rules on their own.
 * - After a check-in question, an affirmative answer is itself passive ideation.
 */

import { CLASSIFIER, crisisProbability } from "./classifier";
import { hasRiskEvidence } from "./concepts";
import { type Cues, cuesOf } from "./cues";
import type { CrisisCategory } from "./detector";
import { CATEGORY_ORDER, detectCrisis } from "./detector";
import type { AssessOptions, RiskAssessment, RiskTier } from "./index";
import { TIER_RANK } from "./index";
import { intlIdiomOnly, intlSafeContext, matchIntl } from "./intl-lexicon";
import { Memo, normalized, viewOf } from "./prepared";

/** Per-turn decay of carried risk (a turn two messages back counts DECAY² of its level). */
const DECAY = 0.8;
/** How many earlier turns are read. */
const WINDOW = 6;
/** Fraction of the check-in cut-off that counts as "some signal" for a follow-up message. */
const WEAK_FRACTION = 0.5;

interface Single {
  tier: RiskTier;
  categories: Set<CrisisCategory>;
  fired: string[];
  score: number;
  cues: Cues;
}

function max(a: RiskTier, b: RiskTier): RiskTier {
  return TIER_RANK[b] > TIER_RANK[a] ? b : a;
}

/** The classifier only speaks on messages with some risk concept (see `hasRiskEvidence`). */
export function evidenceIn(text: string): boolean {
  return hasRiskEvidence(normalized(text).split(" "), viewOf(text));
}

/** Layer 1 alone on one message (evaluation of the rules apart from the classifier). */
export function layer1Tier(text: string): { tier: RiskTier; fired: string[] } {
  const s = single(text, false);
  return { tier: s.tier, fired: s.fired };
}

const SINGLE = new Memo<Single>(256);

/** Layers 1 and 2 on one message (memoised: earlier turns are re-read on every new message). */
function single(text: string, withClassifier = true): Single {
  return withClassifier ? SINGLE.get(text, () => assessSingle(text, true)) : assessSingle(text, false);
}

function assessSingle(text: string, withClassifier: boolean): Single {
  const rules = detectCrisis(text);
  // The older ASCII rules for other languages lack their languages' negation, history and idioms.
  const intlOnly =
    rules.rules.length > 0 && rules.rules.every((r) => r.startsWith("intl.") || r === "context.history");
  const dropIntl = intlOnly && (intlSafeContext(text) || intlIdiomOnly(text));
  const fired = dropIntl ? [] : rules.rules.filter((r) => r !== "context.history").map((r) => `l1:${r}`);
  const categories = new Set<CrisisCategory>(dropIntl ? [] : rules.categories);
  let tier: RiskTier = rules.detected && !dropIntl ? (rules.severity as RiskTier) : "none";
  const intl = matchIntl(text);
  if (intl !== null) {
    tier = max(tier, intl.severity);
    categories.add(intl.category);
    fired.push(`l1:${intl.id}`);
  }
  const cues = cuesOf(text);
  for (const c of cues.fired) fired.push(`l1:${c}`);
  if (cues.tier !== "none") {
    tier = max(tier, cues.tier);
    if (cues.category) categories.add(cues.category);
  }
  if (
    cues.denial &&
    !cues.presentRisk &&
    (tier === "elevated" || tier === "high") &&
    !cues.means &&
    !cues.method &&
    !cues.time
  ) {
    tier = "none";
    categories.clear();
    fired.push("l1:context.denial");
  }
  if (cues.professionalFrame && (tier === "elevated" || tier === "high") && !cues.time) {
    tier = "none";
    categories.clear();
    fired.push("l1:context.professional");
  }
  if (cues.recovery && TIER_RANK[tier] >= TIER_RANK.elevated) {
    tier = "none";
    categories.clear();
    fired.push("l1:context.recovery");
  }
  const score = withClassifier && evidenceIn(text) ? crisisProbability(text) : 0;
  const t = CLASSIFIER.thresholds;
  // The classifier says whether a message is a crisis, not how acute: it never sets high or imminent.
  const band: RiskTier = score >= t.elevated ? "elevated" : score >= t.checkIn ? "check_in" : "none";
  if (band !== "none") {
    fired.push(`l2:${band}`);
    tier = max(tier, band);
  }

  if (cues.ambiguous && tier === "none") {
    tier = "check_in";
    fired.push("l1:cue.ambiguous");
  }
  return { tier, categories, fired, score, cues };
}

/** Layers 1 and 2 on the message, then the conversation-level logic over the earlier turns. */
export function assessConversation(
  text: string,
  recentTurns: readonly string[],
  options: AssessOptions,
): RiskAssessment {
  const input = typeof text === "string" ? text : "";
  if (input.trim() === "") return finish({ tier: "none", categories: new Set(), fired: [], score: 0 });
  const now = single(input);
  let tier = now.tier;
  const fired = [...now.fired];
  const categories = new Set(now.categories);

  const earlier = recentTurns.filter((t) => typeof t === "string" && t.trim() !== "").slice(-WINDOW);
  // A plain "no" to the check-in question is an answer, not a reason to carry earlier risk forward.
  const answeredNo = options.afterCheckIn === true && now.cues.negative;
  // "I mean the card game" / "lol": the later message explains the earlier words.
  const clarified = now.cues.clarify && TIER_RANK[now.tier] < TIER_RANK.elevated;
  if (earlier.length > 0 && TIER_RANK[tier] < TIER_RANK.high && !answeredNo && !clarified) {
    let carried = 0;
    let carriedCategories: CrisisCategory[] = [];
    earlier.forEach((turn, i) => {
      const s = single(turn);
      const level = TIER_RANK[s.tier] * DECAY ** (earlier.length - i - 1);
      if (level > carried) {
        carried = level;
        carriedCategories = [...s.categories];
      }
    });
    const signal =
      now.cues.means ||
      now.cues.methodLoose ||
      now.cues.goodbye ||
      now.cues.ambiguous ||
      now.score >= CLASSIFIER.thresholds.checkIn * WEAK_FRACTION;
    const joined = [...earlier.slice(-3), input].join("\n");
    const context = evidenceIn(joined) ? crisisProbability(joined) : 0;
    if (carried >= TIER_RANK.check_in && (now.cues.means || now.cues.methodLoose)) {
      tier = max(tier, "high");
      fired.push("conv:means_after_risk");
      categories.add("plan_or_means");
    } else if (carried >= TIER_RANK.elevated * DECAY && signal && !now.cues.denial) {
      tier = max(tier, "elevated");
      fired.push("conv:carried");
    } else if (context >= CLASSIFIER.thresholds.elevated && signal && !now.cues.denial) {
      tier = max(tier, "elevated");
      fired.push("conv:l2_context");
    }
    if (TIER_RANK[tier] >= TIER_RANK.elevated && categories.size === 0)
      for (const c of carriedCategories) categories.add(c);
  }

  if (options.afterCheckIn && now.cues.affirmative && TIER_RANK[tier] < TIER_RANK.elevated) {
    tier = "elevated";
    fired.push("conv:check_in_yes");
    categories.add("suicidal_ideation_passive");
  }
  if (TIER_RANK[tier] >= TIER_RANK.elevated && categories.size === 0)
    categories.add(now.cues.category ?? "suicidal_ideation_passive");
  return finish({ tier, categories, fired, score: now.score });
}

function finish(r: {
  tier: RiskTier;
  categories: Set<CrisisCategory>;
  fired: string[];
  score: number;
}): RiskAssessment {
  const detected = TIER_RANK[r.tier] >= TIER_RANK.elevated;
  return {
    tier: r.tier,
    categories: detected ? CATEGORY_ORDER.filter((c) => r.categories.has(c)) : [],
    fired: [...new Set(r.fired)],
    detected,
    severity: detected ? (r.tier as "elevated" | "high" | "imminent") : "none",
    score: Math.round(r.score * 1000) / 1000,
  };
}
