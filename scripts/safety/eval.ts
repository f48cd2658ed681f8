/**
 * Prints the safety net's figures outside workerd (the same bundle-able `assessRisk`):
 * per family and per language, tuning (in-sample) and held-out apart. Held-out misses are never
 * printed — only counts — so looking at the report cannot leak held-out text into tuning.
 * `--misses` lists TUNING misses and false positives (ids and text) for rule work.
 *
 * Run: npm run safety:eval [-- --misses] [-- --legacy] (legacy = the old detectCrisis alone)
 */

import { layer1Tier } from "../../workers/features/safety/conversation.ts";
import { detectCrisis } from "../../workers/features/safety/detector.ts";
import { HELDOUT, HELDOUT_ROUND } from "../../workers/features/safety/eval/heldout/index.ts";
import {
  type EvalReport,
  evaluate,
  formatReport,
  withoutOverlap,
} from "../../workers/features/safety/eval/report.ts";
import { TUNING } from "../../workers/features/safety/eval/tuning/index.ts";
import { assessRisk } from "../../workers/features/safety/index.ts";

const legacy = process.argv.includes("--legacy");
const rulesOnly = process.argv.includes("--layer1");
const judge = legacy
  ? (text: string) => ({ tier: detectCrisis(text).severity === "none" ? "none" : "elevated" })
  : rulesOnly
    ? (text: string) => layer1Tier(text)
    : (text: string, turns: readonly string[]) => assessRisk(text, turns);

const t0 = performance.now();
const tuning: EvalReport = evaluate(TUNING, judge);
const heldout: EvalReport = evaluate(withoutOverlap(HELDOUT, TUNING).cases, judge);

const ms = performance.now() - t0;
console.log(formatReport("tuning set (in-sample)", tuning));
if (!process.argv.includes("--tuning-only"))
  console.log(formatReport(`held-out round ${HELDOUT_ROUND}`, heldout));
console.log(`${TUNING.length + HELDOUT.length} cases in ${ms.toFixed(0)} ms`);
if (process.argv.includes("--misses")) {
  for (const m of tuning.misses) console.log(`${m.kind}\t${m.family}\t${m.id}\t${m.fired}\t${m.text}`);
}
