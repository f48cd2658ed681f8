import { and, desc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createUser, testConfig } from "../../../test/fixtures";
import { call, problem } from "../../../test/helpers";
import { auditLog } from "../../db/schema";
import { createDatabase } from "../../lib/db";
import type { Region } from "../../lib/vocabulary";

const db = (region: Region) => createDatabase(testConfig(), region);
const send = (method: string, auth: Record<string, string>, body?: unknown): RequestInit => ({
  method,
  headers: { ...auth, "content-type": "application/json" },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});
const json = async <T = Record<string, unknown>>(res: Response): Promise<T> => (await res.json()) as T;
const REASON = "Crisis line escalation: must confirm emergency contact.";

interface Page {
  entries: Array<Record<string, unknown>>;
  nextCursor: string | null;
}

describe("GET /v1/admin/audit", () => {
  it("filters, pages by id and audits the search itself", async () => {
    const admin = await createUser("admin", "us");
    const patient = await createUser("patient", "us");
    for (let i = 0; i < 3; i++) await call("/v1/me/profile", { headers: patient.auth });
    const base = `/v1/admin/audit?region=us&patientId=${patient.id}&action=profile.read`;
    const first = await json<Page>(await call(`${base}&limit=2`, { headers: admin.auth }));
    expect(first.entries).toHaveLength(2);
    expect(first.entries[0]).toMatchObject({
      actorId: patient.id,
      actorRole: "patient",
      action: "profile.read",
      resourceType: "profile",
      patientId: patient.id,
      outcome: "success",
      ip: expect.any(String),
    });
    expect(first.entries[0]).not.toHaveProperty("hash");
    const ids = first.entries.map((e) => Number(e.id));
    expect(ids[0]).toBeGreaterThan(ids[1] ?? 0);
    expect(first.nextCursor).toBe(String(ids[1]));
    const second = await json<Page>(
      await call(`${base}&limit=2&cursor=${first.nextCursor}`, { headers: admin.auth }),
    );
    expect(second.entries).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const [own] = await db("us")
      .select()
      .from(auditLog)
      .where(eq(auditLog.actorId, admin.id))
      .orderBy(desc(auditLog.id));
    expect(own).toMatchObject({
      action: "audit.query",
      actorRole: "admin",
      patientId: patient.id,
      outcome: "success",
    });
    const none = await json<Page>(
      await call(`${base}&from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z`, { headers: admin.auth }),
    );
    expect(none.entries).toEqual([]);
  });

  it("answers 422 with query paths, and 404/401 to anyone but an admin", async () => {
    const admin = await createUser("admin", "us");
    const bad = await call(
      "/v1/admin/audit?region=mars&limit=0&actorId=me&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z&cursor=-1",
      { headers: admin.auth },
    );
    expect(bad.status).toBe(422);
    const paths = ((await problem(bad)).errors as Array<{ path: string }>).map((e) => e.path).sort();
    expect(paths).toEqual(["query.actorId", "query.cursor", "query.limit", "query.region"]);
    const reversed = await call(
      "/v1/admin/audit?region=us&from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
      {
        headers: admin.auth,
      },
    );
    expect((await problem(reversed)).errors).toEqual([
      { path: "query.to", message: "Must not be earlier than from" },
    ]);
    const clinician = await createUser("clinician", "us");
    const patient = await createUser("patient", "us");
    expect((await call("/v1/admin/audit?region=us", { headers: clinician.auth })).status).toBe(404);
    expect((await call("/v1/admin/audit?region=us", { headers: patient.auth })).status).toBe(404);
    expect((await call("/v1/admin/audit?region=us")).status).toBe(401);
    expect((await call("/v1/admin/audit/verify?region=us", { headers: patient.auth })).status).toBe(404);
  });
});

