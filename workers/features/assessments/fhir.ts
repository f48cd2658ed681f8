import type { ScoreRow } from "../../lib/care-data/assessments";
import { CSSRS_QUESTIONS, IDEATION_FOLLOW_UPS } from "../screeners/schema";
import { CSSRS, INSTRUMENTS, type Instrument } from "./instruments";

/**
 * FHIR R4 output of instruments and responses: `Questionnaire`, `QuestionnaireResponse` and
 * `Observation` scores coded with LOINC where a code exists (PHQ-9, GAD-7) and with Haven's own
 * code system where none could be verified (WHO-5, PSS-10; see docs/assessments.md). Validated
 * against the official R4 JSON schema in tests.
 */
export type FhirResource = { resourceType: string; id?: string } & Record<string, unknown>;

/** Haven's namespace for canonical URLs and local codes (a URN until a public FHIR base exists). */
export const HAVEN_FHIR = "urn:haven:fhir";
export const LOINC = "http://loinc.org";
const ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue";
const SURVEY = {
  coding: [
    {
      system: "http://terminology.hl7.org/CodeSystem/observation-category",
      code: "survey",
      display: "Survey",
    },
  ],
};

export const questionnaireUrl = (id: string) => `${HAVEN_FHIR}:Questionnaire:${id}`;
const answerSystem = (id: string) => `${HAVEN_FHIR}:CodeSystem:${id}-answers`;
const localCode = (id: string, what: string) => ({
  system: `${HAVEN_FHIR}:CodeSystem:scores`,
  code: `${id}.${what}`,
});

/** The instrument as a FHIR Questionnaire (items, options with their ordinal values, copyright). */
export function questionnaire(instrument: Instrument): FhirResource {
  const loinc = "panel" in instrument.loinc ? instrument.loinc : null;
  return {
    resourceType: "Questionnaire",
    id: instrument.id,
    url: questionnaireUrl(instrument.id),
    version: instrument.version,
    name: instrument.shortTitle.replace(/[^A-Za-z0-9]/g, ""),
    title: instrument.title,
    status: "active",
    subjectType: ["Patient"],
    description: instrument.prompt,
    copyright: `${instrument.copyright} ${instrument.licence}`,
    ...(loinc ? { code: [{ system: LOINC, code: loinc.panel, display: instrument.title }] } : {}),
    item: instrument.items.map((item) => ({
      linkId: item.id,
      text: item.text,
      type: "choice",
      required: !item.unscored,
      ...(item.loinc ? { code: [{ system: LOINC, code: item.loinc }] } : {}),
      answerOption: (item.options ?? instrument.options).map((o) => ({
        extension: [
          {
            url: ORDINAL,
            valueDecimal: item.reverse ? maxOf(item.options ?? instrument.options) - o.value : o.value,
          },
        ],
        valueCoding: { system: answerSystem(instrument.id), code: String(o.value), display: o.label },
      })),
    })),
  };
}

const maxOf = (options: readonly { value: number }[]) => Math.max(...options.map((o) => o.value));

/** The C-SSRS Screener as a Questionnaire with its skip logic (`enableWhen`). */
export function cssrsQuestionnaire(): FhirResource {
  const yes = (question: string) => ({
    enableWhen: [{ question, operator: "=", answerBoolean: true }],
  });
  return {
    resourceType: "Questionnaire",
    id: CSSRS.id,
    url: questionnaireUrl(CSSRS.id),
    version: CSSRS.version,
    name: "CSSRSScreener",
    title: CSSRS.title,
    status: "active",
    subjectType: ["Patient"],
    copyright: `${CSSRS.copyright} ${CSSRS.licence}`,
    item: (Object.keys(CSSRS_QUESTIONS) as (keyof typeof CSSRS_QUESTIONS)[]).map((key) => ({
      linkId: key,
      text: CSSRS_QUESTIONS[key],
      type: "boolean",
      ...((IDEATION_FOLLOW_UPS as readonly string[]).includes(key)
        ? { required: true, ...yes("suicidalThoughts") }
        : key === "behaviorPast3Months"
          ? { required: true, ...yes("behavior") }
          : { required: true }),
    })),
  };
}

/**
 * One response as a FHIR `collection` Bundle: the QuestionnaireResponse, the total-score
 * Observation (LOINC total where one exists) and, for the PHQ-9, the item-9 Observation (44260-8).
 */
export function responseBundle(row: ScoreRow, answers: Record<string, number> | null): FhirResource {
  const instrument = INSTRUMENTS[row.instrument];
  const subject = { reference: `Patient/${row.patientId}` };
  const authored = row.submittedAt.toISOString();
  const qrId = row.id;
  const qr: FhirResource = {
    resourceType: "QuestionnaireResponse",
    id: qrId,
    questionnaire: `${questionnaireUrl(instrument.id)}|${row.version}`,
    status: "completed",
    subject,
    authored,
    item: instrument.items
      .filter((item) => answers?.[item.id] !== undefined)
      .map((item) => {
        const value = answers?.[item.id] ?? 0;
        const option = (item.options ?? instrument.options).find((o) => o.value === value);
        return {
          linkId: item.id,
          text: item.text,
          answer: [
            {
              valueCoding: {
                system: answerSystem(instrument.id),
                code: String(value),
                display: option?.label ?? "",
              },
            },
          ],
        };
      }),
  };
  const loinc = "panel" in instrument.loinc ? instrument.loinc : null;
  const total: FhirResource = {
    resourceType: "Observation",
    id: `${row.id}-total`,
    status: "final",
    category: [SURVEY],
    code: {
      coding: [loinc ? { system: LOINC, code: loinc.total } : localCode(instrument.id, "total")],
      text: `${instrument.shortTitle} total score`,
    },
    subject,
    effectiveDateTime: authored,
    issued: authored,
    valueInteger: row.total,
    interpretation: [{ coding: [localCode(instrument.id, `band.${row.band}`)], text: row.band }],
    derivedFrom: [{ reference: `QuestionnaireResponse/${qrId}` }],
  };
  const entries: FhirResource[] = [qr, total];
  if (instrument.id === "phq-9" && row.item9 !== null) {
    entries.push({
      resourceType: "Observation",
      id: `${row.id}-item9`,
      status: "final",
      category: [SURVEY],
      code: { coding: [{ system: LOINC, code: "44260-8" }], text: "PHQ-9 item 9" },
      subject,
      effectiveDateTime: authored,
      valueInteger: row.item9,
      derivedFrom: [{ reference: `QuestionnaireResponse/${qrId}` }],
    });
  }
  return {
    resourceType: "Bundle",
    id: row.id,
    type: "collection",
    timestamp: authored,
    entry: entries.map((resource) => ({
      fullUrl: `${HAVEN_FHIR}:${resource.resourceType}:${resource.id}`,
      resource,
    })),
  };
}
