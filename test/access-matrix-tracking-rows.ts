import { jsonInit, only, type Row } from "./access-matrix-cells";

/** An id that names nothing: edits of someone else's (or a missing) record answer 404 to everyone. */
const NOBODY = "00000000-0000-4000-8000-000000000000";
/** After the break-glass rows: these actors reach P's record. */
const CARE_READERS = {
  teamClinician: "200+",
  offTeamClinician: "200+",
  admin: "200+",
  breakGlass: "200+",
} as const;
const SECTIONS = { warningSigns: ["Not sleeping"], reasonsForLiving: ["My dog"] };

/**
 * Self-tracking, medications, the safety plan, the risk timeline, the caseload, alert triage and
 * practice outcomes. Runs after the break-glass rows (offTeamClinician and admin hold grants on P).
 */
export const TRACKING_ROWS: Row[] = [
  {
    operation: "POST /v1/me/tracking",
    route: "POST /v1/me/tracking",
    request: () => ["/v1/me/tracking", jsonInit("POST", { kind: "mood", score: 6, note: "matrix" })],
    expect: only({ otherPatient: "201", self: "201" }),
  },
  {
    operation: "GET /v1/me/tracking",
    route: "GET /v1/me/tracking",
    request: () => ["/v1/me/tracking"],
    expect: only({ otherPatient: "200", self: "200+" }),
  },
  {
    operation: "PUT /v1/me/tracking/{id}",
    route: "PUT /v1/me/tracking/:unknown",
    request: () => [`/v1/me/tracking/${NOBODY}`, jsonInit("PUT", { score: 3 })],
    expect: only({}),
  },
  {
    operation: "DELETE /v1/me/tracking/{id}",
    route: "DELETE /v1/me/tracking/:unknown",
    request: () => [`/v1/me/tracking/${NOBODY}`, { method: "DELETE" }],
    expect: only({}),
  },
  {
    operation: "GET /v1/patients/{patientId}/tracking",
    route: "GET /v1/patients/:P/tracking",
    request: (w) => [`/v1/patients/${w.P.id}/tracking`],
    expect: only({ ...CARE_READERS, self: "200+" }),
  },
  {
    operation: "POST /v1/me/medications",
    route: "POST /v1/me/medications",
    request: () => ["/v1/me/medications", jsonInit("POST", { name: "Matrix 10 mg" })],
    expect: only({ otherPatient: "201", self: "201" }),
  },
  {
    operation: "GET /v1/me/medications",
    route: "GET /v1/me/medications",
    request: () => ["/v1/me/medications"],
    expect: only({ otherPatient: "200", self: "200+" }),
  },
  {
    operation: "PUT /v1/me/medications/{id}",
    route: "PUT /v1/me/medications/:unknown",
    request: () => [`/v1/me/medications/${NOBODY}`, jsonInit("PUT", { active: false })],
    expect: only({}),
  },
  {
    operation: "DELETE /v1/me/medications/{id}",
    route: "DELETE /v1/me/medications/:unknown",
    request: () => [`/v1/me/medications/${NOBODY}`, { method: "DELETE" }],
    expect: only({}),
  },
  {
    operation: "POST /v1/me/medications/{id}/doses",
    route: "POST /v1/me/medications/:unknown/doses",
    request: () => [`/v1/me/medications/${NOBODY}/doses`, jsonInit("POST", { status: "taken" })],
    expect: only({}),
  },
  {
    operation: "GET /v1/patients/{patientId}/medications",
    route: "GET /v1/patients/:P/medications",
    request: (w) => [`/v1/patients/${w.P.id}/medications`],
    expect: only({ ...CARE_READERS, self: "200+" }),
  },
  {
    operation: "PUT /v1/me/safety-plan",
    route: "PUT /v1/me/safety-plan (first version)",
    request: () => ["/v1/me/safety-plan", jsonInit("PUT", { baseVersion: 0, sections: SECTIONS })],
    expect: only({ otherPatient: "200", self: "200+" }),
  },
  {
    operation: "GET /v1/me/safety-plan",
    route: "GET /v1/me/safety-plan",
    request: () => ["/v1/me/safety-plan"],
    expect: only({ otherPatient: "200", self: "200+" }),
  },
  {
    // Care team only (not break-glass); the team clinician writes version 2, then self's stale save is refused.
    operation: "PUT /v1/patients/{patientId}/safety-plan",
    route: "PUT /v1/patients/:P/safety-plan (version 2)",
    request: (w) => [
      `/v1/patients/${w.P.id}/safety-plan`,
      jsonInit("PUT", { baseVersion: 1, sections: SECTIONS }),
    ],
    expect: only({ teamClinician: "200+" }),
  },
  {
    operation: "GET /v1/patients/{patientId}/safety-plan",
    route: "GET /v1/patients/:P/safety-plan",
    request: (w) => [`/v1/patients/${w.P.id}/safety-plan`],
    expect: only({ ...CARE_READERS, self: "200+" }),
  },
  {
    operation: "GET /v1/patients/{patientId}/timeline",
    route: "GET /v1/patients/:P/timeline (care team and break-glass, not the patient)",
    request: (w) => [`/v1/patients/${w.P.id}/timeline`],
    expect: only(CARE_READERS),
  },
  {
    operation: "GET /v1/clinician/caseload",
    route: "GET /v1/clinician/caseload",
    request: () => ["/v1/clinician/caseload"],
    expect: only({ teamClinician: "200+", offTeamClinician: "200", breakGlass: "200" }),
  },
  {
    operation: "POST /v1/clinician/caseload/search",
    route: "POST /v1/clinician/caseload/search (a name in the body)",
    request: () => ["/v1/clinician/caseload/search", jsonInit("POST", { q: "patient" })],
    expect: only({ teamClinician: "200+", offTeamClinician: "200", breakGlass: "200" }),
  },
  {
    operation: "GET /v1/clinician/alerts/{id}",
    route: "GET /v1/clinician/alerts/:alert",
    request: (w) => [`/v1/clinician/alerts/${w.alertId}`],
    expect: only({ teamClinician: "200+" }),
  },
  {
    operation: "POST /v1/clinician/alerts/{id}/notes",
    route: "POST /v1/clinician/alerts/:alert/notes",
    request: (w) => [`/v1/clinician/alerts/${w.alertId}/notes`, jsonInit("POST", { note: "Called, safe" })],
    expect: only({ teamClinician: "201+" }),
  },
  {
    operation: "POST /v1/clinician/alerts/{id}/escalate",
    route: "POST /v1/clinician/alerts/:alert/escalate (to a colleague who is no actor here)",
    request: (w) => [
      `/v1/clinician/alerts/${w.alertId}/escalate`,
      jsonInit("POST", { clinicianId: w.invitee.id, reason: "On call tonight, please call P" }),
    ],
    expect: only({ teamClinician: "201+" }),
  },
  {
    operation: "GET /v1/clinician/outcomes",
    route: "GET /v1/clinician/outcomes",
    request: () => ["/v1/clinician/outcomes"],
    expect: only({ teamClinician: "200", offTeamClinician: "200", breakGlass: "200" }),
  },
  {
    operation: "GET /v1/admin/outcomes",
    route: "GET /v1/admin/outcomes",
    request: () => ["/v1/admin/outcomes"],
    expect: only({ admin: "200" }),
  },
];
