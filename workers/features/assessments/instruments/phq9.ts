import type { Instrument } from "./types";

const FREQUENCY = [
  { value: 0, label: "Not at all" },
  { value: 1, label: "Several days" },
  { value: 2, label: "More than half the days" },
  { value: 3, label: "Nearly every day" },
] as const;

/** PHQ-9 (Kroenke, Spitzer & Williams 2001), the published English wording. */
export const PHQ9: Instrument = {
  id: "phq-9",
  version: "2001.1",
  title: "Patient Health Questionnaire (PHQ-9)",
  shortTitle: "PHQ-9",
  prompt: "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
  copyright:
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc.",
  licence: "No permission required to reproduce, translate, display or distribute (PHQ Screeners, Pfizer).",
  source: {
    text: "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure. J Gen Intern Med 2001;16(9):606–613.",
    url: "https://doi.org/10.1046/j.1525-1497.2001.016009606.x",
  },
  options: FREQUENCY,
  items: [
    { id: "q1", text: "Little interest or pleasure in doing things", loinc: "44250-9" },
    { id: "q2", text: "Feeling down, depressed, or hopeless", loinc: "44255-8" },
    { id: "q3", text: "Trouble falling or staying asleep, or sleeping too much", loinc: "44259-0" },
    { id: "q4", text: "Feeling tired or having little energy", loinc: "44254-1" },
    { id: "q5", text: "Poor appetite or overeating", loinc: "44251-7" },
    {
      id: "q6",
      text: "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
      loinc: "44258-2",
    },
    {
      id: "q7",
      text: "Trouble concentrating on things, such as reading the newspaper or watching television",
      loinc: "44252-5",
    },
    {
      id: "q8",
      text: "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual",
      loinc: "44253-3",
    },
    {
      id: "q9",
      text: "Thoughts that you would be better off dead or of hurting yourself in some way",
      loinc: "44260-8",
    },
    {
      id: "difficulty",
      text: "If you checked off any problems, how difficult have these problems made it for you to do your work, take care of things at home, or get along with other people?",
      unscored: true,
      loinc: "69722-7",
      options: [
        { value: 0, label: "Not difficult at all" },
        { value: 1, label: "Somewhat difficult" },
        { value: 2, label: "Very difficult" },
        { value: 3, label: "Extremely difficult" },
      ],
    },
  ],
  multiplier: 1,
  maxScore: 27,
  bands: [
    { id: "minimal", label: "Minimal", min: 0, max: 4 },
    { id: "mild", label: "Mild", min: 5, max: 9 },
    { id: "moderate", label: "Moderate", min: 10, max: 14 },
    { id: "moderately_severe", label: "Moderately severe", min: 15, max: 19 },
    { id: "severe", label: "Severe", min: 20, max: 27 },
  ],
  better: "lower",
  reliableChange: {
    threshold: 6,
    source: {
      text: "NHS Talking Therapies for anxiety and depression manual (reliable improvement/deterioration: PHQ-9 change ≥ 6); McMillan D, Gilbody S, Richards D. Defining successful treatment outcome in depression using the PHQ-9. J Affect Disord 2010;127:122–129.",
      url: "https://doi.org/10.1016/j.jad.2010.04.030",
    },
  },
  response: {
    source: {
      text: "Response: ≥ 50 % reduction from baseline (Kroenke K, Spitzer RL. The PHQ-9: a new depression diagnostic and severity measure. Psychiatr Ann 2002;32:509–515).",
    },
  },
  remission: {
    below: 5,
    source: { text: "Remission: PHQ-9 < 5 (Kroenke & Spitzer 2002; McMillan et al. 2010)." },
  },
  loinc: { panel: "44249-1", total: "44261-6" },
};
