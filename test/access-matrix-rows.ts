import { ACCOUNT_ROWS } from "./access-matrix-account-rows";
import { all, everyone, jsonInit, only, REASON, type Row } from "./access-matrix-cells";
import { COMPANION_ROWS } from "./access-matrix-companion-rows";
import { LIFECYCLE_ROWS } from "./access-matrix-lifecycle-rows";
import { NOTIFICATION_ROWS } from "./access-matrix-notify-rows";
import { OPS_ROWS } from "./access-matrix-ops-rows";
import { SESSION_ROWS } from "./access-matrix-session-rows";
import { TRACKING_ROWS } from "./access-matrix-tracking-rows";
import { WEARABLE_ROWS } from "./access-matrix-wearable-rows";

/** Patient data, care team, break-glass, screeners and chat, in order (some rows change state). */
const PATIENT_ROWS: Row[] = [
  {
    operation: "GET /v1/patients/{patientId}/profile",
    route: "GET /v1/patients/:P/profile",
    request: (w) => [`/v1/patients/${w.P.id}/profile`],
    expect: only({ teamClinician: "200+", breakGlass: "200+", self: "200+" }),
  },
  {
    operation: "GET /v1/me",
    route: "GET /v1/me",
    request: () => ["/v1/me"],
    expect: everyone("200", "200+"),
  },
  {
    operation: "GET /v1/me/profile",
    route: "GET /v1/me/profile",
    request: () => ["/v1/me/profile"],
    expect: everyone("200", "200+"),
  },
  {
    operation: "GET /v1/me/consents",
    route: "GET /v1/me/consents",
    request: () => ["/v1/me/consents"],
    expect: everyone("200"),
  },
  {
    operation: "GET /v1/me/care-team",
    route: "GET /v1/me/care-team",
    request: () => ["/v1/me/care-team"],
    expect: only({ otherPatient: "200", self: "200" }),
  },
  {
    operation: "GET /v1/me/break-glass",
    route: "GET /v1/me/break-glass",
    request: () => ["/v1/me/break-glass"],
    expect: only({ otherPatient: "200", self: "200" }),
  },
  {
    operation: "GET /v1/me/access-report",
    route: "GET /v1/me/access-report",
    request: () => ["/v1/me/access-report"],
    expect: only({ otherPatient: "200", self: "200" }),
  },
  {
    operation: "GET /v1/clinician/patients",
    route: "GET /v1/clinician/patients",
    request: () => ["/v1/clinician/patients"],
    expect: only({ teamClinician: "200+", offTeamClinician: "200", breakGlass: "200" }),
  },
  {
    operation: "GET /v1/clinician/invitations",
    route: "GET /v1/clinician/invitations",
    request: () => ["/v1/clinician/invitations"],
    expect: only({ teamClinician: "200", offTeamClinician: "200", breakGlass: "200" }),
  },
  {
    operation: "GET /v1/clinician/alerts",
    route: "GET /v1/clinician/alerts",
    request: () => ["/v1/clinician/alerts"],
    expect: only({ teamClinician: "200+", offTeamClinician: "200", breakGlass: "200" }),
  },
  {
    operation: "POST /v1/clinician/alerts/{id}/acknowledge",
    route: "POST /v1/clinician/alerts/:alert/acknowledge",
    request: (w) => [`/v1/clinician/alerts/${w.alertId}/acknowledge`, { method: "POST" }],
    expect: only({ teamClinician: "200+" }),
  },
  {
    operation: "GET /v1/admin/audit",
    route: "GET /v1/admin/audit?patientId=P",
    request: (w) => [`/v1/admin/audit?region=eu&patientId=${w.P.id}`],
    expect: only({ admin: "200+" }),
  },
  {
    operation: "GET /v1/admin/audit/verify",
    route: "GET /v1/admin/audit/verify",
    request: () => ["/v1/admin/audit/verify?region=eu"],
    expect: only({ admin: "200" }),
  },
  {
    operation: "PUT /v1/me/profile",
    route: "PUT /v1/me/profile",
    request: () => ["/v1/me/profile", jsonInit("PUT", { legalName: "Written by the caller" })],
    expect: everyone("200", "200+"),
  },
  {
    operation: "POST /v1/me/consents/{kind}/grant",
    route: "POST /v1/me/consents/health_data/grant",
    request: () => ["/v1/me/consents/health_data/grant", jsonInit("POST")],
    expect: everyone("200"),
  },
  {
    operation: "POST /v1/me/consents/{kind}/withdraw",
    route: "POST /v1/me/consents/ai_companion/withdraw",
    request: () => ["/v1/me/consents/ai_companion/withdraw", jsonInit("POST")],
    expect: everyone("200"),
  },
  {
    // Chat needs this consent (the chat rows below open the patients' own rooms).
    operation: "POST /v1/me/consents/{kind}/grant",
    route: "POST /v1/me/consents/ai_companion/grant (again)",
    request: () => ["/v1/me/consents/ai_companion/grant", jsonInit("POST")],
    expect: everyone("200"),
  },
  {
    operation: "POST /v1/me/care-team",
    route: "POST /v1/me/care-team (invite)",
    request: (w) => ["/v1/me/care-team", jsonInit("POST", { clinicianId: w.invitee.id })],
    expect: only({ otherPatient: "201", self: "201+" }),
  },
  {
    operation: "POST /v1/clinician/invitations/{id}/accept",
    route: "POST /v1/clinician/invitations/:id/accept (P's invitation to someone else)",
    request: (w) => [`/v1/clinician/invitations/${w.foreignInvitation}/accept`, jsonInit("POST")],
    expect: only({}),
  },
  {
    operation: "POST /v1/clinician/care-requests",
    route: "POST /v1/clinician/care-requests",
    request: (w) => ["/v1/clinician/care-requests", jsonInit("POST", { patientId: w.P.id })],
    expect: only({ teamClinician: "409", offTeamClinician: "201+", breakGlass: "201+" }),
  },
  {
    operation: "POST /v1/me/care-team/{clinicianId}/accept",
    route: "POST /v1/me/care-team/:requester/accept",
    request: (w) => [`/v1/me/care-team/${w.requester.id}/accept`, jsonInit("POST")],
    expect: only({ self: "200+" }),
  },
  {
    operation: "POST /v1/admin/care-team",
    route: "POST /v1/admin/care-team",
    request: (w) => [
      "/v1/admin/care-team",
      jsonInit("POST", { patientId: w.P.id, clinicianId: w.assignee.id }),
    ],
    expect: only({ admin: "200+" }),
  },
  {
    operation: "DELETE /v1/me/care-team/{clinicianId}",
    route: "DELETE /v1/me/care-team/:removable",
    request: (w) => [`/v1/me/care-team/${w.removable.id}`, { method: "DELETE" }],
    expect: only({ self: "204" }),
  },
  {
    operation: "POST /v1/patients/{patientId}/break-glass",
    route: "POST /v1/patients/:P/break-glass",
    request: (w) => [`/v1/patients/${w.P.id}/break-glass`, jsonInit("POST", { reason: REASON })],
    expect: only({ teamClinician: "409", offTeamClinician: "201+", admin: "201+", breakGlass: "201+" }),
  },
  {
    operation: "POST /v1/screeners/c-ssrs",
    route: "POST /v1/screeners/c-ssrs",
    request: () => [
      "/v1/screeners/c-ssrs",
      jsonInit("POST", { wishedDead: false, suicidalThoughts: false, behavior: false }),
    ],
    expect: only({ otherPatient: "201", self: "201+" }),
  },
  {
    operation: "GET /v1/screeners/c-ssrs",
    route: "GET /v1/screeners/c-ssrs",
    request: () => ["/v1/screeners/c-ssrs"],
    expect: only({ otherPatient: "200", self: "200+" }),
  },
  {
    // After the break-glass row above: offTeamClinician and admin now hold grants too.
    operation: "GET /v1/patients/{patientId}/screeners",
    route: "GET /v1/patients/:P/screeners (after break-glass)",
    request: (w) => [`/v1/patients/${w.P.id}/screeners`],
    expect: only({
      teamClinician: "200+",
      offTeamClinician: "200+",
      admin: "200+",
      breakGlass: "200+",
      self: "200+",
    }),
  },
  // ---- assessments: instruments, submissions, history, FHIR, assignments -------------------
  {
    operation: "GET /v1/assessments/instruments",
    route: "GET /v1/assessments/instruments",
    request: () => ["/v1/assessments/instruments"],
    expect: everyone("200"),
  },
  {
    operation: "GET /v1/assessments/instruments/{instrument}/fhir",
    route: "GET /v1/assessments/instruments/phq-9/fhir",
    request: () => ["/v1/assessments/instruments/phq-9/fhir"],
    expect: everyone("200"),
  },
  {
    operation: "POST /v1/assessments/{instrument}",
    route: "POST /v1/assessments/who-5",
    request: () => [
      "/v1/assessments/who-5",
      jsonInit("POST", { answers: { q1: 3, q2: 3, q3: 2, q4: 2, q5: 3 } }),
    ],
    expect: only({ otherPatient: "201", self: "201+" }),
  },
  {
    operation: "GET /v1/assessments",
    route: "GET /v1/assessments (own)",
    request: () => ["/v1/assessments"],
    expect: only({ otherPatient: "200", self: "200+" }),
  },
  {
    // After break-glass: offTeamClinician and admin hold grants too.
    operation: "GET /v1/patients/{patientId}/assessments",
    route: "GET /v1/patients/:P/assessments (after break-glass)",
    request: (w) => [`/v1/patients/${w.P.id}/assessments`],
    expect: only({
      teamClinician: "200+",
      offTeamClinician: "200+",
      admin: "200+",
      breakGlass: "200+",
      self: "200+",
    }),
  },
  {
    operation: "GET /v1/patients/{patientId}/assessments/{id}/fhir",
    route: "GET /v1/patients/:P/assessments/:id/fhir (after break-glass)",
    request: (w) => [`/v1/patients/${w.P.id}/assessments/${w.assessmentId}/fhir`],
    expect: only({
      teamClinician: "200+",
      offTeamClinician: "200+",
      admin: "200+",
      breakGlass: "200+",
      self: "200+",
    }),
  },
  {
    // Assigning is for the care team only: not break-glass, not the patient, not an admin.
    operation: "POST /v1/patients/{patientId}/assessment-assignments",
    route: "POST /v1/patients/:P/assessment-assignments",
    request: (w) => [
      `/v1/patients/${w.P.id}/assessment-assignments`,
      jsonInit("POST", { instrument: "gad-7", cadenceDays: 14 }),
    ],
    expect: only({ teamClinician: "201+" }),
  },
  {
    operation: "GET /v1/patients/{patientId}/assessment-assignments",
    route: "GET /v1/patients/:P/assessment-assignments (after break-glass)",
    request: (w) => [`/v1/patients/${w.P.id}/assessment-assignments`],
    expect: only({
      teamClinician: "200+",
      offTeamClinician: "200+",
      admin: "200+",
      breakGlass: "200+",
      self: "200+",
    }),
  },
  {
    operation: "GET /v1/assessments/due",
    route: "GET /v1/assessments/due (own)",
    request: () => ["/v1/assessments/due"],
    expect: only({ otherPatient: "200", self: "200+" }),
  },
  {
    operation: "GET /v1/clinician/assessments/due",
    route: "GET /v1/clinician/assessments/due",
    request: () => ["/v1/clinician/assessments/due"],
    expect: only({ teamClinician: "200+", offTeamClinician: "200", breakGlass: "200" }),
  },
  {
    operation: "DELETE /v1/patients/{patientId}/assessment-assignments/{id}",
    route: "DELETE /v1/patients/:P/assessment-assignments/:id",
    request: (w) => [`/v1/patients/${w.P.id}/assessment-assignments/${w.assignmentId}`, { method: "DELETE" }],
    expect: only({ teamClinician: "204" }),
  },
  // ---- self-tracking, safety plan, workspace (after break-glass: offTeam and admin hold grants) ----
  ...TRACKING_ROWS,
  // ---- chat: tickets, HTTP fallback, history, sharing ----------------------------------------
  {
    operation: "POST /v1/chat/tickets",
    route: "POST /v1/chat/tickets (own room)",
    request: () => ["/v1/chat/tickets", jsonInit("POST")],
    expect: everyone("201"),
  },
  {
    operation: "POST /v1/patients/{id}/chat/tickets",
    route: "POST /v1/patients/:P/chat/tickets",
    request: (w) => [`/v1/patients/${w.P.id}/chat/tickets`, jsonInit("POST")],
    expect: only({ teamClinician: "201" }),
  },
  {
    operation: "GET /v1/chat/history",
    route: "GET /v1/chat/history (own)",
    request: () => ["/v1/chat/history"],
    expect: everyone("200"),
  },
  {
    operation: "GET /v1/patients/{id}/chat/history",
    route: "GET /v1/patients/:P/chat/history",
    request: (w) => [`/v1/patients/${w.P.id}/chat/history`],
    expect: only({ teamClinician: "200" }),
  },
  {
    operation: "GET /v1/chat/stream",
    route: "GET /v1/chat/stream (own room's replay)",
    request: () => ["/v1/chat/stream?after=0"],
    expect: everyone("200"),
  },
  {
    operation: "POST /v1/chat/messages",
    route: "POST /v1/chat/messages (empty text: validated after authentication)",
    request: () => ["/v1/chat/messages", jsonInit("POST", { text: "" })],
    expect: everyone("422"),
  },
  {
    operation: "PUT /v1/chat/sharing",
    route: "PUT /v1/chat/sharing (own choice)",
    request: () => ["/v1/chat/sharing", jsonInit("PUT", { full: false })],
    expect: only({ otherPatient: "200", self: "200" }),
  },
  {
    operation: "GET /v1/chat/ws",
    route: "GET /v1/chat/ws (upgrade without a ticket: a bearer token alone never opens a socket)",
    request: () => ["/v1/chat/ws", { headers: { upgrade: "websocket" } }],
    expect: all("401"),
  },
  {
    operation: "GET /v1/chat/ws",
    route: "GET /v1/chat/ws (unknown ticket)",
    request: () => [`/v1/chat/ws?ticket=${"A".repeat(43)}`, { headers: { upgrade: "websocket" } }],
    expect: all("401"),
  },
];

/** Every row, in the order they run: sign-out last. */
export const MATRIX: Row[] = [
  ...PATIENT_ROWS,
  ...SESSION_ROWS,
  ...WEARABLE_ROWS,
  ...COMPANION_ROWS,
  ...NOTIFICATION_ROWS,
  ...OPS_ROWS,
  ...LIFECYCLE_ROWS,
  ...ACCOUNT_ROWS,
];
