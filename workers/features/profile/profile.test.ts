import { and, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createUser, testConfig } from "../../../test/fixtures";
import { call, problem } from "../../../test/helpers";
import { auditLog, consents, profiles } from "../../db/schema";
import { createDatabase } from "../../lib/db";
import type { Region } from "../../lib/vocabulary";

const db = (region: Region) => createDatabase(testConfig(), region);
const send = (method: string, auth: Record<string, string>, body?: unknown): RequestInit => ({
  method,
  headers: { ...auth, "content-type": "application/json" },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});
const auditOf = (region: Region, actorId: string) =>
  db(region).select().from(auditLog).where(eq(auditLog.actorId, actorId)).orderBy(desc(auditLog.id));

const FULL = {
  legalName: "Ada Augusta Lovelace",
  dateOfBirth: "1985-12-10",
  phone: "+44 20 7946 0958",
  emergencyContact: { name: "Mary Somerville", phone: "+44 7700 900123", relationship: "friend" },
};

describe("GET /v1/me", () => {
  it("returns the account with the email decrypted, in one read and without an audit row", async () => {
    const patient = await createUser("patient", "eu");
    const res = await call("/v1/me", { headers: patient.auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: patient.id,
      role: "patient",
      region: "eu",
      displayName: `patient ${patient.id.slice(0, 4)}`,
      email: patient.email,
      emailVerified: true,
      mfaEnabled: false,
    });
    expect(await auditOf("eu", patient.id)).toEqual([]);
  });

  it("reports MFA for a clinician and needs a token", async () => {
    const clinician = await createUser("clinician", "apac");
    const body = (await (await call("/v1/me", { headers: clinician.auth })).json()) as Record<
      string,
      unknown
    >;
    expect(body).toMatchObject({ role: "clinician", region: "apac", mfaEnabled: true });
    const anon = await call("/v1/me");
    expect(anon.status).toBe(401);
    expect((await problem(anon)).code).toBe("unauthorized");
  });
});

describe("/v1/me/profile", () => {
  it("starts empty, round-trips every field and audits each read and write", async () => {
    const patient = await createUser("patient", "us");
    const empty = await call("/v1/me/profile", { headers: patient.auth });
    expect(await empty.json()).toEqual({
      userId: patient.id,
      legalName: null,
      dateOfBirth: null,
      phone: null,
      emergencyContact: null,
      updatedAt: null,
    });
    const put = await call("/v1/me/profile", send("PUT", patient.auth, FULL));
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ userId: patient.id, ...FULL });
    const got = (await (await call("/v1/me/profile", { headers: patient.auth })).json()) as Record<
      string,
      unknown
    >;
    expect(got).toMatchObject(FULL);
    expect(typeof got.updatedAt).toBe("string");
    const rows = await auditOf("us", patient.id);
    expect(rows.map((r) => [r.action, r.outcome, r.patientId])).toEqual([
      ["profile.read", "success", patient.id],
      ["profile.update", "success", patient.id],
      ["profile.read", "success", patient.id],
    ]);
  });

  it("stores only ciphertext, bound to its field", async () => {
    const patient = await createUser("patient", "us");
    await call("/v1/me/profile", send("PUT", patient.auth, FULL));
    const [row] = await db("us").select().from(profiles).where(eq(profiles.userId, patient.id));
    const stored = [row?.legalNameEnc, row?.dateOfBirthEnc, row?.phoneEnc, row?.emergencyContactEnc];
    for (const ct of stored) {
      expect(ct).toMatch(/^enc:v1:/);
      for (const plain of ["Ada", "Lovelace", "1985-12-10", "7946", "Somerville", "friend"]) {
        expect(ct).not.toContain(plain);
      }
    }
    // A ciphertext moved to another column no longer decrypts (the field name is the AAD).
    await db("us")
      .update(profiles)
      .set({ phoneEnc: row?.legalNameEnc })
      .where(eq(profiles.userId, patient.id));
    const res = await call("/v1/me/profile", { headers: patient.auth });
    expect(res.status).toBe(500);
    expect(JSON.stringify(await problem(res))).not.toContain("Lovelace");
  });

  it("PUT replaces the whole profile: omitted fields are cleared", async () => {
    const patient = await createUser("patient", "us");
    await call("/v1/me/profile", send("PUT", patient.auth, FULL));
    const res = await call("/v1/me/profile", send("PUT", patient.auth, { phone: "+15551234567" }));
    expect(await res.json()).toMatchObject({ legalName: null, dateOfBirth: null, phone: "+15551234567" });
    const [row] = await db("us").select().from(profiles).where(eq(profiles.userId, patient.id));
    expect(row?.legalNameEnc).toBeNull();
  });

  it("answers 422 with field paths (never values) for bad input", async () => {
    const patient = await createUser("patient", "us");
    const bad = {
      legalName: "",
      dateOfBirth: "1985-13-40",
      phone: "12345",
      emergencyContact: { phone: "+447700900123", relationship: "sister" },
      ssn: "078-05-1120",
    };
    const res = await call("/v1/me/profile", send("PUT", patient.auth, bad));
    expect(res.status).toBe(422);
    const body = await problem(res);
    const paths = (body.errors as Array<{ path: string }>).map((e) => e.path).sort();
    expect(paths).toEqual([
      "json",
      "json.dateOfBirth",
      "json.emergencyContact.name",
      "json.legalName",
      "json.phone",
    ]);
    expect(JSON.stringify(body)).not.toContain("078-05-1120");
    const future = await call("/v1/me/profile", send("PUT", patient.auth, { dateOfBirth: "2999-01-01" }));
    expect((await problem(future)).errors).toEqual([
      { path: "json.dateOfBirth", message: "Must be a past date after 1900-01-01" },
    ]);
    expect(await db("us").select().from(profiles).where(eq(profiles.userId, patient.id))).toEqual([]);
  });

  it("keeps an EU patient's profile and its audit rows in the EU database only", async () => {
    const patient = await createUser("patient", "eu");
    expect((await call("/v1/me/profile", send("PUT", patient.auth, FULL))).status).toBe(200);
    const inRegion = async (region: Region) =>
      (await db(region).select().from(profiles).where(eq(profiles.userId, patient.id))).length;
    expect([await inRegion("eu"), await inRegion("us"), await inRegion("apac")]).toEqual([1, 0, 0]);
    expect((await auditOf("eu", patient.id)).length).toBe(1);
    expect(await auditOf("us", patient.id)).toEqual([]);
    expect(await auditOf("apac", patient.id)).toEqual([]);
  });
});

