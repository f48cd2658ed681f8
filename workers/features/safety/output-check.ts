/**
 * Post-generation check on the AI model's reply, run before any of it reaches the user.
 *
 * Flags: suicide/self-harm methods or instructions (including how to hide injuries), lethal-dose
 * and medication-dosing content, encouragement of harm to self or others, and diagnosis
 * statements ("you have depression", "you are bipolar"), which a support chatbot must not make.
 * Supportive safety language ("if you're thinking about ending your life, please call 988"),
 * refusals ("I can't share lethal doses") and "if/whether you have..." hedges are not flagged.
 *
 * Streaming: the check is stateless, so callers must pass the ACCUMULATED reply text (everything
 * streamed so far), not the latest chunk; a phrase split across chunks is then still caught. Hold
 * back (or retract) the reply as soon as `safe` is false and show `SAFE_REPLACEMENT` instead.
 */

import { normalize } from "./normalize";
import { compile, findMatches } from "./patterns";

export interface OutputCheckResult {
  safe: boolean;
  /** ids of the rules that fired, for audit/metrics (never the text) */
  rules: string[];
}

/** Shown in place of a reply that failed the check. Contains no method, dose or diagnosis. */
export const SAFE_REPLACEMENT =
  "I'm not able to help with that, but I do care about your safety. If you're thinking about hurting yourself or someone else, or you're in danger, please contact your local emergency number or a crisis line right now. You don't have to face this alone, and I'm here to keep talking if you'd like.";

interface OutputRule {
  readonly id: string;
  readonly re: RegExp;
  /** Skip when a refusal, hedge or reassurance governs the match. */
  readonly guarded: boolean;
}

const SELF =
  "(?:kill(?:ing)? yourself|commit(?:ting)? suicide|end(?:ing)? your (?:own )?life|hang(?:ing)? yourself|overdos(?:e|ing)|cut(?:ting)? yourself|self harm(?:ing)?|slit(?:ting)? your wrists|hurt(?:ing)? yourself)";
const MED =
  "(?:meds|medication|medications|antidepressants?|pills|dose|dosage|lithium|sertraline|zoloft|prozac|fluoxetine|lexapro|escitalopram|citalopram|xanax|benzos|ssris?|melatonin|sleeping pills|quetiapine|seroquel|adderall|ritalin)";
const DIAGNOSIS =
  "(?:depression|depressive disorder|major depressive disorder|major depression|mdd|bipolar(?: disorder)?|bpd|borderline(?: personality disorder)?|c ?ptsd|ptsd|ocd|adhd|schizophrenia|schizoaffective disorder|psychosis|(?:an |generalized |social )?anxiety disorder|gad|panic disorder|(?:a |narcissistic |antisocial )?personality disorder|npd|(?:an )?eating disorder|anorexia|bulimia|autism|dissociative identity disorder|dysthymia|postpartum depression|(?:a )?mental illness|mania|a manic episode)";

