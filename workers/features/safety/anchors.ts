/**
 * Derives prefilter "anchors" from a rule's regular expression so the detector only runs the few
 * rules that can possibly match a message (a 4,000-character message would otherwise cost ~150
 * full regex scans).
 *
 * An anchor is a literal that starts at a token boundary in every match of some branch of the
 * pattern; the result is a set such that ANY match contains a token beginning with at least one of
 * the anchors. The analysis is conservative: when unsure it returns null ("always run the rule").
 * Supported syntax is the subset the rule tables use: groups, lookarounds, alternation,
 * quantifiers, escapes and character classes.
 */

type Node =
  | { readonly t: "lit"; readonly s: string; readonly nullable: false; readonly spaceEnd: boolean }
  | {
      readonly t: "seq";
      readonly items: readonly Node[];
      readonly nullable: boolean;
      readonly spaceEnd: boolean;
    }
  | {
      readonly t: "alt";
      readonly options: readonly Node[];
      readonly nullable: boolean;
      readonly spaceEnd: boolean;
    }
  | {
      readonly t: "rep";
      readonly body: Node;
      readonly min: number;
      readonly nullable: boolean;
      readonly spaceEnd: boolean;
    }
  | { readonly t: "look"; readonly nullable: true; readonly spaceEnd: true }
  | { readonly t: "any"; readonly nullable: false; readonly spaceEnd: false };

// `nullable`: can match the empty string. `spaceEnd`: every non-empty match ends with a space, so
// whatever follows starts a new token. Both are computed once, bottom-up, while parsing.

/** Longest anchor kept; longer literals are truncated (still sound: a prefix of a prefix). */
export const MAX_ANCHOR = 8;

/** Words too frequent to be useful as anchors when a better choice exists. */
const COMMON = new Set([
  "i",
  "im",
  "a",
  "an",
  "the",
  "to",
  "my",
  "me",
  "and",
  "is",
  "it",
  "you",
  "of",
  "in",
  "on",
  "so",
]);

const LOOK: Node = { t: "look", nullable: true, spaceEnd: true };
const ANY: Node = { t: "any", nullable: false, spaceEnd: false };

/**
 * Anchors for a compiled rule source, or null when no literal is certain (the rule then always
 * runs). Pure; called once per rule at module load.
 */
export function deriveAnchors(source: string): readonly string[] | null {
  const parser = { src: source, pos: 0 };
  const ast = parseAlt(parser);
  return requirement(ast, true);
}

interface Parser {
  readonly src: string;
  pos: number;
}

function parseAlt(p: Parser): Node {
  const options: Node[] = [parseSeq(p)];
  while (p.src[p.pos] === "|") {
    p.pos++;
    options.push(parseSeq(p));
  }
  if (options.length === 1) return options[0] as Node;
  return {
    t: "alt",
    options,
    nullable: options.some((o) => o.nullable),
    spaceEnd: options.every((o) => o.spaceEnd),
  };
}

/** Literal characters that can be batched into one run (letters, digits, space, ' and -). */
function isPlain(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 32 || code === 39 || code === 45
  );
}

function isWordCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
}

function parseSeq(p: Parser): Node {
  const items: Node[] = [];
  let run = "";
  const flush = (): void => {
    if (run.length > 0) items.push(lit(run));
    run = "";
  };
  while (p.pos < p.src.length && p.src[p.pos] !== "|" && p.src[p.pos] !== ")") {
    const code = p.src.charCodeAt(p.pos);
    const next = p.src[p.pos + 1];
    if (isPlain(code) && !(next === "?" || next === "*" || next === "+" || next === "{")) {
      run += p.src[p.pos];
      p.pos++;
      continue;
    }
    flush();
    items.push(parseQuantifier(p, parseAtom(p)));
  }
  flush();
  let spaceEnd = true;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i] as Node;
    if (!item.spaceEnd) {
      spaceEnd = false;
      break;
    }
    if (!item.nullable) break;
  }
  return { t: "seq", items, nullable: items.every((i) => i.nullable), spaceEnd };
}

