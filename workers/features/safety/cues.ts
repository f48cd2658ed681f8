/**
 * Layer 1, concept cues: broad, deterministic signals that generalise beyond fixed phrasings.
 *
 * The phrase rules in `patterns*.ts` catch what people commonly say; these cues catch what a
 * message is ABOUT — a means (pills, a rope, a bridge), a method question ("how many would it
 * take"), a time ("tonight", "after everyone's asleep"), finality (goodbyes, giving things away,
 * "won't be a problem much longer"), a wish not to exist — and combine them:
 *
 * - method question about a means or about dying            → high (plan_or_means)
 * - means in reach + a time, or means + finality              → high (plan_or_means)
 * - acquiring or keeping a means for no stated ordinary use   → elevated (plan_or_means)
 * - finality about oneself (goodbye, last message, gave away) → elevated (indirect)
 * - wish not to exist / not wake up / be gone                 → elevated (passive)
 * - ambiguous distress ("what's the point", "can't do this")  → check_in (the companion asks)
 *
 * Professional, academic and fictional framing ("for my pharmacology exam", "my character")
 * cancels the method and means cues, never the finality or wish cues.
 * Reads the detector's normalised text (ASCII words; leetspeak, spacing and emoji resolved).
 */

import type { CrisisCategory } from "./detector";
import { Memo, normalized } from "./prepared";

export interface Cues {
  means: boolean;
  /** A question about a method: lethal quantities, heights, speed, certainty. */
  method: boolean;
  /** Any "how many / would it / which one" question near a means or with no ordinary object. */
  methodLoose: boolean;
  time: boolean;
  goodbye: boolean;
  denial: boolean;
  affirmative: boolean;
  ambiguous: boolean;
  /** Something says the risk is current ("again", "lately", "right now", "still want"). */
  presentRisk: boolean;
  /** The writer clarifies an ordinary meaning ("I mean the card game", "lol"). */
  clarify: boolean;
  /** A professional, academic or fictional frame with no first-person risk in it. */
  professionalFrame: boolean;
  /** Starts with a plain no ("no", "nope", "not really", "no, not like that"). */
  negative: boolean;
  /** Past risk told with present safety ("3 years clean and proud"). */
  recovery: boolean;
  tier: "none" | "elevated" | "high";
  category: CrisisCategory | null;
  fired: string[];
}

const w = (src: string) => new RegExp(`(?<![a-z0-9])(?:${src})(?![a-z0-9])`);

const DRUGS =
  "pills?|meds|medications?|medicines?|tablets?|capsules?|caps|tabs|antidepressants?|sleeping pills|sleep aids?|painkillers|pain killers|tylenol|paracetamol|acetaminophen|ibuprofen|advil|aspirin|xanax|valium|klonopin|ativan|benzos?|lorazepam|diazepam|sertraline|zoloft|prozac|fluoxetine|lexapro|escitalopram|citalopram|lithium|seroquel|quetiapine|oxy|oxys|oxycodone|percocet|vicodin|hydrocodone|morphine|codeine|tramadol|fentanyl|heroin|insulin|benadryl|nyquil|melatonin|opioids|opiates|prescriptions?|amitriptyline|trazodone|venlafaxine|effexor|wellbutrin|bupropion|ambien|zolpidem|gabapentin|lamotrigine|clonazepam|alprazolam|propranolol|diphenhydramine|mirtazapine|olanzapine|metformin|warfarin|digoxin|naproxen";