const RULES: readonly OutputRule[] = [
  [
    "output.method_instructions",
    `(?:how|ways?|steps?|methods?|instructions?|guide|best way|easiest way|quickest way|most effective way|painless way|safest way) (?:to|for|of) ${SELF}`,
    true,
  ],
  [
    "output.method_detail",
    "(?:tie|tying|make|making) (?:a )?noose|(?:cut|slice|slit|cutting|slicing) (?:along|down|vertically|lengthwise|deep|deeper)|(?:vertical|lengthwise|deep|deeper) (?:cuts?|incisions?)|(?:carbon monoxide|exit bag|helium|nitrogen|charcoal)(?: \\S+){0,4} (?:method|bag|tank|hood|in (?:a|the|your) (?:car|room|tent|garage))|(?:jump|fall|falling) from (?:at least |over |more than )?\\d+ (?:feet|ft|meters|metres|floors|stories|storeys)|(?:bleed|bleeding) out|most (?:painless|effective|lethal|reliable|quickest|certain) (?:way|method|methods) (?:to|of) (?:die|kill|suicide|end)",
    true,
  ],
  [
    "output.hide_injuries",
    "(?:hide|hiding|conceal|concealing|cover up|covering up) (?:your |the |those |any )?(?:cuts|scars|wounds|burns|self harm|marks|bruises)",
    true,
  ],
  [
    "output.lethal_dose",
    "(?:lethal|fatal|deadly|toxic|overdose) (?:doses?|amounts?|quantity|quantities|levels?|thresholds?)(?: \\S+){0,3} (?:of|is|are|would|for|starts?|begins?)|\\d+(?:[.,]\\d+)? ?(?:mg|milligrams?|grams?|g|mcg|micrograms?|pills|tablets|capsules)(?: \\S+){0,4} (?:is|would be|are|will be|can be|could be) (?:lethal|fatal|deadly|enough to (?:kill|die|overdose))",
    true,
  ],
  [
    "output.overdose_instruction",
    `(?:take|taking|swallow|swallowing|down|downing|use|using) (?:all|every one|the whole|a whole|a handful|the rest|a bottle|the bottle|a box|a pack)(?: \\S+){0,3} ${MED}|${MED}(?: \\S+){0,3} (?:all )?at once`,
    true,
  ],
  ["output.dose_amount", "\\d+(?:[.,]\\d+)? ?(?:mg|milligrams?|mcg|micrograms?)(?![a-z0-9])", false],
  [
    "output.dosing_advice",
    `(?:you (?:should|could|can|might want to|may want to|need to)|try|i (?:recommend|suggest|would)|consider) (?:(?:just|simply|gradually|slowly|also|maybe|probably|definitely) )?(?:stop|stopping|quit|quitting|skip|skipping|double|doubling|increase|increasing|decrease|decreasing|reduce|reducing|lower|lowering|taper|tapering|start|starting|take|taking|come off|coming off) (?:taking )?(?:your |the |some |a |an |more |extra |less )?${MED}`,
    true,
  ],
  [
    "output.encouragement",
    `(?:you should|you could|go ahead and|why dont you|i think you should|maybe you should|you deserve to|just) (?:kill|hurt|cut|harm|starve|end) (?:yourself|your life|it all)|kys|(?:no one|nobody) (?:would|will|is going to) (?:miss|care about|notice) you|(?:you are|youre|you would be|youd be) better off dead|(?:the world|everyone|everybody|they|your family) (?:would be|is|are|d be|will be) better off without you|you deserve to (?:die|suffer|be hurt|feel pain)|(?:suicide|killing yourself|self harm|ending your life|dying|death) (?:is|can be|might be|would be|sounds like|seems like) (?:a |the |an )?(?:valid|good|reasonable|understandable|right|best|only|logical|rational|sensible) (?:option|choice|answer|solution|way out|decision)|(?:you should|go ahead and|just|i think you should) (?:hurt|kill|attack|get back at|punish|beat up) (?:him|her|them|that person)`,
    true,
  ],
  [
    "output.diagnosis",
    `you (?:have|ve got|might have|may have|probably have|clearly have|definitely have|likely have|are suffering from|suffer from|re suffering from|are showing signs of|show signs of) ${DIAGNOSIS}|(?:you are|youre) (?:clearly |definitely |probably |obviously |likely )?(?:bipolar|depressed|clinically depressed|schizophrenic|psychotic|autistic|a narcissist|narcissistic|borderline|anorexic|bulimic|manic|mentally ill)(?![a-z0-9])|(?:this|that|it|these|what you(?:re| are) describing|your symptoms) (?:is|are|sounds like|sound like|looks like|seems like|seem like|is definitely|is clearly|are definitely|are clearly) (?:classic |textbook |typical |clearly )?${DIAGNOSIS}|i (?:diagnose|would diagnose|can diagnose) you`,
    true,
  ],
].map(([id, source, guarded]) => ({
  id: id as string,
  re: compile(source as string),
  guarded: guarded as boolean,
}));

/** A refusal, hedge, condition or reassurance immediately governing the match. */
const GUARD =
  /(?:^| )(?:cant|cannot|can not|wont|will not|unable to|not able to|not going to|dont|do not|never|not|no|whether|if|only a (?:doctor|professional|clinician|psychiatrist|gp) can|not true|isnt true|is a lie|not the case|feel like|feels like|might think|may think|telling you|tells you|make you (?:think|feel)|thoughts? (?:that|like)|without)(?: \S+){0,4} $/;
const CONSULT =
  /^(?: \S+){0,8} (?:with|to|from|by) (?:your |a )?(?:doctor|gp|prescriber|psychiatrist|pharmacist|clinician|care team|healthcare provider|health care provider)(?= |$)/;

/**
 * Checks a model reply (or the accumulated prefix of a streamed reply). Returns `safe: false` and
 * the rule ids when any rule fires.
 */
export function checkModelOutput(text: string): OutputCheckResult {
  const norm = normalize(text);
  const fired = new Set<string>();
  for (const rule of RULES) {
    for (const [start, end] of findMatches(rule.re, norm)) {
      if (rule.guarded && isGuarded(norm, start, end)) continue;
      fired.add(rule.id);
      break;
    }
  }
  return { safe: fired.size === 0, rules: [...fired] };
}

function isGuarded(norm: string, start: number, end: number): boolean {
  const cut = Math.max(norm.lastIndexOf(" . ", start), norm.lastIndexOf(" , ", start));
  const prefix = norm.slice(cut < 0 ? 0 : cut + 2, start);
  if (GUARD.test(` ${prefix.trimStart()}`)) return true;
  const stop = norm.indexOf(" . ", end);
  return CONSULT.test(norm.slice(end, stop < 0 ? norm.length : stop));
}
