/**
 * Rules involving other people (data): the writer intending harm to someone, the writer (or a
 * family member) being abused, and concern for someone else at risk.
 *
 * Harm to others needs a person as the target ("kill my boss", "hurt him"), never an object or
 * activity ("kill this presentation", "kill for a coffee", "kill the process").
 */

import { rule } from "./rule-spec";

const H = "harm_to_others" as const;
const A = "abuse" as const;
const T = "third_party_concern" as const;

const TARGET =
  "(?:him|her|them|someone|somebody|anyone|anybody|people|everyone|everybody|a person|a stranger|strangers|(?:that|the|this) (?:guy|girl|man|woman|person|bitch|bastard|asshole|kid|teacher|baby|kids|people|boss)|(?:my|his|her|our|their) (?:\\S+ )?{PERSON}|(?:my|the|our) (?:whole )?(?:class|family|school|office))";

const HARM_VERB =
  "(?:kill|killing|hurt|hurting|harm|harming|stab|stabbing|shoot|shooting|strangle|strangling|choke|choking|beat up|beating up|murder|murdering|poison|poisoning|attack|attacking|smother|smothering|drown|drowning|suffocate|suffocating|punch|punching|burn|burning|torture|torturing|slit|slitting|shake|shaking)";

const HARM_MODAL =
  "(?:want to|wanted to|going to|gonna|will|ill|plan to|planning to|planning on|intend to|need to|about to|ready to|have to|got to|fantasize about|fantasizing about|fantasise about|thinking about|think about|thoughts about|thoughts of|imagining|imagine|urges to|urge to|tempted to|could really|might|feel like|dream about|dreaming about|keep thinking about|scared i (?:might|will|could|would|am going to)|afraid i (?:might|will|could|would|am going to)|worried i (?:might|will|could|would|am going to)|intrusive thoughts about|images of)";

const PERP =
  "(?:he|she|they|hes|shes|(?:my|her|his|our) (?:\\S+ )?{PERSON}|someone|somebody|a (?:man|guy|woman|stranger|boy|girl)|this (?:guy|man|woman))";

const ABUSE_VERB =
  "(?:hits|hit|hitting|beats|beat|beating|slaps|slapped|slapping|punches|punched|punching|kicks|kicked|kicking|chokes|choked|choking|strangles|strangled|strangling|burns|burned|smacks|smacked|whips|whipped|rapes|raped|raping|molests|molested|molesting|abuses|abused|abusing|assaults|assaulted|assaulting|pushes|pushed|shoves|shoved|throws|threw|grabs|grabbed|touches|touched|touching|threatens|threatened|stalks|stalked|stalking|drugged|locks|locked|starves|starved|bruised)";

const ABUSE_ADV =
  "(?:(?:\\S+ ){1,3}and )?(?:(?:always|sometimes|often|still|constantly|regularly|usually|also|even|literally|just|keeps|kept|has|had|would|will|used to|started|starts|has been|tries to|tried to|sexually|physically|violently|repeatedly|then|again) ){0,2}";

const ABUSE_NOT =
  "(?! (?:in the (?:race|game|match|final|finals|election|competition|tournament|polls|end)|up|at (?:chess|cards|poker|tennis|golf|pool|darts|scrabble|monopoly|video games|games|everything|sports|football|basketball|soccer|mario kart|fifa|arm wrestling|\\S+ game)|in (?:chess|a (?:race|game|match))|off|out|back|to(?! the (?:ground|floor|wall)(?![a-z0-9]))|into (?:applying|doing|trying|taking)|with (?:his |her |their )?(?:words|kindness|story|speech|music|song|tail|paw)|with (?:the|this|some|a) (?:news|question|truth|bill|fact|facts|reality|idea|story|joke|surprise|information|diagnosis)|with (?:a |the |his |her )?(?:pillow|cushion|snowball|water balloon|nerf|toy|towel|balloon|paper)|deeply|emotionally|so much|by accident|accidentally|hard|harder|forward|further|out of my comfort zone|beyond|on the (?:shoulder|arm|back)))";