function lit(s: string): Node {
  return { t: "lit", s, nullable: false, spaceEnd: s.endsWith(" ") };
}

function parseAtom(p: Parser): Node {
  const ch = p.src[p.pos] as string;
  if (ch === "(") {
    const src = p.src;
    let look = 0;
    if (src[p.pos + 1] === "?") {
      if (src[p.pos + 2] === "=" || src[p.pos + 2] === "!") look = 3;
      else if (src[p.pos + 2] === "<" && (src[p.pos + 3] === "=" || src[p.pos + 3] === "!")) look = 4;
    }
    p.pos += look > 0 ? look : src.startsWith("(?:", p.pos) ? 3 : 1;
    const inner = parseAlt(p);
    p.pos++; // ")"
    return look > 0 ? LOOK : inner;
  }
  if (ch === "[") {
    p.pos = p.src.indexOf("]", p.pos + 2) + 1;
    return ANY;
  }
  if (ch === "\\") {
    const esc = p.src[p.pos + 1] as string;
    p.pos += 2;
    if (esc === "b" || esc === "B") return LOOK;
    if (/[a-zA-Z0-9]/.test(esc)) return ANY;
    return lit(esc);
  }
  p.pos++;
  if (ch === ".") return ANY;
  if (ch === "^" || ch === "$") return LOOK;
  return lit(ch);
}

function parseQuantifier(p: Parser, atom: Node): Node {
  const ch = p.src[p.pos];
  let min = -1;
  if (ch === "?" || ch === "*") min = 0;
  else if (ch === "+") min = 1;
  if (min >= 0) {
    p.pos++;
  } else if (ch === "{") {
    const m = /^\{(\d+)(?:,(\d*))?\}/.exec(p.src.slice(p.pos, p.pos + 12));
    if (m === null) return atom;
    p.pos += m[0].length;
    min = Number(m[1]);
  } else {
    return atom;
  }
  if (p.src[p.pos] === "?") p.pos++;
  return { t: "rep", body: atom, min, nullable: min === 0 || atom.nullable, spaceEnd: atom.spaceEnd };
}

/**
 * Anchor set for `node`, given whether the character before it is always a space or the start of
 * a token (`aligned`), or null if no literal is certain.
 */
function requirement(node: Node, aligned: boolean): string[] | null {
  switch (node.t) {
    case "look":
    case "any":
      return null;
    case "lit":
      return litRequirement(node.s, aligned);
    case "rep":
      return node.min === 0 ? null : requirement(node.body, aligned);
    case "alt": {
      const all: string[] = [];
      for (const option of node.options) {
        const r = requirement(option, aligned);
        if (r === null) return null;
        all.push(...r);
      }
      return [...new Set(all)];
    }
    case "seq":
      return seqRequirement(node.items, aligned);
  }
}

function seqRequirement(items: readonly Node[], alignedAtStart: boolean): string[] | null {
  let best: string[] | null = null;
  let aligned = alignedAtStart;
  for (const item of items) {
    best = better(best, requirement(item, aligned));
    aligned = item.nullable ? aligned && item.spaceEnd : item.spaceEnd;
  }
  return best;
}

/** Best word of a literal run that starts a token: the first word if aligned, or any after a space. */
function litRequirement(s: string, aligned: boolean): string[] | null {
  let best: string[] | null = null;
  let i = 0;
  while (i < s.length) {
    const startsToken = i === 0 ? aligned : s[i - 1] === " ";
    let j = i;
    while (j < s.length && isWordCode(s.charCodeAt(j))) j++;
    if (startsToken && j > i) best = better(best, [s.slice(i, Math.min(j, i + MAX_ANCHOR))]);
    i = j > i ? j : i + 1;
  }
  return best;
}

function score(anchors: readonly string[]): number {
  return anchors.reduce((sum, a) => sum + (COMMON.has(a) ? 50 : 8 / Math.min(a.length, MAX_ANCHOR)), 0);
}

function better(a: string[] | null, b: string[] | null): string[] | null {
  if (b === null) return a;
  if (a === null) return b;
  return score(b) < score(a) ? b : a;
}
