/**
 * Feature extraction for the layer-2 crisis classifier: hashed word and character n-grams.
 *
 * Shared by the Worker (inference) and `scripts/safety/train.ts` (training), so both see exactly
 * the same features. Pure and dependency-light: no Worker or Node APIs, bundles for any ES target.
 *
 * Two views of the text are used:
 * - the detector's own `normalize()` output (lower-case ASCII words with leetspeak, spacing,
 *   homoglyphs and emoji resolved) for word unigrams and bigrams;
 * - a Unicode-preserving form (NFKC, lower case, Latin diacritics dropped, repeated letters
 *   squeezed) for character 2–4-grams, so Arabic, Chinese and Devanagari text, which
 *   `normalize()` drops, still produces features.
 */

import { conceptsOf } from "./concepts";
import { cuesOf } from "./cues";
import { normalized, viewOf } from "./prepared";

/** Number of hash buckets (a power of two). Changing it requires retraining. */
export const FEATURE_DIM = 1 << 16;

const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;

/** FNV-1a over a string, folded into the bucket range. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) & (FEATURE_DIM - 1);
}

/**
 * Hashed feature indices of a text with their values (1/sqrt(n) each, so long texts do not
 * dominate). Deterministic: the same text always yields the same sorted index list.
 */
export function featurize(text: string): { idx: Uint32Array; val: number } {
  const set = new Set<number>();
  const words = normalized(text)
    .split(" ")
    .filter((w) => w !== "" && w !== "." && w !== ",");
  for (let i = 0; i < words.length; i++) {
    set.add(hash(`w:${words[i]}`));
    if (i > 0) set.add(hash(`b:${words[i - 1]} ${words[i]}`));
  }
  const concepts = conceptsOf(words);
  for (let i = 0; i < concepts.length; i++) {
    set.add(hash(`k:${concepts[i]}`));
    if (i > 0) set.add(hash(`kb:${concepts[i - 1]} ${concepts[i]}`));
    if (i > 1) set.add(hash(`kt:${concepts[i - 2]} ${concepts[i - 1]} ${concepts[i]}`));
  }
  const cues = cuesOf(text);
  for (const [name, on] of Object.entries(cues)) if (on === true) set.add(hash(`q:${name}`));
  for (const id of cues.fired) set.add(hash(`q:${id}`));
  const view = viewOf(text);
  const uwords = view.split(" ");
  for (const w of uwords) if (w !== "" && !/^[a-z0-9]+$/.test(w)) set.add(hash(`u:${w}`));
  const padded = ` ${view} `;
  const minN = CJK.test(view) ? 1 : 2;
  for (let n = minN; n <= 4; n++) {
    for (let i = 0; i + n <= padded.length; i++) {
      const g = padded.slice(i, i + n);
      if (g.trim() === "") continue;
      set.add(hash(`c${n}:${g}`));
    }
  }
  const idx = Uint32Array.from(set).sort();
  return { idx, val: 1 / Math.sqrt(idx.length) };
}
