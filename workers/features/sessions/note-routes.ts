import { z } from "@hono/zod-openapi";
import { bearer, jsonBody, ok, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { aiDraft } from "./ai-draft";
import * as notes from "./notes";
import * as s from "./schema";

const tags = ["session notes"];
const security = bearer;
const params = s.SessionIdParam;
const clinician = [requireAuth("clinician")];

const r = {
  read: route({
    tags,
    security,
    middleware: [requireAuth("patient", "clinician")],
    method: "get",
    path: "/therapy-sessions/{id}/note",
    summary: "The progress note with addenda (the clinician sees drafts; the patient only a signed note)",
    request: { params },
    problems: [404],
    responses: { 200: ok(s.Note, "The note") },
  }),
  save: route({
    tags,
    security,
    middleware: clinician,
    method: "put",
    path: "/therapy-sessions/{id}/note",
    summary: "Save the draft (autosave). A signed note is locked: 409, add an addendum",
    request: { params, body: jsonBody(s.NoteContent) },
    problems: [404, 409],
    responses: { 200: ok(s.Note, "Saved draft") },
  }),
  sign: route({
    tags,
    security,
    middleware: clinician,
    method: "post",
    path: "/therapy-sessions/{id}/note/sign",
    summary: "Sign and lock the note (an unedited AI draft cannot be signed)",
    request: { params },
    problems: [404, 409],
    responses: { 200: ok(s.Note, "Signed") },
  }),
  addendum: route({
    tags,
    security,
    middleware: clinician,
    method: "post",
    path: "/therapy-sessions/{id}/note/addenda",
    summary: "Add an addendum to a signed note (own author and time)",
    request: { params, body: jsonBody(s.AddendumRequest) },
    problems: [404, 409],
    responses: { 201: ok(s.Note, "Added") },
  }),
  draft: route({
    tags,
    security,
    middleware: clinician,
    method: "post",
    path: "/therapy-sessions/{id}/note/ai-draft",
    summary: "Draft the note with the model from your bullet points (and a transcript); marked AI-generated",
    description:
      "The transcript is read by the safety net first: crisis language records a risk event for the patient.",
    request: { params, body: jsonBody(s.AiDraftRequest) },
    problems: [404, 409, 503],
    responses: {
      200: ok(z.object({ note: s.Note, transcriptRisk: z.string() }), "The AI draft, saved as a draft"),
    },
  }),
  psychoRead: route({
    tags,
    security,
    middleware: clinician,
    method: "get",
    path: "/therapy-sessions/{id}/psychotherapy-note",
    summary: "Your psychotherapy note: kept apart from the record, never shown to the patient or exported",
    request: { params },
    problems: [404],
    responses: { 200: ok(s.PsychotherapyNote, "Your note") },
  }),
  psychoWrite: route({
    tags,
    security,
    middleware: clinician,
    method: "put",
    path: "/therapy-sessions/{id}/psychotherapy-note",
    summary: "Save your psychotherapy note",
    request: { params, body: jsonBody(s.PsychotherapyRequest) },
    problems: [404],
    responses: { 200: ok(s.PsychotherapyNote, "Saved") },
  }),
};

export const noteRoutes = createRouter()
  .openapi(r.read, async (c) => c.json(await notes.readNote(scopeOf(c), c.req.valid("param").id), 200))
  .openapi(r.save, async (c) =>
    c.json(await notes.writeDraft(scopeOf(c), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(r.sign, async (c) => c.json(await notes.sign(scopeOf(c), c.req.valid("param").id), 200))
  .openapi(r.addendum, async (c) =>
    c.json(await notes.addAddendum(scopeOf(c), c.req.valid("param").id, c.req.valid("json").text), 201),
  )
  .openapi(r.draft, async (c) =>
    c.json(await aiDraft(scopeOf(c), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(r.psychoRead, async (c) =>
    c.json(await notes.readPsychotherapy(scopeOf(c), c.req.valid("param").id), 200),
  )
  .openapi(r.psychoWrite, async (c) =>
    c.json(
      await notes.writePsychotherapy(scopeOf(c), c.req.valid("param").id, c.req.valid("json").text),
      200,
    ),
  );