export const HARM_TO_OTHERS_RULES = [
  rule(
    "harm.intent_person",
    H,
    "high",
    `${HARM_MODAL} (?:(?:really|just|actually|seriously|fucking|literally|snap and|end up) ){0,2}${HARM_VERB} ${TARGET}(?! (?:at|in) (?:\\S+ )?(?:chess|game|games|fortnite|tennis|match|football|basketball|mario|cards|poker)(?![a-z0-9]))(?! (?:feelings|chances|career|reputation|pride|ego|business|sales|ratings)(?![a-z0-9]))`,
  ),
  rule("harm.run_over", H, "high", `${HARM_MODAL} (?:run|running) (?:him|her|them|\\S+) over`),
  rule(
    "harm.beat_out_of",
    H,
    "high",
    `(?:${HARM_MODAL} )?beat the (?:crap|shit|hell|life|living daylights|fuck) out of ${TARGET}`,
  ),
  rule(
    "harm.mass_violence",
    H,
    "high",
    "(?:{INTENT}) (?:shoot up|shooting up|shoot|bomb|bombing|blow up|attack|burn down|set fire to) (?:my |the |our |this )?(?:school|class|classroom|office|workplace|work|church|mosque|synagogue|mall|campus|concert|building)",
  ),
  rule(
    "harm.weapon_to_place",
    H,
    "high",
    "(?:bring|bringing|take|taking|brought|carry|carrying) (?:(?:a|my|the|his|her|\\S+s) ){0,2}(?:gun|guns|knife|knives|weapon|weapons|rifle|pistol|bomb) (?:to|into) (?:school|work|class|the office|church|the mall|campus|my (?:school|work|office|class))",
  ),
  rule(
    "harm.wish_death_on",
    H,
    "high",
    "(?:want|wish|hope) (?:everyone|everybody|them all|all of them|him|her|them|people|my \\S+)(?: (?:at|in) \\S+)? (?:to|would|will) (?:die|drop dead|get hurt|suffer)",
  ),
  rule(
    "harm.push",
    H,
    "high",
    "(?:push|pushing|shove|shoving|throw|throwing) (?:people|someone|somebody|him|her|them|a stranger|strangers) (?:in front of|off|down|onto)",
  ),
  rule("harm.make_pay", H, "high", "(?:make|making) (?:him|her|them|everyone|them all|\\S+) pay", {
    requires: "(?:gun|knife|knives|weapon|rifle|pistol|bat|bomb|stab|shoot|kill)",
  }),
];

