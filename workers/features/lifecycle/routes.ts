import { bearer, jsonBody, ok, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import * as s from "./schema";
import * as svc from "./service";

const self = { tags: ["data rights"], security: bearer, middleware: [requireAuth("patient")] };
const anyone = { tags: ["data rights"], security: bearer, middleware: [requireAuth()] };

const r = {
  export: route({
    ...self,
    method: "post",
    path: "/me/exports",
    summary:
      "Export everything Haven holds about you (JSON archive + FHIR R4 Bundle), built in the background",
    request: { body: jsonBody(s.ExportInput) },
    problems: [404, 503],
    responses: { 202: ok(s.DataRequest, "Queued; poll GET /v1/me/data-requests") },
  }),
  erase: route({
    ...self,
    method: "post",
    path: "/me/erasure",
    summary: "Ask for your account and data to be erased, after a 7-day cooling-off you can cancel",
    problems: [404, 409],
    responses: { 202: ok(s.DataRequest, "Pending until dueAt") },
  }),
  list: route({
    ...self,
    method: "get",
    path: "/me/data-requests",
    summary: "Your exports and erasure requests, with download links while an export is ready",
    problems: [404],
    responses: { 200: ok(s.DataRequestList, "Your requests, newest first") },
  }),
  cancel: route({
    ...anyone,
    method: "post",
    path: "/data-requests/{id}/cancel",
    summary: "Cancel a pending or held erasure (its subject, or an admin naming the region)",
    request: { params: s.IdParam, query: s.OptionalRegion },
    problems: [404, 409],
    responses: { 200: ok(s.DataRequest, "Cancelled") },
  }),
  download: route({
    ...anyone,
    method: "get",
    path: "/data-requests/{id}/download",
    summary: "Download an export file through its signed link (15 minutes; its subject or an admin)",
    request: { params: s.IdParam, query: s.DownloadQuery },
    problems: [404],
    responses: {
      200: {
        description: "The file",
        content: {
          "application/json": { schema: { type: "object" } },
          "application/fhir+json": { schema: { type: "object" } },
        },
      },
    },
  }),
};

export const lifecycleRoutes = createRouter()
  .openapi(r.export, async (c) =>
    c.json(await svc.requestOwnExport(scopeOf(c), c.req.valid("json").includeNotes), 202),
  )
  .openapi(r.erase, async (c) => c.json(await svc.requestOwnErasure(scopeOf(c)), 202))
  .openapi(r.list, async (c) => c.json({ requests: await svc.ownRequests(scopeOf(c)) }, 200))
  .openapi(r.cancel, async (c) =>
    c.json(await svc.cancelErasure(scopeOf(c), c.req.valid("param").id, c.req.valid("query").region), 200),
  )
  .openapi(r.download, async (c) => {
    const q = c.req.valid("query");
    const object = await svc.download(scopeOf(c), c.req.valid("param").id, q);
    const type = q.format === "fhir" ? "application/fhir+json" : "application/json";
    const name = q.format === "fhir" ? "haven-fhir-bundle.json" : "haven-export.json";
    return new Response(object.body, {
      status: 200,
      headers: {
        "content-type": type,
        "content-disposition": `attachment; filename="${name}"`,
        "cache-control": "no-store",
      },
    }) as never;
  });
