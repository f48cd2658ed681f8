/**
 * Rule model and rule compiler for the edge crisis detector.
 *
 * Rules are regular expressions over the output of `normalize()` (lower-case ASCII words separated
 * by single spaces, "." and "," as boundary tokens). Each rule names its category and base
 * severity plus how the detector should treat grammatical subject, negation and context, so the
 * linguistics lives here as data and `detector.ts` stays a small, auditable engine.
 *
 * Pattern sources may use `{MACRO}` placeholders (see MACROS). Every source is wrapped in word
 * boundaries and compiled once at module load. Sources must avoid nested quantifiers over the
 * same characters (no catastrophic backtracking): repeated groups are always bounded (`{0,3}`)
 * and each alternative consumes a literal word.
 */

import { deriveAnchors } from "./anchors";
import type { CrisisCategory, CrisisSeverity } from "./detector";
import type { Lexicon } from "./normalize";
import { buildLexicon } from "./normalize";
import { EXPLICIT_RULES } from "./patterns-ideation";
import { INTL_RULES } from "./patterns-intl";
import { ABUSE_RULES, HARM_TO_OTHERS_RULES, THIRD_PARTY_RULES } from "./patterns-others";
import { OVERDOSE_RULES } from "./patterns-overdose";
import { PASSIVE_RULES } from "./patterns-passive";
import { PLAN_RULES, SELF_HARM_RULES } from "./patterns-self-harm";
import type { RuleSpec, SubjectMode } from "./rule-spec";

/** Compiled rule used by the detector. */
export interface Rule {
  readonly id: string;
  readonly category: CrisisCategory;
  readonly severity: Exclude<CrisisSeverity, "none">;
  readonly re: RegExp;
  readonly subject: SubjectMode;
  readonly negatable: boolean;
  readonly contextual: boolean;
  readonly requires: RegExp | null;
  readonly attempt: boolean;
  /**
   * Prefilter: the rule can only match when the message has a token starting with one of these
   * (derived from the pattern by `deriveAnchors`); null means always run.
   */
  readonly anchors: readonly string[] | null;
}

/** Shared vocabulary for pattern sources. */
export const MACROS: Readonly<Record<string, string>> = {
  PERSON:
    "(?:friends?|bestie|best friend|boyfriend|girlfriend|partner|husband|wife|spouse|fiancee?|ex|brother|sister|siblings?|mom|mother|dad|father|parents?|stepdad|stepfather|stepmom|stepmother|stepbrother|stepsister|son|daughter|kids?|child|children|teen|teenager|baby|grandma|grandpa|grandmother|grandfather|aunt|uncle|cousin|niece|nephew|newborn|infant|toddler|twins|stepson|stepdaughter|grandson|granddaughter|grandkids|grandchildren|roommate|flatmate|housemate|coworker|colleague|boss|manager|classmate|students?|patient|client|neighbor|teammate|coach|teacher|girl|boy|guy|man|woman|mate|buddy)",
  PRON3: "(?:he|she|they|hes|shes|theyre|theyve|hed|shed)",
  KILLV:
    "(?:kill|killing|kills|killed|end|ending|off|offing|offed|hang|hanging|hanged|hung|shoot|shooting|shot|drown|drowning|poison|poisoning|gas|gassing|stab|stabbing|suffocate|suffocating|electrocute|neck|necking|rope|roping|unalive|unaliving|murder|murdering|delete|deleting)",
  ADV: "(?:(?:just|really|seriously|honestly|actually|literally|so|finally|probably|still|even|totally|truly|genuinely|kinda|kind of|sort of|lowkey|actively|definitely|sometimes|often|always) ){0,3}",
  INTENT:
    "(?:want to|wants to|wanted to|wanting to|going to|gonna|will|ill|about to|planning to|plan to|planning on|ready to|need to|trying to|tried to|try to|decided to|intend to|would like to|like to|wish to|feel like|felt like|thinking about|think about|thought about|thinking of|thoughts of|thoughts about|considering|consider|contemplating|keep thinking about|urge to|urges to|tempted to|close to|might|should|could just|fantasize about|fantasizing about|dream about|dreaming about|imagine|imagining|obsessing over|obsessed with|researching|looking up)",
  DRUG: "(?:pills?|meds|medication|medications|medicine|tablets?|capsules?|caps|tabs|antidepressants|sleeping pills|painkillers|pain killers|tylenol|paracetamol|acetaminophen|ibuprofen|advil|aspirin|xanax|valium|klonopin|ativan|benzos|lorazepam|diazepam|sertraline|zoloft|prozac|fluoxetine|lexapro|escitalopram|citalopram|lithium|seroquel|quetiapine|oxy|oxys|oxycodone|percocet|vicodin|hydrocodone|morphine|codeine|tramadol|fentanyl|heroin|insulin|benadryl|nyquil|melatonin|opioids|opiates|prescription)",
  BODY: "(?:wrists?|arms?|forearms?|thighs?|legs?|skin|stomach|belly|hips?|chest|ankles?|body)",
  ACCIDENT:
    "(?:accidentally|by accident|on accident|on (?:a|an|the|some)|while|shaving|cooking|chopping|slicing|at (?:the gym|work|practice|training|football|soccer|school|the game|the park|the playground)|playing|lifting|skiing|running|working out|falling|slipping|when i (?:fell|slipped|tripped)|when (?:he|she|they) (?:fell|slipped|tripped)|trying to|in (?:the|a) (?:kitchen|crash|accident|fall|game|match|fight at)|doing (?:deadlifts|squats|yoga|sports)|laughing|up|in the foot|skateboarding|skating|surfing|climbing|cycling|biking|riding|hiking|dancing|training|exercising|jumping|wrestling|boxing|practicing|gardening|moving|swimming|sprinting|snowboarding|sledding|rollerblading|working|cleaning|fixing|building|carrying|opening|out of|by(?! (?:cutting|burning|hitting|scratching|starving)(?![a-z0-9])))",
};