export const ABUSE_RULES = [
  rule(
    "abuse.perpetrator",
    A,
    "high",
    `(?<!(?:play fighting|playfighting|playing|wrestling|messing around|joking around|horsing around|sparring|tickling)(?: \\S+){0,3} )${PERP} ${ABUSE_ADV}${ABUSE_VERB} (?:me|us|her|him|them|my (?:\\S+ )?{PERSON})${ABUSE_NOT}`,
    {
      subject: "fixed",
      negatable: false,
    },
  ),
  rule(
    "abuse.threat",
    A,
    "high",
    "(?:threatens|threatened|threatening|threaten|says|said|keeps saying|told me) (?:that )?(?:to |hell |hed |he will |he would |shell |shed |she will |she would |theyll |theyd |they will |they would |hes going to |shes going to |he is going to |she is going to )?(?:kill|hurt|beat|hit|stab|shoot|rape) (?:me|us|my (?:\\S+ )?{PERSON}|the kids|my kids)",
    { subject: "fixed" },
  ),
  rule(
    "abuse.victim",
    A,
    "high",
    "(?:im|i am|i m|been|being|was|got|get|getting|keep getting|have been|ive been|is|is being|was being) (?:\\S+ ){0,2}(?:abused|molested|raped|sexually assaulted|sexually abused|physically abused|trafficked|groomed|assaulted|drugged)|(?:im|i am|i m|been|being|was|got|get|getting|keep getting|have been|ive been) (?:hit|slapped|punched|choked|strangled|beaten|beaten up|kicked|attacked|hurt|threatened|locked in) (?:by (?:my|him|her|them|he|she)|at home|again|if|when|every|all the time|regularly|for)",
  ),
  rule(
    "abuse.control",
    A,
    "high",
    "(?:wont|doesnt|does not|will not|never) let me (?:leave(?: the house| him| her)?(?= [.,]|$| (?:the|him|her|or|and))|see my (?:friends|family|parents)|talk to (?:my )?(?:friends|family|anyone)|have (?:my own )?(?:money|a phone|my phone)|eat|sleep)|(?:he|she|my (?:\\S+ )?(?:husband|wife|partner|boyfriend|girlfriend)) (?:takes|took|controls|control) (?:all )?(?:my|our) (?:phone|money|keys|passport|car keys|bank card|paycheck)",
    { negatable: false },
  ),
  rule(
    "abuse.unsafe",
    A,
    "high",
    "(?:dont|do not|never|not|no longer) (?:feel )?safe (?:at home|in my (?:own )?(?:home|house|room|bed)|with (?:him|her|them|my (?:\\S+ )?{PERSON})|around (?:him|her|them|my (?:\\S+ )?{PERSON})|living with)|(?:scared|afraid|terrified|frightened) (?:to go|of going) (?:back )?home|(?:scared|afraid|terrified|frightened) (?:of|that) (?:my (?:\\S+ )?(?:husband|wife|partner|boyfriend|girlfriend|dad|father|stepdad|mom|mother|stepmom|brother|uncle|ex)|him|her)(?= [.,]|$| (?:will|is going to|might|would|when|and))",
    { negatable: false, subject: "fixed" },
  ),
  rule(
    "abuse.sexual",
    A,
    "high",
    `(?:makes|made|forces|forced|pressures|pressured|pressuring|tried to make|tries to make) me (?:to )?(?:have sex|do (?:sexual|things|stuff) (?:to|with|for)|touch (?:him|her|his|it)|watch porn|send (?:nudes|pictures|pics|photos)|sleep with)|(?:touched|touches|touching|grabbed|groped|gropes|fondled) (?:me|my) (?:inappropriately|there|down there|private|privates|breasts?|butt|chest|crotch|body)|(?:comes|came|sneaks|snuck|creeps|crept|gets) (?:into|in) my (?:room|bed)(?: at night| when| while)(?! to (?:check|say|wake)(?![a-z0-9]))|${PERP}(?: \\S+){0,3} (?:get|gets|got|come|comes|came|climb|climbs|crawl|crawls|sneak|sneaks|snuck|getting|coming) (?:into|in) (?:my|bed with me)(?: bed)?(?= [.,]|$| (?:at|when|while|and))|(?:tells|told|makes|made) me (?:to )?keep (?:it|this|us|our \\S+|what happens|what he does) (?:a )?secret`,
    { subject: "fixed" },
  ),
  rule(
    "abuse.coercion",
    A,
    "high",
    "(?:forces|forced|forcing|makes|made|pressures|pressured|pressuring) me (?:to )?(?:do )?(?:things|stuff|something|sexual \\S+)(?: \\S+){0,3} (?:i dont want|i didnt want|i do not want|i did not want|i dont like)|(?:forces|forced|forcing) me (?:to )?(?:have|do (?:sexual|things|stuff)|touch|watch|perform|kiss|undress|get naked|sleep)",
    { subject: "fixed", negatable: false },
  ),
  rule(
    "abuse.silencing",
    A,
    "high",
    "(?:tells|told|says|said) me (?:that )?(?:no one|nobody) (?:will|would) (?:ever )?believe me|if i (?:tell|told) (?:anyone|someone|anybody|my \\S+)(?: \\S+){0,3} (?:hell|hed|shell|shed|he will|she will|they will|he would|she would|they would) (?:kill|hurt|beat)|(?:physically hurts|hurts me physically|physically hurt) me|(?:he|she|my (?:\\S+ )?{PERSON}) (?:physically )?hurts me (?:and|when|if|every|all the time)(?! (?:\\S+ ){0,3}(?:feelings|ignores|says|cheats|lies)(?![a-z0-9]))",
    { subject: "fixed", negatable: false },
  ),
  rule(
    "abuse.relationship",
    A,
    "high",
    "(?:im|i am|i m|been|was|stuck|trapped|living) (?:in|with) (?:an|a|my) (?:abusive|violent|controlling) (?:relationship|marriage|partner|husband|wife|boyfriend|girlfriend|home|household|family|parent|dad|mom|father|mother)|my (?:abusive|violent) (?:\\S+ )?{PERSON}|(?:im|i am|i m) (?:a )?(?:victim|survivor) of (?:domestic (?:violence|abuse)|abuse|rape|sexual assault|trafficking|incest)",
  ),
];