const MEANS_SRC = `${DRUGS}|rope|ropes|noose|belt|cord|cable|extension cord|gun|guns|pistol|handgun|rifle|shotgun|firearm|revolver|glock|bullets?|ammo|rounds|trigger|gun safe|knife|knives|blade|blades|razor|razors|box cutter|scalpel|bridge|roof|rooftop|ledge|cliff|overpass|train tracks|tracks|railway|parking garage|tallest building|high building|top floor|balcony|window|exhaust|car running|engine running|garage|charcoal|carbon monoxide|helium|exit bag|plastic bag|bleach|antifreeze|rat poison|poison|cyanide|river|lake|sea|ocean|drown|water`;
const MEANS = w(MEANS_SRC);
/** Means nouns strong enough that acquiring or keeping them is a signal on its own. */
const LETHAL_MEANS = w(
  `rope|noose|gun|pistol|handgun|rifle|shotgun|firearm|revolver|bullets?|ammo|exit bag|helium|charcoal|cyanide|rat poison|antifreeze|${DRUGS}`,
);
const ACQUIRE = w(
  "bought|buying|ordered|saved up|saving up|been saving|been keeping|keeping (?:them|it) (?:hidden|in)|stockpiled|stockpiling|stockpile|hoarded|hoarding|stashed|stashing|hid|hiding|hidden|collected|collecting|counted|counting|lined up|laid out|found where|know where (?:dad|mom|mum|my \\S+|he|she|they) keeps?|found the keys?|picked up (?:a|the|some) (?:rope|gun|pistol|rifle|bullets|ammo)|loaded|(?:in|under) my (?:bag|car|drawer|bed|pillow|mattress|room|pocket|sock drawer)|got (?:a|the|some|enough|my hands on) (?:rope|gun|pistol|rifle|bullets|ammo|helium|charcoal|rat poison|antifreeze)|have enough|got enough|(?:all|enough) (?:of )?(?:my|the|these|those) (?:\\S+ )?(?:pills|meds|tablets)",
);
const ORDINARY_USE = w(
  "hunts|hunter|hunting|(?:gun|pill|lock) (?:safe|box)|lock(?:ed|ing)? (?:it|them|up|away)|storing|storage|dispos\\w*|take.?back|for (?:my |the |our |a )?(?:headache|migraine|cramps|period|back|pain|cold|flu|fever|allergies|allergy|hunting|range|shooting range|camping|climbing|gym|work|job|garden|yard|moving|project|class|course|boat|dog|cat|horse|kid|kids|son|daughter|trip|hike)|prescribed|pharmacy refill|refill|as directed|with food|skeet|deer season|target practice|hunting|rock climbing|tug of war|jump rope|skipping rope",
);
const METHOD_Q = w(
  "(?<=^|\\. |, )(?:can|will|would|does|do|is|could) (?:\\S+ ){0,5}(?:kill (?:a|you|someone|me)|work|stop|hurt|painful|enough|instant|misfire|survive|hold)(?! (?:me|my|out|on|for|with|at|in|the|this|today|tomorrow))|which (?:one|artery|vein|trains?|pills?|medications?|floor|bridge|way|method|line|gauge|combination)|what(?:s| is) the (?:dose|dosage|amount|most reliable|best way|quickest way|easiest way|surest way)|is there (?:a|any) (?:medication|pill|way|drug|combination|method)|how (?:many|much|high|tall|far|long|fast|deep|cold|quickly|painful|easy)|is it true (?:that )?|(?:does|do|would|will) (?:it|that|this|\\S+ing|people|anyone) (?:\\S+ )?(?:always |actually |really )?(?:work|survive|feel|hurt)|(?:always|actually|really) work|peaceful|how (?:would|do|does|could) (?:i|you|someone|one|a person)|what (?:height|dose|amount|dosage|floor|happens if (?:i|you|someone) (?:take|took|swallow|mix|jump|drink))|which (?:is|would be) (?:faster|quicker|more painless|less painful|more reliable|surer)|would it hurt|does it hurt|is it painful|painless|lethal|fatal|deadly|enough to|can (?:you|someone|a person|i) survive|survivable|chance of surviving|to not wake up|to never wake up|(?:quickest|fastest|easiest|surest|best|most reliable|least painful) (?:way|method)|bleed out",
);
const SOFT_KILL = w(
  "kill (?:the |a |this |that |my |all )?(?:process|processes|app|task|tasks|server|job|lights|time|bacteria|germs|weeds|bugs|ants|mold|mould|fleas|lice|pests|vibe|mood|battery|engine|switch|music|noise|pain|headache)|(?:die|dying|dead) (?:battery|phone|plant|plants|laptop|car|hair|skin|cells)|dye",
);
const LETHALITY_STRONG = w(
  "artery|arteries|vein|veins|heart (?:stop|failure|attack)|kill (?:a person|a human|someone my size|an adult)|stops? (?:your|my|the|a) heart|shut down (?:your|my|the) (?:kidneys|liver|heart)|(?:will|would|could) i die|(?:want|need) (?:\\S+ )?(?:to be sure|it to work|mine to|to make sure)|it(?: ll| will| would)? (?:work|be enough)|be sure|misfire|most reliable|for a person|its for me|it s for me|for myself|look (?:like|natural)|natural (?:death|causes|heart)|no mess|(?:wont|won t|dont|don t) (?:be slowing|slow down|stop)|black out|pass out|lethal|fatal|deadly|(?:to|and|would|will|i|you|someone|a person) (?:\\S+ )?(?:die|not wake|never wake|kill (?:me|myself|you|someone|a person|yourself)|end it|be over)|not wake up|never wake up|wont wake up|survive|surviving|survivable|bleed out|enough to (?:kill|die|end)|too much to survive|stop (?:my|your|the|a) heart|painless|without pain|no pain|to (?:not|never) wake",
);
const LETHALITY_WEAK = w(
  "quick|quickest|fastest|surest|certain|guaranteed|instant|instantly|hurt|peaceful|(?:always|actually|really) work|enough|for sure|definitely",
);
const PRO_CONTEXT = w(
  "(?:my|the|our) ward|on (?:the|my) shift|nurses|volunteer\\w*|listening line|receptionist|care certificate|counsellors?|counselors?|moderat\\w*|safeguarding|discord|protocol|callers?|residents?|registrar|hospice|rotation|instructor|poster|assignment|poetry|analysis|crisis lines?|hotline|helpline|988|qpr|lethal means counsel\\w*|awareness|postvention|(?:safety|firearm|first aid|cpr) (?:course|training|class)|vet said|the vet|to the vet|for dogs|for cats|my (?:dog|cat|puppy|kitten)|ashes|scatter\\w*|for (?:my |a |the |our )?(?:exam|exams|class|course|essay|paper|thesis|assignment|homework|test|quiz|lecture|seminar|training|shift|work|job|patients?|clients?|residents?|ward|clinic|research|study|nursing|pharmacology|toxicology|biology|chemistry|presentation|report|article|novel|book|story|screenplay|script|game|campaign|character|dog|cat|puppy|kitten|pet|horse|baby|toddler|kid|son|daughter|mum|mom|dad|grandma|grandpa)|as a (?:nurse|doctor|pharmacist|paramedic|emt|medic|student|teacher|counsellor|counselor|therapist|social worker|vet|caregiver|carer)|(?:im|i am) a (?:nurse|doctor|pharmacist|paramedic|emt|medic|nursing student|med student|medical student|teacher|counsellor|counselor|therapist|social worker|vet|vet tech|caregiver|carer|writer|novelist|researcher)|(?:my|our|the) (?:patient|patients|client|clients|professor|lecturer|textbook|module|unit|curriculum|protocol|guidelines|character|characters|protagonist|villain|plot|novel|story|fic|fanfic|campaign|dnd|d and d|game|level|boss|quest|npc|raid|episode|series|movie|film|show|documentary|podcast|play|screenplay|manuscript|chapter)|poison control|safe dose|safe dosage|safely|maximum dose|max dose|per day|dosing|interaction|interactions|side effects?|recommended|pediatric|paediatric|accidentally|by accident|swallowed (?:a|one|some) of|in a book|in the book|in the movie|in the game|in the show|trivia|fun fact|history of|statistics|stats|rates of|prevention|awareness|training|first aid|cpr|naloxone|narcan",
);
const TIME = w(
  "next (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|month)|by (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tonight|midnight)|easter|christmas|new year s|new years|(?:after|before|on) (?:my |the |her |his )?(?:graduation|wedding|funeral|birthday|exams?|results|court date|anniversary|holidays|lunch break|shift)|(?:the day|the night|the week) (?:after|before)|when the clock|(?:in|maybe|about) (?:\\d+|one|two|three|a couple) (?:more )?(?:hours?|hrs?|days?)|(?:\\d+|one|two|three|few) more (?:days|hours|weeks|sleeps)|after this (?:conversation|chat|message)|as soon as|the weekend|this storm|tonight|tonite|2nite|tomorrow|tmrw|tmr|this (?:evening|weekend|week|friday|saturday|sunday|monday|tuesday|wednesday|thursday)|on (?:friday|saturday|sunday|monday|tuesday|wednesday|thursday|my birthday|the anniversary)|(?:friday|saturday|sunday|monday|tuesday|wednesday|thursday) (?:night|morning|evening)|in (?:a|an|one|two|three|a few|few|\\d+|half an) (?:minutes?|mins?|hours?|hrs?|days?|weeks?)|(?:when|after|once|before) (?:everyone|everybody|they|my \\S+|the house|the kids|mom|dad|he|she) (?:\\S+ ){0,2}(?:asleep|to bed|to sleep|leaves?|left|goes|go|gone|out|away|home|quiet)|before (?:morning|sunrise|dawn|tomorrow|the weekend|christmas|my birthday)|at (?:midnight|dawn|\\d+ ?(?:am|pm)?)|by (?:sunday|monday|friday|tomorrow|the end of the (?:week|month|day)|morning)|the (?:\\d+(?:st|nd|rd|th)?) of|on the \\d+(?:st|nd|rd|th)?|date is set|set a date|picked a date|the day after|next week|end of the month|new years|christmas eve|right now|right after",
);
/** Acting on a plan: with a time it is a plan ("friday. I've decided friday"). */
const DO_IT = w(
  "done for good|(?:that s|thats) when i (?:go|leave|do it)|(?:walk|walking|wade|wading|swim|swimming) (?:\\S+ )?into the (?:sea|ocean|river|lake|water)|drive (?:\\S+ ){0,2}off|(?:i ll|ill|i will|then i) finish (?:this|it)|(?:im|i m|i am) out|(?:be|am) dead by|then the (?:pills|rope|bridge|tracks|gun)|not (?:turning|coming|going) back|jump(?:ing)? (?:off|from|in front)|join (?:her|him|them|mum|mom|dad)|(?:going to|gonna|will|ill|i ll|ready to|about to|planning to|plan to|decided to|finally) (?:just )?(?:do|doing) it(?! (?:kindly|right|properly|well|myself|together|again|better))|(?:do|doing|did) it (?:tonight|tomorrow|then|when|after|before|this|once)|going through with it|go through with it|(?:end|ending|finish|finishing) (?:it|things|everything|myself|it all)(?! (?:with|off with|between))|not coming back|wont be coming back|(?:it|this|everything|all)(?: ll| will)? (?:be|all be) over|(?:thats|that s|that is|will be) (?:when|the day|the night|it|my last)|(?:is|s) (?:it|the day|the night)|my last (?:day|night|week)(?! (?:at|of|in|on) (?:work|school|the job|uni|college|the office|this job|the team|holiday|vacation))|(?:im|i am|i m) done|the plan is|my plan is|(?:picked|chose|set|decided on|chosen|got) (?:the|a) (?:date|day|time|spot|place|night|timeline)|(?:ive|i have|i ve) decided (?:on )?(?:friday|saturday|sunday|monday|tuesday|wednesday|thursday|tonight|tomorrow|the date|the day|when|how)|counting (?:them )?down|timeline|use that time|join (?:her|him|them)|take (?:everything|the whole|them all|all of)|going to (?:the )?(?:shed|garage|bridge|tracks|train tracks|roof|cliffs?|lake|river|reservoir|sea|car park|overpass|woods)(?! (?:to (?:watch|see|meet|swim|walk|fish|take|enjoy|play|pick|get)|with (?:my|the|some|friends)|for (?:a|the)))|(?:im|i m|i am|ill|i will) (?:going to )?jump|(?:im|i m|i am) (?:out|gone)|no one (?:finds|will find) me|nobody (?:finds|will find) me|set (?:everything|it all) up|(?:wont|will not|not) (?:be here|wake up|see) (?:after|by|on|for|tomorrow|next)",
);
/** Being near or handling a means with intent, short of a stated plan. */
const MEANS_INTENT = w(
  "(?:keep|kept|been|cant stop|can t stop) (?:thinking|dreaming) about (?:it|them|using|drinking|taking|jumping|doing)|all i (?:can )?think about|what (?:its|it s|it is|they re|theyre|they are) for|what it would do|(?:hold|holding|held|touch|touching|look at|looking at|stare at|staring at) (?:it|them)(?: again| every| when| for)|just in case|in case i (?:decide|need|want|change)|enough (?:to|for) (?:do it|end|never|not wake|the job|me)|(?:have|got|now i have) (?:what|everything) i need|(?:scared|afraid) of (?:myself|what i might do)|no fence|no lock|no railing|looking down|(?:stood|standing|stand|sat|sitting) (?:at|on) the edge|stood there|closer than i should|lowest (?:wall|railing|fence)|(?:almost|nearly) full|its (?:high|enough)|high enough|where it would hold|(?:know|knew) (?:exactly )?(?:where|when|how)",
);
const GOODBYE = w(
  "for real this time|signing off (?:for good|for the last time|forever|permanently)|(?:my|a|own) (?:funeral|eulogy)|life insurance|when they find (?:me|my|it)|(?:whoever|if someone|if anyone|when someone) finds (?:this|me|my)|(?:tying|tie|tied) up (?:all )?(?:the |my )?loose ends|nothing left for anyone|make it easy for (?:them|everyone|you)|(?:scheduled|schedule|scheduling) (?:an|a) (?:email|message|post|text)|explains everything|feels final|burn (?:these|them|it) (?:after|when)|(?:wont|won t|will not) be coming back|not (?:going to be|gonna be) around|somewhere (?:nobody|no one) can (?:follow|find)|for the last time|last day on earth|rest now\\W* for good|sorry for leaving|going to sleep (?:now )?and (?:im |i m )?(?:not|never) (?:planning on )?waking|(?:he|she|they)(?: ll| will) need to know soon|(?:instructions|passwords?|pins?|bank details|envelope|will) (?:for (?:the|my) (?:cat|dog|kids|family|pets?)|on the (?:table|desk|counter)|in (?:an|the) envelope)|(?:tell|let) (?:my|them|her|him|mum|mom|dad) (?:\\S+ )?(?:know )?(?:im sorry|i love|i m sorry|i am sorry)|none of (?:it|this) (?:was|is|were) (?:her|his|their|your|anyones) fault|(?:at peace|made peace|okay|fine) with (?:my|the|this) decision|(?:not|no longer) (?:scared|afraid) (?:anymore|any more)|where (?:im|i am|i m) going|(?:handing|giving|gave|handed) (?:it|them|things|stuff|everything) (?:out|away)|rehomed|nothing (?:keeping|holding|left keeping|left holding) me (?:here|back)|(?:looks?|look) after my (?:fish|cat|dog|plants|kids|pets?|rabbit|hamster|bird)|said (?:everything|all) i (?:needed|wanted) to say|(?:can|will|ll) finally (?:rest|sleep|be free|stop|be at peace)|(?:all|everything) (?:will )?(?:go|goes|went) (?:quiet|dark|silent)|(?:goodbye|bye|farewell) (?:forever|for good|cruel world|world|everyone (?:i love|and thank)|to (?:everyone|all of you) (?:i love|forever))|last message|final message|last time (?:youll|you will|i|ill|im) (?:hear|talk|see|write|speak)|last (?:words|goodbye|post)|(?:thank you|thanks) for everything|sorry for everything|forgive me|please forgive|(?:take|taking) care of (?:my|mum|mom|dad|the) (?:cat|dog|kids|children|son|daughter|plants|fish|pets?|mom|mum|dad|sister|brother|family)|look after (?:my|mum|mom|dad|the) (?:cat|dog|kids|children|son|daughter|plants|fish|pets?|mom|mum|dad|sister|brother|family)|make sure (?:my|someone|the) (?:cat|dog|kids|children|pets?|fish|plants)|(?:giving|gave|given|give) away (?:all (?:of )?)?(?:my )?(?:stuff|things|belongings|possessions|everything|savings|most of my \\S+)(?! to (?:charity|goodwill))|(?:wont|will not|dont|won t) need (?:it|them|my \\S+|any of (?:it|this)) (?:anymore|any more|where|soon|after)|won t be (?:around|here|a problem|a burden|bothering)|wont be (?:around|here|a problem|a burden|bothering|needing|needing it|needing them|there)|(?:not|wont) (?:be )?(?:around|here) (?:much longer|for long|anymore|tomorrow|next week)|(?:for|after) (?:when )?(?:im|i am|i m) gone|when (?:im|i am) gone|after i (?:go|leave|m gone)|see you on the other side|(?:its|it s|its been) (?:been )?(?:nice|good|an honor|a pleasure) knowing|(?:wrote|writing|written|left|leaving) (?:\\S+ ){0,2}(?:letters|notes) (?:to|for) (?:everyone|everybody|my family|each of|all of|my kids|the people i love)|updated my will|(?:deleted|deleting|wiped) (?:my|all my) (?:accounts?|socials|photos|messages|history)|(?:said|saying) (?:my )?goodbyes|one last (?:time|look|walk|song|meal|call|hug)|(?:tidied|tidying|cleaned|cleaning|sorted|sorting) (?:\\S+ ){0,2}(?:affairs|everything up|so no one|so nobody|for whoever)|whoever finds|(?:passwords?|pin|bank details) (?:are|is) in|(?:everything|all) (?:is )?(?:sorted|in order|taken care of)|(?:no|wont) (?:longer )?need (?:it|them|this|these|my \\S+) (?:anymore|any more|soon|after)|(?:soon|after this) (?:none of this|nothing) will (?:matter|be my problem)|(?:wont|will not|wont have to) (?:deal with|worry about) me|(?:finally|soon) (?:be )?(?:free|at peace|at rest|over|quiet)|rest (?:forever|for good|at last)|the world (?:going|gone|go|will go|will be) (?:quiet|silent|dark)|quiet forever|sleep forever|(?:lights|light) (?:out|off) (?:for good|forever)|(?:its|it s|it is) (?:almost )?(?:time|over|done)(?: for me)?$",
);
const WISH_GONE = w(
  "(?:disappointed|sad|annoyed|upset|angry) (?:when|that|to|every time) (?:i )?(?:wake|woke|open my eyes|opened my eyes|am still here)|(?:should|wish i d|wish i had|should ve|shouldve) (?:have )?(?:drowned|died|not woken|never woken|not survived)|(?:wouldnt|would not|dont think id|don t think i d|wouldnt even|wouldn t) (?:bother |even )?(?:moving|move|get out of the way|jump out of the way)|(?:praying|pray|hoping|hope) for (?:a|the) (?:car|bus|truck|train|plane) to (?:hit|run|crash)|(?:relieved|glad|happy) (?:if|with|about) (?:a |the )?(?:terminal|cancer|diagnosis)|(?:fine|ok|okay|at peace) with dying|(?:want|wanting|wish) to be dead|passively suicidal|forget i (?:was|ever) (?:here|existed|born|was here)|(?:a )?better (?:mum|mom|dad|parent|wife|husband|mother|father) if i (?:was|were) gone|what if i (?:just )?(?:didnt|did not|don t|dont) (?:look|stop|brake)|(?:dont|do not|don t) want (?:them|those|these|\\S+ more) (?:years|decades)|if a (?:car|bus|truck) hit me|(?:wouldnt|would not|wont) (?:be (?:so|that|too) bad|mind|care) if (?:a|the|something|i|my|it)|(?:take|takes|took) me in my sleep|(?:relieved|okay|ok|fine|glad|happy) (?:if|with|when) (?:the|a|my|it|that) (?:\\S+ )?(?:plane|car|crash|crashed|diagnosis|cancer|illness|bus|truck|accident)|jealous (?:of|when|that) (?:\\S+ ){0,3}(?:dying|die|dies|died|dead|gone)|hope (?:i|the|a|my) (?:\\S+ )?(?:get|gets|got) (?:hit|run over|sick|cancer|killed)|(?:heart|breathing|lungs) (?:will|would|could) (?:just )?stop|(?:fade|switch|turn|shut) (?:myself )?(?:out|off|down)(?: for good| forever| permanently)?$|(?:fade|switch|turn) myself off|(?:want|wish|wanna|hope|pray|praying|hoping|wishing|just)(?: \\S+){0,4} (?:sleep|asleep) (?:forever|for good|and stay|and never)|(?:want|wish|wanna|hope|pray|praying|hoping) (?:\\S+ ){0,3}stay asleep|(?:not|never|wasnt|werent) (?:be |being )?around (?:anymore|any more|much longer)|(?:just )?wasnt around|(?:better|lighter|happier|easier|quieter|nicer) (?:\\S+ ){0,3}without me|waiting (?:for )?(?:life|it|everything) to (?:be )?(?:over|end|stop)|death (?:feels|seems|sounds|looks) (?:like )?(?:a|nice|good|peaceful|like|easier|better|restful)|(?:dont|do not|cant|can t) see myself (?:being )?(?:alive|here|around)|might as well (?:make it official|be dead|die|disappear)|(?:to|just) not be(?: here)?$|slip (?:under|away)(?! to| for)|(?:drive|driving|swerve|swerving|steer|steering) (?:\\S+ ){0,3}into (?:the trees|a tree|oncoming|traffic|a wall|the wall|a truck|the river)|(?:the|a) (?:car|bus|truck|train) (?:didnt|wouldnt|doesnt) stop|(?:comes|came|come) back so (?:i|that i) (?:dont|wont|can)|trade places with (?:\\S+ ){0,2}(?:dying|dead|terminal)|(?:dont|do not) (?:want|care) to (?:see|make it to) (?:tomorrow|another|next)|(?:life|everything) (?:to )?(?:just )?(?:be|being) over|(?:not|never|wouldnt|didnt|wont|dont) (?:have to )?wake up|(?:stop|cease|ceased|stopped) (?:to )?exist(?:ing)?|(?:not|didnt|never) (?:exist|existed|been born)|disappear(?:ed)? (?:forever|for good|completely|from (?:the world|everyones life|existence))|vanish (?:forever|for good)|(?:be|been|was|were) gone (?:forever|for good)|better off without me|better without me|(?:world|everyone|everybody|they|family) (?:would be )?(?:better|happier|easier|lighter) (?:off )?without me|(?:im|i am|i m|being) (?:just )?a (?:burden|waste of space|waste of air|drain)|(?:nobody|no one|noone) would (?:notice|miss me|care) if i (?:was|were|wasnt|disappeared|died|left|stopped)|tired of (?:living|being alive|existing|life|breathing|waking up)|done (?:with )?(?:living|life|being alive|existing)|(?:cant|can t|cannot) (?:go on|keep going|live like this|do life)(?! with| without| like that)|(?:no|dont see a|not any) (?:reason|point) (?:to|in) (?:live|living|go on|going on|be here|being here|being alive|wake up|waking up|keep going|stay)|(?:want|wanna|wish|need) (?:it|everything|this|the pain|life) (?:all )?to (?:end|stop|be over)|(?:want|wanna|wish|need) to (?:disappear|vanish|sleep forever|not exist|stop existing|not be here|be gone|go to sleep forever)(?! (?:into|under|in|for a|for the|from|to|on|off|with|somewhere|abroad|for (?:a|the|this) (?:while|bit|weekend|week|day|few)))|(?:want|wanna|wish|need|want to) (?:to )?(?:just )?not (?:be|feel|exist|wake)|pray (?:i|to) (?:dont|not|never) wake|hope (?:i|to) (?:dont|not|never) wake|(?:i|id) (?:rather|prefer) not (?:exist|be here|be alive|wake up)|no (?:future|tomorrow) for me|(?:wont|will not|not going to) (?:see|make it to|last (?:till|until)) (?:christmas|my birthday|next year|the weekend|tomorrow|spring|summer)",
);
const SELF_HARM_CUE = w(
  "(?:cut|cutting|cuts|slice|slicing|burn|burned|burnt|burning|scratch|scratched|scratching|hit|hitting|punch|punching|bang|banging|carve|carving|pick|picking|bruise|bruising|starve|starving|purge|purging) (?:myself|my (?:arms?|wrists?|legs?|thighs?|skin|stomach|hips?|head|face|hands?|body))|relapsed|relapse|(?:fresh|new|deep|open) (?:cuts|wounds|scars|marks|burns)|long sleeves|hide (?:the|my) (?:cuts|scars|marks|wounds|bruises)|(?:urge|urges|itch|craving) to (?:cut|burn|hurt|hit|scratch|bleed)|bleed(?:ing)? (?:again|through)|(?:blade|razor|sharpener|lighter|compass) (?:again|out|tonight|in my)",
);
const ACCIDENTAL = w(
  "shaving|cooking|making (?:dinner|lunch|breakfast|tea)|opening|chopping|slicing|playing|by accident|accidentally|on the (?:stove|oven|iron|cupboard|door|table|pan|kettle|grill)|on a (?:can|nail|glass)|at (?:the gym|work|practice|football|the playground)|in the kitchen|fell|tripped|slipped|while",
);
const HARM_OTHERS = w(
  "(?:going to|gonna|want to|wanna|will|ill|plan to|planning to|about to|could|might) (?:really )?(?:kill|stab|shoot|strangle|choke|poison|beat|run over|murder) (?:him|her|them|my \\S+|everyone|everybody|that \\S+|the \\S+|someone|somebody|people)(?! (?:chances|plants?|weeds|process|subscription|game|vibe|battery))|(?:going to|gonna|want to|wanna|will|plan to|about to) (?:really )?hurt (?:him|her|them|someone|somebody|people|everyone|everybody)|(?:make|making) (?:him|her|them|everyone) (?:pay|suffer|bleed)|(?:bring|bringing|take|taking) (?:a|my|the|dads|dad s) (?:gun|knife|rifle|pistol) to (?:school|work|class|the office|his|her|their)|(?:hit list|kill list)",
);
const THIRD = w(
  "(?:my|our) (?:friend|best friend|bestie|boyfriend|girlfriend|partner|husband|wife|son|daughter|kid|child|brother|sister|mom|mum|dad|mother|father|roommate|flatmate|student|classmate|coworker|colleague|cousin|niece|nephew|grandma|grandpa|teen|teenager|neighbor|neighbour)|(?:he|she|they) (?:said|says|told|texted|posted|wrote|keeps saying|has been saying)",
);
const THIRD_RISK = w(
  "wants? to die|wanted to die|(?:kill|hurt|cut|cutting|harm|harming|end) (?:himself|herself|themselves|themself)|end (?:his|her|their) (?:life|lives)|(?:he|she|they) (?:is|s|are|re|has been|have been|keeps?|was|seems?) (?:\\S+ )?(?:suicidal|talking about (?:suicide|dying|killing|ending)|self.?harming|cutting)|(?:he|she|they) (?:overdosed|took an overdose|tried to (?:kill|hang|overdose))|(?:took|taken|swallowed) (?:a bunch of|all|too many|a lot of|loads of|the whole) |(?:said|texted|posted|sent|wrote) (?:\\S+ ){0,3}(?:goodbye|bye forever|last message)|not (?:answering|responding|picking up) (?:\\S+ ){0,4}(?:after|since|and)|gave (?:away )?(?:all )?(?:his|her|their) (?:stuff|things|belongings)|(?:doesnt|does not|dont|do not) want to (?:live|be here|be alive|wake up)|(?:cuts|burns|scratches) (?:himself|herself|themselves)|self.?harm",
);
const DENIAL = w(
  "asked (?:me )?(?:if|whether) (?:\\S+ ){1,10}(?:and|i said|i told (?:her|him|them)|the answer (?:is|was)) (?:honestly |truthfully )?(?:the answer (?:is|was) )?(?:no|not|nope)|(?:never|not) once (?:wanted|thought|considered)|(?:has|have) never (?:crossed|entered) my mind|zero (?:intention|desire|plans?)|not even a little|(?:ticked|said|answered|put) (?:no|not at all|never)(?: to| and| because|$)|(?:no|not) (?:\\S+ )?(?:suicidal|self.?harm\\w*)(?:,| \\.| ,| no| and|$)|(?:was|were|im|i m|i was) (?:only |just )?joking|(?:im|i am|i m) (?:not|never) (?:suicidal|going to|gonna|planning|thinking)|(?:not|never) (?:suicidal|going to (?:hurt|kill|do anything))|no (?:thoughts|intention|intent|plans?) (?:of|to|about)|(?:would|will) never (?:hurt|kill|do that|do anything)|(?:im|i am|i m) (?:safe|ok|okay|fine)(?: now| really| i promise| promise)?$|i promise (?:im|i am|i m) (?:ok|okay|fine|safe)|not in (?:any )?danger",
);
const AFFIRMATIVE = w(
  "^(?:yes|yeah|yea|yep|yup|ya|yah|ye|sometimes|kind of|kinda|sort of|maybe|i think so|a little|a bit|often|every day|everyday|all the time|i guess|honestly yes|honestly yeah|more than i|i have|i do|lately yes|i am|im|si|oui|ja|sim|tak|haan|han|ha|mhm|mm hm|uh huh|i dont know|idk|not sure|probably|a lot|constantly)",
);
const AMBIGUOUS = w(
  "whats the point|what is the point|whats even the point|no point (?:anymore|in anything|to anything|in trying)|(?:cant|can t|cannot) do this anymore|(?:cant|can t|cannot) (?:take|handle) (?:much )?(?:more|any more|anymore)|(?:so|really|just) (?:tired|exhausted|done) of (?:everything|it all|all of it|this|trying|fighting)|(?:im|i am|i m) (?:so )?done(?: with everything| with it all)?$|give up on everything|giving up on everything|(?:no|theres no|there is no) way out|nothing (?:matters|will ever get better|ever gets better)|(?:feel|feeling|im|i am) (?:so )?(?:hopeless|trapped|empty|worthless|numb)|(?:everyone|everybody) hates me|(?:want|wanna|need) (?:it|this|everything) to stop|(?:just )?want (?:to )?(?:sleep|rest) and not|make it all stop|(?:dont|do not) (?:know|see) how (?:much longer|i can keep)|(?:running|ran) out of reasons|(?:wish|wished) (?:i could|i was|i were) (?:disappear|invisible|gone|somewhere else)|(?:wish|wished) i (?:could )?(?:just )?(?:disappear|vanish)|(?:cant|can t|cannot) see a future|(?:there s|theres|there is) no future",
);
const FICTION = w(
  "my (?:character|oc|protagonist|villain|hero|npc|story|novel|book|fic|fanfic|poem|song|script|screenplay)|in (?:the|my|this) (?:game|movie|film|show|series|book|novel|story|episode|comic|manga|anime)|(?:writing|write|wrote) (?:a|my) (?:story|novel|book|scene|poem|song|script|fic)|(?:playing|played) (?:\\S+ ){0,2}(?:game|campaign)|the (?:boss|raid|level|quest|npc|final boss|dungeon)",
);

