import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { dataRequests } from "../workers/db/schema";
import { runErasure } from "../workers/features/lifecycle/erasure";
import { lifecycleScope } from "../workers/features/lifecycle/job-scope";
import { createDatabase } from "../workers/lib/db";
import { createUser, type TestUser, testConfig } from "./fixtures";
import { call } from "./helpers";

/** Every page of the admin console (HTML). */
const ADMIN_PAGES = [
  "/admin",
  "/admin/users",
  "/admin/audit?region=eu",
  "/admin/audit.csv?region=eu",
  "/admin/break-glass?region=eu",
  "/admin/data-requests?region=eu",
  "/admin/keys",
  "/admin/compliance",
];

const page = (path: string, user?: TestUser) =>
  call(path, {
    headers: { accept: "text/html", ...(user ? { cookie: `haven_at=${user.token}; haven_csrf=t` } : {}) },
    redirect: "manual",
  });

describe("admin console access", () => {
  it("admins with MFA only: others get the sign-in page, a 404 page or a 403 page (HTML, never JSON)", async () => {
    const [admin, noMfa, clinician, patient] = await Promise.all([
      createUser("admin", "us"),
      createUser("admin", "us", { mfa: false }),
      createUser("clinician", "us"),
      createUser("patient", "us"),
    ]);
    for (const path of ADMIN_PAGES) {
      const anon = await page(path);
      expect(anon.status, path).toBe(303);
      expect(anon.headers.get("location")).toBe("/login");
      for (const [who, status] of [
        [patient, 404],
        [clinician, 404],
        [noMfa, 403],
      ] as const) {
        const res = await page(path, who);
        expect(res.status, `${path} as ${who.role}`).toBe(status);
        expect(res.headers.get("content-type"), path).toContain("text/html");
        expect(await res.text()).not.toContain(who.id);
      }
      const ok = await page(path, admin);
      expect(ok.status, path).toBe(200);
      expect(ok.headers.get("cache-control")).toBe("no-store");
      expect(ok.headers.get("content-type")).toContain(path.includes(".csv") ? "text/csv" : "text/html");
    }
    // Every view is audited as the admin.
    const rows = await createDatabase(testConfig(), "us").execute<{ n: number }>(
      `select count(*)::int as n from audit_log where actor_id = '${admin.id}' and action = 'admin.page_view'` as never,
    );
    expect(Number(rows.rows[0]?.n)).toBe(ADMIN_PAGES.length);
  }, 60_000);

  it("shows an erasure certificate and the audit chain result", async () => {
    const admin = await createUser("admin", "eu");
    const p = await createUser("patient", "eu");
    const res = await call("/v1/me/erasure", { method: "POST", headers: p.auth });
    const { id } = (await res.json()) as { id: string };
    await createDatabase(testConfig(), "eu")
      .update(dataRequests)
      .set({ dueAt: new Date(Date.now() - 1) })
      .where(eq(dataRequests.id, id));
    await runErasure(lifecycleScope(env, "console.test"), "eu", id);
    const list = await (await page("/admin/data-requests?region=eu", admin)).text();
    expect(list).toContain(`/admin/data-requests/${id}?region=eu`);
    const cert = await (await page(`/admin/data-requests/${id}?region=eu`, admin)).text();
    expect(cert).toContain("haven-erasure/1");
    expect(cert).toContain("&quot;outcome&quot;: &quot;complete&quot;");
    expect(cert).not.toContain(p.id);
    const audit = await (await page("/admin/audit?region=eu", admin)).text();
    expect(audit).toMatch(/verified, \d+ entries intact/);
    const csv = await (await page(`/admin/audit.csv?region=eu&action=erasure.execute`, admin)).text();
    expect(csv.split("\r\n")[0]).toBe(
      "id,at,actorId,actorRole,action,resourceType,resourceId,patientId,outcome,requestId",
    );
    expect(csv).toContain("erasure.execute");
  });
});
