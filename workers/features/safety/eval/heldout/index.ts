/**
 * Held-out round 1: written before tuning by four writers with no view of the rules or of the
 * tuning data. Never trained or tuned on; its figures are reported apart from in-sample ones.
 */
import type { EvalCase } from "../types";
import h1 from "./r1-h1.json";
import h2 from "./r1-h2.json";
import h3 from "./r1-h3.json";
import h4 from "./r1-h4.json";

export const HELDOUT_ROUND = "r1";
export const HELDOUT: readonly EvalCase[] = [h1, h2, h3, h4].flat() as EvalCase[];