const PAST = w(
  "from (?:age )?\\d+ (?:to|till|until) \\d+|(?:havent|haven t|have not|hasnt|had no) (?:done it|had (?:it|one|any|them)|felt (?:that|like that)|(?:any )?urges?)(?: \\S+){0,3} (?:since|for years|in years)|none for years|for years since|(?:years|months) back|in my (?:teens|twenties|thirties|forties|fifties)|in college|at uni|during covid|during (?:the )?(?:pandemic|lockdown)|rock bottom|sober (?:for )?\\d+|(?:\\d+|four|five|six|seven|eight|nine|ten) years? (?:sober|free|clean|ago|back)|free from|old coping|back when|when i was|at (?:1[0-9]|2[0-9])|in (?:\\d+)(?:th|st|nd|rd) grade|(?:my|the) teens|in my \\d0s|the version of me|(?:one|two|three|four|five|\\d+) (?:years?|months?|days?) (?:clean|free|sober|ago|since)|(?:\\d+|one|two|a) years? clean|in (?:january|february|march|april|may|june|july|august|september|october|november|december)|during my|through my|remember when|those thoughts|old meds|use to|last winter|last year|in lockdown|during lockdown|when i first|in my (?:early |late )?(?:teens|twenties|thirties|twenties)|early years|long gone|went away|a few months ago|for the first time in (?:ages|years|a year|months|a while)|from when i|how much i (?:wanted|used)|remember(?:ing)? (?:how|when)|the years i|the thoughts of|(?:19|20)\\d\\d|used to|years ago|months ago|a year ago|back in (?:19|20)\\d\\d|in (?:19|20)\\d\\d|since (?:19|20)\\d\\d|when i was (?:younger|little|a kid|a teen|a teenager|in (?:high )?school|at uni|\\d+)|back then|that was|looking back|thinking back|(?:my )?old (?:journal|diary|note|notes|letters?|self)|anniversary|sectioned|in recovery|recovered|(?:clean|free|sober) for|\\d+ (?:years?|months?) (?:clean|free|sober)|(?:had|went through) (?:a|some) (?:really )?(?:dark|bad|rough|tough) (?:time|period|patch|year)|(?:at|during) (?:my|the) (?:worst|lowest)|i survived|got through it",
);
const PRESENT_RISK = w(
  "again|lately|these days|right now|back again|(?:urges|thoughts|feelings) (?:are|came) back|still (?:want|think|feel|have|do|cut|hurt)|relapsed (?:today|yesterday|last night|this week)|cant stop|every day now|starting to feel like (?:that|this) again",
);
const PRESENT_SAFE = w(
  "want to be here|(?:my |i have )?reasons|know who to call|(?:today|it) was (?:totally )?fine|no urges|happily|felt good|useful|honest|oddly normal|bakery|business|hats|crochet|good|glad|progress|growth|hopeful|love|favourite|favorite|smiling|grateful|calm|calmly|fine|okay|better|proud|happy|full circle|wild how|so different|different life|recipes|(?:are|is|were) gone|isnt|doing great|stable|graduating|wanting to live|enjoy|got better|(?:a|an) (?:teacher|nurse|mum|mom|dad|parent) now|counter|restored|reflective|different person|believe it|trust|(?:good|nice) kind|still use the skills|learned other ways|happy|(?:okay|ok|well|fine|good|better) now|im well|long gone|went away|stability|stable|how far|havent had one since|since then|clean|free|proud|recovered|doing fine|feels? nice|felt nice|in a good place|remarried|now i have|now im|i have people|makes all the difference|(?:dont|don t) recognise|(?:dont|don t) recognize|normal stuff|made it|thank god|helped (?:so much|a lot|me)|(?:im|i am|i m) (?:safe|okay|ok|fine|doing (?:well|okay|ok|good|better)|in a (?:much |way )?better place|grateful|proud|so glad|happy now|alive)|(?:now|today) i|got help|gets? better|got better|made it|it passed|(?:doing|feeling) (?:so much )?better|better now|proof|grateful",
);
const NEGATOR =
  /(?:^| )(?:not|never|no|dont|didnt|wont|havent|hasnt|isnt|arent|wasnt|without|nor)(?: \S+){0,3} ?$/;

