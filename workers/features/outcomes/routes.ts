import { bearer, ok, problem, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { Outcomes, OutcomesQuery } from "./schema";
import { clinicianOutcomes, practiceOutcomes } from "./service";

const tags = ["practice outcomes"];

const r = {
  mine: route({
    tags,
    security: bearer,
    middleware: [requireAuth("clinician")] as const,
    method: "get",
    path: "/clinician/outcomes",
    summary:
      "Clinician: reliable improvement, response, remission, completion and engagement per month (counts only; audited)",
    request: { query: OutcomesQuery },
    problems: [404],
    responses: { 200: ok(Outcomes, "Your outcomes"), 403: problem(403) },
  }),
  practice: route({
    tags,
    security: bearer,
    middleware: [requireAuth("admin")] as const,
    method: "get",
    path: "/admin/outcomes",
    summary: "Admin: the practice's outcomes per month over every patient (counts only; audited)",
    request: { query: OutcomesQuery },
    problems: [404],
    responses: { 200: ok(Outcomes, "Practice outcomes"), 403: problem(403) },
  }),
};

/** Practice outcomes, computed in the database: shares per month, never a patient. */
export const outcomeRoutes = createRouter()
  .openapi(r.mine, async (c) => c.json(await clinicianOutcomes(scopeOf(c), c.req.valid("query")), 200))
  .openapi(r.practice, async (c) => c.json(await practiceOutcomes(scopeOf(c), c.req.valid("query")), 200));
