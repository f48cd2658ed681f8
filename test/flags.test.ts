import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog } from "../workers/db/schema";
import { createDatabase } from "../workers/lib/db";
import { FlagRule, rolloutBucket, ruleAdmits } from "../workers/lib/flags";
import { createUser, testConfig } from "./fixtures";
import { call, problem } from "./helpers";

const rule = (r: Partial<FlagRule>): FlagRule => FlagRule.parse({ enabled: true, ...r });

describe("feature flag rules", () => {
  it("percentage rollout is stable per user and only grows as the percentage grows", () => {
    const users = Array.from(
      { length: 2_000 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    );
    const inAt = (pct: number) =>
      new Set(
        users.filter((u) =>
          ruleAdmits("companion.grounded", rule({ percentage: pct }), { environment: "local", userId: u }),
        ),
      );
    const ten = inAt(10);
    const fifty = inAt(50);
    for (const u of ten) expect(fifty.has(u)).toBe(true);
    expect(ten.size / users.length).toBeGreaterThan(0.07);
    expect(ten.size / users.length).toBeLessThan(0.13);
    expect(fifty.size / users.length).toBeGreaterThan(0.45);
    expect(fifty.size / users.length).toBeLessThan(0.55);
    expect(rolloutBucket("x", users[0] ?? "")).toBe(rolloutBucket("x", users[0] ?? ""));
    // Different flags bucket the same user independently.
    const other = users.filter((u) => rolloutBucket("ops.view", u) < 10);
    expect(other.filter((u) => ten.has(u)).length).toBeLessThan(other.length);
  });

  it("environment and role restrict; disabled admits nobody; no user means no percentage rollout", () => {
    expect(ruleAdmits("f", rule({ environments: ["production"] }), { environment: "local" })).toBe(false);
    expect(ruleAdmits("f", rule({ environments: ["local"] }), { environment: "local" })).toBe(true);
    expect(ruleAdmits("f", rule({ roles: ["admin"] }), { environment: "local", role: "patient" })).toBe(
      false,
    );
    expect(ruleAdmits("f", rule({ roles: ["admin"] }), { environment: "local", role: "admin" })).toBe(true);
    expect(ruleAdmits("f", rule({ enabled: false }), { environment: "local", role: "admin" })).toBe(false);
    expect(ruleAdmits("f", rule({ percentage: 50 }), { environment: "local" })).toBe(false);
  });
});

describe("flag administration", () => {
  it("an admin changes a flag: stored, listed, audited; bad input is a 422, an unknown flag a 404", async () => {
    const admin = await createUser("admin");
    const body = { enabled: true, environments: ["local"], roles: ["patient"], percentage: 25 };
    const put = await call("/v1/admin/flags/companion.grounded", {
      method: "PUT",
      headers: { ...admin.auth, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ key: "companion.grounded", rule: body, isDefault: false });

    const list = (await (await call("/v1/admin/flags", { headers: admin.auth })).json()) as {
      flags: Array<{ key: string; rule: FlagRule }>;
    };
    expect(list.flags.find((f) => f.key === "companion.grounded")?.rule).toEqual(body);
    expect(list.flags.map((f) => f.key)).toContain("safety.model_check");

    const rows = await createDatabase(testConfig(), admin.region)
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.actorId, admin.id), eq(auditLog.action, "admin.flag_change")));
    expect(rows.map((r) => [r.resourceId, r.outcome])).toEqual([["companion.grounded", "success"]]);

    const bad = await call("/v1/admin/flags/companion.grounded", {
      method: "PUT",
      headers: { ...admin.auth, "content-type": "application/json" },
      body: JSON.stringify({ enabled: true, percentage: 150 }),
    });
    expect(bad.status).toBe(422);
    expect((await problem(bad)).errors).toBeDefined();
    const unknown = await call("/v1/admin/flags/no.such.flag", {
      method: "PUT",
      headers: { ...admin.auth, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(unknown.status).toBe(404);

    // Put the default back for other tests.
    await call("/v1/admin/flags/companion.grounded", {
      method: "PUT",
      headers: { ...admin.auth, "content-type": "application/json" },
      body: JSON.stringify({ enabled: false, environments: ["local"], roles: [], percentage: 100 }),
    });
  });

  it("a clinician cannot see or change flags", async () => {
    const clinician = await createUser("clinician");
    expect((await call("/v1/admin/flags", { headers: clinician.auth })).status).toBe(404);
  });
});
