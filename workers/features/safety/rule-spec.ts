/**
 * Authoring types for crisis rules (data-side half of `patterns.ts`, split out so rule tables can
 * import it without a module cycle).
 */

import type { CrisisCategory, CrisisSeverity } from "./detector";

/**
 * How the grammatical subject of a match is decided:
 * - "resolve": nearest subject before the match in the sentence; first person when none is found
 *   (people in crisis drop the subject: "want to die").
 * - "require": as resolve, but the rule is dropped when no subject is found (noun phrases such
 *   as "self harm" or "suicidal thoughts" that also appear in educational questions).
 * - "fixed": the pattern encodes who is involved (abuse by "he", "himself", "my brother").
 */
export type SubjectMode = "resolve" | "require" | "fixed";

/** Authoring form of a rule (see `rule()`). */
export interface RuleSpec {
  readonly id: string;
  readonly category: CrisisCategory;
  readonly severity: Exclude<CrisisSeverity, "none">;
  readonly pattern: string;
  readonly subject?: SubjectMode;
  /** Dropped when a negator governs the match ("I'm not going to hurt myself"). Default true. */
  readonly negatable?: boolean;
  /** Counts only when a non-contextual risk signal for the same person is also present. */
  readonly contextual?: boolean;
  /** Message-level co-occurrence requirement (e.g. a weapon for "make him pay"). */
  readonly requires?: string;
  /** An attempt: recent timing ("last night") escalates it to imminent. */
  readonly attempt?: boolean;
}

/** Authoring helper keeping rule tables one line per rule where possible. */
export function rule(
  id: string,
  category: CrisisCategory,
  severity: Exclude<CrisisSeverity, "none">,
  pattern: string,
  options: Partial<Omit<RuleSpec, "id" | "category" | "severity" | "pattern">> = {},
): RuleSpec {
  return { id, category, severity, pattern, ...options };
}
