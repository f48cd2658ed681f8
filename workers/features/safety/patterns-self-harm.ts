/**
 * Self-harm and plan/means rules (data). Overdose rules live in `patterns-overdose.ts`.
 *
 * Accidents ("cut myself shaving", "burned myself on the stove") are excluded by the {ACCIDENT}
 * lookahead. Means words (rope, pills, gun, bridge) are everyday nouns, so possession alone never
 * fires: a purpose ("to end it"), readiness ("in front of me"), stockpiling, or other risk language
 * in the same message is required.
 */

import { rule } from "./rule-spec";

const SH = "self_harm" as const;
const PL = "plan_or_means" as const;

/** Objects that make "cut" ordinary: hair, ties, costs, food, people out of one's life. */
const CUT_OBJECTS =
  "(?! (?:ties|back|down|class|school|corners|costs|out|off|in|loose|it close|(?:my|his|her|your|the) (?:hair|nails|fringe|bangs|losses|cord)|hair|bangs|the|a|an|some|this|that|these|those|them|him|her|you|people|carbs|sugar|calories|weight|through|across|up|grass|wood|paper|onions?|vegetables|bread|cake)(?![a-z0-9]))";

const MEANS =
  "(?:rope|noose|gun|pistol|rifle|shotgun|bullets|ammo|pills|tablets|meds|medication|razors?|blades?|knife|poison|helium|charcoal|exit bag|sleeping pills|painkillers|tylenol|paracetamol|insulin|belt|cord)";

