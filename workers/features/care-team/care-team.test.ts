import { and, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createUser, type TestUser, testConfig } from "../../../test/fixtures";
import { call, problem } from "../../../test/helpers";
import { auditLog, breakGlass, careTeam } from "../../db/schema";
import { createDatabase } from "../../lib/db";
import type { Region } from "../../lib/vocabulary";

const db = (region: Region) => createDatabase(testConfig(), region);
const send = (method: string, auth: Record<string, string>, body?: unknown): RequestInit => ({
  method,
  headers: { ...auth, "content-type": "application/json" },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});
const json = async <T = Record<string, unknown>>(res: Response): Promise<T> => (await res.json()) as T;
const auditOf = (region: Region, actorId: string) =>
  db(region).select().from(auditLog).where(eq(auditLog.actorId, actorId)).orderBy(desc(auditLog.id));
const profileOf = (patient: TestUser, who: TestUser) =>
  call(`/v1/patients/${patient.id}/profile`, { headers: who.auth });
const REASON = "Patient unresponsive in ED; need emergency contact now.";

describe("invitation flow (patient invites, clinician accepts)", () => {
  it("crosses regions, is listed on both sides and is audited in the patient's region", async () => {
    const patient = await createUser("patient", "eu");
    const clinician = await createUser("clinician", "us");
    const invited = await call("/v1/me/care-team", send("POST", patient.auth, { clinicianId: clinician.id }));
    expect(invited.status).toBe(201);
    const membership = await json(invited);
    expect(membership).toMatchObject({
      patientId: patient.id,
      clinicianId: clinician.id,
      status: "pending_clinician",
    });
    expect((await profileOf(patient, clinician)).status).toBe(404);

    const inbox = await json<{ invitations: unknown[] }>(
      await call("/v1/clinician/invitations", { headers: clinician.auth }),
    );
    expect(inbox.invitations).toEqual([
      {
        id: membership.id,
        patientId: patient.id,
        patientDisplayName: `patient ${patient.id.slice(0, 4)}`,
        createdAt: expect.any(String),
      },
    ]);
    const accepted = await call(
      `/v1/clinician/invitations/${membership.id}/accept`,
      send("POST", clinician.auth),
    );
    expect(await json(accepted)).toMatchObject({ id: membership.id, status: "active" });
    expect((await profileOf(patient, clinician)).status).toBe(200);

    const mine = await json<{ patients: unknown[] }>(
      await call("/v1/clinician/patients", { headers: clinician.auth }),
    );
    expect(mine.patients).toEqual([
      { patientId: patient.id, displayName: `patient ${patient.id.slice(0, 4)}` },
    ]);
    const team = await json<{ members: Array<Record<string, unknown>> }>(
      await call("/v1/me/care-team", { headers: patient.auth }),
    );
    expect(team.members).toMatchObject([
      {
        clinicianId: clinician.id,
        clinicianDisplayName: `clinician ${clinician.id.slice(0, 4)}`,
        status: "active",
      },
    ]);
    const euRows = await db("eu").select().from(auditLog).where(eq(auditLog.patientId, patient.id));
    expect(euRows.map((r) => `${r.action}:${r.outcome}`)).toEqual(
      expect.arrayContaining(["care_team.invite:success", "care_team.accept:success", "profile.read:denied"]),
    );
    const careRowsElsewhere = await db("us")
      .select()
      .from(careTeam)
      .where(eq(careTeam.patientId, patient.id));
    expect(careRowsElsewhere).toEqual([]);
  });

  it("refuses unknown or non-clinician invitees (404), duplicates (409) and bad bodies (422)", async () => {
    const patient = await createUser("patient", "us");
    const otherPatient = await createUser("patient", "us");
    const clinician = await createUser("clinician", "apac");
    const unknown = await call(
      "/v1/me/care-team",
      send("POST", patient.auth, { clinicianId: crypto.randomUUID() }),
    );
    expect(unknown.status).toBe(404);
    const notClinician = await call(
      "/v1/me/care-team",
      send("POST", patient.auth, { clinicianId: otherPatient.id }),
    );
    expect(notClinician.status).toBe(404);
    expect(
      (await call("/v1/me/care-team", send("POST", patient.auth, { clinicianId: clinician.id }))).status,
    ).toBe(201);
    const dup = await call("/v1/me/care-team", send("POST", patient.auth, { clinicianId: clinician.id }));
    expect(dup.status).toBe(409);
    expect((await problem(dup)).code).toBe("conflict");
    const bad = await call("/v1/me/care-team", send("POST", patient.auth, { clinicianId: "x", extra: 1 }));
    expect(bad.status).toBe(422);
    const paths = ((await problem(bad)).errors as Array<{ path: string }>).map((e) => e.path).sort();
    expect(paths).toEqual(["json", "json.clinicianId"]);
    const outcomes = (await auditOf("us", patient.id)).map((r) => `${r.action}:${r.outcome}`);
    expect(outcomes).toEqual([
      "care_team.invite:failure",
      "care_team.invite:success",
      "care_team.invite:denied",
      "care_team.invite:denied",
    ]);
  });

  it("does not let a clinician accept someone else's invitation", async () => {
    const patient = await createUser("patient", "apac");
    const invitee = await createUser("clinician", "us");
    const intruder = await createUser("clinician", "us");
    const { id } = await json(
      await call("/v1/me/care-team", send("POST", patient.auth, { clinicianId: invitee.id })),
    );
    const res = await call(`/v1/clinician/invitations/${id}/accept`, send("POST", intruder.auth));
    expect(res.status).toBe(404);
    const [row] = await db("apac")
      .select()
      .from(careTeam)
      .where(eq(careTeam.id, String(id)));
    expect(row?.status).toBe("pending_clinician");
    expect((await auditOf("us", intruder.id))[0]).toMatchObject({
      action: "care_team.accept",
      outcome: "denied",
    });
    expect(
      (await call(`/v1/clinician/invitations/${crypto.randomUUID()}/accept`, send("POST", invitee.auth)))
        .status,
    ).toBe(404);
  });
});

