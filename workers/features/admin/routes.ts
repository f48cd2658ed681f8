import { z } from "@hono/zod-openapi";
import { bearer, ok, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { RegionSchema, RoleSchema } from "../../lib/vocabulary";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { searchUsers, setActive } from "./users";

const admin = { tags: ["admin"], security: bearer, middleware: [requireAuth("admin")] };

const AdminUser = z
  .object({
    id: z.uuid(),
    displayName: z.string(),
    role: RoleSchema,
    region: RegionSchema,
    mfa: z.boolean(),
    verified: z.boolean(),
    active: z.boolean(),
    activeSessions: z.number().int(),
    createdAt: z.iso.datetime(),
  })
  .openapi("AdminUser");
const UserQuery = z.object({
  q: z.string().trim().max(200).optional(),
  role: RoleSchema.optional(),
  region: RegionSchema.optional(),
});
const Activation = z
  .object({ id: z.uuid(), active: z.boolean(), sessionsRevoked: z.number().int() })
  .openapi("UserActivation");
const UserParam = z.object({ id: z.uuid() });

const r = {
  users: route({
    ...admin,
    method: "get",
    path: "/admin/users",
    summary: "Search users by name or exact email: role, region, MFA, active sessions, status",
    request: { query: UserQuery },
    problems: [404],
    responses: { 200: ok(z.object({ users: z.array(AdminUser) }), "Matching users") },
  }),
  deactivate: route({
    ...admin,
    method: "post",
    path: "/admin/users/{id}/deactivate",
    summary: "Deactivate an account: every session is revoked and sign-in refused",
    request: { params: UserParam },
    problems: [404, 409],
    responses: { 200: ok(Activation, "Deactivated") },
  }),
  reactivate: route({
    ...admin,
    method: "post",
    path: "/admin/users/{id}/reactivate",
    summary: "Reactivate a deactivated account",
    request: { params: UserParam },
    problems: [404, 409],
    responses: { 200: ok(Activation, "Reactivated") },
  }),
};

export const adminRoutes = createRouter()
  .openapi(r.users, async (c) => c.json({ users: await searchUsers(scopeOf(c), c.req.valid("query")) }, 200))
  .openapi(r.deactivate, async (c) =>
    c.json(await setActive(scopeOf(c), c.req.valid("param").id, false), 200),
  )
  .openapi(r.reactivate, async (c) =>
    c.json(await setActive(scopeOf(c), c.req.valid("param").id, true), 200),
  );
