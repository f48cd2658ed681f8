/**
 * Per-message memo for the safety net: one message is normalised by the rules, the cues and the
 * classifier in turn, and the conversation logic re-reads the same earlier turns on every new
 * message. Small bounded caches keyed by a hash of the text (the text itself is not kept).
 */

import { unicodeView } from "./features";
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
