import { z } from "@hono/zod-openapi";
import { bearer, ok, problem, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { generateSummary, readSummary, SummaryDraft } from "./summary";
import { SummaryFacts } from "./summary-facts";

const PatientIdParam = z.object({
  patientId: z.uuid().openapi({ param: { name: "patientId", in: "path" } }),
});

const Summary = z
  .object({
    patientId: z.uuid(),
    aiGenerated: z.literal(true),
    label: z.string(),
    generatedAt: z.string(),
    model: z.string(),
    promptVersion: z.string(),
    window: SummaryFacts.shape.window,
    draft: SummaryDraft,
    facts: SummaryFacts,
    riskEvents: z.array(
      z.object({
        severity: z.string(),
        categories: z.array(z.string()),
        source: z.string(),
        at: z.string(),
      }),
    ),
    riskSignals: z.array(z.object({ kind: z.string(), severity: z.string(), at: z.string() })),
  })
  .openapi("BetweenSessionSummary");

const consent403 = problem(
  403,
  "Problem (RFC 9457): the patient has not given the `care_plan_context` consent (`consent` names it); nothing was read",
);
const path = "/patients/{patientId}/companion-summary";

const read = route({
  method: "get",
  path,
  tags: ["companion"],
  summary:
    "Care team or the patient: the latest between-session summary (AI-generated, labelled) with the risk events since the last session, listed from the records",
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { params: PatientIdParam },
  problems: [404],
  responses: { 200: ok(Summary, "The summary"), 403: consent403 },
});

const regenerate = route({
  method: "post",
  path,
  tags: ["companion"],
  summary:
    "Care team or the patient: draft a new between-session summary with the model (replaces the stored one; encrypted with the patient's key; audited; in the AI trail)",
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { params: PatientIdParam },
  problems: [404],
  responses: { 200: ok(Summary, "The new summary"), 403: consent403 },
});

/** The between-session summary: care team and the patient themself, with `care_plan_context`. */
export const summaryRoutes = createRouter()
  .openapi(read, async (c) => c.json(await readSummary(scopeOf(c), c.req.valid("param").patientId), 200))
  .openapi(regenerate, async (c) =>
    c.json(await generateSummary(scopeOf(c), c.req.valid("param").patientId), 200),
  );
