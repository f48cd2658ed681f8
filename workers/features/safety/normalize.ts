/**
 * Text normalisation for edge crisis detection.
 *
 * People in distress write fast, in slang, and sometimes deliberately disguise words to get past
 * filters ("k1ll mys3lf", "s*icide", "k i l l", Cyrillic look-alikes, zero-width joiners). Rules
 * in `patterns*.ts` are written once against plain lower-case ASCII words; this module maps every
 * disguise onto that form so the rules stay readable and idioms stay recognisable.
 *
 * Output: space-separated tokens of `[a-z0-9]` plus two boundary tokens, "." (sentence end,
 * newline) and "," (clause break), which rules use to keep negation and subjects inside a clause.
 *
 * De-obfuscation is lexicon-guided: an ambiguous token ("k1ll", "diiie", "h*rt") is resolved to a
 * word the rules actually use, so guessing can never invent a word no rule cares about.
 *
 * Pure, allocation-light, no Node APIs (runs in Cloudflare Workers).
 */

import type { Lexicon } from "./deobfuscate";
import { buildLexicon, decodeObfuscated, joinSpelledOut, resolveWord } from "./deobfuscate";
import { APOSTROPHE_TOKENS, EMOJI_WORDS, HOMOGLYPHS, PHRASE_MAP, TOKEN_MAP } from "./normalize-data";

export type { Lexicon } from "./deobfuscate";
export { buildLexicon } from "./deobfuscate";

/**
 * Invisible format characters (zero-width joiners, bidi controls, soft hyphen, Hangul fillers).
 * Invisible marks such as variation selectors are removed later with the other combining marks.
 */
const ZERO_WIDTH =
  /[\u00AD\u061C\u115F\u1160\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFEFF\uFFA0]/g;
