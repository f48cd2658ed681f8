import { bearer, jsonBody, ok, problem, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { Caseload, CaseloadFilter, CaseloadQuery, PatientIdParam, Timeline, TimelineQuery } from "./schema";
import { caseload, timeline } from "./service";

const tags = ["clinician workspace"];

const r = {
  caseload: route({
    tags,
    security: bearer,
    middleware: [requireAuth("clinician")] as const,
    method: "get",
    path: "/clinician/caseload",
    summary:
      "Clinician: your care-team patients by name, most urgent first, with scores, trends, due assessments and alerts (audited)",
    request: { query: CaseloadFilter },
    problems: [404],
    responses: { 200: ok(Caseload, "Your caseload"), 403: problem(403) },
  }),
  search: route({
    tags,
    security: bearer,
    middleware: [requireAuth("clinician")] as const,
    method: "post",
    path: "/clinician/caseload/search",
    summary: "Clinician: search your caseload by name (in the body: a name never goes in a URL; audited)",
    request: { body: jsonBody(CaseloadQuery) },
    problems: [404],
    responses: { 200: ok(Caseload, "Matching patients, most urgent first"), 403: problem(403) },
  }),
  timeline: route({
    tags,
    security: bearer,
    middleware: [requireAuth()] as const,
    method: "get",
    path: "/patients/{patientId}/timeline",
    summary:
      "A patient's risk timeline, newest first, for their care team or a break-glass holder (audited, denials too)",
    request: { params: PatientIdParam, query: TimelineQuery },
    problems: [404],
    responses: { 200: ok(Timeline, "The timeline") },
  }),
};

/** The clinician workspace's API: caseload and risk timeline. */
export const caseloadRoutes = createRouter()
  .openapi(r.caseload, async (c) => c.json(await caseload(scopeOf(c), c.req.valid("query")), 200))
  .openapi(r.search, async (c) => c.json(await caseload(scopeOf(c), c.req.valid("json")), 200))
  .openapi(r.timeline, async (c) =>
    c.json(await timeline(scopeOf(c), c.req.valid("param").patientId, c.req.valid("query").days), 200),
  );
