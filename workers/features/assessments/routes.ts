import { bearer, jsonBody, ok, problem, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { principalOf, requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { assign, clinicianDue, endAssignment, patientAssignments } from "./assignments";
import { cssrsQuestionnaire, questionnaire } from "./fhir";
import { CSSRS, INSTRUMENTS } from "./instruments";
import * as s from "./schema";
import { ownHistory, patientHistory, responseFhir, submitAssessment } from "./service";

const tags = ["assessments"];
const security = bearer;

const r = {
  catalogue: route({
    tags,
    security,
    middleware: [requireAuth()] as const,
    method: "get",
    path: "/assessments/instruments",
    summary: "The instruments: wording, options, scoring, bands, change rules, sources and licences",
    responses: { 200: ok(s.InstrumentCatalogue, "Every instrument"), 403: problem(403) },
  }),
  questionnaire: route({
    tags,
    security,
    middleware: [requireAuth()] as const,
    method: "get",
    path: "/assessments/instruments/{instrument}/fhir",
    summary: "An instrument as a FHIR R4 Questionnaire (LOINC-coded where a code exists)",
    request: { params: s.AnyInstrumentParam },
    responses: { 200: ok(s.FhirJson, "FHIR R4 Questionnaire"), 403: problem(403) },
  }),
  submit: route({
    tags,
    security,
    middleware: [requireAuth("patient")] as const,
    method: "post",
    path: "/assessments/{instrument}",
    summary: "Submit a completed instrument: scored on the server, answers encrypted with your key (audited)",
    description:
      "Incomplete forms are refused (422, `missing` names the items). PHQ-9 item 9 above 0 returns crisis resources and alerts your care team, whatever the total.",
    request: { params: s.InstrumentParam, body: jsonBody(s.AssessmentAnswers) },
    problems: [404],
    responses: {
      201: ok(s.AssessmentResult, "Scored and saved"),
      403: problem(403, "Problem (RFC 9457): no consent to processing health data (`consent` names it)"),
    },
  }),
  history: route({
    tags,
    security,
    middleware: [requireAuth("patient")] as const,
    method: "get",
    path: "/assessments",
    summary: "Your assessments, newest first, answers decrypted (audited)",
    problems: [404],
    responses: { 200: ok(s.AssessmentHistory, "Your assessments"), 403: problem(403) },
  }),
  due: route({
    tags,
    security,
    middleware: [requireAuth("patient")] as const,
    method: "get",
    path: "/assessments/due",
    summary: "Assessments your care team assigned you, with when each is due (audited)",
    problems: [404],
    responses: { 200: ok(s.AssignmentList, "Your assignments"), 403: problem(403) },
  }),
  patient: route({
    tags,
    security,
    middleware: [requireAuth()] as const,
    method: "get",
    path: "/patients/{patientId}/assessments",
    summary:
      "A patient's assessments, for the patient, their care team or a break-glass holder (audited, denials too)",
    request: { params: s.PatientIdParam },
    problems: [404],
    responses: { 200: ok(s.AssessmentHistory, "The patient's assessments"), 403: problem(403) },
  }),
  fhir: route({
    tags,
    security,
    middleware: [requireAuth()] as const,
    method: "get",
    path: "/patients/{patientId}/assessments/{id}/fhir",
    summary:
      "One assessment as a FHIR R4 Bundle: QuestionnaireResponse and LOINC-coded Observations (audited)",
    request: { params: s.PatientResponseParam },
    problems: [404],
    responses: { 200: ok(s.FhirJson, "FHIR R4 Bundle (collection)"), 403: problem(403) },
  }),
  assignments: route({
    tags,
    security,
    middleware: [requireAuth()] as const,
    method: "get",
    path: "/patients/{patientId}/assessment-assignments",
    summary:
      "A patient's open assessment assignments with due state (patient, care team, break-glass; audited)",
    request: { params: s.PatientIdParam },
    problems: [404],
    responses: { 200: ok(s.AssignmentList, "Open assignments"), 403: problem(403) },
  }),
  assign: route({
    tags,
    security,
    middleware: [requireAuth("clinician")] as const,
    method: "post",
    path: "/patients/{patientId}/assessment-assignments",
    summary: "Clinician on the care team: assign an instrument at a cadence (replaces an open one; audited)",
    request: { params: s.PatientIdParam, body: jsonBody(s.AssignmentBody) },
    problems: [404],
    responses: { 201: ok(s.Assignment, "Assigned"), 403: problem(403) },
  }),
  unassign: route({
    tags,
    security,
    middleware: [requireAuth("clinician")] as const,
    method: "delete",
    path: "/patients/{patientId}/assessment-assignments/{id}",
    summary: "Clinician on the care team: end an assignment (audited)",
    request: { params: s.PatientAssignmentParam },
    problems: [404],
    responses: { 204: { description: "Ended" }, 403: problem(403) },
  }),
  clinicianDue: route({
    tags,
    security,
    middleware: [requireAuth("clinician")] as const,
    method: "get",
    path: "/clinician/assessments/due",
    summary: "Clinician: due and overdue assessments of your patients, every region (audited)",
    problems: [404],
    responses: { 200: ok(s.AssignmentList, "Due and overdue, soonest first"), 403: problem(403) },
  }),
};

/** Parsed once: the definitions are static data (and the schema drops nothing). */
const catalogue = () =>
  s.InstrumentCatalogue.parse({ instruments: Object.values(INSTRUMENTS), screener: CSSRS });

/** Measurement-based care: instruments, scored submissions, history, FHIR output and assignments. */
export const assessmentRoutes = createRouter()
  .openapi(r.catalogue, (c) => c.json(catalogue(), 200))
  .openapi(r.questionnaire, (c) => {
    const { instrument } = c.req.valid("param");
    return c.json(
      instrument === "c-ssrs" ? cssrsQuestionnaire() : questionnaire(INSTRUMENTS[instrument]),
      200,
    );
  })
  .openapi(r.history, async (c) => c.json(await ownHistory(scopeOf(c)), 200))
  .openapi(r.due, async (c) => c.json(await patientAssignments(scopeOf(c)), 200))
  .openapi(r.submit, async (c) => {
    const { instrument } = c.req.valid("param");
    const { answers } = c.req.valid("json");
    return c.json(await submitAssessment(scopeOf(c), principalOf(c), instrument, answers), 201);
  })
  .openapi(r.patient, async (c) =>
    c.json(await patientHistory(scopeOf(c), c.req.valid("param").patientId), 200),
  )
  .openapi(r.fhir, async (c) => {
    const { patientId, id } = c.req.valid("param");
    return c.json(await responseFhir(scopeOf(c), patientId, id), 200);
  })
  .openapi(r.assignments, async (c) =>
    c.json(await patientAssignments(scopeOf(c), c.req.valid("param").patientId), 200),
  )
  .openapi(r.assign, async (c) => {
    const { patientId } = c.req.valid("param");
    return c.json(await assign(scopeOf(c), patientId, c.req.valid("json")), 201);
  })
  .openapi(r.unassign, async (c) => {
    const { patientId, id } = c.req.valid("param");
    await endAssignment(scopeOf(c), patientId, id);
    return c.body(null, 204);
  })
  .openapi(r.clinicianDue, async (c) => c.json(await clinicianDue(scopeOf(c)), 200));