/** True when a negator stands within the three words before the first match of `re`. */
function negatedHit(re: RegExp, t: string): boolean {
  const m = re.exec(t);
  if (m === null) return false;
  return NEGATOR.test(t.slice(Math.max(0, m.index - 40), m.index));
}

/** A message placed in the past with present safety: "I used to cut, 3 years clean and proud". */
export function recoveryFrame(t: string): boolean {
  return PAST.test(t) && !PRESENT_RISK.test(t) && PRESENT_SAFE.test(t);
}

/** The writer explains that the alarming words meant something ordinary. */
const CLARIFY = w(
  "i mean|i meant|sorry(?:,)? (?:i realise|i realize|that sounded|that came out)|(?:that|it|this) (?:sounded|sounds|came out) (?:odd|bad|wrong|dark|weird|alarming)|not like that|jk|just kidding|just joking|lol|lmao|haha|hahaha|nerf|the card game|the game|a game|a tv show|the show|for work|my job",
);
const FIRST_PERSON_RISK = w(
  "i (?:want|wanna|am going|m going|will|ll|plan|need) to (?:die|kill myself|end (?:it|my life)|hurt myself)|(?:im|i m|i am) (?:suicidal|going to do it)|i feel suicidal|(?:kill|hurt|cut|cutting|burn|burning) myself(?! when i was| back then| in my)",
);

