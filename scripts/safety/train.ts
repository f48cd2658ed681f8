/**
 * Trains the layer-2 crisis classifier on the TUNING set only and writes
 * `workers/features/safety/classifier-weights.ts`. Deterministic: fixed seed, fixed order, fixed
 * epochs, so the same data always gives byte-identical weights (`npm run safety:train -- --check`
 * fails when the committed weights differ from a fresh training run; CI runs it).
 *
 * Also prints 5-fold out-of-fold figures on the tuning set, from which the probability cut-offs
 * are chosen. Held-out data is never read here.
 *
 * Run through `scripts/safety/run.mjs` (esbuild bundles it with the Worker's own feature code).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { probability } from "../../workers/features/safety/classifier.ts";
import { evidenceIn, layer1Tier } from "../../workers/features/safety/conversation.ts";
import { TUNING } from "../../workers/features/safety/eval/tuning/index.ts";
import type { EvalCase } from "../../workers/features/safety/eval/types.ts";
import { FEATURE_DIM, featurize } from "../../workers/features/safety/features.ts";

const OUT = "workers/features/safety/classifier-weights.ts";
const EPOCHS = 12;
const LR = 0.4;
const L2 = 1e-4;
/** Extra weight on crisis examples, relative to balancing the classes. */
const POSW = 1.3;
const SEED = 20261130;

interface Example {
  f: { idx: Uint32Array; val: number };
  y: number;
  crisis: boolean;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function caseText(c: EvalCase): string {
  return c.turns && c.turns.length > 0 ? [...c.turns, c.text].join("\n") : c.text;
}

function train(examples: readonly Example[]): { w: Float64Array; bias: number } {
  const w = new Float64Array(FEATURE_DIM);
  const g2 = new Float64Array(FEATURE_DIM).fill(1e-8);
  let bias = 0;
  let gb2 = 1e-8;
  const pos = examples.filter((e) => e.y === 1).length;
  const neg = examples.length - pos;
  const posWeight = (neg / Math.max(1, pos)) * POSW;
  const order = examples.map((_, i) => i);
  const rand = mulberry32(SEED);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (const k of order) {
      const e = examples[k] as Example;
      let z = bias;
      for (const i of e.f.idx) z += (w[i] as number) * e.f.val;
      const p = 1 / (1 + Math.exp(-z));
      const weight = e.y === 1 ? posWeight : 1;
      const g = (p - e.y) * weight;
      for (const i of e.f.idx) {
        const gi = g * e.f.val + L2 * (w[i] as number);
        g2[i] = (g2[i] as number) + gi * gi;
        w[i] = (w[i] as number) - (LR * gi) / Math.sqrt(g2[i] as number);
      }
      gb2 += g * g;
      bias -= (LR * g) / Math.sqrt(gb2);
    }
  }
  return { w, bias };
}

function quantize(w: Float64Array): { q: Int8Array; scale: number } {
  let max = 0;
  for (const x of w) max = Math.max(max, Math.abs(x));
  const scale = max / 127 || 1;
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) q[i] = Math.round((w[i] as number) / scale);
  return { q, scale: Number(scale.toPrecision(8)) };
}

interface Oof {
  p: number;
  crisis: boolean;
  /** Layer 1 already flags this case (elevated or above). */
  rule: boolean;
  family: string;
  text: string;
}

/**
 * Lowest cut-off at which layers 1 and 2 together keep the out-of-fold false-positive rate within
 * `maxFpr`: benign cases layer 1 already flags are spent first, the classifier gets the rest.
 */
function cutoff(oof: readonly Oof[], maxFpr: number, withRules: boolean): number {
  const neg = oof.filter((o) => !o.crisis);
  const budget = Math.floor(neg.length * maxFpr) - (withRules ? neg.filter((o) => o.rule).length : 0);
  const candidates = neg
    .filter((o) => !(withRules && o.rule))
    .map((o) => o.p)
    .sort((a, b) => b - a);
  const t = candidates[Math.max(0, budget)] ?? 0.5;
  return Number(Math.min(0.999, t + 1e-6).toFixed(4));
}

