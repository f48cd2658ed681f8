import { z } from "@hono/zod-openapi";
import { SCREENER_INSTRUMENTS, SCREENER_RISKS } from "../../db/schema/screeners";
import { IdSchema } from "../../lib/vocabulary";

/**
 * The C-SSRS Screener (screen version, past month), in the published wording. Keys are the API's
 * field names; the web form uses the same names.
 */
export const CSSRS_QUESTIONS = {
  wishedDead:
    "In the past month, have you wished you were dead or wished you could go to sleep and not wake up?",
  suicidalThoughts: "In the past month, have you actually had any thoughts about killing yourself?",
  method: "In the past month, have you been thinking about how you might do this?",
  intent: "In the past month, have you had these thoughts and had some intention of acting on them?",
  plan: "In the past month, have you started to work out or worked out the details of how to kill yourself? Do you intend to carry out this plan?",
  behavior:
    "Have you ever done anything, started to do anything, or prepared to do anything to end your life?",
  behaviorPast3Months: "Was this within the past 3 months?",
} as const;

/** Questions 3–5, asked only when question 2 is yes. */
export const IDEATION_FOLLOW_UPS = ["method", "intent", "plan"] as const;

const answer = (key: keyof typeof CSSRS_QUESTIONS) =>
  z.boolean().openapi({ description: CSSRS_QUESTIONS[key] });

/**
 * One submission. Skip logic is part of the schema: questions 3–5 are required when question 2 is
 * yes and must be left out otherwise; the 3-month follow-up likewise depends on question 6.
 */
export const CssrsAnswers = z
  .object({
    wishedDead: answer("wishedDead"),
    suicidalThoughts: answer("suicidalThoughts"),
    method: answer("method").optional(),
    intent: answer("intent").optional(),
    plan: answer("plan").optional(),
    behavior: answer("behavior"),
    behaviorPast3Months: answer("behaviorPast3Months").optional(),
    note: z.string().trim().max(1000).optional().openapi({
      description:
        'Optional free text ("anything else you want us to know"). Encrypted with the answers and read by the safety net (assessRisk): risk in it raises the triage.',
    }),
  })
  .strict()
  .superRefine(
    (a, ctx) => {
      // Also runs when other fields failed, so one response lists every problem: read defensively.
      const got = a as Record<string, unknown>;
      const need = (key: string, parent: "suicidalThoughts" | "behavior") => {
        if (typeof got[parent] !== "boolean") return;
        const present = got[key] !== undefined;
        if (got[parent] === true && !present)
          ctx.addIssue({ code: "custom", path: [key], message: `Required when ${parent} is true` });
        if (got[parent] === false && present)
          ctx.addIssue({ code: "custom", path: [key], message: `Only asked when ${parent} is true` });
      };
      for (const key of IDEATION_FOLLOW_UPS) need(key, "suicidalThoughts");
      need("behaviorPast3Months", "behavior");
    },
    { when: (payload) => typeof payload.value === "object" && payload.value !== null },
  )
  .openapi("CssrsAnswers", {
    description:
      "C-SSRS Screener answers. method, intent and plan only when suicidalThoughts is true; behaviorPast3Months only when behavior is true.",
  });
export type CssrsAnswers = z.infer<typeof CssrsAnswers>;

export const ScreenerRisk = z.enum(SCREENER_RISKS).openapi("ScreenerRisk");
export type ScreenerRisk = z.infer<typeof ScreenerRisk>;

const CrisisResource = z
  .object({
    name: z.string(),
    phone: z.string().optional(),
    text: z.string().optional(),
    url: z.string().optional(),
    available: z.string(),
    kind: z.enum(["emergency", "crisis", "abuse", "youth", "directory"]).optional(),
    description: z.string().optional(),
  })
  .openapi("CrisisResource");

export const ScreenerResult = z
  .object({
    id: IdSchema,
    patientId: IdSchema,
    instrument: z.enum(SCREENER_INSTRUMENTS),
    risk: ScreenerRisk,
    urgent: z.boolean().openapi({ description: "True for high risk: contact emergency services now" }),
    message: z.string().openapi({ description: "What to do next, in plain language" }),
    careTeamAlerted: z.boolean(),
    resources: z.array(CrisisResource).openapi({ description: "Crisis resources for the patient's region" }),
    createdAt: z.iso.datetime(),
  })
  .openapi("ScreenerResult");
export type ScreenerResult = z.infer<typeof ScreenerResult>;

export const ScreenerEntry = z
  .object({
    id: IdSchema,
    instrument: z.enum(SCREENER_INSTRUMENTS),
    risk: ScreenerRisk,
    answers: CssrsAnswers.nullable().openapi({ description: "Null only if the key was crypto-shredded" }),
    createdAt: z.iso.datetime(),
  })
  .openapi("ScreenerEntry");
export type ScreenerEntry = z.infer<typeof ScreenerEntry>;

export const ScreenerHistory = z
  .object({
    patientId: IdSchema,
    entries: z.array(ScreenerEntry).openapi({ description: "Newest first, at most 100" }),
  })
  .openapi("ScreenerHistory");
export type ScreenerHistory = z.infer<typeof ScreenerHistory>;

export const PatientIdParam = z.object({
  patientId: IdSchema.openapi({ param: { name: "patientId", in: "path" } }),
});
