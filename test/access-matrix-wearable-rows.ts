import { all, jsonInit, only, type Row } from "./access-matrix-cells";

const form = (fields: Record<string, string>): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});
const range = `from=${encodeURIComponent("2026-01-01T00:00:00Z")}&to=${encodeURIComponent("2026-01-02T00:00:00Z")}`;
/** After the break-glass row: offTeamClinician, admin and breakGlass hold grants. */
const CARE = {
  teamClinician: "200+",
  offTeamClinician: "200+",
  admin: "200+",
  breakGlass: "200+",
  self: "200+",
} as const;
const CARE_BARE = {
  teamClinician: "200",
  offTeamClinician: "200",
  admin: "200",
  breakGlass: "200",
  self: "200",
} as const;

/** Wearables: devices (patients only), the RFC 8628 endpoints, device-token ingest, reads. */
export const WEARABLE_ROWS: Row[] = [
  {
    operation: "POST /v1/me/devices",
    route: "POST /v1/me/devices",
    request: () => ["/v1/me/devices", jsonInit("POST", { kind: "watch", vendor: "Acme", model: "W1" })],
    // The token carries the owner's id (hex): P's own answer names P.
    expect: only({ otherPatient: "201", self: "201+" }),
  },
  {
    operation: "GET /v1/me/devices",
    route: "GET /v1/me/devices",
    request: () => ["/v1/me/devices"],
    expect: only({ otherPatient: "200", self: "200" }),
  },
  {
    operation: "DELETE /v1/me/devices/{deviceId}",
    route: "DELETE /v1/me/devices/:unknown",
    request: () => [`/v1/me/devices/${crypto.randomUUID()}`, { method: "DELETE" }],
    expect: only({}),
  },
  {
    operation: "POST /v1/me/devices/activate",
    route: "POST /v1/me/devices/activate (unknown code)",
    request: () => ["/v1/me/devices/activate", jsonInit("POST", { userCode: "BCDF-GHJK", approve: true })],
    expect: only({}),
  },
  {
    operation: "POST /v1/devices/authorize",
    route: "POST /v1/devices/authorize (public, RFC 8628)",
    request: () => [
      "/v1/devices/authorize",
      form({ client_id: "matrix", kind: "ring", vendor: "Acme", model: "R" }),
    ],
    expect: all("200"),
  },
  {
    operation: "POST /v1/devices/token",
    route: "POST /v1/devices/token (unknown device code)",
    request: () => [
      "/v1/devices/token",
      form({
        grant_type: "urn:ietf:params:oauth:grant-type:device_code",
        device_code: "nope",
        client_id: "matrix",
      }),
    ],
    expect: all("400"),
  },
  {
    operation: "POST /v1/telemetry",
    route: "POST /v1/telemetry (a session token is not a device token)",
    request: () => ["/v1/telemetry", jsonInit("POST", { readings: [] })],
    expect: all("401"),
  },
  {
    operation: "POST /v1/telemetry/omh",
    route: "POST /v1/telemetry/omh (a session token is not a device token)",
    request: () => ["/v1/telemetry/omh", jsonInit("POST", { data_points: [] })],
    expect: all("401"),
  },
  {
    operation: "GET /v1/patients/{patientId}/telemetry",
    route: "GET /v1/patients/:P/telemetry (after break-glass)",
    request: (w) => [`/v1/patients/${w.P.id}/telemetry?type=heart_rate&${range}`],
    expect: only(CARE),
  },
  {
    operation: "GET /v1/patients/{patientId}/telemetry/fhir",
    route: "GET /v1/patients/:P/telemetry/fhir (after break-glass)",
    request: (w) => [`/v1/patients/${w.P.id}/telemetry/fhir?type=heart_rate&${range}`],
    expect: only(CARE_BARE),
  },
  {
    operation: "GET /v1/patients/{patientId}/wearables/anomalies",
    route: "GET /v1/patients/:P/wearables/anomalies (after break-glass)",
    request: (w) => [`/v1/patients/${w.P.id}/wearables/anomalies`],
    expect: only(CARE_BARE),
  },
  {
    operation: "GET /v1/patients/{patientId}/wearables/live",
    route: "GET /v1/patients/:P/wearables/live (no upgrade: decided, then refused)",
    request: (w) => [`/v1/patients/${w.P.id}/wearables/live`],
    expect: only({
      teamClinician: "400",
      offTeamClinician: "400",
      admin: "400",
      breakGlass: "400",
      self: "400",
    }),
  },
];