describe("GET /v1/admin/audit/verify", () => {
  it("reports every chain intact, then the exact row altered in apac, then intact once restored", async () => {
    const admin = await createUser("admin", "apac");
    const patient = await createUser("patient", "apac");
    for (const region of ["us", "eu", "apac"] as const) {
      const status = await json(
        await call(`/v1/admin/audit/verify?region=${region}`, { headers: admin.auth }),
      );
      expect(status).toEqual({
        region,
        intact: true,
        rows: expect.any(Number),
        checkpoints: 0,
        prunedTotal: 0,
        macChecked: true,
      });
    }
    await call("/v1/me/profile", { headers: patient.auth });
    const [target] = await db("apac").select().from(auditLog).where(eq(auditLog.actorId, patient.id));
    if (!target) throw new Error("expected an audit row");
    const rewrite = (action: string) =>
      db("apac").batch([
        db("apac").execute(sql`alter table audit_log disable trigger audit_log_no_update`),
        db("apac").execute(sql`update audit_log set action = ${action} where id = ${target.id}`),
        db("apac").execute(sql`alter table audit_log enable trigger audit_log_no_update`),
      ]);
    await rewrite("profile.update");
    try {
      const broken = await json(await call("/v1/admin/audit/verify?region=apac", { headers: admin.auth }));
      expect(broken).toEqual({
        region: "apac",
        intact: false,
        brokenId: target.id,
        problem: "hash",
        rows: expect.any(Number),
        checkpoints: 0,
        prunedTotal: 0,
        macChecked: true,
      });
    } finally {
      await rewrite(target.action);
    }
    const repaired = await json(await call("/v1/admin/audit/verify?region=apac", { headers: admin.auth }));
    expect(repaired).toMatchObject({ region: "apac", intact: true });
    const checks = await db("apac")
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.actorId, admin.id), eq(auditLog.action, "audit.verify")));
    expect(checks).toHaveLength(3);
  });

  it("cannot be tampered with while the append-only trigger is on", async () => {
    const last = sql`(select max(id) from audit_log)`;
    const refused = { cause: { code: "42501" } };
    await expect(
      db("us").execute(sql`update audit_log set action = 'x' where id = ${last}`),
    ).rejects.toMatchObject(refused);
    await expect(db("us").execute(sql`delete from audit_log where id = ${last}`)).rejects.toMatchObject(
      refused,
    );
  });
});

