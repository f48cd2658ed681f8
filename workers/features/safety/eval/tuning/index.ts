/** The tuning set: the original labelled set, the tuning batches and the earlier held-out rounds. */
import type { CrisisCategory } from "../../detector";
import { LABELLED } from "../../labelled-set";
import type { EvalCase } from "../types";
import r1h1 from "./r1-h1.json";
import r1h2 from "./r1-h2.json";
import r1h3 from "./r1-h3.json";
import r1h4 from "./r1-h4.json";
import r2h5 from "./r2-h5.json";
import r2h6 from "./r2-h6.json";
import r2h7 from "./r2-h7.json";
import r3h8 from "./r3-h8.json";
import r3h9 from "./r3-h9.json";
import r3h10 from "./r3-h10.json";
import t0 from "./t0-everyday.json";
import t1 from "./t1.json";
import t2 from "./t2.json";
import t3 from "./t3.json";
import t4 from "./t4.json";
import t5 from "./t5.json";
import t6 from "./t6.json";
import t7 from "./t7.json";

const FAMILY_OF: Readonly<Record<CrisisCategory, string>> = {
  suicidal_ideation_explicit: "explicit_intent",
  suicidal_ideation_passive: "passive_ideation",
  self_harm: "self_harm_current",
  plan_or_means: "plan_time",
  overdose: "means_access",
  harm_to_others: "harm_to_others",
  abuse: "abuse",
  third_party_concern: "third_party",
};

const ORIGINAL: EvalCase[] = LABELLED.map((e, i) => ({
  id: `l${i}`,
  family: e.crisis ? FAMILY_OF[e.category ?? "suicidal_ideation_explicit"] : "benign_other",
  lang: "en",
  crisis: e.crisis,
  text: e.text,
}));

export const TUNING: readonly EvalCase[] = [
  ...ORIGINAL,
  ...(t0 as EvalCase[]),
  ...(t1 as EvalCase[]),
  ...(t2 as EvalCase[]),
  ...(t3 as EvalCase[]),
  ...(t4 as EvalCase[]),
  ...(t5 as EvalCase[]),
  ...(t6 as EvalCase[]),
  ...(t7 as EvalCase[]),
  // Held-out rounds 1-3, moved here after their figures were reported.
  ...([r1h1, r1h2, r1h3, r1h4, r2h5, r2h6, r2h7, r3h8, r3h9, r3h10].flat() as EvalCase[]),
];
