import { all, jsonInit, only, type Row } from "./access-matrix-cells";

/** The library (public content), reply ratings (patients, their own replies) and the admin's AI views. */
export const COMPANION_ROWS: Row[] = [
  {
    operation: "GET /v1/library",
    route: "GET /v1/library",
    request: () => ["/v1/library"],
    expect: all("200"),
  },
  {
    operation: "GET /v1/library/{slug}",
    route: "GET /v1/library/sleep-hygiene",
    request: () => ["/v1/library/sleep-hygiene"],
    expect: all("200"),
  },
  {
    operation: "POST /v1/chat/feedback",
    route: "POST /v1/chat/feedback (own reply)",
    request: () => ["/v1/chat/feedback", jsonInit("POST", { seq: 2, helpful: true })],
    expect: only({ otherPatient: "200", self: "200" }),
  },
  {
    operation: "GET /v1/admin/companion/feedback",
    route: "GET /v1/admin/companion/feedback",
    request: () => ["/v1/admin/companion/feedback"],
    expect: only({ admin: "200" }),
  },
  {
    operation: "GET /v1/admin/ai-trail",
    route: "GET /v1/admin/ai-trail",
    request: () => ["/v1/admin/ai-trail?sinceHours=24"],
    expect: only({ admin: "200" }),
  },
  // P has not given `care_plan_context`: the care team and P get the consent problem (nothing is
  // read); everyone else the 404 of the access decision, which comes first.
  {
    operation: "GET /v1/patients/{patientId}/companion-summary",
    route: "GET /v1/patients/:P/companion-summary",
    request: (w) => [`/v1/patients/${w.P.id}/companion-summary`],
    expect: only({ teamClinician: "403", self: "403" }),
  },
  {
    operation: "POST /v1/patients/{patientId}/companion-summary",
    route: "POST /v1/patients/:P/companion-summary",
    request: (w) => [`/v1/patients/${w.P.id}/companion-summary`, { method: "POST" }],
    expect: only({ teamClinician: "403", self: "403" }),
  },
];