/** Ordinary reasons for goodbyes, giving things away and "last" days. */
const BENIGN_PURPOSE = w(
  "tradition|fireworks|festival|concert|party|(?:for|just) fun|camping|holiday|vacation|trip|travel|(?:parental|maternity|paternity|annual) leave|(?:the|a|my) move|moving|relocat\\w*|new (?:job|chapter|city|flat|apartment|house)|off grid|back (?:on|in|next)|see you|talk (?:soon|later|tomorrow)|wish me luck|lol|lmao|haha|jk|(?:to|at) (?:the|my) (?:office|team|coworkers|colleagues|class|school|old house|flat|apartment)|charity|goodwill|declutter\\w*|retire\\w*|graduat\\w*|resign\\w*|quitting (?:my|the) job|figuratively|shoot (?:my|your|his|her) shot",
);

/** The concept cues of one message (layer 1, beside the phrase rules). */
export function cuesOf(text: string): Cues {
  return CUES.get(text, () => readCues(text));
}

/** Memo: the conversation logic and the classifier's features both read a message's cues. */
const CUES = new Memo<Cues>(64);

function readCues(text: string): Cues {
  const t = normalized(text);
  const fired: string[] = [];
  const history = PAST.test(t) && !PRESENT_RISK.test(t);
  const fictional = FICTION.test(t);
  const professional = PRO_CONTEXT.test(t) || fictional;
  const means = MEANS.test(t) && !professional && !ORDINARY_USE.test(t) && !CLARIFY.test(t);
  const denial = DENIAL.test(t);
  const methodQ = METHOD_Q.test(t);
  const method =
    methodQ &&
    (LETHALITY_STRONG.test(t) || (MEANS.test(t) && LETHALITY_WEAK.test(t))) &&
    !SOFT_KILL.test(t) &&
    !professional;
  const time = TIME.test(t);
  const goodbye = GOODBYE.test(t) && !fictional && !BENIGN_PURPOSE.test(t);
  const third =
    THIRD.test(t) &&
    THIRD_RISK.test(t) &&
    !/(?:die|dye|dyed) (?:his|her|their|my) hair/.test(t) &&
    !(ACCIDENTAL.test(t) && !/suicid|overdos|on purpose|deliberately/.test(t));
  let tier: Cues["tier"] = "none";
  let category: CrisisCategory | null = null;
  const raise = (id: string, to: "elevated" | "high", c: CrisisCategory) => {
    fired.push(id);
    if (tier === "none" || (tier === "elevated" && to === "high")) tier = to;
    category ??= c;
  };
  if (method && !third && !history) raise("cue.method_question", "high", "plan_or_means");
  if (means && time && LETHAL_MEANS.test(t) && !denial && ACQUIRE.test(t))
    raise("cue.means_time", "high", "plan_or_means");
  if (means && goodbye && !denial) raise("cue.means_finality", "high", "plan_or_means");
  if (
    time &&
    DO_IT.test(t) &&
    !negatedHit(DO_IT, t) &&
    !denial &&
    !fictional &&
    !history &&
    !third &&
    !BENIGN_PURPOSE.test(t)
  )
    raise("cue.time_plan", "high", "plan_or_means");
  if (MEANS.test(t) && MEANS_INTENT.test(t) && !professional && !denial && !history && !third)
    raise("cue.means_intent", "elevated", "plan_or_means");
  if (
    LETHAL_MEANS.test(t) &&
    ACQUIRE.test(t) &&
    !ORDINARY_USE.test(t) &&
    !professional &&
    !denial &&
    !third &&
    !history
  )
    raise("cue.means_access", "elevated", "plan_or_means");
  if (goodbye && !denial && !third && !history)
    raise("cue.finality", "elevated", "suicidal_ideation_passive");
  if (WISH_GONE.test(t) && !negatedHit(WISH_GONE, t) && !denial && !fictional && !history)
    raise("cue.wish_gone", "elevated", "suicidal_ideation_passive");
  if (
    SELF_HARM_CUE.test(t) &&
    !negatedHit(SELF_HARM_CUE, t) &&
    !ACCIDENTAL.test(t) &&
    !denial &&
    !fictional &&
    !history
  )
    raise("cue.self_harm", "elevated", "self_harm");
  if (HARM_OTHERS.test(t) && !fictional && !BENIGN_PURPOSE.test(t))
    raise("cue.harm_others", "elevated", "harm_to_others");
  if (third && !fictional) raise("cue.third_party", "elevated", "third_party_concern");
  return {
    means,
    method: methodQ && !professional,
    methodLoose:
      methodQ &&
      !professional &&
      /(?:^| )(?:take|enough|would it|does it|is it|how many|how much|how high|how long|how far|which (?:one|way|floor|bridge))(?= |$)/.test(
        t,
      ) &&
      !CLARIFY.test(t),
    time,
    goodbye,
    denial,
    affirmative: AFFIRMATIVE.test(t) && !/^(?:no|nah|nope|not really|never)/.test(t),
    ambiguous: AMBIGUOUS.test(t) && !denial && !fictional && !history,
    recovery: recoveryFrame(t),
    presentRisk: PRESENT_RISK.test(t),
    clarify: CLARIFY.test(t) || BENIGN_PURPOSE.test(t),
    professionalFrame: professional && !FIRST_PERSON_RISK.test(t),
    negative: /^(?:no|nah|nope|not really|never|not at all|no no)(?: |$)/.test(t),
    tier,
    category,
    fired,
  };
}