describe("/v1/patients/:patientId/profile", () => {
  it("validates the id (422) and answers an unknown patient with an audited 404", async () => {
    const clinician = await createUser("clinician", "us");
    const bad = await call("/v1/patients/not-a-uuid/profile", { headers: clinician.auth });
    expect(bad.status).toBe(422);
    expect(((await problem(bad)).errors as Array<{ path: string }>)[0]?.path).toBe("param.patientId");
    const unknown = crypto.randomUUID();
    const res = await call(`/v1/patients/${unknown}/profile`, { headers: clinician.auth });
    expect(res.status).toBe(404);
    const [row] = await auditOf("us", clinician.id);
    expect(row).toMatchObject({
      action: "profile.read",
      outcome: "denied",
      resourceId: unknown,
      patientId: null,
    });
  });
});

describe("consents", () => {
  const consentsOf = (region: Region, userId: string) =>
    db(region).select().from(consents).where(eq(consents.userId, userId));

  it("grants idempotently, withdraws without deleting, and keeps the history", async () => {
    const patient = await createUser("patient", "apac", { consents: false });
    const start = (await (await call("/v1/me/consents", { headers: patient.auth })).json()) as Record<
      string,
      unknown
    >;
    expect(start).toEqual({
      policyVersion: "2026-11-01",
      active: { health_data: false, ai_companion: false, care_plan_context: false },
      records: [],
    });
    await call("/v1/me/consents/health_data/grant", send("POST", patient.auth));
    const again = await call("/v1/me/consents/health_data/grant", send("POST", patient.auth));
    const granted = (await again.json()) as { active: Record<string, boolean>; records: unknown[] };
    expect(granted.active).toEqual({ health_data: true, ai_companion: false, care_plan_context: false });
    expect(granted.records).toHaveLength(1);
    const withdrawn = await call("/v1/me/consents/health_data/withdraw", send("POST", patient.auth));
    expect(((await withdrawn.json()) as { active: Record<string, boolean> }).active.health_data).toBe(false);
    await call("/v1/me/consents/health_data/grant", send("POST", patient.auth));
    const rows = await consentsOf("apac", patient.id);
    expect(rows).toHaveLength(2);
    expect(rows.filter((r) => r.withdrawnAt === null)).toHaveLength(1);
    const actions = (await auditOf("apac", patient.id)).map((r) => `${r.action}:${r.resourceId ?? ""}`);
    expect(actions.reverse()).toEqual([
      "consent.read:",
      "consent.grant:health_data",
      "consent.grant:health_data",
      "consent.withdraw:health_data",
      "consent.grant:health_data",
    ]);
  });

  it("closes a grant made under an older policy version when granting again", async () => {
    const patient = await createUser("patient", "us", { consents: false });
    await db("us")
      .insert(consents)
      .values({ userId: patient.id, kind: "ai_companion", policyVersion: "2025-01-01" });
    const before = (await (await call("/v1/me/consents", { headers: patient.auth })).json()) as {
      active: Record<string, boolean>;
    };
    expect(before.active.ai_companion).toBe(false);
    await call("/v1/me/consents/ai_companion/grant", send("POST", patient.auth));
    const rows = await consentsOf("us", patient.id);
    const old = rows.find((r) => r.policyVersion === "2025-01-01");
    const current = rows.find((r) => r.policyVersion === "2026-11-01");
    expect(old?.withdrawnAt).toBeInstanceOf(Date);
    expect(current?.withdrawnAt).toBeNull();
  });

  it("answers 422 for an unknown kind and 401 without a token", async () => {
    const patient = await createUser("patient", "us", { consents: false });
    const res = await call("/v1/me/consents/marketing/grant", send("POST", patient.auth));
    expect(res.status).toBe(422);
    expect(((await problem(res)).errors as Array<{ path: string }>)[0]?.path).toBe("param.kind");
    expect((await call("/v1/me/consents/health_data/grant", { method: "POST" })).status).toBe(401);
    const rows = await db("us")
      .select()
      .from(consents)
      .where(and(eq(consents.userId, patient.id)));
    expect(rows).toEqual([]);
  });
});
