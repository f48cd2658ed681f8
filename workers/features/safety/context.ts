/**
 * Context judgements the detector makes around a rule match: negation, grammatical subject,
 * whether a third-party report is credible (not a film plot), recovered history, and timing.
 *
 * All functions read normalised text (see `normalize.ts`) and are pure. The guiding asymmetry: a
 * missed crisis costs far more than an extra resources message, so every guard here is narrow and
 * anything uncertain falls through to "keep the match".
 */

import { MACROS } from "./patterns";

export type Subject = "first" | "third" | "none";

const NEGATOR =
  "(?:not|never|dont|do not|didnt|did not|doesnt|does not|wont|will not|wouldnt|would not|no longer|isnt|is not|arent|are not|wasnt|was not|aint|havent|have not|hasnt|has not|no|nor|without|non|nao|nunca|jamais|jamas|mai|nooit|niemals)";
/** Only these words may sit between a negator and the match ("not going to", "no plans to"). */
const FILLER =
  "(?:really|actually|even|ever|at all|currently|feel|feeling|felt|like|be|been|being|am|is|are|have|had|any|a|an|the|going|to|want|wanted|wanting|plan|planning|plans|planned|on|intend|intending|intention|intentions|of|desire|urge|urges|thoughts|thought|thinking|about|think|trying|try|tried|ready|so|too|very|do|doing|seriously|actively|anymore|would|will|considering|having|got|get|getting|need|wish|mean|remotely|quite)";
const NEGATED_PREFIX = new RegExp(`(?:^| )${NEGATOR}(?: ${FILLER}){0,4} ?$`);
/** "Not a day goes by that I don't want to die": a double negative that asserts. */
const DOUBLE_NEGATIVE =
  /(?:not a day goes by|no day goes by|theres not a day|there is not a day|there isnt a day|theres never a day|cant remember (?:a|the last) (?:day|time|night)|cant think of (?:a|one) day)(?: (?:that|when|where|i|in which))*$/;
/** "...asked if I'm suicidal and I'm not." */
const NEGATED_SUFFIX =
  /^ (?:, )?(?:and|but) (?:(?:im|i am|i m|i was) not|i said no|i told (?:her|him|them) no)(?= |$)/;

const FIRST = new Set(["i", "im", "ive", "id", "ill", "me", "myself", "you", "we"]);
const FIRST_IN_MATCH = new Set(["i", "im", "ive", "id", "my", "me", "myself", "mine"]);
const PRONOUN3 = [
  "he",
  "she",
  "they",
  "hes",
  "shes",
  "theyre",
  "theyve",
  "hed",
  "shed",
  "him",
  "her",
  "them",
];
const PERSON_WORDS = (MACROS.PERSON ?? "")
  .replace(/^\(\?:|\)$/g, "")
  .split("|")
  .flatMap((w) => (w.endsWith("?") ? [w.slice(0, -2), w.slice(0, -1)] : [w]));
const THIRD = new Set([
  ...PRONOUN3,
  ...PERSON_WORDS,
  ...PERSON_WORDS.map((w) => `${w}s`),
  "people",
  "someone",
  "somebody",
  "anyone",
  "character",
  "characters",
  "villain",
  "protagonist",
  "author",
  "singer",
]);
const THIRD_IN_MATCH = new Set(["he", "she", "they", "himself", "herself", "themselves", "his", "their"]);
const SPEECH = new Set([
  "said",
  "says",
  "saying",
  "told",
  "tells",
  "texted",
  "texts",
  "wrote",
  "writes",
  "posted",
]);

const PERSON = MACROS.PERSON ?? "";
const REFERENT = new RegExp(
  `(?:^| )(?:${PRONOUN3.join("|")}|his|their)(?= |$)|(?:^| )(?:my|our|his|her|their) (?:\\S+ )?${PERSON}s?(?= |$)|(?:^| )(?:a|one|some|this) (?:\\S+ ){0,2}(?:in|at|from|of) (?:my|our) `,
);
const MEDIA =
  /(?:^| )(?:movies?|films?|books?|novels?|series|show|tv|episodes?|characters?|plot|story|stories|season|anime|manga|game|games|songs?|lyrics|album|documentary|podcast|article|poems?|poetry|scene|protagonist|villain|author|chapter|actor|actress|fiction|fictional|musical|comic|netflix|campaign|biography|celebrity|singer|rapper|painter|poet|famous|wikipedia|watched|watching)(?= |$)/;
