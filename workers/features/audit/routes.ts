import { bearer, ok, problem, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { principalOf, requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import * as s from "./schema";
import { accessReport, queryAudit, verifyChain } from "./service";

const security = bearer;
const admin = { tags: ["audit"], security, middleware: [requireAuth("admin")] };

const r = {
  query: route({
    ...admin,
    method: "get",
    path: "/admin/audit",
    summary: "Search one region's audit log, newest first (this search is itself audited)",
    request: { query: s.AuditQuery },
    responses: {
      200: ok(s.AuditPage, "A page of audit entries"),
      401: problem(401),
      404: problem(404),
      422: problem(422),
    },
  }),
  verify: route({
    ...admin,
    method: "get",
    path: "/admin/audit/verify",
    summary: "Recompute one region's audit hash chain and report the first broken row",
    request: { query: s.VerifyQuery },
    responses: {
      200: ok(s.ChainStatus, "Chain status"),
      401: problem(401),
      404: problem(404),
      422: problem(422),
    },
  }),
  report: route({
    tags: ["audit"],
    security,
    middleware: [requireAuth("patient")],
    method: "get",
    path: "/me/access-report",
    summary: "Who accessed your data: every access by someone else, including refused attempts",
    request: { query: s.ReportQuery },
    problems: [404],
    responses: {
      200: ok(s.AccessReport, "Accesses to your data, newest first"),
      401: problem(401),
      422: problem(422),
    },
  }),
};

export const auditRoutes = createRouter()
  .openapi(r.query, async (c) => c.json(await queryAudit(scopeOf(c), c.req.valid("query")), 200))
  .openapi(r.verify, async (c) => c.json(await verifyChain(scopeOf(c), c.req.valid("query").region), 200))
  .openapi(r.report, async (c) =>
    c.json(await accessReport(scopeOf(c), principalOf(c), c.req.valid("query")), 200),
  );
