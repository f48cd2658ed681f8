import { z } from "@hono/zod-openapi";
import { AppError } from "../../lib/errors";
import { bearer, jsonBody, ok, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { calendarFeed, clinicianCalendar, sessionIcs } from "./calendar";
import { missingNoteReminders } from "./reminders";
import * as s from "./schema";
import * as sessions from "./service";

const tags = ["sessions"];
const security = bearer;
const ICS = { description: "RFC 5545 calendar", content: { "text/calendar": { schema: z.string() } } };
const IdempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .min(8)
    .max(128)
    .regex(/^[\x21-\x7e]+$/)
    .optional()
    .openapi({ description: "Retrying with the same key returns the first booking instead of a second" }),
});

const r = {
  getAvailability: route({
    tags,
    security,
    middleware: [requireAuth("clinician")],
    method: "get",
    path: "/clinician/availability",
    summary: "Your published availability and booking policy",
    problems: [404],
    responses: { 200: ok(s.AvailabilitySchema, "Your availability") },
  }),
  putAvailability: route({
    tags,
    security,
    middleware: [requireAuth("clinician")],
    method: "put",
    path: "/clinician/availability",
    summary: "Publish weekly rules (your IANA zone), overrides, time off, session types and policy",
    request: { body: jsonBody(s.AvailabilitySchema) },
    problems: [404],
    responses: { 200: ok(s.AvailabilitySchema, "Saved") },
  }),
  slots: route({
    tags,
    security,
    middleware: [requireAuth("patient", "clinician")],
    method: "get",
    path: "/clinicians/{clinicianId}/slots",
    summary: "Free slots of a clinician on your care team (instants in UTC; show them in your zone)",
    request: { params: s.ClinicianIdParam, query: s.SlotsQuery },
    problems: [404],
    responses: { 200: ok(s.Slots, "Free slots") },
  }),
  book: route({
    tags,
    security,
    middleware: [requireAuth("patient", "clinician")],
    method: "post",
    path: "/therapy-sessions",
    summary: "Book a session (a patient with a clinician on their team, or a clinician for a patient)",
    description:
      "No double booking: Postgres's exclusion constraint decides between concurrent requests; the loser gets 409.",
    request: { headers: IdempotencyHeader, body: jsonBody(s.BookingRequest) },
    problems: [404, 409],
    responses: { 201: ok(s.Session, "Booked"), 200: ok(s.Session, "The booking this Idempotency-Key made") },
  }),
  mine: route({
    tags,
    security,
    middleware: [requireAuth("patient")],
    method: "get",
    path: "/me/therapy-sessions",
    summary: "Your sessions from yesterday on (audited)",
    problems: [404],
    responses: { 200: ok(s.SessionList, "Your sessions") },
  }),
  feed: route({
    tags,
    security,
    middleware: [requireAuth("patient", "clinician")],
    method: "get",
    path: "/me/therapy-sessions/calendar.ics",
    summary: "Your sessions as an RFC 5545 calendar (patients: your bookings; clinicians: your calendar)",
    problems: [404],
    responses: { 200: ICS },
  }),
  calendar: route({
    tags,
    security,
    middleware: [requireAuth("clinician")],
    method: "get",
    path: "/clinician/calendar",
    summary: "Your sessions in a range, every region (day and week views)",
    request: { query: s.CalendarQuery },
    problems: [404],
    responses: { 200: ok(s.SessionList, "Sessions") },
  }),
  reminders: route({
    tags,
    security,
    middleware: [requireAuth("clinician")],
    method: "get",
    path: "/clinician/reminders",
    summary: "Sessions that ended over NOTE_REMINDER_HOURS (default 24) ago without a signed note",
    problems: [404],
    responses: { 200: ok(s.Reminders, "Missing notes") },
  }),
  get: route({
    tags,
    security,
    middleware: [requireAuth("patient", "clinician")],
    method: "get",
    path: "/therapy-sessions/{id}",
    summary: "One session (its patient or its clinician; audited)",
    request: { params: s.SessionIdParam },
    problems: [404],
    responses: { 200: ok(s.Session, "The session") },
  }),
  ics: route({
    tags,
    security,
    middleware: [requireAuth("patient", "clinician")],
    method: "get",
    path: "/therapy-sessions/{id}/calendar.ics",
    summary: "The session as an RFC 5545 event",
    request: { params: s.SessionIdParam },
    problems: [404],
    responses: { 200: ICS },
  }),
  cancel: route({
    tags,
    security,
    middleware: [requireAuth("patient", "clinician")],
    method: "post",
    path: "/therapy-sessions/{id}/cancel",
    summary:
      "Cancel with a reason (inside the late-cancel window a patient's cancellation is recorded as late)",
    request: { params: s.SessionIdParam, body: jsonBody(s.CancelRequest) },
    problems: [404, 409],
    responses: { 200: ok(s.Session, "Cancelled; the slot is free again") },
  }),
  reschedule: route({
    tags,
    security,
    middleware: [requireAuth("patient", "clinician")],
    method: "post",
    path: "/therapy-sessions/{id}/reschedule",
    summary: "Move a booking: the new time is booked first, then the old one is cancelled",
    request: { params: s.SessionIdParam, body: jsonBody(s.RescheduleRequest) },
    problems: [404, 409],
    responses: { 201: ok(s.Session, "The new booking") },
  }),
  mark: route({
    tags,
    security,
    middleware: [requireAuth("clinician")],
    method: "post",
    path: "/therapy-sessions/{id}/mark",
    summary: "Mark a started session completed or a no-show",
    request: { params: s.SessionIdParam, body: jsonBody(s.MarkRequest) },
    problems: [404, 409],
    responses: { 200: ok(s.Session, "Marked") },
  }),
};