const CONCERN =
  /(?:^| )(?:worried|worry|worrying|scared|afraid|concerned|terrified|frightened|panicking|freaking out|what (?:do|should|can) i do|how (?:do|can|should) i help|help (?:him|her|them)|told me|texted me|messaged me|called me|said to me|confided|dont know what to do)(?= |$)/;

const HISTORY =
  /(?:^| )(?:used to|years ago|months ago|(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|a few|few|couple of|a couple of|many|several) (?:years?|months?) (?:ago|clean|free|since)|(?:been|am|im|stayed|staying) clean|clean for|since i (?:last|stopped)|last time i|in (?:high school|college|uni|university|my teens|my twenties|the past)|when i was (?:younger|a kid|a child|a teen|a teenager|little|in (?:high )?school|\d+)|as a (?:kid|child|teen|teenager)|back (?:then|in)|no longer|not anymore|recovered|in recovery|in remission)(?= |$)/;
const PRESENT =
  /(?:^| )(?:again|relapse|relapsed|relapsing|urge|urges|lately|these days|right now|tonight|today|currently|recently|last night|yesterday|this (?:week|morning|month)|started|starting|cant stop|every (?:day|night)|still (?:want|think|feel|cut|hurt|do|struggle|have (?:urges|thoughts)))(?= |$)/;
const SEGMENT_BREAK = / (?:[.,]|but|however|though|although|now|yet)(?= )/g;

const TIMEFRAME =
  /(?:^| )(?:tonight|today|right now|tomorrow|this (?:evening|weekend|morning|afternoon|week)|in (?:a|an|one|two|three|a few|few|\d+) (?:minutes?|mins?|hours?|hrs?|days?)|(?:when|after|once) (?:everyone|they|my \S+) (?:is |are |goes |go |gets? |falls? )?(?:asleep|to bed|to sleep|out|away|home)|before (?:morning|sunrise|tomorrow)|(?:on )?(?:friday|saturday|sunday|monday|tuesday|wednesday|thursday)|this is it|tonight is the night|esta noche|hoy|ce soir|aujourdhui|heute|hoje|esta noite|stasera|oggi|vanavond|vandaag)(?= |$)/;
const RECENT =
  /(?:^| )(?:last night|yesterday|earlier|this (?:morning|afternoon|evening)|an hour ago|hours ago|minutes ago|just now|today|tonight)(?= |$)/;
const URGENT_THIRD =
  /(?:^| )(?:wont wake up|not waking up|unconscious|unresponsive|not breathing|isnt (?:answering|responding|picking up)|not (?:answering|responding|picking up)|wont (?:answer|respond|pick up)|cant reach|on the (?:bridge|roof|ledge|edge)|right now|about to|going to jump)(?= |$)/;
const IN_CARE =
  /(?:^| )(?:hospital|the er|emergency room|ambulance|paramedics|icu|recovering|being treated|ago|last (?:year|month|week))(?= |$)/;

function clauseStart(text: string, start: number): number {
  const cut = Math.max(text.lastIndexOf(" . ", start), text.lastIndexOf(" , ", start));
  return cut < 0 ? 0 : cut + 3;
}

function sentenceStart(text: string, start: number): number {
  const cut = text.lastIndexOf(" . ", start);
  return cut < 0 ? 0 : cut + 3;
}

/** True when a negator governs the match: "I'm not going to hurt myself", "no plans to end my life". */
export function isNegated(text: string, start: number, end: number): boolean {
  const prefix = text.slice(clauseStart(text, start), start);
  const neg = NEGATED_PREFIX.exec(prefix);
  if (neg !== null) {
    const before = prefix.slice(0, neg.index).trim();
    return !DOUBLE_NEGATIVE.test(before);
  }
  return NEGATED_SUFFIX.test(text.slice(end, end + 40));
}

/**
 * Who the match is about: the nearest subject before it in the sentence, with reported speech
 * ("my friend said I want to die") attributed to the speaker; falls back to pronouns inside the
 * match ("my suicidal thoughts", "wishes he was dead").
 */
