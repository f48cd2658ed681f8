import { everyone, jsonInit, only, type Row } from "./access-matrix-cells";

const NOBODY = "00000000-0000-4000-8000-000000000000";
const SIG = "A".repeat(43);
const admin200 = only({ admin: "200" });

/**
 * Data rights and the admin console's API (issue 12). Order matters: the patients' own erasure
 * requests run before the admin's on P's behalf, which then conflicts (409).
 */
export const LIFECYCLE_ROWS: Row[] = [
  {
    operation: "POST /v1/me/exports",
    route: "POST /v1/me/exports (own export)",
    request: () => ["/v1/me/exports", jsonInit("POST", {})],
    expect: only({ otherPatient: "202", self: "202+" }),
  },
  {
    operation: "GET /v1/me/data-requests",
    route: "GET /v1/me/data-requests",
    request: () => ["/v1/me/data-requests"],
    expect: only({ otherPatient: "200", self: "200+" }),
  },
  {
    operation: "POST /v1/me/erasure",
    route: "POST /v1/me/erasure (own, cooling-off)",
    request: () => ["/v1/me/erasure", jsonInit("POST")],
    expect: only({ otherPatient: "202", self: "202+" }),
  },
  {
    operation: "POST /v1/data-requests/{id}/cancel",
    route: "POST /v1/data-requests/:unknown/cancel",
    request: () => [`/v1/data-requests/${NOBODY}/cancel`, jsonInit("POST")],
    expect: everyone("404"),
  },
  {
    operation: "GET /v1/data-requests/{id}/download",
    route: "GET /v1/data-requests/:unknown/download (bad signature)",
    request: () => [`/v1/data-requests/${NOBODY}/download?format=json&exp=4102444800&sig=${SIG}`],
    expect: everyone("404"),
  },
  {
    operation: "GET /v1/admin/data-requests",
    route: "GET /v1/admin/data-requests?region=eu",
    request: () => ["/v1/admin/data-requests?region=eu"],
    expect: only({ admin: "200+" }),
  },
  {
    operation: "POST /v1/admin/patients/{patientId}/exports",
    route: "POST /v1/admin/patients/:P/exports (on P's behalf)",
    request: (w) => [`/v1/admin/patients/${w.P.id}/exports`, jsonInit("POST", {})],
    expect: only({ admin: "202+" }),
  },
  {
    operation: "POST /v1/admin/patients/{patientId}/erasure",
    route: "POST /v1/admin/patients/:P/erasure (P already asked: conflict)",
    request: (w) => [`/v1/admin/patients/${w.P.id}/erasure`, jsonInit("POST")],
    expect: only({ admin: "409" }),
  },
  {
    operation: "GET /v1/admin/legal-holds",
    route: "GET /v1/admin/legal-holds?region=eu",
    request: () => ["/v1/admin/legal-holds?region=eu"],
    expect: admin200,
  },
  {
    operation: "POST /v1/admin/legal-holds",
    route: "POST /v1/admin/legal-holds (on P)",
    request: (w) => [
      "/v1/admin/legal-holds",
      jsonInit("POST", { patientId: w.P.id, reason: "Matrix case 1" }),
    ],
    expect: only({ admin: "201+" }),
  },
  {
    operation: "POST /v1/admin/legal-holds/{id}/release",
    route: "POST /v1/admin/legal-holds/:unknown/release",
    request: () => [`/v1/admin/legal-holds/${NOBODY}/release?region=eu`, jsonInit("POST")],
    expect: everyone("404"),
  },
  {
    operation: "GET /v1/admin/compliance",
    route: "GET /v1/admin/compliance",
    request: () => ["/v1/admin/compliance"],
    expect: admin200,
  },
  {
    operation: "GET /v1/admin/job-runs",
    route: "GET /v1/admin/job-runs?region=us",
    request: () => ["/v1/admin/job-runs?region=us"],
    expect: admin200,
  },
  {
    operation: "POST /v1/admin/lifecycle/run",
    route: "POST /v1/admin/lifecycle/run",
    request: () => ["/v1/admin/lifecycle/run", jsonInit("POST")],
    expect: admin200,
  },
  {
    operation: "POST /v1/admin/erasure-ledger/reapply",
    route: "POST /v1/admin/erasure-ledger/reapply?region=us",
    request: () => ["/v1/admin/erasure-ledger/reapply?region=us", jsonInit("POST")],
    expect: admin200,
  },
  {
    operation: "GET /v1/admin/users",
    route: "GET /v1/admin/users?q=patient",
    request: () => ["/v1/admin/users?q=patient&region=eu"],
    expect: only({ admin: "200+" }),
  },
  {
    operation: "POST /v1/admin/users/{id}/deactivate",
    route: "POST /v1/admin/users/:roleTarget/deactivate",
    request: (w) => [`/v1/admin/users/${w.roleTarget.id}/deactivate`, jsonInit("POST")],
    expect: admin200,
  },
  {
    operation: "POST /v1/admin/users/{id}/reactivate",
    route: "POST /v1/admin/users/:roleTarget/reactivate",
    request: (w) => [`/v1/admin/users/${w.roleTarget.id}/reactivate`, jsonInit("POST")],
    expect: admin200,
  },
];