export const SELF_HARM_RULES = [
  rule(
    "self_harm.reflexive",
    SH,
    "high",
    "(?<!(?:accidentally|accidently|by accident) )(?:cut|cutting|cuts|burn|burning|burned|burnt|burns|hurt|hurting|hurts|harm|harming|harmed|hit|hitting|hits|punch|punching|punched|scratch|scratching|scratched|carve|carving|carved|starve|starving|starved|bite|biting|bit|scald|scalding|bruise|bruising|choke|choking|strangle|strangling|slap|slapping|mutilate|mutilating|injure|injuring|stab|stabbing|stabbed|slice|slicing|bleed|bleeding) myself(?! {ACCIDENT}(?![a-z0-9]))",
  ),
  rule(
    "self_harm.body_part",
    SH,
    "high",
    "(?<!(?:accidentally|accidently|by accident) )(?:cut|cutting|cuts|slit|slitting|slice|slicing|burn|burning|burned|burnt|scratch|scratching|scratched|carve|carving|carved|stab|stabbing|stabbed) (?:up |open )?(?:my|both my) {BODY}(?! {ACCIDENT}(?![a-z0-9]))",
  ),
  rule(
    "self_harm.until_bleed",
    SH,
    "high",
    "(?:scratch|scratching|scratched|pick|picking|picked|bite|biting|bit|bang|banging|banged|hit|hitting|punch|punching|punched|slam|slamming|slammed|cut|cutting|burn|burning|claw|clawing|tear|tearing|dig|digging)(?: \\S+){0,5} (?:until|till|til|untill) (?:it|they|i|my \\S+|the \\S+) (?:start |started |starts )?(?:to )?(?:bleed|bleeds|bled|bleeding|bruise|bruised|bruises|blister|blistered|broke|break|see stars|pass out|passed out|black out|blacked out|go numb|went numb|feel nothing)",
  ),
  rule(
    "self_harm.term",
    SH,
    "high",
    "self (?:harm|harming|harmed|injury|injuring|injure|injured|mutilation|mutilating|mutilate)|sh",
    { subject: "require" },
  ),
  rule(
    "self_harm.term_frames",
    SH,
    "high",
    "(?:self harm|self harming|sh|cutting|cut|burning) (?:again|urges?|relapse|is back|is the only|was the only|helps|is how i|is my only)|relapsed?(?: on| with| into)? (?:self harm|sh|cutting|hurting myself|self injury)|(?:urge|urges) to (?:self harm|sh|hurt myself|burn myself)",
    { subject: "fixed" },
  ),
  rule(
    "self_harm.progressive",
    SH,
    "high",
    "(?:been|keep|kept|started|start|still|currently|always|cant stop|stopped|trying to stop|want to stop|relapsed into|back to) (?:secretly |really |also )?(?:self harming|self harm|self injuring|harming myself|hurting myself|burning myself|cutting myself)|(?:is|are|was|were|hes|shes|theyre|im) (?:secretly |really |also |still )?(?:self harming|self injuring)",
  ),
  rule(
    "self_harm.implement_to_skin",
    SH,
    "high",
    "(?:press|pressing|pressed|hold|holding|held|put|putting|drag|dragging|dragged|run|running|ran) (?:a |the |my )?(?:lighter|lit cigarette|cigarette|hot (?:knife|metal|spoon|iron|lighter)|blade|razor|knife|needle|pin|scissors|glass|lit match|match) (?:to|against|on|into|across|over|along) my {BODY}",
  ),
  rule(
    "self_harm.cutting",
    SH,
    "high",
    "(?:im|i am|i m|been|keep|kept|started|start|starting|stop|stopped|quit|resisting|relapsed|back to|went back to|go back to|is|hes|shes|theyre|are|was) (?:still |really |just |also |always |secretly |even )?cutting(?= [.,]|$| again| myself| my {BODY}| (?:every|each|most) (?:day|night)| (?:for|since|at night|when|because|lately|to cope|deeper|right now|tonight|today)(?![a-z0-9]))",
  ),
  rule(
    "self_harm.cut_alone",
    SH,
    "high",
    "(?:i|ive|i have|i just|i still|i always|i sometimes|i usually|so i|and i|then i|i had to|want to|wanna|need to|going to|tempted to|trying not to|try not to) (?:just |really |so |badly )?(?:cut|burn|burned|burnt)(?= [.,]|$| (?:again|deep|deeper|tonight|today|so|when|whenever|every|last|bad|badly|right now|yesterday|because|cause|even|to (?:cope|feel|punish|calm|get)))",
  ),
  rule("self_harm.urge_to_cut", SH, "high", `(?:urge|urges|itch|need) to cut${CUT_OBJECTS}`, {
    subject: "fixed",
  }),
  rule(
    "self_harm.hide_marks",
    SH,
    "high",
    "(?:hide|hiding|cover|covering|conceal|concealing) (?:up )?(?:my |the |these |those )?(?:fresh |new )?(?:cuts|burns|wounds|self harm|(?:fresh|new) scars)",
  ),
  rule(
    "self_harm.fresh_cuts",
    SH,
    "high",
    "(?:fresh|new|deep|deeper|bleeding) (?:cuts|wounds|burns)(?= (?:on|today|tonight|again|deeper|all over)| [.,]|$)|(?:covered in|full of) (?:fresh |new |deep )?(?:cuts|burns)|cut (?:deeper|too deep|deep) (?:than|this time|tonight|today)",
  ),
  rule(
    "self_harm.implement",
    SH,
    "high",
    "(?:razor|razors|blade|blades|knife|lighter)(?: \\S+){0,6} for when (?:it|things|i|im|the urges?) (?:gets?|get|feel|need|am|is|are|want)|(?:take|took|taking) (?:a|the|my) (?:razor|blade|knife|lighter) to my {BODY}|(?:took|take|taking) the blade out of",
  ),
  rule(
    "self_harm.sitting_with_blade",
    SH,
    "high",
    "(?:sat|sitting|sit|lay|lying|locked myself) (?:\\S+ ){0,4}with (?:a|the|my) (?:razor|blade|knife|lighter|pills|gun|rope)(?! (?:to (?:cut|shave|open|slice|chop)|and (?:a|some) (?:bread|cheese|cake|fruit)))",
  ),
  rule(
    "self_harm.bleeding",
    SH,
    "imminent",
    "(?:my )?(?:wrists?|thighs?|cuts?|forearms?) (?:are|is|wont stop|won t stop|keeps?|keep|started|still) (?:still )?(?:bleeding|bleed)|cant (?:make it|get it to|get them to) stop bleeding",
  ),
  rule(
    "self_harm.head_banging",
    SH,
    "high",
    "(?:bang|banging|banged|slam|slamming|slammed|hit|hitting) my head (?:on|against|into) (?:the|a|my) (?:wall|walls|floor)(?! (?:when|by accident|accidentally)(?![a-z0-9]))",
  ),
  rule(
    "self_harm.on_purpose",
    SH,
    "high",
    "(?:cut|burn|burned|burnt|hurt|scratched|scratch|bit|bite|punched|punch|bruised)(?: \\S+){0,5} (?:on purpose|deliberately|intentionally)",
  ),
  rule(
    "self_harm.self_inflicted",
    SH,
    "high",
    "(?:cut|cuts|wound|wounds|burn|burns|bruises|scratches|gash)(?: \\S+){0,6} (?:i did (?:to )?myself|that i did myself|i did it myself|i did on purpose|i gave myself|i inflicted)|self inflicted|(?:cuts|scars|burns|slashes|marks) on (?:my|both my) (?:wrists?|thighs?|forearms?)",
  ),
  rule(
    "self_harm.carve",
    SH,
    "high",
    "(?:carve|carved|carving|etch|etched|etching|scratch|scratched|scratching|cut|write|wrote)(?: \\S+){0,3} into my (?:skin|arm|arms|leg|legs|thigh|thighs|wrist|wrists|body|stomach)",
  ),
];

