import { audit } from "../../lib/audit";
import { bearer, jsonBody, ok, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import type { Scope } from "../../lib/scope";
import type { Region } from "../../lib/vocabulary";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { compliance } from "./compliance";
import { reapplyLedger, runDueErasures } from "./erasure";
import { runRetention } from "./retention";
import * as s from "./schema";
import * as svc from "./service";

const admin = { tags: ["admin"], security: bearer, middleware: [requireAuth("admin")] };

/** Compliance evaluation is itself audited (it reads every region's catalogue and chain). */
export async function auditedCompliance(scope: Scope) {
  const result = await compliance(scope);
  const region = scope.principal?.region ?? "us";
  await audit(scope, region, {
    action: "compliance.evaluate",
    resourceType: "compliance",
    outcome: "success",
  });
  return result;
}

/** Runs the lifecycle cron's work now (retention + due erasures), as the admin; audited. */
export async function runLifecycleNow(scope: Scope) {
  const retention = await runRetention(scope);
  const erasures = await runDueErasures(scope);
  await audit(scope, scope.principal?.region ?? "us", {
    action: "lifecycle.run",
    resourceType: "job_run",
    outcome: "success",
  });
  return { retention, erasures };
}

/** Runbook step 9 after a database restore: erase again every restored subject the ledger lists; audited. */
export async function reapplyLedgerAsAdmin(scope: Scope, region: Region) {
  const { reErased } = await reapplyLedger(scope, region);
  await audit(scope, region, {
    action: "erasure.ledger_reapply",
    resourceType: "erasure_ledger",
    outcome: "success",
  });
  return { region, reErased };
}

const r = {
  requests: route({
    ...admin,
    method: "get",
    path: "/admin/data-requests",
    summary: "Exports and erasures in one region, with status and erasure certificates",
    request: { query: s.RegionQuery },
    problems: [404],
    responses: { 200: ok(s.DataRequestList, "Requests, newest first") },
  }),
  exportFor: route({
    ...admin,
    method: "post",
    path: "/admin/patients/{patientId}/exports",
    summary: "Export a patient's data on their behalf (audited as the admin)",
    request: { params: s.PatientParam, body: jsonBody(s.ExportInput) },
    problems: [404, 503],
    responses: { 202: ok(s.DataRequest, "Queued") },
  }),
  eraseFor: route({
    ...admin,
    method: "post",
    path: "/admin/patients/{patientId}/erasure",
    summary: "Request a patient's erasure on their behalf (same cooling-off; audited)",
    request: { params: s.PatientParam },
    problems: [404, 409],
    responses: { 202: ok(s.DataRequest, "Pending until dueAt") },
  }),
  holds: route({
    ...admin,
    method: "get",
    path: "/admin/legal-holds",
    summary: "Legal holds in one region",
    request: { query: s.RegionQuery },
    problems: [404],
    responses: { 200: ok(s.LegalHoldList, "Holds, newest first") },
  }),
  hold: route({
    ...admin,
    method: "post",
    path: "/admin/legal-holds",
    summary: "Place a legal hold on a patient: their erasure is suspended until it is released",
    request: { body: jsonBody(s.HoldInput) },
    problems: [404],
    responses: { 201: ok(s.LegalHold, "Placed") },
  }),
  release: route({
    ...admin,
    method: "post",
    path: "/admin/legal-holds/{id}/release",
    summary: "Release a legal hold (a held erasure becomes pending again)",
    request: { params: s.IdParam, query: s.RegionQuery },
    problems: [404],
    responses: { 200: ok(s.LegalHold, "Released") },
  }),
  compliance: route({
    ...admin,
    method: "get",
    path: "/admin/compliance",
    summary: "Automated compliance controls with evidence, and the score (share of passing controls)",
    problems: [404],
    responses: { 200: ok(s.Compliance, "Controls and score") },
  }),
  runs: route({
    ...admin,
    method: "get",
    path: "/admin/job-runs",
    summary: "Recent scheduled job runs (retention, DR drills) in one region: counts and durations, no PHI",
    request: { query: s.RegionQuery },
    problems: [404],
    responses: { 200: ok(s.JobRunList, "Runs, newest first") },
  }),
  runNow: route({
    ...admin,
    method: "post",
    path: "/admin/lifecycle/run",
    summary: "Run the lifecycle cron now: retention in every region and every due erasure",
    problems: [404],
    responses: { 200: ok(s.JobResult, "What ran") },
  }),
  reapply: route({
    ...admin,
    method: "post",
    path: "/admin/erasure-ledger/reapply",
    summary:
      "After a database restore (runbook step 9): erase again every subject of the region that the erasure ledger lists",
    request: { query: s.RegionQuery },
    problems: [404],
    responses: { 200: ok(s.LedgerReapplyResult, "How many restored subjects were erased again") },
  }),
};

export const lifecycleAdminRoutes = createRouter()
  .openapi(r.requests, async (c) =>
    c.json({ requests: await svc.listRequests(scopeOf(c), c.req.valid("query").region) }, 200),
  )
  .openapi(r.exportFor, async (c) =>
    c.json(
      await svc.requestExportFor(
        scopeOf(c),
        c.req.valid("param").patientId,
        c.req.valid("json").includeNotes,
      ),
      202,
    ),
  )
  .openapi(r.eraseFor, async (c) =>
    c.json(await svc.requestErasureFor(scopeOf(c), c.req.valid("param").patientId), 202),
  )
  .openapi(r.holds, async (c) =>
    c.json({ holds: await svc.listHolds(scopeOf(c), c.req.valid("query").region) }, 200),
  )
  .openapi(r.hold, async (c) => {
    const { patientId, reason } = c.req.valid("json");
    return c.json(await svc.placeHold(scopeOf(c), patientId, reason), 201);
  })
  .openapi(r.release, async (c) =>
    c.json(await svc.liftHold(scopeOf(c), c.req.valid("param").id, c.req.valid("query").region), 200),
  )
  .openapi(r.compliance, async (c) => c.json(await auditedCompliance(scopeOf(c)), 200))
  .openapi(r.runs, async (c) =>
    c.json({ runs: await svc.jobRuns(scopeOf(c), c.req.valid("query").region) }, 200),
  )
  .openapi(r.runNow, async (c) => c.json(await runLifecycleNow(scopeOf(c)), 200))
  .openapi(r.reapply, async (c) =>
    c.json(await reapplyLedgerAsAdmin(scopeOf(c), c.req.valid("query").region), 200),
  );
