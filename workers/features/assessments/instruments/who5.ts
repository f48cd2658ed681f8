import type { Instrument } from "./types";

/** WHO-5 Well-Being Index (1998 version), the published English wording. */
export const WHO5: Instrument = {
  id: "who-5",
  version: "1998.1",
  title: "WHO-5 Well-Being Index",
  shortTitle: "WHO-5",
  prompt: "Over the last two weeks…",
  copyright:
    "© Psychiatric Research Unit, WHO Collaborating Centre in Mental Health, Mental Health Centre North Zealand.",
  licence:
    "Free to use without permission (WHO-5 website, Psychiatric Research Unit; WHO 2024 publication under CC BY-NC-SA 3.0 IGO). Commercial redistribution should be checked before launch.",
  source: {
    text: "Topp CW, Østergaard SD, Søndergaard S, Bech P. The WHO-5 Well-Being Index: a systematic review of the literature. Psychother Psychosom 2015;84(3):167–176.",
    url: "https://doi.org/10.1159/000376585",
  },
  options: [
    { value: 5, label: "All of the time" },
    { value: 4, label: "Most of the time" },
    { value: 3, label: "More than half of the time" },
    { value: 2, label: "Less than half of the time" },
    { value: 1, label: "Some of the time" },
    { value: 0, label: "At no time" },
  ],
  items: [
    { id: "q1", text: "I have felt cheerful and in good spirits" },
    { id: "q2", text: "I have felt calm and relaxed" },
    { id: "q3", text: "I have felt active and vigorous" },
    { id: "q4", text: "I woke up feeling fresh and rested" },
    { id: "q5", text: "My daily life has been filled with things that interest me" },
  ],
  multiplier: 4,
  maxScore: 100,
  bands: [
    { id: "likely_depression", label: "Likely depression — consider screening", min: 0, max: 28 },
    { id: "poor", label: "Poor well-being", min: 29, max: 50 },
    { id: "adequate", label: "No sign of poor well-being", min: 51, max: 100 },
  ],
  better: "higher",
  reliableChange: {
    threshold: 10,
    source: {
      text: "A 10-point change on the 0–100 scale is the documented clinically relevant change (Topp et al. 2015, citing Bech); it is not a computed reliable change index.",
      url: "https://doi.org/10.1159/000376585",
    },
  },
  response: null,
  remission: null,
  loinc: {
    none: "No LOINC code for the WHO-5 could be verified from the sources available to us; the Observation is coded with Haven's own code system. Terminology review needed before launch.",
  },
};
