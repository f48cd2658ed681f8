/**
 * Edge crisis detector: runs on every user message before any AI model sees it.
 *
 * Deterministic, model-free and sub-millisecond, so it can gate the model call in a Worker and keep
 * working when the model provider is down. Text is normalised (`normalize.ts`) and matched against
 * compiled rules (`patterns*.ts`); `context.ts` then applies negation, subject (self vs someone
 * else), fiction, recovered-history and timing judgements.
 *
 * Judgement calls (documented for clinical review):
 * - "I want to die" is explicit ideation (direct death wish); "wish I wasn't here" is passive.
 * - Recovered history ("I used to self-harm, two years clean") is not detected; the rule id
 *   `context.history` is still reported so audit/metrics can count it. Any present-tense marker
 *   ("again", "urges", "lately", "tonight") anywhere in the message cancels the history reading.
 * - Concern for someone else is `third_party_concern` (elevated; high for plans/overdose/harm;
 *   imminent when the person is unreachable, unresponsive or acting now). Fiction, media and
 *   history ("the character kills himself") are ignored unless the writer voices worry.
 * - Negation only counts when it directly governs the match ("I'm not going to hurt myself");
 *   phrasings that embed negation ("I don't want to live", "not sure I want to live") are
 *   ideation, and double negatives ("not a day goes by that I don't want to die") assert.
 * - "kys" counts only when self-directed ("I'm gonna kys"); aimed at someone else it is abuse of
 *   that person, not a crisis of the writer. "kms", "unalive", "ctb", "sewerslide" always count.
 */

import type { MessageFacts } from "./context";
import { isHistoryOnly, isNegated, messageFacts, resolveSubject } from "./context";
import type { Rule } from "./patterns";
import { findMatches, RULES } from "./patterns";
import { activeRules } from "./prefilter";
import { normalized } from "./prepared";

export type CrisisCategory =
  | "suicidal_ideation_explicit"
  | "suicidal_ideation_passive"
  | "self_harm"
  | "plan_or_means"
  | "overdose"
  | "harm_to_others"
  | "abuse"
  | "third_party_concern";

export type CrisisSeverity = "none" | "elevated" | "high" | "imminent";

export interface CrisisAssessment {
  detected: boolean;
  severity: CrisisSeverity;
  categories: CrisisCategory[];
  /** rule ids that fired, for audit/metrics — never the matched text */
  rules: string[];
}

type Side = "self" | "third";

interface Hit {
  readonly rule: Rule;
  readonly side: Side;
  readonly start: number;
  readonly end: number;
}

const RANK: Readonly<Record<CrisisSeverity, number>> = { none: 0, elevated: 1, high: 2, imminent: 3 };

/** Every category in stable output order: most acute first. */
export const CATEGORY_ORDER = [
  "overdose",
  "plan_or_means",
  "suicidal_ideation_explicit",
  "self_harm",
  "suicidal_ideation_passive",
  "harm_to_others",
  "abuse",
  "third_party_concern",
] as const satisfies readonly CrisisCategory[];

/** Categories whose urgency rises with near-term timing ("tonight", "in an hour"). */
const TIME_SENSITIVE: ReadonlySet<CrisisCategory> = new Set([
  "suicidal_ideation_explicit",
  "plan_or_means",
  "overdose",
  "harm_to_others",
]);

const NONE: CrisisAssessment = { detected: false, severity: "none", categories: [], rules: [] };

/**
 * Assesses one user message for crisis language. Never throws; an empty or benign message returns
 * `detected: false, severity: "none"`. The result carries rule ids only, never message text, so it
 * is safe to log.
 */
export function detectCrisis(text: string): CrisisAssessment {
  if (typeof text !== "string" || text.trim().length === 0) return { ...NONE, categories: [], rules: [] };
  const norm = normalized(text);
  const active = activeRules(norm);
  const facts = messageFacts(norm);
  const hits: Hit[] = [];
  for (let i = 0; i < RULES.length; i++) {
    const rule = RULES[i] as Rule;
    if (active[i] !== 1 || (rule.requires !== null && !rule.requires.test(norm))) continue;
    let thirdSeen = false;
    for (const [start, end] of findMatches(rule.re, norm)) {
      const hit = evaluate(rule, facts, start, end);
      if (hit === null || (hit.side === "third" && thirdSeen)) continue;
      hits.push(hit);
      if (hit.side === "self") break;
      thirdSeen = true;
    }
  }
  return assess(facts, hits);
}

