import { bearer, jsonBody, ok, problem, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { AlertDetail, AlertIdParam, CareAlert, CareAlerts, EscalateInput, NoteInput } from "./schema";
import { acknowledgeAlert, listAlerts } from "./service";
import { addNote, alertDetail, escalate } from "./triage";

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
  detail: route({
    tags,
    security: bearer,
    middleware: [requireAuth("clinician")] as const,
    method: "get",
    path: "/clinician/alerts/{id}",
    summary: "Clinician: one of your alerts with its patient and triage trail (audited)",
    request: { params: AlertIdParam },
    problems: [404],
    responses: { 200: ok(AlertDetail, "The alert"), 403: problem(403) },
  }),
  note: route({
    tags,
    security: bearer,
    middleware: [requireAuth("clinician")] as const,
    method: "post",
    path: "/clinician/alerts/{id}/notes",
    summary:
      "Clinician: add a follow-up note to one of your alerts (encrypted with the patient's key; audited)",
    request: { params: AlertIdParam, body: jsonBody(NoteInput) },
    problems: [404],
    responses: { 201: ok(AlertDetail, "Noted"), 403: problem(403) },
  }),
  escalate: route({
    tags,
    security: bearer,
    middleware: [requireAuth("clinician")] as const,
    method: "post",
    path: "/clinician/alerts/{id}/escalate",
    summary: "Clinician: escalate one of your alerts to an on-call colleague (one-hour break-glass; audited)",
    request: { params: AlertIdParam, body: jsonBody(EscalateInput) },
    problems: [404],
    responses: { 201: ok(AlertDetail, "Escalated"), 403: problem(403) },
  }),
};

/** A clinician's crisis-alert inbox: alerts stay until acknowledged, whatever happened to live pushes. */
export const alertRoutes = createRouter()
  .openapi(r.list, async (c) => c.json(await listAlerts(scopeOf(c)), 200))
  .openapi(r.acknowledge, async (c) =>
    c.json(await acknowledgeAlert(scopeOf(c), c.req.valid("param").id), 200),
  )
  .openapi(r.detail, async (c) => c.json(await alertDetail(scopeOf(c), c.req.valid("param").id), 200))
  .openapi(r.note, async (c) =>
    c.json(await addNote(scopeOf(c), c.req.valid("param").id, c.req.valid("json").note), 201),
  )
  .openapi(r.escalate, async (c) =>
    c.json(await escalate(scopeOf(c), c.req.valid("param").id, c.req.valid("json")), 201),
  );