const PICTOGRAPH = /\p{Extended_Pictographic}/gu;
const COMBINING = /\p{M}+/gu;
const NON_ASCII = /[\u0080-\u{10FFFF}]/gu;
const HAS_NON_ASCII = /[\u0080-\uFFFF]/;
const APOSTROPHE = /[\u2018\u2019\u201B\u02BC\u02BB\u0060\u00B4\u2032]/g;
const QUOTE = /["\u201C\u201D\u201E\u201F\u00AB\u00BB\u2039\u203A]/g;
const ELLIPSIS = /\u2026/g;
const WHITESPACE = /[\s\u2028\u2029]+/;
const NEWLINE = /[\r\n\u2028\u2029]/;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

const ALPHA = /^\p{L}+$/u;
const NUMBER = /^\d+(?:[.,:]\d+)*$/;
const NUMBER_UNIT = /^\d+\p{L}+$/u;
const HAS_LETTER = /\p{L}/u;
const SEPARATOR = /[^\p{L}\p{N}]+/u;
const TOKEN_REWRITES = new Map(Object.entries(TOKEN_MAP));
const APOSTROPHE_REWRITES = new Map(Object.entries(APOSTROPHE_TOKENS));
const PHRASE_RES: ReadonlyArray<readonly [RegExp, string]> = PHRASE_MAP.map(([src, to]) => [
  new RegExp(`^(?:${src})$`),
  to,
]);
/** All phrase rewrites in one pass; the matched text is then rewritten by the first phrase that fits. */
const PHRASES = new RegExp(`(?<![a-z0-9])(?:${PHRASE_MAP.map(([src]) => src).join("|")})(?![a-z0-9])`, "g");
/** Phrase rewrites only apply when one of these tokens is present (keeps the common path cheap). */
const PHRASE_TRIGGERS = new Set([
  "self",
  "selves",
  "slide",
  "side",
  "delete",
  "deleting",
  "deleted",
  "unalive",
  "unaliving",
  "unalived",
  "2",
  "d",
]);
const EMPTY: Lexicon = buildLexicon([]);

/**
 * Normalises `text` for rule matching. `lexicon` is the set of words the rules use (the detector
 * derives it from its patterns); it guides de-obfuscation and word segmentation. Without it only
 * the deterministic steps run (case, Unicode, homoglyphs, slang, punctuation).
 */
export function normalize(text: string, lexicon: Lexicon = EMPTY): string {
  if (text.length === 0) return "";
  let cleaned = text.toLowerCase();
  if (HAS_NON_ASCII.test(cleaned)) {
    cleaned = text
      .normalize("NFKC")
      .toLowerCase()
      .replace(ZERO_WIDTH, "")
      .replace(PICTOGRAPH, (ch) => ` ${EMOJI_WORDS[ch] ?? ""} `)
      .normalize("NFD")
      .replace(COMBINING, "")
      .replace(NON_ASCII, (ch) => HOMOGLYPHS[ch] ?? ch)
      .replace(APOSTROPHE, "'")
      .replace(QUOTE, " ")
      .replace(ELLIPSIS, "...");
  } else if (cleaned.includes('"') || cleaned.includes("`")) {
    cleaned = cleaned.replace(/"/g, " ").replace(/`/g, "'");
  }

  const tokens: string[] = [];
  const memo = new Map<string, readonly string[]>();
  for (const line of cleaned.split(NEWLINE)) {
    for (const raw of line.split(WHITESPACE)) {
      if (raw.length > 0) pushToken(raw, lexicon, memo, tokens);
    }
    pushBoundary(tokens, ".");
  }
  const words = joinSpelledOut(tokens, lexicon);
  const out: string[] = [];
  let phrases = false;
  for (const w of words) {
    const t = TOKEN_REWRITES.get(w) ?? w;
    if (t === "." || t === ",") pushBoundary(out, t);
    else if (t.length > 0) {
      out.push(t);
      if (PHRASE_TRIGGERS.has(t)) phrases = true;
    }
  }
  while (out.length > 0 && (out[out.length - 1] === "." || out[out.length - 1] === ",")) out.pop();
  const joined = out.join(" ");
  if (!phrases) return joined;
  return joined.replace(PHRASES, (m) => {
    for (const [re, to] of PHRASE_RES) if (re.test(m)) return m.replace(re, to);
    return m;
  });
}

/** Adds a boundary token, collapsing runs (". , ." becomes "."); none at the very start. */
function pushBoundary(out: string[], b: "." | ","): void {
  const last = out[out.length - 1];
  if (last === undefined) return;
  if (last === "." || last === ",") {
    if (b === ".") out[out.length - 1] = ".";
    return;
  }
  out.push(b);
}

function isWordChar(code: number, ch: string): boolean {
  if (code < 128) return (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
  return LETTER_OR_DIGIT.test(ch);
}

/** Splits one whitespace-delimited chunk into tokens, emitting boundary tokens for punctuation. */
function pushToken(raw: string, lexicon: Lexicon, memo: Map<string, readonly string[]>, out: string[]): void {
  let end = raw.length;
  while (end > 0 && !isWordChar(raw.charCodeAt(end - 1), raw[end - 1] as string)) end--;
  let start = 0;
  while (start < end) {
    const c = raw.charCodeAt(start);
    if (c === 36 || c === 64 || isWordChar(c, raw[start] as string)) break; // $ and @ can be leetspeak
    start++;
  }
  const trailing = end === raw.length ? "" : raw.slice(end);
  let core = start === 0 && end === raw.length ? raw : raw.slice(start, end);
  if (core.length > 0) {
    const rewritten = core.includes("'") ? APOSTROPHE_REWRITES.get(core) : undefined;
    if (rewritten !== undefined) {
      out.push(rewritten);
    } else {
      if (core.includes("'")) core = core.replace(/'/g, "");
      if (core.length > 0) {
        let resolved = memo.get(core);
        if (resolved === undefined) {
          const fresh: string[] = [];
          resolveCore(core, lexicon, fresh);
          memo.set(core, fresh);
          resolved = fresh;
        }
        for (const t of resolved) {
          if (t === ".") pushBoundary(out, ".");
          else out.push(t);
        }
      }
    }
  }
  if (trailing.length === 0) {
    if (end === 0 && /^[-–—]+$/.test(raw)) pushBoundary(out, ",");
    return;
  }
  if (/[.!?;:]/.test(trailing)) pushBoundary(out, ".");
  else if (/[,\-–—]/.test(trailing)) pushBoundary(out, ",");
}

function isAsciiAlpha(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 97 || c > 122) return false;
  }
  return true;
}
function resolveCore(core: string, lexicon: Lexicon, out: string[]): void {
  if (isAsciiAlpha(core) || TOKEN_REWRITES.has(core) || ALPHA.test(core)) {
    out.push(resolveWord(core, lexicon));
    return;
  }
  if (NUMBER.test(core) || NUMBER_UNIT.test(core)) {
    out.push(core);
    return;
  }
  if (HAS_LETTER.test(core)) {
    const decoded = decodeObfuscated(core, lexicon);
    if (decoded !== null) {
      out.push(decoded);
      return;
    }
  }
  const parts = core.split(SEPARATOR).filter((p) => p.length > 0);
  const joined = parts.join("");
  if (parts.length > 1 && lexicon.words.has(joined)) {
    out.push(joined);
    return;
  }
  const sentenceBreak = /[a-z]{2}[.!?;][a-z]{2}/.test(core);
  parts.forEach((part, i) => {
    if (i > 0 && sentenceBreak) pushBoundary(out, ".");
    out.push(ALPHA.test(part) ? resolveWord(part, lexicon) : part);
  });
}
