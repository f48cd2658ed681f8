import { all, jsonInit, only, type Row } from "./access-matrix-cells";
import { OPEN_AVAILABILITY } from "./sessions-helpers";

let booking = 0;
/** Each actor's booking attempt asks for its own hour, so only access decides the answer. */
const nextStart = () => {
  booking += 1;
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  return new Date(d.getTime() + 20 * 86_400_000 + booking * 3_600_000).toISOString();
};
const UNKNOWN = "00000000-0000-4000-8000-000000000000";
const S = (w: { sessionId: string }, rest = "") => `/v1/therapy-sessions/${w.sessionId}${rest}`;
const SOAP = {
  format: "soap",
  sections: { subjective: "s", objective: "o", assessment: "a", plan: "p" },
  risk: { suicidalIdeation: "none", selfHarm: "none", harmToOthers: "none", level: "low", safetyPlan: "" },
};

/** Therapy sessions: availability, booking, calendars, ICS, visit, notes (in order: they change state). */
export const SESSION_ROWS: Row[] = [
  {
    operation: "GET /v1/clinician/availability",
    route: "GET /v1/clinician/availability",
    request: () => ["/v1/clinician/availability"],
    expect: only({ teamClinician: "200" }),
  },
  {
    operation: "PUT /v1/clinician/availability",
    route: "PUT /v1/clinician/availability (own)",
    request: () => ["/v1/clinician/availability", jsonInit("PUT", OPEN_AVAILABILITY)],
    expect: only({ teamClinician: "200", offTeamClinician: "200", breakGlass: "200" }),
  },
  {
    operation: "GET /v1/clinicians/{clinicianId}/slots",
    route: "GET /v1/clinicians/:team/slots",
    request: (w) => {
      const day = new Date(Date.now() + 21 * 86_400_000).toISOString().slice(0, 10);
      return [`/v1/clinicians/${w.users.teamClinician.id}/slots?sessionType=follow-up&from=${day}&to=${day}`];
    },
    expect: only({ teamClinician: "200", self: "200" }),
  },
  {
    operation: "POST /v1/therapy-sessions",
    route: "POST /v1/therapy-sessions (P with the team clinician)",
    request: (w) => [
      "/v1/therapy-sessions",
      jsonInit("POST", {
        clinicianId: w.users.teamClinician.id,
        patientId: w.P.id,
        sessionType: "follow-up",
        start: nextStart(),
      }),
    ],
    expect: only({ teamClinician: "201+", self: "201+" }),
  },
  {
    operation: "GET /v1/me/therapy-sessions",
    route: "GET /v1/me/therapy-sessions",
    request: () => ["/v1/me/therapy-sessions"],
    expect: only({ otherPatient: "200", self: "200+" }),
  },
  {
    operation: "GET /v1/me/therapy-sessions/calendar.ics",
    route: "GET /v1/me/therapy-sessions/calendar.ics",
    request: () => ["/v1/me/therapy-sessions/calendar.ics"],
    expect: only({
      otherPatient: "200",
      teamClinician: "200",
      offTeamClinician: "200",
      breakGlass: "200",
      self: "200",
    }),
  },
  {
    operation: "GET /v1/me/calendar-feed",
    route: "GET /v1/me/calendar-feed (own feed status)",
    request: () => ["/v1/me/calendar-feed"],
    expect: only({
      otherPatient: "200",
      teamClinician: "200",
      offTeamClinician: "200",
      breakGlass: "200",
      self: "200",
    }),
  },
  {
    operation: "POST /v1/me/calendar-feed",
    route: "POST /v1/me/calendar-feed (own feed URL)",
    request: () => ["/v1/me/calendar-feed", jsonInit("POST")],
    expect: only({
      otherPatient: "201",
      teamClinician: "201",
      offTeamClinician: "201",
      breakGlass: "201",
      self: "201",
    }),
  },
  {
    operation: "DELETE /v1/me/calendar-feed",
    route: "DELETE /v1/me/calendar-feed (own feed URL)",
    request: () => ["/v1/me/calendar-feed", jsonInit("DELETE")],
    expect: only({
      otherPatient: "204",
      teamClinician: "204",
      offTeamClinician: "204",
      breakGlass: "204",
      self: "204",
    }),
  },
  {
    operation: "GET /v1/calendar-feeds/{token}/sessions.ics",
    route: "GET /v1/calendar-feeds/:unknown-token/sessions.ics (a sign-in opens nobody's feed)",
    request: () => [`/v1/calendar-feeds/hcf_eu_${"0".repeat(64)}/sessions.ics`],
    expect: all("404"),
  },
  {
    operation: "GET /v1/clinician/calendar",
    route: "GET /v1/clinician/calendar",
    request: () => {
      const from = new Date(Date.now() - 86_400_000).toISOString();
      const to = new Date(Date.now() + 30 * 86_400_000).toISOString();
      return [`/v1/clinician/calendar?from=${from}&to=${to}`];
    },
    expect: only({ teamClinician: "200+", offTeamClinician: "200", breakGlass: "200" }),
  },
  {
    operation: "GET /v1/clinician/reminders",
    route: "GET /v1/clinician/reminders",
    request: () => ["/v1/clinician/reminders"],
    expect: only({ teamClinician: "200", offTeamClinician: "200", breakGlass: "200" }),
  },
  {
    operation: "GET /v1/therapy-sessions/{id}",
    route: "GET /v1/therapy-sessions/:session",
    request: (w) => [S(w)],
    expect: only({ teamClinician: "200+", self: "200+" }),
  },
  {
    operation: "GET /v1/therapy-sessions/{id}/calendar.ics",
    route: "GET /v1/therapy-sessions/:session/calendar.ics",
    request: (w) => [S(w, "/calendar.ics")],
    expect: only({ teamClinician: "200", self: "200" }),
  },
  {
    operation: "POST /v1/therapy-sessions/{id}/visit/tickets",
    route: "POST /v1/therapy-sessions/:session/visit/tickets",
    request: (w) => [S(w, "/visit/tickets"), jsonInit("POST")],
    expect: only({ teamClinician: "201", self: "201" }),
  },
  {
    operation: "GET /v1/therapy-sessions/{id}/visit/ws",
    route: "GET /v1/therapy-sessions/:session/visit/ws (no ticket: a bearer token never opens it)",
    request: (w) => [S(w, "/visit/ws"), { headers: { upgrade: "websocket" } }],
    expect: all("401"),
  },
  {
    operation: "POST /v1/therapy-sessions/{id}/note/ai-draft",
    route: "POST /v1/therapy-sessions/:session/note/ai-draft",
    request: (w) => [S(w, "/note/ai-draft"), jsonInit("POST", { format: "soap", bullets: "- calm" })],
    expect: only({ teamClinician: "200+" }),
  },
  {
    operation: "PUT /v1/therapy-sessions/{id}/note",
    route: "PUT /v1/therapy-sessions/:session/note",
    request: (w) => [S(w, "/note"), jsonInit("PUT", SOAP)],
    expect: only({ teamClinician: "200+" }),
  },
  {
    operation: "POST /v1/therapy-sessions/{id}/note/sign",
    route: "POST /v1/therapy-sessions/:session/note/sign",
    request: (w) => [S(w, "/note/sign"), jsonInit("POST")],
    expect: only({ teamClinician: "200+" }),
  },
  {
    operation: "POST /v1/therapy-sessions/{id}/note/addenda",
    route: "POST /v1/therapy-sessions/:session/note/addenda",
    request: (w) => [S(w, "/note/addenda"), jsonInit("POST", { text: "Addendum." })],
    expect: only({ teamClinician: "201+" }),
  },
  {
    operation: "GET /v1/therapy-sessions/{id}/note",
    route: "GET /v1/therapy-sessions/:session/note (signed)",
    request: (w) => [S(w, "/note")],
    expect: only({ teamClinician: "200+", self: "200+" }),
  },
  {
    operation: "PUT /v1/therapy-sessions/{id}/psychotherapy-note",
    route: "PUT /v1/therapy-sessions/:session/psychotherapy-note",
    request: (w) => [S(w, "/psychotherapy-note"), jsonInit("PUT", { text: "process notes" })],
    expect: only({ teamClinician: "200" }),
  },
  {
    operation: "GET /v1/therapy-sessions/{id}/psychotherapy-note",
    route: "GET /v1/therapy-sessions/:session/psychotherapy-note",
    request: (w) => [S(w, "/psychotherapy-note")],
    expect: only({ teamClinician: "200" }),
  },
  {
    operation: "POST /v1/therapy-sessions/{id}/recordings/consent",
    route: "POST /v1/therapy-sessions/:session/recordings/consent",
    request: (w) => [S(w, "/recordings/consent"), jsonInit("POST", { consent: true })],
    expect: only({ teamClinician: "200", self: "200" }),
  },
  {
    // The team clinician acts first and uses both consents; P's own attempt then lacks them.
    operation: "POST /v1/therapy-sessions/{id}/recordings",
    route: "POST /v1/therapy-sessions/:session/recordings (both consented once)",
    request: (w) => [S(w, "/recordings"), jsonInit("POST", { mimeType: "video/webm" })],
    expect: only({ teamClinician: "201", self: "409" }),
  },
  {
    operation: "GET /v1/therapy-sessions/{id}/recordings",
    route: "GET /v1/therapy-sessions/:session/recordings",
    request: (w) => [S(w, "/recordings")],
    expect: only({ teamClinician: "200", self: "200" }),
  },
  {
    operation: "PUT /v1/therapy-sessions/{id}/recordings/{recordingId}/chunks/{n}",
    route: "PUT /v1/therapy-sessions/:session/recordings/:unknown/chunks/0",
    request: (w) => [
      S(w, `/recordings/${UNKNOWN}/chunks/0`),
      { method: "PUT", headers: { "content-type": "application/octet-stream" }, body: "chunk" },
    ],
    expect: only({}),
  },
  {
    operation: "GET /v1/therapy-sessions/{id}/recordings/{recordingId}/chunks/{n}",
    route: "GET /v1/therapy-sessions/:session/recordings/:unknown/chunks/0",
    request: (w) => [S(w, `/recordings/${UNKNOWN}/chunks/0`)],
    expect: only({}),
  },
  {
    operation: "GET /v1/therapy-sessions/{id}/recordings/{recordingId}/media",
    route: "GET /v1/therapy-sessions/:session/recordings/:unknown/media",
    request: (w) => [S(w, `/recordings/${UNKNOWN}/media`)],
    expect: only({}),
  },
  {
    operation: "GET /v1/therapy-sessions/{id}/recordings/{recordingId}/key",
    route: "GET /v1/therapy-sessions/:session/recordings/:unknown/key",
    request: (w) => [S(w, `/recordings/${UNKNOWN}/key`)],
    expect: only({}),
  },
  {
    operation: "POST /v1/therapy-sessions/{id}/recordings/{recordingId}/stop",
    route: "POST /v1/therapy-sessions/:session/recordings/:unknown/stop",
    request: (w) => [S(w, `/recordings/${UNKNOWN}/stop`), jsonInit("POST")],
    expect: only({}),
  },
  {
    operation: "POST /v1/therapy-sessions/{id}/reschedule",
    route: "POST /v1/therapy-sessions/:session/reschedule (off the slot grid)",
    request: (w) => [S(w, "/reschedule"), jsonInit("POST", { start: "2030-01-01T10:07:00Z", reason: "x" })],
    expect: only({ teamClinician: "409", self: "409" }),
  },
  {
    operation: "POST /v1/therapy-sessions/{id}/cancel",
    route: "POST /v1/therapy-sessions/:session/cancel (already started)",
    request: (w) => [S(w, "/cancel"), jsonInit("POST", { reason: "x" })],
    expect: only({ teamClinician: "409", self: "409" }),
  },
  {
    operation: "POST /v1/therapy-sessions/{id}/mark",
    route: "POST /v1/therapy-sessions/:session/mark",
    request: (w) => [S(w, "/mark"), jsonInit("POST", { status: "completed" })],
    expect: only({ teamClinician: "200+" }),
  },
];