describe("GET /v1/me/access-report", () => {
  it("lists others' accesses newest first, flags break-glass and includes refusals", async () => {
    const patient = await createUser("patient", "eu");
    const doctor = await createUser("clinician", "us");
    const stranger = await createUser("clinician", "apac");
    const admin = await createUser("admin", "us");
    await call("/v1/me/profile", { headers: patient.auth });
    await call(
      "/v1/admin/care-team",
      send("POST", admin.auth, { patientId: patient.id, clinicianId: doctor.id }),
    );
    await call(`/v1/patients/${patient.id}/profile`, { headers: doctor.auth });
    await call(`/v1/patients/${patient.id}/profile`, { headers: stranger.auth });
    await call(`/v1/patients/${patient.id}/break-glass`, send("POST", stranger.auth, { reason: REASON }));
    await call(`/v1/patients/${patient.id}/profile`, { headers: stranger.auth });

    const report = await json<Page>(await call("/v1/me/access-report", { headers: patient.auth }));
    const rows = report.entries.map((e) => [e.actorId, e.action, e.outcome, e.breakGlass]);
    expect(rows).toEqual([
      [stranger.id, "profile.read", "success", true],
      [stranger.id, "break_glass.open", "success", true],
      [stranger.id, "profile.read", "denied", false],
      [doctor.id, "profile.read", "success", false],
      [admin.id, "care_team.assign", "success", false],
    ]);
    expect(report.entries[0]).toEqual({
      actorId: stranger.id,
      actorRole: "clinician",
      action: "profile.read",
      resourceType: "profile",
      outcome: "success",
      at: expect.any(String),
      breakGlass: true,
      actorName: `clinician ${stranger.id.slice(0, 4)}`,
      who: `clinician ${stranger.id.slice(0, 4)} (clinician)`,
      what: "read your profile",
      allowed: true,
      summary: `Clinician ${stranger.id.slice(0, 4)} (clinician) read your profile using emergency access: allowed.`,
    });
    const paged = await json<Page>(await call("/v1/me/access-report?limit=2", { headers: patient.auth }));
    expect(paged.entries).toHaveLength(2);
    const rest = await json<Page>(
      await call(`/v1/me/access-report?limit=10&cursor=${paged.nextCursor}`, { headers: patient.auth }),
    );
    expect(rest.entries.map((e) => e.action)).toEqual(["profile.read", "profile.read", "care_team.assign"]);
  });

  it("reads as words: who (name and role), what, when, allowed; own actions and system jobs left out", async () => {
    const patient = await createUser("patient", "us");
    const doctor = await createUser("clinician", "eu");
    const stranger = await createUser("clinician", "us");
    const admin = await createUser("admin", "us");
    await call(
      "/v1/admin/care-team",
      send("POST", admin.auth, { patientId: patient.id, clinicianId: doctor.id }),
    );
    await call(`/v1/patients/${patient.id}/profile`, { headers: doctor.auth });
    await call(`/v1/patients/${patient.id}/profile`, { headers: stranger.auth });
    await call("/v1/me/profile", { headers: patient.auth });
    // A background job (the chat flush writes rows like this) and the patient's own history read.
    await db("us")
      .insert(auditLog)
      .values([
        {
          actorId: null,
          actorRole: "system",
          action: "chat.messages.persist",
          resourceType: "chat_message",
          patientId: patient.id,
          outcome: "success",
        },
        {
          actorId: patient.id,
          actorRole: "patient",
          action: "chat.history.read",
          resourceType: "chat_message",
          patientId: patient.id,
          outcome: "success",
        },
      ]);

    const report = await json<Page>(await call("/v1/me/access-report", { headers: patient.auth }));
    const words = report.entries.map((e) => [e.who, e.what, e.allowed]);
    expect(words).toEqual([
      [`clinician ${stranger.id.slice(0, 4)} (clinician)`, "tried to read your profile", false],
      [`clinician ${doctor.id.slice(0, 4)} (clinician)`, "read your profile", true],
      [`admin ${admin.id.slice(0, 4)} (Haven administrator)`, "added a clinician to your care team", true],
    ]);
    expect(report.entries[0]?.summary).toBe(
      `Clinician ${stranger.id.slice(0, 4)} (clinician) tried to read your profile: refused.`,
    );
    expect(
      report.entries.every((e) => typeof e.at === "string" && !Number.isNaN(Date.parse(String(e.at)))),
    ).toBe(true);
    expect(report.entries.map((e) => e.actorId)).not.toContain(patient.id);
    expect(report.entries.map((e) => e.action)).not.toContain("chat.messages.persist");
  });

  it("the access page shows the same words to the signed-in patient", async () => {
    const patient = await createUser("patient", "us");
    const stranger = await createUser("clinician", "us");
    await call(`/v1/patients/${patient.id}/profile`, { headers: stranger.auth });
    const res = await call("/account/access", { headers: { cookie: `haven_at=${patient.token}` } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(
      `<strong>Clinician ${stranger.id.slice(0, 4)} (clinician)</strong> tried to read your profile`,
    );
    expect(html).toContain("Refused: they could not see anything.");
    expect(html).not.toContain("profile.read");
  });

  it("is for patients only and validates its query", async () => {
    const clinician = await createUser("clinician", "us");
    const patient = await createUser("patient", "us");
    expect((await call("/v1/me/access-report", { headers: clinician.auth })).status).toBe(404);
    expect((await call("/v1/me/access-report")).status).toBe(401);
    const bad = await call("/v1/me/access-report?limit=9999", { headers: patient.auth });
    expect(((await problem(bad)).errors as Array<{ path: string }>).map((e) => e.path)).toEqual([
      "query.limit",
    ]);
  });
});
