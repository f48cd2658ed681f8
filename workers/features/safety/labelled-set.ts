/**
 * Labelled evaluation set for the crisis detector (data only; used by tests and benches, never by
 * the detector). Crisis messages carry the category a clinician would assign; non-crisis messages
 * cover idioms, everyday venting, sadness without risk, negations, recovered history, clinical and
 * educational questions, fiction/media, and everyday uses of means words.
 *
 * Written independently of the rules: a miss here is a finding, not a reason for a one-off hack.
 */

import type { CrisisCategory } from "./detector";
import { IDIOMS, VENTING } from "./labelled-benign-a";
import { CLINICAL, EVERYDAY, FICTION, HISTORY, NEGATIONS } from "./labelled-benign-b";
import { ABUSE, HARM_TO_OTHERS, NON_ENGLISH, THIRD_PARTY } from "./labelled-crisis-others";
import { EXPLICIT, OVERDOSE, PASSIVE, PLAN, SELF_HARM } from "./labelled-crisis-self";
import { EXTRA_BENIGN } from "./labelled-extra-benign";
import { EXTRA_CRISIS } from "./labelled-extra-crisis";

export interface LabelledExample {
  readonly text: string;
  readonly crisis: boolean;
  readonly category?: CrisisCategory;
}

const crisis =
  (category: CrisisCategory) =>
  (text: string): LabelledExample => ({ text, crisis: true, category });
const benign = (text: string): LabelledExample => ({ text, crisis: false });

export const LABELLED: ReadonlyArray<LabelledExample> = [
  ...EXPLICIT.map(crisis("suicidal_ideation_explicit")),
  ...PASSIVE.map(crisis("suicidal_ideation_passive")),
  ...SELF_HARM.map(crisis("self_harm")),
  ...PLAN.map(crisis("plan_or_means")),
  ...OVERDOSE.map(crisis("overdose")),
  ...HARM_TO_OTHERS.map(crisis("harm_to_others")),
  ...ABUSE.map(crisis("abuse")),
  ...THIRD_PARTY.map(crisis("third_party_concern")),
  ...NON_ENGLISH.map(([text, category]) => crisis(category)(text)),
  ...EXTRA_CRISIS.map(([text, category]) => crisis(category)(text)),
  ...IDIOMS.map(benign),
  ...VENTING.map(benign),
  ...NEGATIONS.map(benign),
  ...HISTORY.map(benign),
  ...CLINICAL.map(benign),
  ...FICTION.map(benign),
  ...EVERYDAY.map(benign),
  ...EXTRA_BENIGN.map(benign),
];