export const THIRD_PARTY_RULES = [
  rule(
    "third_party.reflexive",
    T,
    "elevated",
    "(?:{KILLV}|cut|cutting|cuts|burn|burning|burns|burned|hurt|hurting|hurts|harm|harming|harms|harmed|starve|starving|starves|scratch|scratching|scratches|injure|injuring|injures|stab|stabbing|drown|drowning) (?:himself|herself|themselves|themself|theirself)(?! {ACCIDENT}(?![a-z0-9]))",
    { subject: "fixed" },
  ),
  rule(
    "third_party.suicidal",
    T,
    "elevated",
    "(?:is|are|hes|shes|theyre|seems|seemed|sounds|sounded|feels|gets|looks|might be|may be|could be) (?:(?:so|really|very|pretty|actively|possibly|probably|seriously|a bit|kind of|kinda) )?suicidal",
    { subject: "fixed" },
  ),
  rule(
    "third_party.their_life",
    T,
    "elevated",
    "(?:end|ending|ends|take|taking|takes|took) (?:his|her|their) (?:own )?life",
    {
      subject: "fixed",
    },
  ),
  rule(
    "third_party.talks_about",
    T,
    "elevated",
    "(?:talks|talked|talking|keeps talking|posts|posted|posting|writes|wrote|writing|jokes|joking|joked|texted|texting) (?:a lot |constantly |again |so much )?(?:about|of) (?:suicide|killing (?:himself|herself|themselves)|wanting to (?:die|kill)|ending (?:it|his life|her life|their life)|not being here|self harm|hurting (?:himself|herself|themselves)|wanting to disappear)",
    { subject: "fixed" },
  ),
  rule(
    "third_party.better_off_without",
    T,
    "elevated",
    "(?:everyone|everybody|the world|his family|her family|their family|we|they) (?:\\S+ ){0,3}better off without (?:him|her|them)",
    { subject: "fixed" },
  ),
  rule(
    "third_party.saying_goodbye",
    T,
    "high",
    "(?:hes|shes|theyre|he is|she is|they are|he was|she was|they were|keeps|kept|been|is|was) (?:\\S+ )?(?:saying|said) (?:goodbye|goodbyes|farewell)|(?:his|her|their) (?:texts?|messages?|posts?) (?:sound|sounded|sounds|read|reads|seem|seemed) like (?:a )?(?:goodbye|suicide note|farewell|(?:hes|shes|theyre) saying goodbye)",
    { subject: "fixed" },
  ),
  rule(
    "third_party.found_note",
    T,
    "high",
    "(?:found|saw|read|discovered|came across) (?:a|his|her|their|the) (?:suicide|goodbye) (?:note|letter|message|post)",
    { subject: "fixed" },
  ),
];
