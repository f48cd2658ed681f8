import { z } from "@hono/zod-openapi";
import { getCookie } from "hono/cookie";
import { AppError } from "../../lib/errors";
import { bearer, jsonBody, ok, problem, route } from "../../lib/openapi";
import { COOKIE_REFRESH } from "../../lib/principal";
import { createRouter } from "../../lib/router";
import { IdSchema } from "../../lib/vocabulary";
import { principalOf, requireAuth, requireSession } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { clearSessionCookies, setSessionCookies } from "./cookies";
import * as creds from "./credentials";
import { assertTrustedOrigin } from "./origin";
import * as s from "./schema";
import { completeMfa, login, signup, verifyEmail } from "./service";
import { listSessions, revokeSession, rotateRefreshToken } from "./sessions";

/** `?cookie=true` (web) also sets HttpOnly session cookies; mobile uses the tokens in the body. */
const CookieQuery = z.object({ cookie: z.enum(["true", "false"]).optional() });

const r = {
  signup: route({
    method: "post",
    path: "/auth/signup",
    tags: ["auth"],
    summary: "Patient sign-up (same answer whether or not the email exists)",
    request: { body: jsonBody(s.SignupBody) },
    responses: { 202: ok(s.Accepted, "Verification email sent"), 422: problem(422) },
  }),
  verify: route({
    method: "post",
    path: "/auth/verify-email",
    tags: ["auth"],
    request: { body: jsonBody(s.TokenBody) },
    responses: { 200: ok(s.Accepted, "Verified"), 400: problem(400) },
  }),
  login: route({
    method: "post",
    path: "/auth/login",
    tags: ["auth"],
    summary: "Password step; returns tokens or an MFA challenge",
    request: { query: CookieQuery, body: jsonBody(s.LoginBody) },
    responses: { 200: ok(s.LoginResult, "Signed in or MFA required"), 401: problem(401), 429: problem(429) },
  }),
  mfa: route({
    method: "post",
    path: "/auth/login/mfa",
    tags: ["auth"],
    request: { query: CookieQuery, body: jsonBody(s.MfaLoginBody) },
    responses: { 200: ok(s.LoginResult, "Signed in"), 401: problem(401) },
  }),
  refresh: route({
    method: "post",
    path: "/auth/refresh",
    tags: ["auth"],
    summary: "Rotate the refresh token (reuse revokes the session); by cookie only from a trusted Origin",
    request: { query: CookieQuery, body: { content: { "application/json": { schema: s.RefreshBody } } } },
    responses: { 200: ok(s.Tokens, "New tokens"), 401: problem(401), 403: problem(403) },
  }),
  logout: route({
    method: "post",
    path: "/auth/logout",
    tags: ["auth"],
    security: bearer,
    middleware: [requireSession] as const,
    problems: [404],
    responses: { 204: { description: "Signed out" } },
  }),
  resetRequest: route({
    method: "post",
    path: "/auth/password-reset",
    tags: ["auth"],
    request: { body: jsonBody(s.ResetRequestBody) },
    responses: { 202: ok(s.Accepted, "If the account exists, an email was sent") },
  }),
  resetConfirm: route({
    method: "post",
    path: "/auth/password-reset/confirm",
    tags: ["auth"],
    request: { body: jsonBody(s.ResetConfirmBody) },
    responses: { 200: ok(s.Accepted, "Password changed"), 400: problem(400), 422: problem(422) },
  }),
  acceptInvite: route({
    method: "post",
    path: "/auth/accept-invite",
    tags: ["auth"],
    request: { body: jsonBody(s.ResetConfirmBody) },
    responses: { 200: ok(s.Accepted, "Invitation accepted"), 400: problem(400) },
  }),
  changePassword: route({
    method: "post",
    path: "/me/password",
    tags: ["account"],
    security: bearer,
    middleware: [requireSession] as const,
    request: { body: jsonBody(s.ChangePasswordBody) },
    responses: { 200: ok(s.Accepted, "Changed"), 422: problem(422) },
  }),
  mfaSetup: route({
    method: "post",
    path: "/me/mfa/setup",
    tags: ["account"],
    security: bearer,
    middleware: [requireSession] as const,
    responses: {
      200: ok(z.object({ secret: z.string(), otpauthUri: z.string() }), "Scan into an authenticator app"),
    },
  }),
  mfaEnable: route({
    method: "post",
    path: "/me/mfa/enable",
    tags: ["account"],
    security: bearer,
    middleware: [requireSession] as const,
    request: { query: CookieQuery, body: jsonBody(s.MfaCodeBody) },
    responses: {
      200: ok(
        z.object({ recoveryCodes: z.array(z.string()), tokens: s.Tokens }),
        "Enabled; recovery codes shown once",
      ),
    },
  }),
  recoveryCodes: route({
    method: "post",
    path: "/me/mfa/recovery-codes",
    tags: ["account"],
    summary: "Replace all recovery codes (a current authenticator code is required); shown once",
    security: bearer,
    middleware: [requireSession] as const,
    request: { body: jsonBody(s.MfaCodeBody) },
    problems: [409],
    responses: { 200: ok(z.object({ recoveryCodes: z.array(z.string()) }), "New recovery codes") },
  }),
  sessions: route({
    method: "get",
    path: "/me/sessions",
    tags: ["account"],
    security: bearer,
    middleware: [requireSession] as const,
    responses: { 200: ok(s.SessionList, "Active sessions") },
  }),
  revoke: route({
    method: "delete",
    path: "/me/sessions/{sessionId}",
    tags: ["account"],
    security: bearer,
    middleware: [requireSession] as const,
    request: { params: z.object({ sessionId: IdSchema }) },
    responses: { 204: { description: "Revoked" }, 404: problem(404) },
  }),
  invite: route({
    method: "post",
    path: "/admin/invitations",
    tags: ["admin"],
    security: bearer,
    middleware: [requireAuth("admin")] as const,
    request: { body: jsonBody(s.InviteBody) },
    problems: [404],
    responses: { 201: ok(z.object({ userId: IdSchema }), "Invited"), 409: problem(409) },
  }),
};

