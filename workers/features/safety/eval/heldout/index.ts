/**
 * Held-out sets, never trained or tuned on; their figures are reported apart from in-sample ones.
 * Round 1 (r1-*) was written before any tuning by four writers with no view of the rules or of
 * the tuning data; round 2 (r2-*) was written the same way while round 1's tuning was under way,
 * before the later tuning batches (t5–t7) and rule changes.
 */
import type { EvalCase } from "../types";
import h1 from "./r1-h1.json";
import h2 from "./r1-h2.json";
import h3 from "./r1-h3.json";
import h4 from "./r1-h4.json";
import h5 from "./r2-h5.json";
import h6 from "./r2-h6.json";
import h7 from "./r2-h7.json";

export const HELDOUT_R1: readonly EvalCase[] = [h1, h2, h3, h4].flat() as EvalCase[];
export const HELDOUT_R2: readonly EvalCase[] = [h5, h6, h7].flat() as EvalCase[];
export const HELDOUT: readonly EvalCase[] = [...HELDOUT_R1, ...HELDOUT_R2];