describe("request flow (clinician asks, patient accepts) and admin assignment", () => {
  it("activates on the patient's acceptance only", async () => {
    const patient = await createUser("patient", "us");
    const clinician = await createUser("clinician", "eu");
    const asked = await call(
      "/v1/clinician/care-requests",
      send("POST", clinician.auth, { patientId: patient.id }),
    );
    expect(await json(asked)).toMatchObject({ status: "pending_patient", patientId: patient.id });
    expect((await profileOf(patient, clinician)).status).toBe(404);
    const ok = await call(`/v1/me/care-team/${clinician.id}/accept`, send("POST", patient.auth));
    expect(await json(ok)).toMatchObject({ status: "active", clinicianId: clinician.id });
    expect((await profileOf(patient, clinician)).status).toBe(200);
    const again = await call(`/v1/me/care-team/${clinician.id}/accept`, send("POST", patient.auth));
    expect(again.status).toBe(404);
    const unknown = await call(
      "/v1/clinician/care-requests",
      send("POST", clinician.auth, { patientId: clinician.id }),
    );
    expect(unknown.status).toBe(404);
  });

  it("lets an admin assign directly, turning a pending row active without duplicating it", async () => {
    const admin = await createUser("admin", "us");
    const patient = await createUser("patient", "apac");
    const clinician = await createUser("clinician", "eu");
    await call("/v1/me/care-team", send("POST", patient.auth, { clinicianId: clinician.id }));
    const res = await call(
      "/v1/admin/care-team",
      send("POST", admin.auth, { patientId: patient.id, clinicianId: clinician.id }),
    );
    expect(await json(res)).toMatchObject({
      status: "active",
      patientId: patient.id,
      clinicianId: clinician.id,
    });
    const rows = await db("apac").select().from(careTeam).where(eq(careTeam.patientId, patient.id));
    expect(rows.map((r) => r.status)).toEqual(["active"]);
    const [entry] = await auditOf("apac", admin.id);
    expect(entry).toMatchObject({ action: "care_team.assign", actorRole: "admin", patientId: patient.id });
    const swapped = await call(
      "/v1/admin/care-team",
      send("POST", admin.auth, { patientId: clinician.id, clinicianId: patient.id }),
    );
    expect(swapped.status).toBe(404);
    const asClinician = await call(
      "/v1/admin/care-team",
      send("POST", clinician.auth, { patientId: patient.id, clinicianId: clinician.id }),
    );
    expect(asClinician.status).toBe(404);
  });
});

