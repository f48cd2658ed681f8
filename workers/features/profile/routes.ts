import { bearer, ok, problem, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { principalOf, requireAuth, requireSession } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import * as s from "./schema";
import * as profile from "./service";

const security = bearer;
const signedIn = { security, middleware: [requireAuth()] };

const r = {
  me: route({
    tags: ["account"],
    security,
    middleware: [requireSession],
    method: "get",
    path: "/me",
    summary: "Your account (one database read; not audited: it holds no health data)",
    responses: { 200: ok(s.Account, "Your account"), 401: problem(401) },
  }),
  getProfile: route({
    ...signedIn,
    tags: ["profile"],
    method: "get",
    path: "/me/profile",
    summary: "Your profile, decrypted (audited)",
    responses: { 200: ok(s.Profile, "Your profile"), 401: problem(401) },
  }),
  putProfile: route({
    ...signedIn,
    tags: ["profile"],
    method: "put",
    path: "/me/profile",
    summary: "Replace your profile; every field is encrypted with your key (audited)",
    request: { body: { content: { "application/json": { schema: s.ProfileInput } }, required: true } },
    responses: { 200: ok(s.Profile, "Saved profile"), 401: problem(401), 422: problem(422) },
  }),
  patientProfile: route({
    ...signedIn,
    tags: ["profile"],
    method: "get",
    path: "/patients/{patientId}/profile",
    summary: "A patient's profile, for their care team or a break-glass holder (audited, denials too)",
    request: { params: s.PatientIdParam },
    responses: {
      200: ok(s.Profile, "The patient's profile"),
      401: problem(401),
      404: problem(404),
      422: problem(422),
    },
  }),
  consents: route({
    ...signedIn,
    tags: ["consent"],
    method: "get",
    path: "/me/consents",
    summary: "Your consents: what is active under the current policy, and the full history",
    responses: { 200: ok(s.Consents, "Your consents"), 401: problem(401) },
  }),
  grant: route({
    ...signedIn,
    tags: ["consent"],
    method: "post",
    path: "/me/consents/{kind}/grant",
    summary: "Grant a consent under the current policy version (idempotent)",
    request: { params: s.ConsentKindParam },
    responses: { 200: ok(s.Consents, "Your consents"), 401: problem(401), 422: problem(422) },
  }),
  withdraw: route({
    ...signedIn,
    tags: ["consent"],
    method: "post",
    path: "/me/consents/{kind}/withdraw",
    summary: "Withdraw a consent (idempotent); the history is kept",
    request: { params: s.ConsentKindParam },
    responses: { 200: ok(s.Consents, "Your consents"), 401: problem(401), 422: problem(422) },
  }),
};

export const profileRoutes = createRouter()
  .openapi(r.me, async (c) => c.json(await profile.getAccount(scopeOf(c), principalOf(c)), 200))
  .openapi(r.getProfile, async (c) => c.json(await profile.getOwnProfile(scopeOf(c)), 200))
  .openapi(r.putProfile, async (c) => {
    return c.json(await profile.putOwnProfile(scopeOf(c), principalOf(c), c.req.valid("json")), 200);
  })
  .openapi(r.patientProfile, async (c) => {
    const { patientId } = c.req.valid("param");
    return c.json(await profile.getPatientProfile(scopeOf(c), patientId), 200);
  })
  .openapi(r.consents, async (c) => c.json(await profile.listConsents(scopeOf(c), principalOf(c)), 200))
  .openapi(r.grant, async (c) => {
    return c.json(await profile.grantConsent(scopeOf(c), principalOf(c), c.req.valid("param").kind), 200);
  })
  .openapi(r.withdraw, async (c) => {
    return c.json(await profile.withdrawConsent(scopeOf(c), principalOf(c), c.req.valid("param").kind), 200);
  });
