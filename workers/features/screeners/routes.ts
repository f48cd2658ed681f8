import { bearer, ok, problem, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { principalOf, requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import * as s from "./schema";
import * as screeners from "./service";

const security = bearer;

const r = {
  submit: route({
    tags: ["screeners"],
    security,
    middleware: [requireAuth("patient")],
    method: "post",
    path: "/screeners/c-ssrs",
    summary: "Submit the C-SSRS Screener (past month); answers are encrypted with your key (audited)",
    description:
      "Answers the risk level, what to do next and crisis resources for your region. Moderate and high risk alert your care team.",
    request: { body: { content: { "application/json": { schema: s.CssrsAnswers } }, required: true } },
    responses: {
      201: ok(s.ScreenerResult, "Saved and triaged"),
      401: problem(401),
      403: problem(403, "Problem (RFC 9457): no consent to processing health data (`consent` names it)"),
      404: problem(404),
      422: problem(422),
    },
  }),
  history: route({
    tags: ["screeners"],
    security,
    middleware: [requireAuth("patient")],
    method: "get",
    path: "/screeners/c-ssrs",
    summary: "Your C-SSRS history, newest first, decrypted (audited)",
    responses: { 200: ok(s.ScreenerHistory, "Your screeners"), 401: problem(401), 404: problem(404) },
  }),
  patient: route({
    tags: ["screeners"],
    security,
    middleware: [requireAuth()],
    method: "get",
    path: "/patients/{patientId}/screeners",
    summary: "A patient's screeners, for their care team or a break-glass holder (audited, denials too)",
    request: { params: s.PatientIdParam },
    responses: {
      200: ok(s.ScreenerHistory, "The patient's screeners"),
      401: problem(401),
      404: problem(404),
      422: problem(422),
    },
  }),
};

export const screenerRoutes = createRouter()
  .openapi(r.submit, async (c) => {
    return c.json(await screeners.submitCssrs(scopeOf(c), principalOf(c), c.req.valid("json")), 201);
  })
  .openapi(r.history, async (c) => c.json(await screeners.ownHistory(scopeOf(c)), 200))
  .openapi(r.patient, async (c) => {
    const { patientId } = c.req.valid("param");
    return c.json(await screeners.patientHistory(scopeOf(c), patientId), 200);
  });