function main(): void {
  const check = process.argv.includes("--check");
  const examples: Example[] = TUNING.map((c) => ({
    f: featurize(caseText(c)),
    y: c.crisis ? 1 : 0,
    crisis: c.crisis,
  }));
  // 5-fold out-of-fold predictions, folds fixed by index.
  const evidence = TUNING.map((c) => evidenceIn(caseText(c)));
  const ruleFlags = TUNING.map((c) => {
    const tier = layer1Tier(c.text).tier;
    return tier === "elevated" || tier === "high" || tier === "imminent";
  });
  const oof: Oof[] = [];
  for (let fold = 0; fold < 5; fold++) {
    const trainSet = examples.filter((_, i) => i % 5 !== fold);
    const m = train(trainSet);
    const { q, scale } = quantize(m.w);
    examples.forEach((e, i) => {
      if (i % 5 === fold)
        oof.push({
          p: evidence[i] ? probability(e.f, q, scale, m.bias) : 0,
          crisis: e.crisis,
          rule: ruleFlags[i] === true,
          family: TUNING[i]?.family ?? "",
          text: caseText(TUNING[i] as EvalCase).replace(/\n/g, " ⏎ "),
        });
    });
  }
  const thresholds = {
    checkIn: cutoff(oof, 0.12, true),
    elevated: cutoff(oof, 0.045, true),
    high: cutoff(oof, 0.004, false),
  };
  const isFlagged = (o: Oof) => o.rule || o.p >= thresholds.elevated;
  const negs = oof.filter((o) => !o.crisis);
  const poss = oof.filter((o) => o.crisis);
  let wins = 0;
  for (const p of poss) for (const n of negs) wins += p.p > n.p ? 1 : p.p === n.p ? 0.5 : 0;
  console.log(`  out-of-fold AUC ${(wins / (poss.length * negs.length)).toFixed(4)}`);
  const rate = (t: number, crisis: boolean) =>
    oof.filter((o) => o.crisis === crisis && (o.p >= t || o.rule)).length /
    oof.filter((o) => o.crisis === crisis).length;
  console.log(
    `  layer 1 alone: recall ${rate(2, true).toFixed(3)}, false positives ${rate(2, false).toFixed(3)}`,
  );
  console.log(`tuning set: ${examples.length} cases (${examples.filter((e) => e.crisis).length} crisis)`);
  const both = (crisis: boolean) =>
    oof.filter((o) => o.crisis === crisis && isFlagged(o)).length /
    oof.filter((o) => o.crisis === crisis).length;
  console.log(
    `  layers 1+2 as shipped (classifier at >= ${thresholds.elevated}): recall ${both(true).toFixed(3)}, false positives ${both(false).toFixed(3)}`,
  );
  for (const [name, t] of Object.entries(thresholds))
    console.log(
      `  layers 1+2, classifier out-of-fold, at ${name} >= ${t}: recall ${rate(t, true).toFixed(3)}, false positives ${rate(t, false).toFixed(3)}`,
    );

  if (process.argv.includes("--families")) {
    const fam = new Map<string, { n: number; hit: number }>();
    for (const o of oof) {
      const f = fam.get(o.family) ?? { n: 0, hit: 0 };
      f.n++;
      if (isFlagged(o)) f.hit++;
      fam.set(o.family, f);
    }
    for (const [k, v] of [...fam].sort())
      console.log(`    ${k.padEnd(30)} ${(v.hit / v.n).toFixed(3)} of ${v.n}`);
  }
  if (process.argv.includes("--misses"))
    oof.forEach((o) => {
      if (o.crisis !== isFlagged(o))
        console.log(
          `MISS\t${o.crisis ? "missed" : "false_positive"}\t${o.family}\t${o.p.toFixed(2)}\t${o.text}`,
        );
    });
  const full = train(examples);
  const { q, scale } = quantize(full.w);
  const b64 = Buffer.from(q.buffer).toString("base64");
  const version = `lr-ngram-${examples.length}-${EPOCHS}`;
  const source = `/* Generated by \`npm run safety:train\` from the tuning set: do not edit. */
import type { ClassifierModel } from "./classifier";

export const CLASSIFIER_MODEL: ClassifierModel = {
  version: "${version}",
  dim: ${FEATURE_DIM},
  scale: ${scale},
  bias: ${Number(full.bias.toPrecision(8))},
  thresholds: { ${Object.entries(thresholds)
    .map(([k, v]) => `${k}: ${v}`)
    .join(", ")} },
  weights:
    "${b64}",
};
`;
  if (check) {
    const current = readFileSync(OUT, "utf8");
    if (current !== source) {
      console.error(`${OUT} differs from a fresh training run: run npm run safety:train and commit`);
      process.exit(1);
    }
    console.log(`${OUT}: reproducible (same data, same weights)`);
    return;
  }
  writeFileSync(OUT, source);
  console.log(`wrote ${OUT}: ${q.length} int8 weights, ${b64.length} base64 chars`);
}

main();
