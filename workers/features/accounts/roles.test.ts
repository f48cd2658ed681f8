import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createUser, testConfig } from "../../../test/fixtures";
import { call } from "../../../test/helpers";
import { auditLog, users } from "../../db/schema";
import { createDatabase } from "../../lib/db";

const put = (userId: string, role: string, headers: Record<string, string>) =>
  call(`/v1/admin/users/${userId}/role`, {
    method: "PUT",
    headers: { ...headers, "content-type": "application/json" },
    body: JSON.stringify({ role }),
  });

describe("role change", () => {
  it("an admin promotes a clinician; the change is audited", async () => {
    const admin = await createUser("admin", "eu");
    const clinician = await createUser("clinician", "eu");
    const res = await put(clinician.id, "admin", admin.auth);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ userId: clinician.id, role: "admin" });
    const db = createDatabase(testConfig(), "eu");
    const [row] = await db.select({ role: users.role }).from(users).where(eq(users.id, clinician.id));
    expect(row?.role).toBe("admin");
    const audits = await db
      .select({ actorId: auditLog.actorId, outcome: auditLog.outcome })
      .from(auditLog)
      .where(and(eq(auditLog.action, "admin.role_change"), eq(auditLog.resourceId, clinician.id)));
    expect(audits).toEqual([{ actorId: admin.id, outcome: "success" }]);
  });

  it("never turns a patient into staff, and answers 404 for it", async () => {
    const admin = await createUser("admin");
    const patient = await createUser("patient");
    expect((await put(patient.id, "clinician", admin.auth)).status).toBe(404);
    const [row] = await createDatabase(testConfig(), "us")
      .select({ role: users.role })
      .from(users)
      .where(eq(users.id, patient.id));
    expect(row?.role).toBe("patient");
  });

  it("is admin-only, and not for one's own account", async () => {
    const admin = await createUser("admin");
    const clinician = await createUser("clinician");
    expect((await put(admin.id, "clinician", clinician.auth)).status).toBe(404);
    expect((await put(admin.id, "clinician", admin.auth)).status).toBe(409);
    expect((await put(clinician.id, "root", admin.auth)).status).toBe(422);
    expect((await put(clinician.id, "admin", {})).status).toBe(401);
  });
});