export const PLAN_RULES = [
  rule(
    "plan.note",
    PL,
    "high",
    "(?:wrote|written|writing|write|left|leave|leaving|finished|drafted|drafting|started|have|made|recorded|recording|sent|send|texted|posted) (?:(?:me|us|him|her|them|a|my|the|some|all my|all the|his|their) ){0,2}(?:suicide|goodbye|farewell|final) (?:note|notes|letter|letters|message|messages|video|post|text)",
  ),
  rule(
    "plan.goodbye_letters",
    PL,
    "high",
    "(?:writing|wrote|written|write|recorded|recording|left|leaving) (?:\\S+ ){0,2}(?:letters?|notes?|messages?|videos?|emails?)(?: to (?:\\S+ ){0,2}\\S+)? (?:to say goodbye|saying goodbye|to explain why|for after im gone|for when im gone|for when i am gone)",
  ),
  rule(
    "plan.farewell",
    PL,
    "imminent",
    "this is (?:my |a )?(?:goodbye|final goodbye|last goodbye|farewell|last message|final message|last post|final post)|(?:my|a) (?:final|last) (?:goodbye|message to (?:you all|everyone|the world))|goodbye (?:forever|cruel world)|by the time (?:you|anyone) (?:read|reads|see|sees) this",
  ),
  rule(
    "plan.farewell_goodbye",
    PL,
    "imminent",
    "(?:goodbye|bye) (?:everyone|everybody|all|world|guys|friends|forever|mom|dad)",
    {
      requires:
        "(?:love you all|i love you|sorry for everything|forgive me|take care of|thank you for everything|thanks for everything|im done|i m done|cant do this anymore|wont be (?:here|around)|its over|this is it)",
    },
  ),
  rule(
    "plan.suicide_noun",
    PL,
    "high",
    "(?:suicide|suicidal) (?:note|notes|letter|plan|plans|method|methods|pact)|my (?:suicide|death) (?:plan|date)|(?:planning|planned|preparing|organizing|organising) my (?:suicide|death|exit)|(?:methods|ways) (?:of|to) (?:suicide|kill myself|die|end my life)",
    { subject: "require" },
  ),
  rule(
    "plan.means_ready",
    PL,
    "imminent",
    `${MEANS}(?: \\S+){0,3} (?:ready(?! for(?! (?:when|it|tonight)(?![a-z0-9])))|set up|prepared|loaded|in front of me|in my hand|in my hands|next to me|beside me|on my lap|with me right now)`,
  ),
  rule(
    "plan.acquired_for",
    PL,
    "high",
    `(?:bought|buy|buying|got|get|getting|have|has|ordered|order|saved|saving|collected|collecting|stockpiled|stockpiling|hoarded|hoarding|stashed|stashing|keep|keeping|hid|hiding|found) (?:up )?(?:a |an |the |some |enough |all |all my |my |extra |these |those )?(?:\\S+ ){0,2}${MEANS}(?: \\S+){0,4} (?:to|for|so i can|so that i can|in case|in case i (?:decide|want|need|choose) to) (?:end|die|do it|kill|finish|overdose|od|take my life|hang|when im ready|when i am ready|the end|tonight|when the time|if i need|my (?:death|exit|suicide)|when (?:its|it is) time|use (?:it|them) on myself)`,
  ),
  rule(
    "plan.stockpile",
    PL,
    "high",
    "(?:stockpiling|stockpiled|stockpile|hoarding|hoarded|saving up|saved up|been saving|stashing|stashed|collecting|hiding) (?:up )?(?:my |her |his |their |all my |some |extra )?(?:pills|meds|medication|tablets|medicine|sleeping pills|painkillers|prescriptions?|insulin)",
  ),
  rule(
    "plan.decided_how",
    PL,
    "high",
    "(?:know|decided|figured out|worked out|planned|planning|chose|chosen|picked|picking|set) (?:exactly |already )?(?:how|when|where|the way|the method|the place|the date|the day|a date|a day|the time|a time|a method|a place|a spot|which bridge)(?: \\S+){0,4} (?:do it|end it|kill myself|die|end my life|to die|to do it|overdose|jump)|(?:have|has|had|made|got|with) a (?:plan|date|method) (?:to|for) (?:end|kill|die|suicide|how|my death|it|do it|overdose|jump)|(?:my|his|her|the) plan is to (?:overdose|od|kill|die|end|jump|hang|take)",
  ),
  rule(
    "plan.means_and_plan",
    PL,
    "high",
    `(?:got|have|has|bought) (?:a |the |some |my )?(?:\\S+ ){0,3}${MEANS}(?: \\S+){0,3} and a plan|(?:got|have|has) a plan and (?:the |a |some |my )?(?:\\S+ ){0,2}${MEANS}|(?:know|decided|picked|chose|chosen) (?:which|what|the) (?:bridge|building|method|pills|gun|rope|spot|place|way|tree|train)(?: \\S+){0,4} (?:use|do it|jump from|go with|take)`,
  ),
  rule(
    "plan.means_now",
    PL,
    "high",
    "(?:got|have|bought|brought|grabbed|picked up|ready with) (?:the|a|my|some) (?:rope|noose|pills|gun|pistol|blade|razor|razors|bullets|poison|helium)(?! (?:for|from|to|at|in|back|out|off|on|with)(?![a-z0-9]))",
    { requires: "(?:tonight|right now|this is it|its time|time to go|its happening|no going back)" },
  ),
  rule(
    "plan.has_plan",
    PL,
    "high",
    "(?:have|has|made|got|picked|chose) (?:a|the) (?:plan|date|method|spot|place)(?= [.,]|$)",
    {
      contextual: true,
    },
  ),
  rule(
    "plan.research",
    PL,
    "high",
    "(?:researched|researching|research|looked up|looking up|look up|googled|googling|searched|searching|read about|reading about)(?: \\S+){0,2} (?:how to|ways to|methods|the best way to|how (?:many|much))(?: \\S+){0,3} (?:kill myself|die|hang|overdose|od|end (?:my life|it)|suicide|bleed out|lethal|fatal)",
  ),
  rule(
    "plan.method_question",
    PL,
    "high",
    "(?:how|what)(?: \\S+){0,4} (?:many|much)(?: \\S+){0,3} (?:to|would|will|does it take to|do i need to) (?:die|kill (?:me|myself|you|someone)|be lethal|be fatal|overdose|od|end it|not wake up)|(?:most|least) (?:painless|peaceful|effective|reliable|quick|quickest|easy|easiest|lethal|certain) (?:way|ways|method|methods) (?:to|of) (?:die|dying|kill myself|suicide|end (?:it|my life)|go)|how (?:many|much)(?: \\S+){0,3} (?:is|are|would be|would|will be|is it) (?:lethal|fatal|deadly|an overdose|too much to survive|enough to (?:die|kill))|painless (?:way|ways|method) to (?:die|go|kill myself|end it)|(?:lethal|fatal|deadly) (?:dose|amount|quantity)|how (?:to|do i|can i|does one|would i) (?:kill myself|commit suicide|end my life|hang myself|slit my wrists|overdose|od|die painlessly|die quickly|die without)|how long does it take to (?:bleed out|die from|suffocate|drown)",
  ),
  rule(
    "plan.height",
    PL,
    "high",
    "(?:im|i am|i m|standing|sitting|stood|sat|climbed|on top of|up on|at the edge of|on the edge of|is|hes|shes)(?: \\S+){0,2} (?:on|at|onto|up|to) (?:the |a |this |my )?(?:edge of (?:the |a )?)?(?:bridge|ledge|roof|rooftop|railing|train tracks|tracks|cliff|balcony railing|overpass|top floor|parking garage)(?: of (?:my |the |a )?(?:building|house|apartment|school|hospital|work|office))?(?!(?: \\S+){0,3} (?:watching|looking|taking|fixing|cleaning|repairing|working|with|view|sunset|sunrise|photos?|pictures?|selfies?|party|bar|restaurant|garden|hanging out|drinking|eating|relaxing|enjoying|drinks|waiting for)(?![a-z0-9]))",
  ),
  rule(
    "plan.jump_now",
    PL,
    "high",
    "(?:want|going|gonna|about|ready|planning|plan|need|have) to jump(?= [.,]|$| (?:now|tonight|off|from))",
    {
      contextual: true,
    },
  ),
  rule(
    "plan.giving_away",
    PL,
    "high",
    "(?:giving|gave|give|given) (?:all )?(?:of )?(?:my|his|her|their) (?:stuff|things|belongings|possessions) away|(?:giving|gave|give|given) away (?:all )?(?:of )?(?:my|his|her|their) (?:stuff|things|belongings|possessions|pets?|cat|dog|guitar|savings|valuables)(?! (?:to (?:charity|goodwill)|because|since|before (?:moving|the move))(?![a-z0-9]))",
  ),
  rule(
    "plan.noose",
    PL,
    "high",
    "(?:tied|tying|tie|made|making|make|bought|have) (?:a |the |my )?noose|noose (?:is )?(?:ready|hanging|up)|rope(?: \\S+){0,6} (?:tree|beam|ceiling|rafter|rafters|branch|hook|door frame|closet rod|banister|stairwell)",
  ),
  rule(
    "plan.weapon_on_self",
    PL,
    "high",
    "(?:use|using|turn|turning|point|pointing|put|putting|hold|holding) (?:it|the gun|a gun|my gun|the knife|a knife|the pistol) (?:on|to|against|at) (?:myself|my head|my temple|my chest|my throat|my wrist)",
  ),
  rule(
    "plan.carbon_monoxide",
    PL,
    "imminent",
    "(?:in|inside) (?:my|the) car(?: \\S+){0,5} (?:with the engine running|engine running|and the engine on)|engine running in (?:the|a|my) (?:garage|closed garage)|(?:hose|pipe|tube) (?:to|from|into|on) the (?:exhaust|car window)",
  ),
  rule(
    "plan.exit_bag",
    PL,
    "high",
    "exit bag|helium(?: (?:and|the|a|tank|&)){1,3} (?:bag|mask|hood)|charcoal (?:and|in) (?:the |my )?(?:car|tent|room)",
  ),
  rule(
    "plan.about_to",
    PL,
    "imminent",
    "(?:about to|getting ready to|preparing to) (?:kill myself|end it|end my life|jump|hang myself|overdose|pull the trigger|take (?:the|all (?:the|my|of my)) (?:pills|meds))",
  ),
  rule(
    "plan.do_it_soon",
    PL,
    "high",
    "(?:going to|gonna|will|ill|about to|ready to) do it (?:tonight|now|today|soon|tomorrow)",
    {
      contextual: true,
    },
  ),
];
