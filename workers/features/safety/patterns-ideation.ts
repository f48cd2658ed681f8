/**
 * Explicit suicidal ideation rules (data): a present wish, intent or thought to die or to kill
 * oneself, including "I want to die" (a direct death wish is triaged as explicit). Passive ideation
 * lives in `patterns-passive.ts`.
 *
 * Idiom guards live in the patterns themselves as negative lookaheads ("die of embarrassment",
 * "killing myself laughing", "end it with him") so each exclusion sits next to what it excludes.
 */

import { rule } from "./rule-spec";

const X = "suicidal_ideation_explicit" as const;

/** Continuations that turn "kill myself" into an idiom (overwork, laughter, hype). */
const KILL_IDIOM =
  "(?! (?:laughing|up|in the foot|at (?:work|the gym)|working|to (?:finish|get|make|meet|pay|please|keep)|over (?:this|work|it)|trying to|for (?:this|nothing|them|him|her)|studying)(?![a-z0-9]))";

/** "die" used for something else: embarrassment/laughter hyperbole, or a misspelt "dye". */
const DIE_IDIOM =
  "(?! (?:of|from|laughing|inside|a little|my|her|his|their|your|happy|for (?:a|this|that|my country)|in (?:a|the) (?:game|movie|film|book)|alone in|old)(?![a-z0-9]))";

/** End of clause, or an intensifier that keeps it going; shared with `patterns-passive.ts`. */
export const EOC =
  "(?= [.,]|$| (?:forever|for good|permanently|now|already|tonight|today|soon|and never|and not|and i)(?![a-z0-9]))";

