import type { AssessmentInstrument, AssignableInstrument } from "../../../db/schema/assessments";

/** One answer option: what the person reads and the value scored (before any reversal). */
export interface AnswerOption {
  value: number;
  label: string;
}

/** One question, in the published wording. `id` is the API field name and the FHIR linkId. */
export interface Item {
  id: string;
  text: string;
  /** Scored as (max − value) (PSS-10 items 4, 5, 7, 8). */
  reverse?: boolean;
  /** Asked but not part of the total (PHQ-9's difficulty question); optional to answer. */
  unscored?: boolean;
  /** Options of this item when they differ from the instrument's. */
  options?: readonly AnswerOption[];
  /** LOINC code of the item, where one exists. */
  loinc?: string;
}

/** A severity band: inclusive range of the REPORTED score. */
export interface Band {
  id: string;
  label: string;
  min: number;
  max: number;
}

/** Where a threshold or cut-off comes from, cited in the API, the docs and the FHIR output. */
export interface Citation {
  text: string;
  url?: string;
}

/**
 * An instrument as versioned data: wording, options, scoring, bands, change rules, coding and the
 * terms under which Haven may show it. Scoring is always on the server from these definitions.
 */
export interface Instrument {
  id: AssessmentInstrument;
  version: string;
  title: string;
  shortTitle: string;
  /** The stem shown above every item ("Over the last 2 weeks, how often …"). */
  prompt: string;
  copyright: string;
  licence: string;
  source: Citation;
  options: readonly AnswerOption[];
  items: readonly Item[];
  /** Reported score = raw total × multiplier (WHO-5: ×4 → 0–100). */
  multiplier: number;
  maxScore: number;
  bands: readonly Band[];
  /** Higher reported scores are better (WHO-5) or worse (symptom scales). */
  better: "lower" | "higher";
  reliableChange: { threshold: number; source: Citation } | { threshold: null; reason: string };
  /** ≥ 50 % drop from the first score counts as response (symptom scales). */
  response: { source: Citation } | null;
  remission: { below: number; source: Citation } | null;
  loinc: { panel: string; total: string } | { none: string };
}

/** The C-SSRS is assignable and shown with the others, but stored and triaged by the screener. */
export interface ScreenerInfo {
  id: Extract<AssignableInstrument, "c-ssrs">;
  version: string;
  title: string;
  shortTitle: string;
  copyright: string;
  licence: string;
  source: Citation;
}