function evaluate(rule: Rule, facts: MessageFacts, start: number, end: number): Hit | null {
  const norm = facts.text;
  if (rule.negatable && isNegated(norm, start, end)) return null;
  let side: Side = rule.category === "third_party_concern" ? "third" : "self";
  if (rule.subject !== "fixed") {
    const subject = resolveSubject(norm, start, end);
    if (subject === "none" && rule.subject === "require") return null;
    if (subject === "third") side = "third";
  }
  if (side === "third" && !facts.credibleThirdParty()) return null;
  return { rule, side, start, end };
}

function assess(facts: MessageFacts, raw: readonly Hit[]): CrisisAssessment {
  const thirdSpans = raw.filter((h) => h.rule.category === "third_party_concern");
  const ruleIds = new Set<string>();
  const hits = raw.filter((h) => {
    if (
      h.rule.category !== "third_party_concern" &&
      thirdSpans.some((t) => t.start <= h.start && t.end >= h.end)
    ) {
      return false;
    }
    if (
      h.rule.category !== "abuse" &&
      h.rule.category !== "harm_to_others" &&
      isHistoryOnly(facts, h.start, h.end)
    ) {
      ruleIds.add("context.history");
      return false;
    }
    return true;
  });
  const kept = hits.filter(
    (h) => !h.rule.contextual || hits.some((o) => !o.rule.contextual && o.side === h.side),
  );
  if (kept.length === 0) return { ...NONE, categories: [], rules: [...ruleIds] };

  const timeframe = facts.timeframe();
  const selfPlan = kept.some((h) => h.side === "self" && h.rule.category === "plan_or_means");
  const selfExplicit = kept.some(
    (h) => h.side === "self" && h.rule.category === "suicidal_ideation_explicit",
  );
  const categories = new Set<CrisisCategory>();
  let severity: CrisisSeverity = "none";
  for (const h of kept) {
    const s =
      h.side === "self"
        ? selfSeverity(h, facts, timeframe, selfPlan && selfExplicit)
        : thirdSeverity(h, facts);
    if (RANK[s] > RANK[severity]) severity = s;
    const category =
      h.side === "third" && h.rule.category !== "abuse" ? "third_party_concern" : h.rule.category;
    categories.add(category);
    const reattributed =
      h.side === "third" && h.rule.category !== "third_party_concern" && h.rule.category !== "abuse";
    ruleIds.add(reattributed ? `${h.rule.id}:third` : h.rule.id);
  }
  return {
    detected: true,
    severity,
    categories: CATEGORY_ORDER.filter((c) => categories.has(c)),
    rules: [...ruleIds],
  };
}

function selfSeverity(
  h: Hit,
  facts: MessageFacts,
  timeframe: boolean,
  planAndIntent: boolean,
): CrisisSeverity {
  const base = h.rule.severity;
  if (base === "imminent") return base;
  if (h.rule.attempt && facts.recent()) return "imminent";
  if (TIME_SENSITIVE.has(h.rule.category) && (timeframe || planAndIntent)) return "imminent";
  if (h.rule.category === "abuse" && isHistoryOnly(facts, h.start, h.end)) return "elevated";
  return base;
}

function thirdSeverity(h: Hit, facts: MessageFacts): CrisisSeverity {
  if (h.rule.category === "abuse") return h.rule.severity;
  if (facts.urgentForThirdParty()) return "imminent";
  if (h.rule.severity === "imminent") return facts.inCare() ? "high" : "imminent";
  return TIME_SENSITIVE.has(h.rule.category) && h.rule.category !== "suicidal_ideation_explicit"
    ? "high"
    : "elevated";
}
