import type { Instrument } from "./types";

/** GAD-7 (Spitzer, Kroenke, Williams & Löwe 2006), the published English wording. */
export const GAD7: Instrument = {
  id: "gad-7",
  version: "2006.1",
  title: "Generalized Anxiety Disorder scale (GAD-7)",
  shortTitle: "GAD-7",
  prompt: "Over the last 2 weeks, how often have you been bothered by the following problems?",
  copyright:
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc.",
  licence: "No permission required to reproduce, translate, display or distribute (PHQ Screeners, Pfizer).",
  source: {
    text: "Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized anxiety disorder: the GAD-7. Arch Intern Med 2006;166(10):1092–1097.",
    url: "https://doi.org/10.1001/archinte.166.10.1092",
  },
  options: [
    { value: 0, label: "Not at all" },
    { value: 1, label: "Several days" },
    { value: 2, label: "More than half the days" },
    { value: 3, label: "Nearly every day" },
  ],
  items: [
    { id: "q1", text: "Feeling nervous, anxious, or on edge", loinc: "69725-0" },
    { id: "q2", text: "Not being able to stop or control worrying", loinc: "68509-9" },
    { id: "q3", text: "Worrying too much about different things", loinc: "69733-4" },
    { id: "q4", text: "Trouble relaxing", loinc: "69734-2" },
    { id: "q5", text: "Being so restless that it is hard to sit still", loinc: "69735-9" },
    { id: "q6", text: "Becoming easily annoyed or irritable", loinc: "69689-8" },
    { id: "q7", text: "Feeling afraid, as if something awful might happen", loinc: "69736-7" },
  ],
  multiplier: 1,
  maxScore: 21,
  bands: [
    { id: "minimal", label: "Minimal", min: 0, max: 4 },
    { id: "mild", label: "Mild", min: 5, max: 9 },
    { id: "moderate", label: "Moderate", min: 10, max: 14 },
    { id: "severe", label: "Severe", min: 15, max: 21 },
  ],
  better: "lower",
  reliableChange: {
    threshold: 4,
    source: {
      text: "NHS Talking Therapies for anxiety and depression manual (reliable improvement/deterioration: GAD-7 change ≥ 4).",
      url: "https://www.england.nhs.uk/publication/the-improving-access-to-psychological-therapies-manual/",
    },
  },
  response: { source: { text: "Response: ≥ 50 % reduction from baseline (by analogy with the PHQ-9)." } },
  remission: null,
  loinc: { panel: "69737-5", total: "70274-6" },
};
