/**
 * Concept classes for the classifier's back-off features: words that play the same part in a
 * crisis message ("pills", "rope", "bridge" are all MEANS; "tonight", "friday" are TIME) map to
 * one class, so the classifier learns "MEANS … TIME" once instead of every pair of words.
 * Lists are plain English (after `normalize()`); other languages rely on their n-grams.
 */

const CLASSES: Readonly<Record<string, string>> = {
  SELF: "i im ive id ill me my myself mine",
  OTHER:
    "he she they him her them his their hes shes theyre friend friends bestie boyfriend girlfriend partner husband wife brother sister mom mum dad mother father son daughter kid kids child roommate student classmate coworker",
  DEATH:
    "die dying died dead death kill killing killed suicide suicidal unalive kms ctb overdose od lethal fatal deadly grave funeral buried coffin",
  END: "end ending ended over finish finished done quit stop stopping gone leave leaving disappear vanish exit out",
  NOT_EXIST: "exist existing exists alive living live life wake waking breathe breathing born",
  MEANS:
    "pills pill meds medication medications tablets tablet sertraline tylenol paracetamol insulin xanax oxy benzos rope noose belt cord gun pistol rifle shotgun firearm bullets ammo trigger knife blade blades razor razors bridge roof rooftop ledge cliff tracks train overpass balcony garage exhaust charcoal helium bleach antifreeze poison water river",
  ACQUIRE:
    "bought buy buying ordered got have has keep keeping saved saving stockpiled stockpiling hoarding stashed hid hiding collected collecting counted found loaded ready",
  TIME: "tonight tomorrow tmrw weekend friday saturday sunday monday tuesday wednesday thursday midnight morning soon hour hours minutes later asleep",
  FINAL:
    "goodbye bye farewell last final forever letter letters note notes will sorry forgive thank thanks everything peace rest quiet free instructions passwords envelope loved decided timeline tonight anymore longer around promise",
  GIVE: "gave give giving given donate donated away",
  QUESTION:
    "how what which where many much high tall far long painless quick quickest fastest enough survive",
  BURDEN:
    "burden better without worthless useless pointless point nobody noone alone hopeless trapped empty tired exhausted cant anymore",
  HARM: "cut cutting cuts burn burning burned scratch scratching hurt hurting hit hitting bleed bleeding bled scars marks wounds relapse relapsed punched punch bit bite bruise bruises plasters sh urges hang hanging hanged overdosed overdose poisoning poison smother smothering drown drowning artery wrist wrists floors crash beats hits raped assaulted touches afraid scared smash",
  VIOLENCE: "stab shoot strangle choke beat murder attack revenge pay",
  NEG: "not never no dont didnt wont cant isnt wasnt nothing nobody",
  SAFE: "safe fine okay ok better recovered recovery clean sober proud therapist therapy grateful helped used ago years",
  FICTION:
    "character story novel book game movie film show series episode boss level quest campaign fic song lyrics",
  PRO: "nurse doctor pharmacist patient patients clinical exam class course essay research study homework training work shift",
};

const LOOKUP = new Map<string, string>();
for (const [cls, words] of Object.entries(CLASSES))
  for (const w of words.split(" ")) if (!LOOKUP.has(w)) LOOKUP.set(w, cls);

/** The concept sequence of normalised words (words without a class are skipped). */
export function conceptsOf(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    const c = LOOKUP.get(w);
    if (c !== undefined && out.at(-1) !== c) out.push(c);
  }
  return out;
}

/** From this many words on, the classifier speaks without a listed concept (enough features to judge). */
const MIN_WORDS_WITHOUT_EVIDENCE = 7;
const EVIDENCE_CLASSES = new Set([
  "DEATH",
  "END",
  "NOT_EXIST",
  "MEANS",
  "FINAL",
  "BURDEN",
  "HARM",
  "VIOLENCE",
  "GIVE",
]);
/** Stems of risk words in the other claimed languages (and a few more), matched on the Unicode view. */
const EVIDENCE_STEMS =
  /(?:^| )(?:mor|muer|mour|muoi|sterb|tod|tot|dood|mort|suic|suiz|zelfm|samob|zabi|zabij|umrz|umier|mat[aeo]|mata|matar|vida|vie|leben|zyc|zyci|jeen|jaan|khud|maut|mar |pastil|tablet|pill|comprim|cachet|medoc|leki|goli|corda|cuerda|corde|seil|touw|sznur|rass|pont|puent|bruck|brug|most|ponte|puli|finir|finit|acab|ende|einde|konie|khatam|alvid|adieu|adios|doei|tchau|addio|zegna|despe|sumir|desapar|dispar|verschw|verdwijn|znikn|gayab|weg |cort|coup|tagli|schneid|ritz|snij|tn|ciac|kaat|hurt|dano|mal |male|schmerz|pijn|bol|dard|arma|pistol|gewehr|geweer|bron|fucil|navaj|couteau|messer|mes |noz|chaak|sprin|spring|salt|pular|buttar|jeter|skocz|kood|kud|salir|aufwach|wakker|obudz|despert|reveil|svegli|acord|uth)/u;
const NON_LATIN =
  /[\p{Script=Arabic}\p{Script=Han}\p{Script=Cyrillic}\p{Script=Devanagari}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Greek}\p{Script=Hebrew}\p{Script=Thai}]/u;

/**
 * Whether a short message holds any risk concept at all (English concept classes, risk stems of other
 * languages, or a non-Latin script). The classifier alone never raises risk on a message without
 * it: on short everyday text ("second message") its probability is not evidence.
 */
export function hasRiskEvidence(words: readonly string[], view: string): boolean {
  if (words.length >= MIN_WORDS_WITHOUT_EVIDENCE) return true;
  if (conceptsOf(words).some((c) => EVIDENCE_CLASSES.has(c))) return true;
  return NON_LATIN.test(view) || EVIDENCE_STEMS.test(` ${view} `);
}