export function resolveSubject(text: string, start: number, end: number): Subject {
  const lead = text.slice(
    start,
    text.indexOf(" ", start) === -1 ? end : Math.min(end, text.indexOf(" ", start)),
  );
  if (THIRD.has(lead) && !FIRST.has(lead)) return "third";
  const before = text
    .slice(sentenceStart(text, start), start)
    .split(" ")
    .filter((t) => t.length > 0 && t !== ",");
  if (FIRST.has(lead)) return reportedSpeech([...before, lead], before.length) ? "third" : "first";
  for (let k = before.length - 1; k >= 0 && k >= before.length - 10; k--) {
    const token = before[k] ?? "";
    if (FIRST.has(token)) return reportedSpeech(before, k) ? "third" : "first";
    if (THIRD.has(token)) return "third";
  }
  const inner = text.slice(start, end).split(" ");
  if (inner.some((t) => FIRST_IN_MATCH.has(t))) return "first";
  if (inner.some((t) => THIRD_IN_MATCH.has(t))) return "third";
  return "none";
}

function reportedSpeech(tokens: readonly string[], firstIndex: number): boolean {
  let j = firstIndex - 1;
  if (tokens[j] === "that") j--;
  if (tokens[j] === "me" && tokens[j - 1] === "told") j--;
  if (!SPEECH.has(tokens[j] ?? "")) return false;
  for (let q = j - 1; q >= 0 && q >= j - 4; q--) {
    const t = tokens[q] ?? "";
    if (FIRST.has(t)) return false;
    if (THIRD.has(t)) return true;
  }
  return false;
}

/**
 * A report about someone else counts when a real person is referred to ("my brother", "she") and it
 * is not a discussion of fiction, media or history, unless the writer voices worry about it.
 */
export function isCredibleThirdParty(text: string): boolean {
  if (!REFERENT.test(text)) return false;
  return !MEDIA.test(text) || CONCERN.test(text);
}

/**
 * True when the match sits in a clause that places it in the past with recovery ("used to",
 * "two years clean") and nothing in the message says it is current ("again", "urges", "lately").
 */
export function isHistoryOnly(facts: MessageFacts, start: number, end: number): boolean {
  if (facts.current()) return false;
  const text = facts.text;
  let segStart = 0;
  let segEnd = text.length;
  for (const m of text.matchAll(SEGMENT_BREAK)) {
    const breakStart = m.index;
    const breakEnd = breakStart + m[0].length;
    if (breakEnd <= start) segStart = breakEnd;
    else if (breakStart >= end) {
      segEnd = breakStart;
      break;
    }
  }
  return HISTORY.test(` ${text.slice(segStart, segEnd)} `);
}

/** Near-term timing ("tonight", "in an hour", "when everyone is asleep"). */
export function hasTimeframe(text: string): boolean {
  return TIMEFRAME.test(text);
}

/** Recent timing for attempts ("last night", "an hour ago"). */
export function isRecent(text: string): boolean {
  return RECENT.test(text);
}

/** Signs that someone else is in danger right now ("won't wake up", "not answering"). */
export function isUrgentForThirdParty(text: string): boolean {
  return URGENT_THIRD.test(text) || TIMEFRAME.test(text);
}

/** The other person is already receiving care or it happened a while ago. */
export function isInCare(text: string): boolean {
  return IN_CARE.test(text);
}

/**
 * Message-level judgements, each computed at most once per message (a long message can produce
 * many matches; re-scanning it per match would dominate the cost). Create one per message.
 */
export interface MessageFacts {
  readonly text: string;
  credibleThirdParty(): boolean;
  /** Something in the message places the risk in the present ("again", "lately", "tonight"). */
  current(): boolean;
  timeframe(): boolean;
  recent(): boolean;
  urgentForThirdParty(): boolean;
  inCare(): boolean;
}

export function messageFacts(text: string): MessageFacts {
  const memo = new Map<string, boolean>();
  const once =
    (key: string, compute: () => boolean): (() => boolean) =>
    () => {
      let value = memo.get(key);
      if (value === undefined) {
        value = compute();
        memo.set(key, value);
      }
      return value;
    };
  return {
    text,
    credibleThirdParty: once("credible", () => isCredibleThirdParty(text)),
    current: once("current", () => PRESENT.test(text)),
    timeframe: once("timeframe", () => hasTimeframe(text)),
    recent: once("recent", () => isRecent(text)),
    urgentForThirdParty: once("urgent", () => isUrgentForThirdParty(text)),
    inCare: once("care", () => isInCare(text)),
  };
}
