import { z } from "@hono/zod-openapi";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { sessions, users } from "../../db/schema";
import { auditInsert } from "../../lib/audit";
import { regionOfUser } from "../../lib/care-data/region";
import { AppError } from "../../lib/errors";
import { bearer, route } from "../../lib/openapi";
import type { Principal } from "../../lib/principal";
import { createRouter } from "../../lib/router";
import type { Scope } from "../../lib/scope";
import { IdSchema } from "../../lib/vocabulary";
import { principalOf, requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { revokeSessions } from "./sessions";

const StaffRole = z.enum(["clinician", "admin"]);

/**
 * Changes a staff account's role (clinician ⇄ admin). Patients are never converted: a patient's
 * record and a clinician's account are different things. The user's sessions are revoked so the
 * next token carries the new role; the change is audited as `admin.role_change`.
 */
export async function changeRole(
  scope: Scope,
  actor: Principal,
  userId: string,
  role: "clinician" | "admin",
) {
  if (userId === actor.userId) throw new AppError("conflict", "You cannot change your own role");
  const region = await regionOfUser(scope, userId);
  if (!region) throw new AppError("not_found", "No such user");
  const db = scope.db(region);
  const [staff] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, userId), inArray(users.role, ["clinician", "admin"])));
  if (!staff) {
    await auditInsert(db, scope, {
      action: "admin.role_change",
      resourceType: "user",
      resourceId: userId,
      outcome: "denied",
    });
    throw new AppError("not_found", "No such staff account");
  }
  // Access tokens already issued carry the old role: their sessions are denylisted before the
  // role changes, and revoked with it in one batch (revokeSessions).
  const live = and(eq(sessions.userId, userId), isNull(sessions.revokedAt));
  const open = await db.select({ id: sessions.id, expiresAt: sessions.expiresAt }).from(sessions).where(live);
  await revokeSessions(scope, open, async () => {
    const [, revoked] = await db.batch([
      db
        .update(users)
        .set({ role, updatedAt: new Date() })
        .where(and(eq(users.id, userId), inArray(users.role, ["clinician", "admin"]))),
      db
        .update(sessions)
        .set({ revokedAt: new Date(), revokedReason: "role_change" })
        .where(live)
        .returning({ id: sessions.id }),
      auditInsert(db, scope, {
        action: "admin.role_change",
        resourceType: "user",
        resourceId: userId,
        outcome: "success",
      }),
    ]);
    return revoked.map((r) => r.id);
  });
  return { userId, role };
}

const roleChange = route({
  method: "put",
  path: "/admin/users/{userId}/role",
  tags: ["admin"],
  summary: "Change a staff account's role (clinician or admin); signs the user out everywhere",
  security: bearer,
  middleware: [requireAuth("admin")],
  request: {
    params: z.object({ userId: IdSchema }),
    body: {
      content: { "application/json": { schema: z.object({ role: StaffRole }).openapi("RoleChange") } },
      required: true,
    },
  },
  responses: {
    200: {
      description: "Changed",
      content: { "application/json": { schema: z.object({ userId: IdSchema, role: StaffRole }) } },
    },
    404: { description: "No such staff account" },
  },
});

export const roleRoutes = createRouter().openapi(roleChange, async (c) =>
  c.json(
    await changeRole(scopeOf(c), principalOf(c), c.req.valid("param").userId, c.req.valid("json").role),
    200,
  ),
);
