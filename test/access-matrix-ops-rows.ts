import { all, jsonInit, only, type Row } from "./access-matrix-cells";

const ALERTMANAGER_BODY = {
  version: "4",
  status: "firing",
  receiver: "haven",
  alerts: [
    {
      status: "firing",
      labels: { alertname: "MatrixCheck", severity: "info" },
      startsAt: "2026-11-30T00:00:00Z",
    },
  ],
};

/** Metrics, the Alertmanager webhook (their own secrets: no user token opens them) and the admin's ops API. */
export const OPS_ROWS: Row[] = [
  {
    operation: "GET /metrics",
    route: "GET /metrics (user tokens are not the scrape credential)",
    request: () => ["/metrics"],
    expect: all("401"),
  },
  {
    operation: "POST /ops/alertmanager",
    route: "POST /ops/alertmanager (user tokens are not the webhook credential)",
    request: () => ["/ops/alertmanager", jsonInit("POST", ALERTMANAGER_BODY)],
    expect: all("401"),
  },
  {
    operation: "GET /v1/ops/overview",
    route: "GET /v1/ops/overview",
    request: () => ["/v1/ops/overview"],
    expect: only({ admin: "200" }),
  },
  {
    operation: "GET /v1/ops/events",
    route: "GET /v1/ops/events",
    request: () => ["/v1/ops/events?limit=5"],
    expect: only({ admin: "200" }),
  },
  {
    operation: "GET /v1/ops/alerts",
    route: "GET /v1/ops/alerts",
    request: () => ["/v1/ops/alerts"],
    expect: only({ admin: "200" }),
  },
  {
    operation: "GET /v1/admin/flags",
    route: "GET /v1/admin/flags",
    request: () => ["/v1/admin/flags"],
    expect: only({ admin: "200" }),
  },
  {
    operation: "PUT /v1/admin/flags/{key}",
    route: "PUT /v1/admin/flags/ops.view (its default rule)",
    request: () => [
      "/v1/admin/flags/ops.view",
      jsonInit("PUT", { enabled: true, environments: [], roles: ["admin"], percentage: 100 }),
    ],
    expect: only({ admin: "200" }),
  },
];