export const EXPLICIT_RULES = [
  rule("explicit.kill_myself", X, "high", `{KILLV} myself${KILL_IDIOM}`),
  rule("explicit.kill_myself_intent", X, "high", "{INTENT} {ADV}(?:to )?(?:just )?kys"),
  rule(
    "explicit.end_my_life",
    X,
    "high",
    "(?:end|ending|ended|take|taking|took|ends|takes) (?:my|my own) (?:life|existence)(?! (?:back|into my own hands|seriously|more seriously|in a new direction)(?![a-z0-9]))|(?:end|ending) it all|end everything",
  ),
  rule(
    "explicit.end_it",
    X,
    "high",
    "(?:{INTENT}|ready to|decided to|time to) {ADV}(?:end|ending) (?:it|things|everything)(?: all)?(?! (?:with|between|for|off|early|at|on|up|there|soon with)(?: |$)(?![a-z0-9]))(?! (?:\\S+ )?(?:with|between) )",
  ),
  rule(
    "explicit.want_to_die",
    X,
    "high",
    `(?<!(?:embarrassed|embarrassing|cringe|cringing|cringey|cringy|mortified|awkward)(?: \\S+){0,3} )(?:want|wants|wanted|wanting|ready|deserve|deserves|need|needs|planning|plan|trying|tried|try|just want|would like|d like|like) to {ADV}die${DIE_IDIOM}`,
  ),
  rule(
    "explicit.should_die",
    X,
    "high",
    `(?:should|might as well|may as well|better if i) {ADV}die${DIE_IDIOM}`,
  ),
  rule(
    "explicit.want_death",
    X,
    "high",
    "(?:want|wish for|long for|pray for|praying for|welcome|crave|craving|ready for) death",
  ),
  rule(
    "explicit.suicidal",
    X,
    "high",
    "(?:im|am|m|feel|feeling|felt|been|getting|got|get|become|became|was|be|being|turned|went) {ADV}(?:(?:so|very|pretty|extremely|super|quite|a bit|a little|incredibly|increasingly|more|really) )?suicidal(?! (?:ideation|thoughts|feelings) (?:is|are|can)(?![a-z0-9]))",
  ),
  rule(
    "explicit.suicidal_thoughts",
    X,
    "high",
    "(?:my|having|have|had|get|getting|got|keep having|been having|dealing with|struggling with|fighting|fight|with) (?:some |any |these |those |more |constant |frequent |intrusive |bad |strong |the )?suicidal (?:thoughts|ideation|ideations|feelings|urges|thinking|impulses|episodes?|tendencies)",
    { subject: "require" },
  ),
  rule(
    "explicit.suicidal_thoughts_back",
    X,
    "high",
    "suicidal (?:thoughts|feelings|urges|ideation) (?:again|are back|came back|are getting|have been|keep|won t|wont|are so|are really|every)",
    { subject: "fixed" },
  ),
  rule(
    "explicit.suicide_act",
    X,
    "high",
    "(?:commit|committing|commited|committed|contemplate|contemplating|consider|considering|considered|thinking about|think about|thought about|thinking of|thoughts of|thoughts about|planning|planned|want|wanting|wanted|going to|gonna|about to) (?:to )?(?:commit )?(?:my )?suicide(?! (?:prevention|awareness|squad|rates?|statistics|hotline|helpline|bomber|doors?|mission|month|risk|research)(?![a-z0-9]))",
  ),
  rule(
    "explicit.suicide_attempt",
    X,
    "high",
    "(?:attempt|attempting|attempted|tried|try|trying) (?:to commit )?suicide",
    { attempt: true },
  ),
  rule(
    "explicit.tried_to_die",
    X,
    "high",
    "(?:tried|attempted|try|trying) to (?:kill myself|end my life|end it|die|take my (?:own )?life|hang myself)",
    { attempt: true },
  ),
  rule(
    "explicit.method_is_answer",
    X,
    "high",
    "(?:suicide|death|dying|killing myself|ending it|ending my life|overdosing|an overdose) (?:is|seems|feels|looks|sounds) (?:like )?(?:the|my) (?:only|best|easiest|last|right|one) (?:way out|way|option|answer|choice|solution|escape|thing left)",
  ),
  rule(
    "explicit.suicide_appeals",
    X,
    "high",
    "(?:suicide|killing myself|ending it|ending my life|overdosing|an overdose) (?:is |has been |keeps )?(?:looking|sounding|seeming|feels|feeling|sounds|seems|looks) (?:so |really |more and more |kind of |kinda |pretty )?(?:good|better|tempting|appealing|nice|attractive|like (?:an|the|my) (?:option|answer|way out)|peaceful|right)|no (?:way out|escape|other option|other way|way forward) (?:except|but|other than|besides|apart from) (?:death|dying|suicide|to die|killing myself|ending it)",
  ),
  rule(
    "explicit.on_my_mind",
    X,
    "high",
    "(?:suicide|killing myself|ending my life|dying) (?:has been|is|keeps|has|was) (?:always |constantly |been |coming |popping )?(?:on my mind|in my head|all i (?:can )?think about|crossing my mind|back in my head)",
  ),
  rule(
    "explicit.unalive",
    X,
    "high",
    "(?:{INTENT}|just) {ADV}(?:unalive|unaliving)(?! (?:him|her|them|you|my|the|that|this|someone|people|everyone)(?![a-z0-9]))",
  ),
  rule(
    "explicit.veiled_intent",
    X,
    "high",
    "(?:wont|will not|dont think ill|dont think i will|dont plan to|not going to) be (?:here|around|alive) (?:much longer|for (?:much )?longer|for long|tomorrow|next (?:week|month|year)|by (?:tomorrow|morning|the weekend|next week))|(?:need|needs|waiting for|dont have|lack|lacking|working up|build up|get up) (?:the )?(?:courage|guts|nerve|balls)(?= [.,]|$| to (?:do it|go through with it|end it|kill myself|jump|die|pull the trigger))|(?:not|never been|too scared to be|too much of a coward to be) (?:brave|strong|bold) enough to (?:kill myself|end it|do it|die|go through with it)|(?:too (?:scared|afraid|much of a coward|cowardly|chicken)) to (?:kill myself|end it|do it|go through with it)",
    { negatable: false },
  ),
  rule(
    "explicit.command",
    X,
    "high",
    "(?:voices?|mind|head|brain|thoughts?|something|it) (?:keeps? |keep |are |is |keeps on )?(?:telling|tells|told|saying) me to (?:end it|kill myself|die|end my life|hurt myself|jump|cut|do it)",
    { subject: "fixed" },
  ),
  rule(
    "explicit.tonight_is_the_night",
    X,
    "high",
    "(?:tonight|today|this) is the (?:night|day)(?: \\S+){0,4} (?:do it|go through with it|end it|finally|end everything)|(?:finally|gonna|going to) (?:do it|go through with it) (?:tonight|today|now)",
  ),
  rule(
    "explicit.slang_ctb",
    X,
    "high",
    "ctb|catch the bus tonight|toaster bath|commit (?:die|toaster bath|not alive|unalive)",
  ),
  rule(
    "explicit.jump",
    X,
    "high",
    "{INTENT} {ADV}(?:jump|jumping|yeet myself|throw myself|throwing myself|step|stepping|walk|walking|drive|driving|lie down|lying down) (?:off|from|in front of|into|under|onto) (?:a|the|this|that|my|some|oncoming) (?:bridge|building|roof|rooftop|cliff|balcony|overpass|tower|ledge|parking garage|train|trains|traffic|car|bus|truck|window|highway|motorway|tracks|river|tree|wall)",
  ),
  rule(
    "explicit.method_self",
    X,
    "high",
    "slit my (?:wrists?|throat)|blow my brains out|(?:put|putting) a bullet (?:in|through) my (?:head|brain|skull)|eat a bullet|eat my gun|pull the trigger on myself",
  ),
];