describe("removal", () => {
  it("revokes access with the removal's commit, and the clinician can be invited again", async () => {
    const patient = await createUser("patient", "eu");
    const clinician = await createUser("clinician", "apac");
    const admin = await createUser("admin", "us");
    await call(
      "/v1/admin/care-team",
      send("POST", admin.auth, { patientId: patient.id, clinicianId: clinician.id }),
    );
    expect((await profileOf(patient, clinician)).status).toBe(200);
    const removed = await call(`/v1/me/care-team/${clinician.id}`, send("DELETE", patient.auth));
    expect(removed.status).toBe(204);
    expect((await profileOf(patient, clinician)).status).toBe(404);
    const listed = await json<{ patients: unknown[] }>(
      await call("/v1/clinician/patients", { headers: clinician.auth }),
    );
    expect(listed.patients).toEqual([]);
    expect((await call(`/v1/me/care-team/${clinician.id}`, send("DELETE", patient.auth))).status).toBe(404);
    expect(
      (await call("/v1/me/care-team", send("POST", patient.auth, { clinicianId: clinician.id }))).status,
    ).toBe(201);
    const [entry] = (await auditOf("eu", patient.id)).filter((r) => r.action === "care_team.remove");
    expect(entry).toMatchObject({ outcome: "denied" });
    const actions = (await auditOf("eu", patient.id)).map((r) => `${r.action}:${r.outcome}`);
    expect(actions).toContain("care_team.remove:success");
  });
});

describe("break-glass", () => {
  it("opens a 60-minute grant, shown to the patient with the reason decrypted", async () => {
    const patient = await createUser("patient", "eu");
    const doctor = await createUser("clinician", "us");
    expect((await profileOf(patient, doctor)).status).toBe(404);
    const res = await call(
      `/v1/patients/${patient.id}/break-glass`,
      send("POST", doctor.auth, { reason: REASON }),
    );
    expect(res.status).toBe(201);
    const grant = await json<{ id: string; openedAt: string; expiresAt: string }>(res);
    expect(Date.parse(grant.expiresAt) - Date.parse(grant.openedAt)).toBe(60 * 60 * 1000);
    expect((await profileOf(patient, doctor)).status).toBe(200);

    const [stored] = await db("eu").select().from(breakGlass).where(eq(breakGlass.id, grant.id));
    expect(stored?.reasonEnc).toMatch(/^enc:v1:/);
    expect(stored?.reasonEnc).not.toContain("unresponsive");
    const seen = await json<{ accesses: unknown[] }>(
      await call("/v1/me/break-glass", { headers: patient.auth }),
    );
    expect(seen.accesses).toEqual([
      {
        id: grant.id,
        actorId: doctor.id,
        actorRole: "clinician",
        actorDisplayName: `clinician ${doctor.id.slice(0, 4)}`,
        openedAt: grant.openedAt,
        expiresAt: grant.expiresAt,
        reason: REASON,
      },
    ]);
    const opened = await db("eu")
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.actorId, doctor.id), eq(auditLog.action, "break_glass.open")));
    expect(opened).toMatchObject([{ outcome: "success", patientId: patient.id, resourceId: grant.id }]);
  });

  it("gives nothing once the grant has expired", async () => {
    const patient = await createUser("patient", "us");
    const admin = await createUser("admin", "apac");
    await db("us")
      .insert(breakGlass)
      .values({
        patientId: patient.id,
        actorId: admin.id,
        actorRole: "admin",
        reasonEnc: "enc:v1:x:y",
        createdAt: new Date(Date.now() - 2 * 3600_000),
        expiresAt: new Date(Date.now() - 3600_000),
      });
    expect((await profileOf(patient, admin)).status).toBe(404);
  });

  it("refuses bad reasons (422), team members (409), patients and unknown ids (404)", async () => {
    const patient = await createUser("patient", "apac");
    const doctor = await createUser("clinician", "apac");
    const admin = await createUser("admin", "apac");
    const path = `/v1/patients/${patient.id}/break-glass`;
    const short = await call(path, send("POST", doctor.auth, { reason: "urgent" }));
    expect(((await problem(short)).errors as Array<{ path: string }>).map((e) => e.path)).toEqual([
      "json.reason",
    ]);
    const long = await call(path, send("POST", doctor.auth, { reason: "x".repeat(501) }));
    expect(long.status).toBe(422);
    await call(
      "/v1/admin/care-team",
      send("POST", admin.auth, { patientId: patient.id, clinicianId: doctor.id }),
    );
    expect((await call(path, send("POST", doctor.auth, { reason: REASON }))).status).toBe(409);
    expect((await call(path, send("POST", patient.auth, { reason: REASON }))).status).toBe(404);
    const ghost = `/v1/patients/${crypto.randomUUID()}/break-glass`;
    expect((await call(ghost, send("POST", admin.auth, { reason: REASON }))).status).toBe(404);
    const onDoctor = `/v1/patients/${doctor.id}/break-glass`;
    expect((await call(onDoctor, send("POST", admin.auth, { reason: REASON }))).status).toBe(404);
    expect(await db("apac").select().from(breakGlass).where(eq(breakGlass.patientId, patient.id))).toEqual(
      [],
    );
  });
});
