import { bearer, jsonBody, ok, problem, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import {
  addMedication,
  editMedication,
  logDose,
  ownMedications,
  patientMedications,
  removeMedication,
} from "./medications";
import * as s from "./schema";
import { createEntry, editEntry, ownEntries, patientEntries, removeEntry } from "./service";

const tags = ["self-tracking"];
const patient = { tags, security: bearer, middleware: [requireAuth("patient")] };
const consent403 = problem(
  403,
  "Problem (RFC 9457): no consent to processing health data (`consent` names it)",
);
const deleted = { description: "Deleted" };

const r = {
  list: route({
    ...patient,
    method: "get",
    path: "/me/tracking",
    summary: "Your mood, symptom, sleep and journal entries, newest first (notes decrypted; audited)",
    request: { query: s.EntriesQuery },
    problems: [404],
    responses: { 200: ok(s.Entries, "Your entries") },
  }),
  create: route({
    ...patient,
    method: "post",
    path: "/me/tracking",
    summary: "Log a mood check-in, symptom, sleep or journal entry (note encrypted with your key; audited)",
    description:
      "A mood check-in well under your own recent baseline is recorded as a mood-drop signal on your risk timeline (`signal`).",
    request: { body: jsonBody(s.EntryInput) },
    problems: [404],
    responses: { 201: ok(s.Entry, "Logged"), 403: consent403 },
  }),
  update: route({
    ...patient,
    method: "put",
    path: "/me/tracking/{id}",
    summary: "Edit one of your entries (audited)",
    request: { params: s.IdParam, body: jsonBody(s.EntryUpdate) },
    problems: [404],
    responses: { 200: ok(s.Entry, "Updated"), 403: consent403 },
  }),
  remove: route({
    ...patient,
    method: "delete",
    path: "/me/tracking/{id}",
    summary: "Delete one of your entries (audited)",
    request: { params: s.IdParam },
    problems: [404],
    responses: { 204: deleted },
  }),
  patientList: route({
    tags,
    security: bearer,
    middleware: [requireAuth()] as const,
    method: "get",
    path: "/patients/{patientId}/tracking",
    summary:
      "A patient's self-tracking for their care team: scores, tags, sleep; notes only when shared (audited)",
    request: { params: s.PatientIdParam, query: s.EntriesQuery.pick({ days: true }) },
    problems: [404],
    responses: { 200: ok(s.Entries, "The patient's entries") },
  }),
  meds: route({
    ...patient,
    method: "get",
    path: "/me/medications",
    summary: "Your medications with the last 30 days of doses and adherence (audited)",
    problems: [404],
    responses: { 200: ok(s.Medications, "Your medications") },
  }),
  addMed: route({
    ...patient,
    method: "post",
    path: "/me/medications",
    summary: "Add a medication (name, dose and schedule encrypted with your key; audited)",
    request: { body: jsonBody(s.MedicationInput) },
    problems: [404],
    responses: { 201: ok(s.Medication, "Added"), 403: consent403 },
  }),
  editMed: route({
    ...patient,
    method: "put",
    path: "/me/medications/{id}",
    summary: "Edit or stop one of your medications (audited)",
    request: { params: s.IdParam, body: jsonBody(s.MedicationUpdate) },
    problems: [404],
    responses: { 200: ok(s.Medication, "Updated"), 403: consent403 },
  }),
  removeMed: route({
    ...patient,
    method: "delete",
    path: "/me/medications/{id}",
    summary: "Delete one of your medications and its doses (audited)",
    request: { params: s.IdParam },
    problems: [404],
    responses: { 204: deleted },
  }),
  dose: route({
    ...patient,
    method: "post",
    path: "/me/medications/{id}/doses",
    summary: "Log a dose: taken, missed, or skipped with a reason (audited)",
    description:
      "Three missed doses in a row are recorded as a missed-medication signal on your risk timeline.",
    request: { params: s.IdParam, body: jsonBody(s.DoseInput) },
    problems: [404],
    responses: { 201: ok(s.Dose, "Logged"), 403: consent403 },
  }),
  patientMeds: route({
    tags,
    security: bearer,
    middleware: [requireAuth()] as const,
    method: "get",
    path: "/patients/{patientId}/medications",
    summary: "A patient's medications and adherence, for their care team (audited, denials too)",
    request: { params: s.PatientIdParam },
    problems: [404],
    responses: { 200: ok(s.Medications, "The patient's medications") },
  }),
};

/** Self-tracking: mood, symptoms, sleep, journal and medications. */
export const trackingRoutes = createRouter()
  .openapi(r.list, async (c) => {
    const q = c.req.valid("query");
    return c.json(await ownEntries(scopeOf(c), q.days, q.kind), 200);
  })
  .openapi(r.create, async (c) => c.json(await createEntry(scopeOf(c), c.req.valid("json")), 201))
  .openapi(r.update, async (c) =>
    c.json(await editEntry(scopeOf(c), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(r.remove, async (c) => {
    await removeEntry(scopeOf(c), c.req.valid("param").id);
    return c.body(null, 204);
  })
  .openapi(r.patientList, async (c) =>
    c.json(await patientEntries(scopeOf(c), c.req.valid("param").patientId, c.req.valid("query").days), 200),
  )
  .openapi(r.meds, async (c) => c.json(await ownMedications(scopeOf(c)), 200))
  .openapi(r.addMed, async (c) => c.json(await addMedication(scopeOf(c), c.req.valid("json")), 201))
  .openapi(r.editMed, async (c) =>
    c.json(await editMedication(scopeOf(c), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(r.removeMed, async (c) => {
    await removeMedication(scopeOf(c), c.req.valid("param").id);
    return c.body(null, 204);
  })
  .openapi(r.dose, async (c) =>
    c.json(await logDose(scopeOf(c), c.req.valid("param").id, c.req.valid("json")), 201),
  )
  .openapi(r.patientMeds, async (c) =>
    c.json(await patientMedications(scopeOf(c), c.req.valid("param").patientId), 200),
  );
