import type { Instrument } from "./types";

/** Perceived Stress Scale, 10 items (Cohen, Kamarck & Mermelstein 1983; Cohen & Williamson 1988). */
export const PSS10: Instrument = {
  id: "pss-10",
  version: "1988.1",
  title: "Perceived Stress Scale (PSS-10)",
  shortTitle: "PSS-10",
  prompt: "In the last month, how often have you…",
  copyright: "© Sheldon Cohen (1983, 1988). Distributed by Mind Garden, Inc.",
  licence:
    "Free for non-commercial academic research and education without permission; commercial use needs the distributor's licence (Mind Garden). Licence clearance needed before a commercial launch.",
  source: {
    text: "Cohen S, Kamarck T, Mermelstein R. A global measure of perceived stress. J Health Soc Behav 1983;24(4):385–396; Cohen S, Williamson G. Perceived stress in a probability sample of the United States, 1988.",
    url: "https://doi.org/10.2307/2136404",
  },
  options: [
    { value: 0, label: "Never" },
    { value: 1, label: "Almost never" },
    { value: 2, label: "Sometimes" },
    { value: 3, label: "Fairly often" },
    { value: 4, label: "Very often" },
  ],
  items: [
    { id: "q1", text: "been upset because of something that happened unexpectedly?" },
    { id: "q2", text: "felt that you were unable to control the important things in your life?" },
    { id: "q3", text: 'felt nervous and "stressed"?' },
    { id: "q4", text: "felt confident about your ability to handle your personal problems?", reverse: true },
    { id: "q5", text: "felt that things were going your way?", reverse: true },
    { id: "q6", text: "found that you could not cope with all the things that you had to do?" },
    { id: "q7", text: "been able to control irritations in your life?", reverse: true },
    { id: "q8", text: "felt that you were on top of things?", reverse: true },
    { id: "q9", text: "been angered because of things that were outside of your control?" },
    { id: "q10", text: "felt difficulties were piling up so high that you could not overcome them?" },
  ],
  multiplier: 1,
  maxScore: 40,
  // The PSS has no official cut-offs (Cohen); these conventional ranges are for display only.
  bands: [
    { id: "low", label: "Low perceived stress", min: 0, max: 13 },
    { id: "moderate", label: "Moderate perceived stress", min: 14, max: 26 },
    { id: "high", label: "High perceived stress", min: 27, max: 40 },
  ],
  better: "lower",
  reliableChange: {
    threshold: null,
    reason:
      "No published reliable-change threshold for the PSS-10 that we could verify; change is shown as a number only.",
  },
  response: null,
  remission: null,
  loinc: {
    none: "No LOINC code for the PSS-10 could be verified from the sources available to us; the Observation is coded with Haven's own code system. Terminology review needed before launch.",
  },
};
