/**
 * Layer 2 of the safety net: a logistic-regression classifier over hashed word and character
 * n-grams (`features.ts`), trained offline by `npm run safety:train` on the tuning set only and
 * shipped in the bundle as quantised weights (`classifier-weights.ts`, generated — never edit).
 *
 * No network, no Worker-only APIs; a message costs one pass over its n-grams.
 */

import { CLASSIFIER_MODEL } from "./classifier-weights";
import { FEATURE_DIM, featurize } from "./features";

export interface ClassifierModel {
  readonly version: string;
  readonly dim: number;
  readonly scale: number;
  readonly bias: number;
  /** Probability cut-offs chosen on out-of-fold predictions of the tuning set. */
  readonly thresholds: {
    readonly checkIn: number;
    readonly elevated: number;
    readonly high: number;
  };
  /** int8 weights, base64. */
  readonly weights: string;
}

/**
 * Decodes the shipped weights. Weights trained for another feature dimension decode to nothing
 * (the classifier then scores 0 and layer 1 works alone); a test asserts they match, and the
 * training script, which imports this module, can always run.
 */
function decode(model: ClassifierModel): Int8Array {
  if (model.dim !== FEATURE_DIM) return new Int8Array(0);
  const bin = atob(model.weights);
  const out = new Int8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = (bin.charCodeAt(i) << 24) >> 24;
  return out;
}

const WEIGHTS = decode(CLASSIFIER_MODEL);

/**
 * Probability of a feature vector under quantised weights: the one scoring rule, used by the shipped
 * model below and by the training script's out-of-fold predictions.
 */
export function probability(
  f: { idx: Uint32Array; val: number },
  weights: Int8Array,
  scale: number,
  bias: number,
): number {
  let z = 0;
  for (let i = 0; i < f.idx.length; i++) z += weights[f.idx[i] as number] as number;
  return 1 / (1 + Math.exp(-(z * scale * f.val + bias)));
}

/** Probability that the text is a crisis message, by the shipped model. */
export function crisisProbability(text: string): number {
  if (WEIGHTS.length === 0) return 0;
  return probability(featurize(text), WEIGHTS, CLASSIFIER_MODEL.scale, CLASSIFIER_MODEL.bias);
}

export const CLASSIFIER = {
  version: CLASSIFIER_MODEL.version,
  thresholds: CLASSIFIER_MODEL.thresholds,
  bytes: WEIGHTS.length,
};
