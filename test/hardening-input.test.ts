import { describe, expect, it } from "vitest";
import { addToCareTeam, connect } from "./chat-helpers";
import { createUser } from "./fixtures";
import { call, problem } from "./helpers";

/**
 * Inputs that used to reach a 500 (hardening review, 10,200 fuzzed requests): identifiers in
 * upper case, numbers beyond what Postgres columns hold, and control characters in text.
 * Each is now normalised or refused at the edge with a 422 naming the field.
 */

const json = { "content-type": "application/json" };

describe("identifiers are lower-cased at the edge", () => {
  it("an upper-case patient id reads the same profile (it was a DecryptError 500, audited as a read)", async () => {
    const patient = await createUser("patient");
    const clinician = await createUser("clinician");
    await addToCareTeam(patient, clinician);
    const put = await call("/v1/me/profile", {
      method: "PUT",
      headers: { ...patient.auth, ...json },
      body: JSON.stringify({ legalName: "Alex Example" }),
    });
    expect(put.status).toBe(200);
    const lower = await call(`/v1/patients/${patient.id}/profile`, { headers: clinician.auth });
    const upper = await call(`/v1/patients/${patient.id.toUpperCase()}/profile`, { headers: clinician.auth });
    expect(lower.status).toBe(200);
    expect(upper.status).toBe(200);
    expect(await upper.json()).toEqual(await lower.json());
  });

  it("an upper-case patient id joins the patient's own chat room, not a second empty one", async () => {
    const patient = await createUser("patient");
    const clinician = await createUser("clinician");
    await addToCareTeam(patient, clinician);
    const mine = await connect(patient);
    const first = await connect(clinician, { patientId: patient.id });
    await mine.waitFor((f) => f.type === "clinician_joined");
    first.close();
    const second = await connect(clinician, { patientId: patient.id.toUpperCase() });
    // The same room continues its sequence (join 1, leave?, join again); a second room would start at 1.
    const joined = await second.waitFor((f) => f.type === "clinician_joined", 5_000);
    expect(joined.seq).toBe(2);
    expect(second.frames[0]).toMatchObject({ type: "welcome", lastSeq: 2 });
    mine.close();
    second.close();
  });

  it("a malformed id is a 422 before any lookup", async () => {
    const clinician = await createUser("clinician");
    const res = await call("/v1/patients/679F0FC7-zzzz/profile", { headers: clinician.auth });
    expect(res.status).toBe(422);
    expect((await problem(res)).errors).toEqual([expect.objectContaining({ path: "param.patientId" })]);
  });
});

describe("numbers are bounded to what the columns hold", () => {
  for (const after of ["2147483648", "99999999999999999999", "1e10"]) {
    it(`chat history ?after=${after} is a 422 (it was Postgres 22003 → 500)`, async () => {
      const patient = await createUser("patient");
      const res = await call(`/v1/chat/history?after=${after}`, { headers: patient.auth });
      expect(res.status).toBe(422);
      const { errors } = (await problem(res)) as { errors: Array<{ path: string }> };
      expect(new Set(errors.map((e) => e.path))).toEqual(new Set(["query.after"]));
    });
  }

  it("the largest int4 is still accepted", async () => {
    const patient = await createUser("patient");
    const res = await call("/v1/chat/history?after=2147483647", { headers: patient.auth });
    expect(res.status).toBe(200);
  });
});

describe("control characters are refused with a 422", () => {
  it("a NUL in displayName at sign-up (it was Postgres 22021 → 500)", async () => {
    const res = await call("/v1/auth/signup", {
      method: "POST",
      headers: json,
      body: JSON.stringify({
        email: `nul-${crypto.randomUUID()}@example.test`,
        password: `Pw-${crypto.randomUUID()}`,
        displayName: "Al\u0000ex",
        region: "us",
        consents: { healthData: true, aiCompanion: false },
      }),
    });
    expect(res.status).toBe(422);
    const body = await problem(res);
    expect(body.errors).toEqual([
      { path: "json.displayName", message: "Control characters are not allowed" },
    ]);
    expect(JSON.stringify(body)).not.toContain("Al");
  });

  it("in a nested field of a profile update, and in a query string", async () => {
    const patient = await createUser("patient");
    const put = await call("/v1/me/profile", {
      method: "PUT",
      headers: { ...patient.auth, ...json },
      body: JSON.stringify({
        emergencyContact: { name: "Sam\u001b[31m", phone: "+15551234567", relationship: "friend" },
      }),
    });
    expect(put.status).toBe(422);
    expect((await problem(put)).errors).toEqual([
      expect.objectContaining({ path: "json.emergencyContact.name" }),
    ]);
    const admin = await createUser("admin");
    const q = await call(`/v1/admin/audit?region=us&action=${encodeURIComponent("a\u0007")}`, {
      headers: admin.auth,
    });
    expect(q.status).toBe(422);
  });

  it("tabs and newlines in free text are still fine", async () => {
    const patient = await createUser("patient");
    const put = await call("/v1/me/profile", {
      method: "PUT",
      headers: { ...patient.auth, ...json },
      body: JSON.stringify({ legalName: "Alex\tExample" }),
    });
    expect(put.status).toBe(200);
  });
});
