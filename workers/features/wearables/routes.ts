import type { z } from "@hono/zod-openapi";
import { bearer, ok, problem, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { activateDevice, authorizeDevice, exchangeDeviceCode } from "./device-auth";
import { listDevices, registerDevice, revokeDevice } from "./devices";
import * as s from "./schema";
import { openLive, telemetryFhir, telemetrySeries, wearableAnomalies } from "./service";

const security = bearer;
const tags = ["wearables"];
const form = <T extends z.ZodType>(schema: T) => ({
  // RFC 8628 §3.1/§3.4: application/x-www-form-urlencoded.
  content: { "application/x-www-form-urlencoded": { schema } },
  required: true,
});

const r = {
  register: route({
    tags,
    security,
    middleware: [requireAuth("patient")],
    method: "post",
    path: "/me/devices",
    summary:
      "Register a wearable; its device token is answered once (stored hashed, revocable, telemetry only)",
    request: { body: { content: { "application/json": { schema: s.DeviceInput } }, required: true } },
    problems: [404],
    responses: {
      201: ok(s.DeviceCreated, "Registered"),
      403: problem(403, "No consent to processing health data"),
    },
  }),
  list: route({
    tags,
    security,
    middleware: [requireAuth("patient")],
    method: "get",
    path: "/me/devices",
    summary: "Your wearables (tokens are never shown again)",
    problems: [404],
    responses: { 200: ok(s.DeviceList, "Your devices") },
  }),
  revoke: route({
    tags,
    security,
    middleware: [requireAuth("patient")],
    method: "delete",
    path: "/me/devices/{deviceId}",
    summary: "Revoke a device: its token is refused from the next post",
    request: { params: s.DeviceIdParam },
    problems: [404, 503],
    responses: { 200: ok(s.DeviceList, "Your devices after the revocation") },
  }),
  activate: route({
    tags,
    security,
    middleware: [requireAuth("patient")],
    method: "post",
    path: "/me/devices/activate",
    summary: "Confirm (or decline) a device's user code (RFC 8628 device authorization grant)",
    request: { body: { content: { "application/json": { schema: s.ActivateIn } }, required: true } },
    problems: [404],
    responses: {
      200: ok(s.ActivateAnswer, "Confirmed or declined"),
      403: problem(403, "No consent to processing health data"),
    },
  }),
  authorize: route({
    tags,
    method: "post",
    path: "/devices/authorize",
    summary: "RFC 8628 §3.1: a device asks for a device code and a user code",
    request: { body: form(s.DeviceAuthorizeIn) },
    responses: { 200: ok(s.DeviceAuthorizeAnswer, "Codes; show the user code and verification URI") },
  }),
  token: route({
    tags,
    method: "post",
    path: "/devices/token",
    summary: "RFC 8628 §3.4: the device polls for its token",
    description:
      "While pending: 400 with `error` authorization_pending or slow_down; declined: access_denied; expired or used: expired_token (RFC 6749 §5.2 names, as a problem document extension).",
    request: { body: form(s.DeviceTokenIn) },
    responses: { 200: ok(s.DeviceTokenAnswer, "The device token (once)") },
  }),
  series: route({
    tags,
    security,
    middleware: [requireAuth()],
    method: "get",
    path: "/patients/{patientId}/telemetry",
    summary: "A patient's readings or one-minute/one-hour rollups of one type in a time range (audited)",
    request: { params: s.PatientIdParam, query: s.TelemetryQuery },
    problems: [404],
    responses: { 200: ok(s.TelemetrySeries, "The series") },
  }),
  fhir: route({
    tags,
    security,
    middleware: [requireAuth()],
    method: "get",
    path: "/patients/{patientId}/telemetry/fhir",
    summary: "The same readings as FHIR R4 Observations (LOINC codes) in a searchset Bundle (audited)",
    request: { params: s.PatientIdParam, query: s.FhirQuery },
    problems: [404],
    responses: {
      200: { description: "FHIR Bundle", content: { "application/fhir+json": { schema: s.FhirBundle } } },
    },
  }),
  anomalies: route({
    tags,
    security,
    middleware: [requireAuth()],
    method: "get",
    path: "/patients/{patientId}/wearables/anomalies",
    summary: "A patient's wearable anomalies on the risk timeline (rule ids, no values; audited)",
    request: { params: s.PatientIdParam },
    problems: [404],
    responses: { 200: ok(s.AnomalyList, "Anomalies, newest first") },
  }),
  live: route({
    tags,
    security,
    middleware: [requireAuth()],
    method: "get",
    path: "/patients/{patientId}/wearables/live",
    summary:
      "WebSocket: a patient's readings (at most one per type per second) and anomalies as they happen (audited)",
    request: { params: s.PatientIdParam },
    problems: [404],
    responses: { 101: { description: "Switching protocols" }, 400: problem(400, "Not a WebSocket upgrade") },
  }),
};

/** Wearables for patients and their care teams (JWT), plus the RFC 8628 endpoints a device calls. */
export const wearableRoutes = createRouter()
  .openapi(r.register, async (c) => c.json(await registerDevice(scopeOf(c), c.req.valid("json")), 201))
  .openapi(r.list, async (c) => c.json(await listDevices(scopeOf(c)), 200))
  .openapi(r.revoke, async (c) => c.json(await revokeDevice(scopeOf(c), c.req.valid("param").deviceId), 200))
  .openapi(r.activate, async (c) => c.json(await activateDevice(scopeOf(c), c.req.valid("json")), 200))
  .openapi(r.authorize, async (c) => {
    c.header("cache-control", "no-store");
    return c.json(await authorizeDevice(scopeOf(c), c.req.valid("form")), 200);
  })
  .openapi(r.token, async (c) => {
    c.header("cache-control", "no-store");
    return c.json(await exchangeDeviceCode(scopeOf(c), c.req.valid("form")), 200);
  })
  .openapi(r.series, async (c) =>
    c.json(await telemetrySeries(scopeOf(c), c.req.valid("param").patientId, c.req.valid("query")), 200),
  )
  .openapi(r.fhir, async (c) => {
    const bundle = await telemetryFhir(scopeOf(c), c.req.valid("param").patientId, c.req.valid("query"));
    return c.body(JSON.stringify(bundle), 200, { "content-type": "application/fhir+json" }) as never;
  })
  .openapi(r.anomalies, async (c) =>
    c.json(await wearableAnomalies(scopeOf(c), c.req.valid("param").patientId), 200),
  )
  .openapi(r.live, async (c) => {
    const upgrade = c.req.header("upgrade")?.toLowerCase() === "websocket";
    return (await openLive(scopeOf(c), c.req.valid("param").patientId, upgrade)) as never;
  });
