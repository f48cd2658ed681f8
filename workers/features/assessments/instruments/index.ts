import type { AssessmentInstrument, AssignableInstrument } from "../../../db/schema/assessments";
import { GAD7 } from "./gad7";
import { PHQ9 } from "./phq9";
import { PSS10 } from "./pss10";
import type { Instrument, ScreenerInfo } from "./types";
import { WHO5 } from "./who5";

export type { AnswerOption, Band, Citation, Instrument, Item, ScreenerInfo } from "./types";

/** Every scored instrument, by id. */
export const INSTRUMENTS: Readonly<Record<AssessmentInstrument, Instrument>> = {
  "phq-9": PHQ9,
  "gad-7": GAD7,
  "who-5": WHO5,
  "pss-10": PSS10,
};

/** The C-SSRS Screener: assignable and listed here; questions and triage live in features/screeners. */
export const CSSRS: ScreenerInfo = {
  id: "c-ssrs",
  version: "screen-2008.1",
  title: "Columbia Suicide Severity Rating Scale — Screener (past month)",
  shortTitle: "C-SSRS",
  copyright: "© 2008 The Research Foundation for Mental Hygiene, Inc.",
  licence:
    "Free to use without permission in community and health-care settings (The Columbia Lighthouse Project); training is recommended.",
  source: {
    text: "Posner K, et al. The Columbia–Suicide Severity Rating Scale. Am J Psychiatry 2011;168(12):1266–1277.",
    url: "https://doi.org/10.1176/appi.ajp.2011.10111704",
  },
};

/** Display name of any assignable instrument. */
export function instrumentName(id: AssignableInstrument): string {
  return id === "c-ssrs" ? CSSRS.shortTitle : INSTRUMENTS[id].shortTitle;
}
