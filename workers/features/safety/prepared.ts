/**
 * Per-message memo for the safety net: one message is normalised by the rules, the cues and the
 * classifier in turn, and the conversation logic re-reads the same earlier turns on every new
 * message. Small bounded caches keyed by a hash of the text (the text itself is not kept).
 */

import { normalize } from "./normalize";
import { LEXICON } from "./patterns";

/** Two independent 32-bit hashes and the length: collisions are negligible for a few hundred entries. */
export function textKey(text: string): string {
  let a = 0x811c9dc5;
  let b = 5381;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = (Math.imul(b, 33) + c) | 0;
  }
  return `${(a >>> 0).toString(36)}.${(b >>> 0).toString(36)}.${text.length}`;
}

/** A bounded memo: oldest entries go first. */
export class Memo<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(text: string, make: () => V): V {
    const key = textKey(text);
    const hit = this.map.get(key);
    if (hit !== undefined) return hit;
    const value = make();
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value as string);
    this.map.set(key, value);
    return value;
  }
}

const ZERO_WIDTH = /[\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF]/g;
const LATIN_MARKS = /([a-z])[\u0300-\u036f]+/g;
const REPEATS = /(\p{L})\1{2,}/gu;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;
const LEET: Readonly<Record<string, string>> = {
  "0": "o",
  "1": "i",
  "3": "e",
  "4": "a",
  "5": "s",
  "7": "t",
  "@": "a",
  $: "s",
};
const LEET_IN_WORD = /(?<=\p{L})[013457@$]|[013457@$](?=\p{L})/gu;

/**
 * The Unicode-preserving view (NFKC, lower case, Latin diacritics dropped, leetspeak inside words
 * undone, repeats squeezed, punctuation as spaces) used by the character n-grams and the lexicons.
 */
export function unicodeView(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(ZERO_WIDTH, "")
    .normalize("NFD")
    .replace(LATIN_MARKS, "$1")
    .normalize("NFC")
    .replace(LEET_IN_WORD, (c) => LEET[c] ?? c)
    .replace(REPEATS, "$1$1")
    .replace(NOT_WORD, " ")
    .trim();
}

const NORMALIZED = new Memo<string>(64);
const VIEWS = new Memo<string>(64);

/** `normalize(text, LEXICON)`, memoised. */
export function normalized(text: string): string {
  return NORMALIZED.get(text, () => normalize(text, LEXICON));
}

/** `unicodeView(text)`, memoised. */
export function viewOf(text: string): string {
  return VIEWS.get(text, () => unicodeView(text));
}
