/**
 * Rule prefilter: decides which rules can possibly match a normalised message, so a long message
 * costs a handful of regex scans instead of one per rule. Sound by construction: a rule is skipped
 * only when none of its anchors (see `anchors.ts`) begins a word of the message.
 */

import { RULES } from "./patterns";

/** Anchor → indexes of the rules it unlocks (see `Rule.anchors`), built once at module load. */
const RULES_BY_ANCHOR = new Map<string, number[]>();
RULES.forEach((rule, i) => {
  for (const anchor of rule.anchors ?? []) {
    const list = RULES_BY_ANCHOR.get(anchor);
    if (list === undefined) RULES_BY_ANCHOR.set(anchor, [i]);
    else list.push(i);
  }
});
const ANCHOR_LENGTHS = [...new Set([...RULES_BY_ANCHOR.keys()].map((a) => a.length))].sort((a, b) => a - b);

/**
 * Marks the rules worth running: those without anchors, and those with an anchor that begins one
 * of the message's [a-z0-9] runs (exactly where a rule match can start a word, so this is sound).
 */
export function activeRules(norm: string): Uint8Array {
  const active = new Uint8Array(RULES.length);
  RULES.forEach((rule, i) => {
    if (rule.anchors === null) active[i] = 1;
  });
  for (const token of new Set(norm.split(/[^a-z0-9]+/))) {
    for (const n of ANCHOR_LENGTHS) {
      if (n > token.length) break;
      const unlocked = RULES_BY_ANCHOR.get(n === token.length ? token : token.slice(0, n));
      if (unlocked !== undefined) for (const i of unlocked) active[i] = 1;
    }
  }
  return active;
}