const MACRO_RE = /\{([A-Z][A-Z0-9]*)\}/g;

/** Expands `{MACRO}` placeholders (macros may reference earlier macros). */
export function expand(source: string): string {
  return source.replace(MACRO_RE, (_, name: string) => {
    const body = MACROS[name];
    if (body === undefined) throw new Error(`Unknown pattern macro {${name}}`);
    return expand(body);
  });
}

/**
 * Wraps a source in token boundaries and compiles it. Non-global on purpose: `findMatches` never
 * touches `lastIndex`, so compiled rules hold no mutable state and are never cloned per call.
 */
export function compile(source: string): RegExp {
  return new RegExp(`(?<![a-z0-9])(?:${expand(source)})(?![a-z0-9])`);
}

/**
 * All non-overlapping matches of a compiled rule in normalised text, as [start, end) offsets.
 * Later matches are searched in the suffix after the previous match (which always ends at a token
 * boundary), so look-behinds see at most the current token run; the first match sees everything.
 */
export function findMatches(re: RegExp, text: string): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  let offset = 0;
  while (offset < text.length) {
    const m = re.exec(offset === 0 ? text : text.slice(offset));
    if (m === null) break;
    const start = offset + m.index;
    const end = start + Math.max(1, m[0].length);
    out.push([start, end]);
    offset = end + 1;
  }
  return out;
}

function build(spec: RuleSpec): Rule {
  const re = compile(spec.pattern);
  return {
    id: spec.id,
    category: spec.category,
    severity: spec.severity,
    re,
    subject: spec.subject ?? "resolve",
    negatable: spec.negatable ?? true,
    contextual: spec.contextual ?? false,
    requires: spec.requires === undefined ? null : compile(spec.requires),
    attempt: spec.attempt ?? false,
    anchors: deriveAnchors(re.source),
  };
}

/** Every rule, compiled once at module load. */
export const RULES: readonly Rule[] = [
  ...EXPLICIT_RULES,
  ...PASSIVE_RULES,
  ...SELF_HARM_RULES,
  ...PLAN_RULES,
  ...OVERDOSE_RULES,
  ...HARM_TO_OTHERS_RULES,
  ...ABUSE_RULES,
  ...THIRD_PARTY_RULES,
  ...INTL_RULES,
].map(build);

/**
 * The words the rules use. Normalisation resolves obfuscated tokens ("k1ll", "s*icide") only to
 * these, so de-obfuscation can never invent a word that no rule would react to.
 */
export const LEXICON: Lexicon = buildLexicon(
  RULES.flatMap((r) => r.re.source.replace(/\\[a-zA-Z]/g, " ").match(/[a-z]{2,}/g) ?? []),
);
