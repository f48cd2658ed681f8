import { bearer, jsonBody, ok, problem, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { PatientIdParam, SafetyPlan, SafetyPlanInput } from "./schema";
import { ownPlan, patientPlan, savePlan } from "./service";

const tags = ["safety-plan"];
const consent403 = problem(
  403,
  "Problem (RFC 9457): no consent to processing health data (`consent` names it)",
);

const r = {
  own: route({
    tags,
    security: bearer,
    middleware: [requireAuth("patient")] as const,
    method: "get",
    path: "/me/safety-plan",
    summary: "Your Stanley-Brown safety plan (newest version, decrypted) and its version list (audited)",
    problems: [404],
    responses: { 200: ok(SafetyPlan, "Your safety plan") },
  }),
  saveOwn: route({
    tags,
    security: bearer,
    middleware: [requireAuth("patient")] as const,
    method: "put",
    path: "/me/safety-plan",
    summary: "Save a new version of your safety plan (encrypted with your key; audited)",
    description: "Once a plan exists it is shown first in every crisis response in the companion chat.",
    request: { body: jsonBody(SafetyPlanInput) },
    problems: [404, 409],
    responses: { 200: ok(SafetyPlan, "Saved"), 403: consent403 },
  }),
  patient: route({
    tags,
    security: bearer,
    middleware: [requireAuth()] as const,
    method: "get",
    path: "/patients/{patientId}/safety-plan",
    summary: "A patient's safety plan, for their care team or a break-glass holder (audited, denials too)",
    request: { params: PatientIdParam },
    problems: [404],
    responses: { 200: ok(SafetyPlan, "The patient's safety plan") },
  }),
  savePatient: route({
    tags,
    security: bearer,
    middleware: [requireAuth("clinician")] as const,
    method: "put",
    path: "/patients/{patientId}/safety-plan",
    summary: "Care team: save a new version written with the patient (encrypted with their key; audited)",
    request: { params: PatientIdParam, body: jsonBody(SafetyPlanInput) },
    problems: [404, 409],
    responses: { 200: ok(SafetyPlan, "Saved"), 403: consent403 },
  }),
};

/** The Stanley-Brown safety plan: versioned, encrypted, written by the patient (optionally with their clinician). */
export const safetyPlanRoutes = createRouter()
  .openapi(r.own, async (c) => c.json(await ownPlan(scopeOf(c)), 200))
  .openapi(r.saveOwn, async (c) => {
    const body = c.req.valid("json");
    return c.json(await savePlan(scopeOf(c), null, body.baseVersion, body.sections), 200);
  })
  .openapi(r.patient, async (c) => c.json(await patientPlan(scopeOf(c), c.req.valid("param").patientId), 200))
  .openapi(r.savePatient, async (c) => {
    const body = c.req.valid("json");
    return c.json(
      await savePlan(scopeOf(c), c.req.valid("param").patientId, body.baseVersion, body.sections),
      200,
    );
  });