const accepted = (status: string) => ({ status });

export const accountRoutes = createRouter()
  .openapi(r.signup, async (c) => {
    await signup(scopeOf(c), c.req.valid("json"));
    return c.json(accepted("If this email can be used, we sent a confirmation link to it."), 202);
  })
  .openapi(r.verify, async (c) => {
    await verifyEmail(scopeOf(c), c.req.valid("json").token);
    return c.json(accepted("Email confirmed"), 200);
  })
  .openapi(r.login, async (c) => {
    const result = await login(scopeOf(c), c.req.valid("json"));
    if (!result.mfaRequired && c.req.valid("query").cookie === "true") setSessionCookies(c, result);
    return c.json(result, 200);
  })
  .openapi(r.mfa, async (c) => {
    const result = await completeMfa(scopeOf(c), c.req.valid("json"));
    if (c.req.valid("query").cookie === "true") setSessionCookies(c, result);
    return c.json(result, 200);
  })
  .openapi(r.refresh, async (c) => {
    const fromBody = c.req.valid("json").refreshToken;
    const presented = fromBody ?? getCookie(c, COOKIE_REFRESH);
    if (!presented) throw new AppError("unauthorized", "Invalid or expired credentials");
    // A cookie is sent by the browser whoever asks: only our own pages may spend it.
    if (!fromBody) assertTrustedOrigin(c.req.header("origin"), c.req.url, c.get("config").CORS_ORIGINS);
    const tokens = await rotateRefreshToken(scopeOf(c), presented);
    if (c.req.valid("query").cookie === "true") setSessionCookies(c, tokens);
    return c.json(tokens, 200);
  })
  .openapi(r.logout, async (c) => {
    const p = principalOf(c);
    await revokeSession(scopeOf(c), p, p.sessionId, "logout");
    clearSessionCookies(c);
    return c.body(null, 204);
  })
  .openapi(r.resetRequest, async (c) => {
    await creds.requestPasswordReset(scopeOf(c), c.req.valid("json").email);
    return c.json(accepted("If an account exists for this email, we sent a reset link."), 202);
  })
  .openapi(r.resetConfirm, async (c) => {
    const { token, password } = c.req.valid("json");
    await creds.confirmPasswordReset(scopeOf(c), token, password);
    return c.json(accepted("Password changed. Sign in with your new password."), 200);
  })
  .openapi(r.acceptInvite, async (c) => {
    const { token, password } = c.req.valid("json");
    await creds.acceptInvite(scopeOf(c), token, password);
    return c.json(accepted("Invitation accepted. Sign in and set up two-factor authentication."), 200);
  })
  .openapi(r.changePassword, async (c) => {
    const { currentPassword, newPassword } = c.req.valid("json");
    await creds.changePassword(scopeOf(c), principalOf(c), currentPassword, newPassword);
    return c.json(accepted("Password changed. Other sessions were signed out."), 200);
  })
  .openapi(r.mfaSetup, async (c) => c.json(await creds.beginMfaSetup(scopeOf(c), principalOf(c)), 200))
  .openapi(r.mfaEnable, async (c) => {
    const result = await creds.enableMfa(scopeOf(c), principalOf(c), c.req.valid("json").code);
    if (c.req.valid("query").cookie === "true") setSessionCookies(c, result.tokens);
    return c.json(result, 200);
  })
  .openapi(r.recoveryCodes, async (c) =>
    c.json(await creds.regenerateRecoveryCodes(scopeOf(c), principalOf(c), c.req.valid("json").code), 200),
  )
  .openapi(r.sessions, async (c) => {
    const rows = await listSessions(scopeOf(c), principalOf(c));
    return c.json(
      rows.map((x) => ({
        ...x,
        createdAt: x.createdAt.toISOString(),
        lastUsedAt: x.lastUsedAt.toISOString(),
      })),
      200,
    );
  })
  .openapi(r.revoke, async (c) => {
    await revokeSession(scopeOf(c), principalOf(c), c.req.valid("param").sessionId, "user_revoked");
    return c.body(null, 204);
  })
  .openapi(r.invite, async (c) => c.json(await creds.invite(scopeOf(c), c.req.valid("json")), 201));