export const sessionRoutes = createRouter()
  .openapi(r.getAvailability, async (c) => {
    const scope = scopeOf(c);
    const p = c.get("principal");
    const a = p ? await sessions.loadAvailability(scope, p.region, p.userId) : null;
    if (!a) throw new AppError("not_found", "No availability published yet");
    return c.json(a, 200);
  })
  .openapi(r.putAvailability, async (c) =>
    c.json(await sessions.saveAvailability(scopeOf(c), c.req.valid("json")), 200),
  )
  .openapi(r.slots, async (c) =>
    c.json(await sessions.slotsOf(scopeOf(c), c.req.valid("param").clinicianId, c.req.valid("query")), 200),
  )
  .openapi(r.book, async (c) => {
    const key = c.req.valid("header")["idempotency-key"];
    const { session, replayed } = await sessions.book(scopeOf(c), c.req.valid("json"), key);
    return replayed ? c.json(session, 200) : c.json(session, 201);
  })
  .openapi(r.mine, async (c) => c.json({ sessions: await sessions.ownSessions(scopeOf(c)) }, 200))
  .openapi(r.feed, async (c) => c.body(await calendarFeed(scopeOf(c)), 200, icsHeaders("haven-sessions.ics")))
  .openapi(r.calendar, async (c) => {
    const { from, to } = c.req.valid("query");
    return c.json({ sessions: await clinicianCalendar(scopeOf(c), new Date(from), new Date(to)) }, 200);
  })
  .openapi(r.reminders, async (c) => c.json({ missingNotes: await missingNoteReminders(scopeOf(c)) }, 200))
  .openapi(r.get, async (c) => c.json(await sessions.getSession(scopeOf(c), c.req.valid("param").id), 200))
  .openapi(r.ics, async (c) =>
    c.body(await sessionIcs(scopeOf(c), c.req.valid("param").id), 200, icsHeaders("haven-session.ics")),
  )
  .openapi(r.cancel, async (c) =>
    c.json(await sessions.cancel(scopeOf(c), c.req.valid("param").id, c.req.valid("json").reason), 200),
  )
  .openapi(r.reschedule, async (c) => {
    const { start, reason } = c.req.valid("json");
    return c.json(await sessions.reschedule(scopeOf(c), c.req.valid("param").id, start, reason), 201);
  })
  .openapi(r.mark, async (c) =>
    c.json(await sessions.mark(scopeOf(c), c.req.valid("param").id, c.req.valid("json").status), 200),
  );

function icsHeaders(filename: string) {
  return {
    "content-type": "text/calendar; charset=utf-8",
    "content-disposition": `attachment; filename="${filename}"`,
    "cache-control": "private, no-store",
  };
}
