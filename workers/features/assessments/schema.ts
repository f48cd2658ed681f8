import { z } from "@hono/zod-openapi";
import {
  ASSESSMENT_INSTRUMENTS,
  ASSIGNABLE_INSTRUMENTS,
  RELIABLE_CHANGES,
} from "../../db/schema/assessments";

export const InstrumentId = z.enum(ASSESSMENT_INSTRUMENTS).openapi("AssessmentInstrument");
export const AssignableId = z.enum(ASSIGNABLE_INSTRUMENTS).openapi("AssignableInstrument");

export const InstrumentParam = z.object({
  instrument: InstrumentId.openapi({ param: { name: "instrument", in: "path" } }),
});
export const AnyInstrumentParam = z.object({
  instrument: AssignableId.openapi({ param: { name: "instrument", in: "path" } }),
});
export const PatientIdParam = z.object({
  patientId: z.uuid().openapi({ param: { name: "patientId", in: "path" } }),
});
export const PatientResponseParam = PatientIdParam.extend({
  id: z.uuid().openapi({ param: { name: "id", in: "path" } }),
});
export const PatientAssignmentParam = PatientIdParam.extend({
  id: z.uuid().openapi({ param: { name: "id", in: "path" } }),
});

/** Item id → option value. Completeness and allowed values are checked by the scorer (422 naming items). */
export const AssessmentAnswers = z
  .object({
    answers: z.record(z.string().regex(/^[a-z0-9]{1,20}$/), z.number().int()).openapi({
      description: "Item id → option value, e.g. { q1: 0, …, q9: 1 }",
      example: { q1: 1, q2: 0 },
    }),
  })
  .strict()
  .openapi("AssessmentAnswers");

const Citation = z.object({ text: z.string(), url: z.string().optional() });
const Option = z.object({ value: z.number().int(), label: z.string() });
export const InstrumentDefinition = z
  .object({
    id: InstrumentId,
    version: z.string(),
    title: z.string(),
    shortTitle: z.string(),
    prompt: z.string(),
    copyright: z.string(),
    licence: z.string(),
    source: Citation,
    options: z.array(Option),
    items: z.array(
      z.object({
        id: z.string(),
        text: z.string(),
        reverse: z.boolean().optional(),
        unscored: z.boolean().optional(),
        options: z.array(Option).optional(),
        loinc: z.string().optional(),
      }),
    ),
    multiplier: z.number(),
    maxScore: z.number(),
    bands: z.array(z.object({ id: z.string(), label: z.string(), min: z.number(), max: z.number() })),
    better: z.enum(["lower", "higher"]),
    reliableChange: z.union([
      z.object({ threshold: z.number(), source: Citation }),
      z.object({ threshold: z.null(), reason: z.string() }),
    ]),
    response: z.object({ source: Citation }).nullable(),
    remission: z.object({ below: z.number(), source: Citation }).nullable(),
    loinc: z.union([z.object({ panel: z.string(), total: z.string() }), z.object({ none: z.string() })]),
  })
  .openapi("InstrumentDefinition");

export const InstrumentCatalogue = z
  .object({
    instruments: z.array(InstrumentDefinition),
    screener: z.object({
      id: z.literal("c-ssrs"),
      version: z.string(),
      title: z.string(),
      shortTitle: z.string(),
      copyright: z.string(),
      licence: z.string(),
      source: Citation,
    }),
  })
  .openapi("InstrumentCatalogue");

export const Recommendation = z
  .object({
    rule: z.string().openapi({ description: "The rule that fired (stable id)" }),
    text: z.string(),
    because: z.array(z.string()).openapi({ description: "The facts the rule read" }),
  })
  .openapi("AssessmentRecommendation");

const CrisisResource = z.object({
  name: z.string(),
  phone: z.string().optional(),
  text: z.string().optional(),
  url: z.string().optional(),
  available: z.string(),
  kind: z.enum(["emergency", "crisis", "abuse", "youth", "directory"]).optional(),
  description: z.string().optional(),
});

export const Score = z
  .object({
    id: z.uuid(),
    patientId: z.uuid(),
    instrument: InstrumentId,
    version: z.string(),
    total: z.number().int(),
    band: z.string(),
    bandLabel: z.string(),
    item9: z.number().int().nullable(),
    safetyFlag: z
      .boolean()
      .openapi({ description: "PHQ-9 item 9 above 0: took the crisis path. False never means safe." }),
    previousTotal: z.number().int().nullable(),
    change: z.enum(RELIABLE_CHANGES).nullable(),
    response: z.boolean().nullable(),
    remission: z.boolean().nullable(),
    submittedAt: z.iso.datetime(),
  })
  .openapi("AssessmentScore");
export type Score = z.infer<typeof Score>;

export const AssessmentResult = Score.extend({
  recommendations: z.array(Recommendation),
  crisis: z
    .object({
      message: z.string(),
      urgent: z.boolean(),
      careTeamAlerted: z.boolean(),
      resources: z.array(CrisisResource),
    })
    .nullable()
    .openapi({ description: "Present when the form took the crisis path: resources to show now" }),
}).openapi("AssessmentResult");
export type AssessmentResult = z.infer<typeof AssessmentResult>;

export const AssessmentEntry = Score.extend({
  answers: z
    .record(z.string(), z.number().int())
    .nullable()
    .openapi({ description: "Null only if the key was crypto-shredded" }),
}).openapi("AssessmentEntry");

export const AssessmentHistory = z
  .object({
    patientId: z.uuid(),
    entries: z.array(AssessmentEntry).openapi({ description: "Newest first, at most 100" }),
  })
  .openapi("AssessmentHistory");
export type AssessmentHistory = z.infer<typeof AssessmentHistory>;

export const AssignmentBody = z
  .object({
    instrument: AssignableId,
    cadenceDays: z.number().int().min(1).max(365).openapi({ example: 14 }),
  })
  .strict()
  .openapi("AssessmentAssignmentInput");

export const Assignment = z
  .object({
    id: z.uuid(),
    patientId: z.uuid(),
    clinicianId: z.uuid(),
    instrument: AssignableId,
    instrumentName: z.string(),
    cadenceDays: z.number().int(),
    startsAt: z.iso.datetime(),
    lastCompletedAt: z.iso.datetime().nullable(),
    dueAt: z.iso.datetime(),
    status: z.enum(["upcoming", "due", "overdue"]),
  })
  .openapi("AssessmentAssignment");
export type Assignment = z.infer<typeof Assignment>;

export const AssignmentList = z
  .object({ assignments: z.array(Assignment).openapi({ description: "Soonest due first" }) })
  .openapi("AssessmentAssignments");
export type AssignmentList = z.infer<typeof AssignmentList>;

/** FHIR R4 JSON (validated against the R4 schema in tests; not re-described here). */
export const FhirJson = z
  .looseObject({ resourceType: z.string() })
  .openapi("FhirResource", { description: "A FHIR R4 resource (JSON)" });
