import { bearer, ok, problem, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { AlertIdParam, CareAlert, CareAlerts } from "./schema";
import { acknowledgeAlert, listAlerts } from "./service";

const tags = ["alerts"];

const r = {
  list: route({
    tags,
    security: bearer,
    middleware: [requireAuth("clinician")] as const,
    method: "get",
    path: "/clinician/alerts",
    summary: "Clinician: your unacknowledged crisis alerts, from every region (audited)",
    problems: [404],
    responses: { 200: ok(CareAlerts, "Your alert inbox"), 403: problem(403) },
  }),
  acknowledge: route({
    tags,
    security: bearer,
    middleware: [requireAuth("clinician")] as const,
    method: "post",
    path: "/clinician/alerts/{id}/acknowledge",
    summary: "Clinician: acknowledge one alert (who and when are recorded; audited)",
    request: { params: AlertIdParam },
    problems: [404],
    responses: { 200: ok(CareAlert, "Acknowledged"), 403: problem(403) },
  }),
};

/** A clinician's crisis-alert inbox: alerts stay until acknowledged, whatever happened to live pushes. */
export const alertRoutes = createRouter()
  .openapi(r.list, async (c) => c.json(await listAlerts(scopeOf(c)), 200))
  .openapi(r.acknowledge, async (c) =>
    c.json(await acknowledgeAlert(scopeOf(c), c.req.valid("param").id), 200),
  );
