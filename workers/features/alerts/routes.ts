import { createRoute, type z } from "@hono/zod-openapi";
import { createRouter } from "../../lib/router";
import { principalOf, requireAuth } from "../../middleware/auth";
import { AlertIdParam, CareAlert, CareAlerts } from "./schema";
import { acknowledgeAlert, listAlerts } from "./service";

const tags = ["alerts"];
const security = [{ bearerAuth: [] }];
const ok = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const problem = { description: "Problem (RFC 9457)" };

const r = {
  list: createRoute({
    tags,
    security,
    middleware: [requireAuth("clinician")] as const,
    method: "get",
    path: "/clinician/alerts",
    summary: "Clinician: your unacknowledged crisis alerts, from every region (audited)",
    responses: { 200: ok(CareAlerts, "Your alert inbox"), 401: problem, 403: problem },
  }),
  acknowledge: createRoute({
    tags,
    security,
    middleware: [requireAuth("clinician")] as const,
    method: "post",
    path: "/clinician/alerts/{id}/acknowledge",
    summary: "Clinician: acknowledge one alert (who and when are recorded; audited)",
    request: { params: AlertIdParam },
    responses: { 200: ok(CareAlert, "Acknowledged"), 401: problem, 403: problem, 404: problem, 422: problem },
  }),
};

/** A clinician's crisis-alert inbox: alerts stay until acknowledged, whatever happened to live pushes. */
export const alertRoutes = createRouter()
  .openapi(r.list, async (c) => c.json(await listAlerts(c, principalOf(c)), 200))
  .openapi(r.acknowledge, async (c) => {
    return c.json(await acknowledgeAlert(c, principalOf(c), c.req.valid("param").id), 200);
  });
