/**
 * Lexicon-guided de-obfuscation for `normalize.ts`: elongations ("diiiie"), leetspeak ("k1ll"),
 * masked letters ("s*icide") and spelled-out words ("k i l l"). Every guess must land on a word the
 * rules use, so a guess can never invent a word that no rule would react to.
 */

import { LEET, MASK_CHARS, TOKEN_MAP } from "./normalize-data";

const TOKEN_REWRITES = new Map(Object.entries(TOKEN_MAP));
const TRIPLE_RUN = /(.)\1{2,}/g;
const MAX_CANDIDATES = 64;

/** Real words ending in a doubled vowel; never shortened ("see" must not become "se"). */
const KEEP_DOUBLE = new Set([
  "see",
  "too",
  "bee",
  "fee",
  "free",
  "tree",
  "agree",
  "zoo",
  "boo",
  "goo",
  "moo",
  "wee",
  "tee",
  "glee",
  "knee",
  "flee",
  "degree",
  "three",
  "coffee",
  "toffee",
  "employee",
  "guarantee",
  "shampoo",
  "tattoo",
  "igloo",
  "kangaroo",
  "taboo",
  "woo",
  "yoo",
]);

/**
 * The words rules use, indexed for de-obfuscation. Build once with `buildLexicon` (the detector
 * does so at module load) and pass to `normalize`.
 */
export interface Lexicon {
  readonly words: ReadonlySet<string>;
  readonly byLength: ReadonlyMap<number, readonly string[]>;
}

/** Indexes `words` for `normalize` (cheap lookups by length for masked letters like "s*icide"). */
export function buildLexicon(words: Iterable<string>): Lexicon {
  const set = new Set(words);
  const byLength = new Map<number, string[]>();
  for (const w of set) {
    const list = byLength.get(w.length);
    if (list === undefined) byLength.set(w.length, [w]);
    else list.push(w);
  }
  return { words: set, byLength };
}

function hasTripleRun(s: string): boolean {
  for (let i = 2; i < s.length; i++) if (s[i] === s[i - 1] && s[i] === s[i - 2]) return true;
  return false;
}

/** Resolves elongations ("diiie", "meee", "killl") to a lexicon word when one fits. */
export function resolveWord(word: string, lexicon: Lexicon): string {
  if (lexicon.words.has(word) || TOKEN_REWRITES.has(word)) return word;
  if (word.endsWith("in") && lexicon.words.has(`${word}g`)) return `${word}g`;
  if (hasTripleRun(word)) {
    const runs = [...word.matchAll(TRIPLE_RUN)];
    let candidates = [""];
    let pos = 0;
    for (const run of runs.slice(0, 4)) {
      const start = run.index ?? 0;
      const ch = run[1] ?? "";
      const head = word.slice(pos, start);
      candidates = candidates.flatMap((c) => [c + head + ch, c + head + ch + ch]);
      pos = start + run[0].length;
    }
    const tail = word.slice(pos);
    const full = candidates.map((c) => c + tail);
    for (const c of full) {
      const shortened = shortenFinalVowel(c, lexicon);
      if (lexicon.words.has(shortened) || TOKEN_REWRITES.has(shortened)) return shortened;
    }
    return full[full.length - 1] ?? word;
  }
  return shortenFinalVowel(word, lexicon);
}

function shortenFinalVowel(word: string, lexicon: Lexicon): string {
  const n = word.length;
  if (n < 3 || word[n - 1] !== word[n - 2] || !"aeiouy".includes(word[n - 1] as string)) return word;
  if (lexicon.words.has(word) || KEEP_DOUBLE.has(word)) return word;
  const shorter = word.slice(0, -1);
  return lexicon.words.has(shorter) ? shorter : word;
}

/**
 * Leetspeak and masked letters ("k1ll", "$uicide", "s*icide", "h#rt"): expands the alternatives and
 * returns the first that is a lexicon word, or null when nothing fits.
 */
export function decodeObfuscated(core: string, lexicon: Lexicon): string | null {
  let candidates = [""];
  let masked = false;
  for (const ch of core) {
    let options: readonly string[];
    if (MASK_CHARS.includes(ch)) {
      options = ["?"];
      masked = true;
    } else if (/\p{L}/u.test(ch)) {
      options = [ch];
    } else {
      const leet = LEET[ch];
      if (leet === undefined) return null;
      options = leet;
    }
    candidates = candidates.flatMap((c) => options.map((o) => c + o)).slice(0, MAX_CANDIDATES);
  }
  for (const c of candidates) {
    if (!masked) {
      const word = resolveWord(c, lexicon);
      if (lexicon.words.has(word)) return word;
      continue;
    }
    for (const word of lexicon.byLength.get(c.length) ?? []) {
      if (fitsMask(c, word)) return word;
    }
  }
  return null;
}

/** True when `word` equals `masked` with each "?" standing for exactly one letter. */
function fitsMask(masked: string, word: string): boolean {
  for (let i = 0; i < masked.length; i++) {
    const m = masked[i];
    if (m !== "?" && m !== word[i]) return false;
  }
  return true;
}

/**
 * "k i l l m y s e l f" → "kill myself": runs of three or more single letters are joined and
 * re-segmented into lexicon words; left untouched when no segmentation exists.
 */
export function joinSpelledOut(tokens: readonly string[], lexicon: Lexicon): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < tokens.length) {
    let j = i;
    while (j < tokens.length && isSingleLetter(tokens[j] ?? "")) j++;
    if (j - i >= 3) {
      const segmented = segment(tokens.slice(i, j).join(""), lexicon);
      if (segmented !== null) out.push(...segmented);
      else out.push(...tokens.slice(i, j));
      i = j;
    } else {
      out.push(tokens[i] ?? "");
      i++;
    }
  }
  return out;
}

function isSingleLetter(t: string): boolean {
  if (t.length !== 1) return false;
  const c = t.charCodeAt(0);
  return c >= 97 && c <= 122;
}

/** Fewest-words segmentation of `letters` into lexicon words ("i" and "a" always allowed). */
function segment(letters: string, lexicon: Lexicon): string[] | null {
  const n = letters.length;
  const best: Array<number> = new Array(n + 1).fill(Number.POSITIVE_INFINITY);
  const back: Array<number> = new Array(n + 1).fill(-1);
  best[0] = 0;
  for (let end = 1; end <= n; end++) {
    for (let start = Math.max(0, end - 20); start < end; start++) {
      const prev = best[start] ?? Number.POSITIVE_INFINITY;
      if (prev === Number.POSITIVE_INFINITY) continue;
      const w = letters.slice(start, end);
      if ((lexicon.words.has(w) || w === "i" || w === "a") && prev + 1 < (best[end] ?? 0)) {
        best[end] = prev + 1;
        back[end] = start;
      }
    }
  }
  if (best[n] === Number.POSITIVE_INFINITY) return null;
  const words: string[] = [];
  for (let end = n; end > 0; end = back[end] ?? 0) words.unshift(letters.slice(back[end] ?? 0, end));
  return words;
}
