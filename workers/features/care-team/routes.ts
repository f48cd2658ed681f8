import type { z } from "@hono/zod-openapi";
import { bearer, ok, problem, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { principalOf, requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { listBreakGlass, openBreakGlass } from "./access";
import * as s from "./schema";
import * as team from "./service";

const security = bearer;
const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: { "application/json": { schema } }, required: true },
});
const errors = { 401: problem(401), 404: problem(404), 422: problem(422) };
const patient = { tags: ["care-team"], security, middleware: [requireAuth("patient")] };
const clinician = { tags: ["care-team"], security, middleware: [requireAuth("clinician")] };

const r = {
  invite: route({
    ...patient,
    method: "post",
    path: "/me/care-team",
    summary: "Invite a clinician to your care team (they must accept)",
    request: body(s.InviteBody),
    responses: { 201: ok(s.Membership, "Invitation created"), 409: problem(409), ...errors },
  }),
  team: route({
    ...patient,
    method: "get",
    path: "/me/care-team",
    summary: "Your care team: active members, pending invitations and requests",
    problems: [404],
    responses: { 200: ok(s.TeamList, "Your care team"), 401: problem(401) },
  }),
  remove: route({
    ...patient,
    method: "delete",
    path: "/me/care-team/{clinicianId}",
    summary: "Remove a clinician (or withdraw an invitation); their access ends immediately",
    request: { params: s.ClinicianIdParam },
    responses: { 204: { description: "Removed" }, ...errors },
  }),
  acceptRequest: route({
    ...patient,
    method: "post",
    path: "/me/care-team/{clinicianId}/accept",
    summary: "Accept a clinician's request to join your care team",
    request: { params: s.ClinicianIdParam },
    responses: { 200: ok(s.Membership, "Now on your care team"), ...errors },
  }),
  invitations: route({
    ...clinician,
    method: "get",
    path: "/clinician/invitations",
    summary: "Patients' pending invitations to you, from every region",
    problems: [404],
    responses: { 200: ok(s.InvitationList, "Pending invitations"), 401: problem(401) },
  }),
  acceptInvitation: route({
    ...clinician,
    method: "post",
    path: "/clinician/invitations/{id}/accept",
    summary: "Accept a patient's invitation",
    request: { params: s.InvitationIdParam },
    responses: { 200: ok(s.Membership, "Now on the patient's care team"), ...errors },
  }),
  request: route({
    ...clinician,
    method: "post",
    path: "/clinician/care-requests",
    summary: "Ask to join a patient's care team (the patient must accept)",
    request: body(s.CareRequestBody),
    responses: { 201: ok(s.Membership, "Request created"), 409: problem(409), ...errors },
  }),
  patients: route({
    ...clinician,
    method: "get",
    path: "/clinician/patients",
    summary: "Your active patients across all regions (ids and display names only)",
    problems: [404],
    responses: { 200: ok(s.PatientList, "Your patients"), 401: problem(401) },
  }),
  assign: route({
    tags: ["care-team"],
    security,
    middleware: [requireAuth("admin")],
    method: "post",
    path: "/admin/care-team",
    summary: "Put a clinician on a patient's care team directly",
    request: body(s.AssignBody),
    responses: { 200: ok(s.Membership, "Active membership"), ...errors },
  }),
  breakGlass: route({
    tags: ["break-glass"],
    security,
    middleware: [requireAuth("clinician", "admin")],
    method: "post",
    path: "/patients/{patientId}/break-glass",
    summary: "Emergency access to a patient outside your care team for 60 minutes (shown to the patient)",
    request: { params: s.PatientIdParam, ...body(s.BreakGlassBody) },
    responses: { 201: ok(s.BreakGlassGrant, "Access granted"), 409: problem(409), ...errors },
  }),
  breakGlassLog: route({
    ...patient,
    tags: ["break-glass"],
    method: "get",
    path: "/me/break-glass",
    summary: "Every emergency access to your record: who, when, until when, and why",
    problems: [404],
    responses: { 200: ok(s.BreakGlassList, "Emergency accesses"), 401: problem(401) },
  }),
};

export const careTeamRoutes = createRouter()
  .openapi(r.invite, async (c) => {
    const { clinicianId } = c.req.valid("json");
    return c.json(await team.invite(scopeOf(c), principalOf(c), clinicianId), 201);
  })
  .openapi(r.team, async (c) => c.json({ members: await team.listTeam(scopeOf(c), principalOf(c)) }, 200))
  .openapi(r.remove, async (c) => {
    await team.remove(scopeOf(c), principalOf(c), c.req.valid("param").clinicianId);
    return c.body(null, 204);
  })
  .openapi(r.acceptRequest, async (c) => {
    const { clinicianId } = c.req.valid("param");
    return c.json(await team.acceptRequest(scopeOf(c), principalOf(c), clinicianId), 200);
  })
  .openapi(r.invitations, async (c) => {
    const rows = await team.listForClinician(
      scopeOf(c),
      principalOf(c),
      "pending_clinician",
      "care_team.list_invitations",
    );
    const invitations = rows.map(({ displayName, createdAt, ...row }) => ({
      ...row,
      patientDisplayName: displayName,
      createdAt: createdAt.toISOString(),
    }));
    return c.json({ invitations }, 200);
  })
  .openapi(r.acceptInvitation, async (c) => {
    return c.json(await team.acceptInvitation(scopeOf(c), principalOf(c), c.req.valid("param").id), 200);
  })
  .openapi(r.request, async (c) => {
    const { patientId } = c.req.valid("json");
    return c.json(await team.requestToJoin(scopeOf(c), principalOf(c), patientId), 201);
  })
  .openapi(r.patients, async (c) => {
    const rows = await team.listForClinician(scopeOf(c), principalOf(c), "active", "care_team.list_patients");
    return c.json({ patients: rows.map(({ patientId, displayName }) => ({ patientId, displayName })) }, 200);
  })
  .openapi(r.assign, async (c) => {
    const { patientId, clinicianId } = c.req.valid("json");
    return c.json(await team.assign(scopeOf(c), principalOf(c), patientId, clinicianId), 200);
  })
  .openapi(r.breakGlass, async (c) => {
    const { patientId } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    return c.json(await openBreakGlass(scopeOf(c), principalOf(c), patientId, reason), 201);
  })
  .openapi(r.breakGlassLog, async (c) =>
    c.json({ accesses: await listBreakGlass(scopeOf(c), principalOf(c)) }, 200),
  );
