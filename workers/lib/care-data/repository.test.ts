import { env } from "cloudflare:test";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createUser, type TestUser, testConfig } from "../../../test/fixtures";
import { call } from "../../../test/helpers";
import { auditLog } from "../../db/schema";
import { createDatabase } from "../db";
import { createLogger } from "../logger";
import type { Principal } from "../principal";
import { createRedis } from "../redis";
import { createScope } from "../scope";
import { userRegionKey } from "./region";
import { careData } from "./repository";

const as = (u: TestUser): Principal => ({
  userId: u.id,
  role: u.role,
  region: u.region,
  sessionId: crypto.randomUUID(),
  jti: crypto.randomUUID(),
  exp: 0,
  mfa: true,
  via: "bearer",
});

const scopeOf = (u: TestUser) =>
  createScope({
    env,
    config: testConfig(),
    log: createLogger("error"),
    principal: as(u),
    audit: { requestId: `test-${crypto.randomUUID()}`, ip: null, userAgent: null },
  });

const rows = (region: TestUser["region"], patientId: string, action: string) =>
  createDatabase(testConfig(), region)
    .select({ outcome: auditLog.outcome, actorId: auditLog.actorId })
    .from(auditLog)
    .where(and(eq(auditLog.patientId, patientId), eq(auditLog.action, action)));

describe("care-data repository", () => {
  it("a failed operation is audited as failure, in the patient's region, and the error is rethrown", async () => {
    const patient = await createUser("patient", "eu");
    const care = careData(scopeOf(patient));
    const op = { action: "test.failing_read", resourceType: "test" };
    await expect(
      care.run(care.self(), op, (db) => [db.execute(sql`select 1 / 0`)] as const),
    ).rejects.toThrow();
    expect(await rows("eu", patient.id, op.action)).toEqual([{ outcome: "failure", actorId: patient.id }]);
  });

  it("a refusal is audited in the PATIENT's region (so it reaches their access report), also for chat", async () => {
    const patient = await createUser("patient", "eu");
    const clinician = await createUser("clinician", "us");
    const res = await call(`/v1/patients/${patient.id}/chat/tickets`, {
      method: "POST",
      headers: clinician.auth,
    });
    expect(res.status).toBe(404);
    expect(await rows("eu", patient.id, "chat.join")).toEqual([{ outcome: "denied", actorId: clinician.id }]);
    expect(await rows("us", patient.id, "chat.join")).toEqual([]);
  });

  it("resolves the patient's region from the databases when the Redis entry is gone (never guessing)", async () => {
    const patient = await createUser("patient", "apac");
    const clinician = await createUser("clinician", "us");
    await createRedis(testConfig()).del(userRegionKey(patient.id));
    const op = { action: "test.read", resourceType: "test" };
    await expect(careData(scopeOf(clinician)).open(patient.id, op)).rejects.toMatchObject({
      code: "not_found",
    });
    expect(await rows("apac", patient.id, op.action)).toEqual([{ outcome: "denied", actorId: clinician.id }]);
  });

  it("an operation that needs a consent the patient has not given is refused before any data is read", async () => {
    const patient = await createUser("patient", "us", { consents: false });
    const care = careData(scopeOf(patient));
    const op = { action: "test.companion", resourceType: "test", consent: "ai_companion" as const };
    await expect(care.open(patient.id, op)).rejects.toMatchObject({ code: "forbidden" });
    await call("/v1/me/consents/ai_companion/grant", { method: "POST", headers: patient.auth });
    await expect(care.open(patient.id, op)).resolves.toMatchObject({ patientId: patient.id, via: "self" });
  });

  it("locates a patient for a care-relationship operation without guessing, and refuses a non-patient id", async () => {
    const patient = await createUser("patient", "apac");
    const other = await createUser("clinician", "eu");
    const clinician = await createUser("clinician", "us");
    await createRedis(testConfig()).del(userRegionKey(patient.id));
    const care = careData(scopeOf(clinician));
    const op = { action: "test.relationship", resourceType: "test" };
    await expect(care.locate(patient.id, op)).resolves.toEqual({
      patientId: patient.id,
      region: "apac",
      via: "membership",
    });
    await expect(care.locate(other.id, op)).rejects.toMatchObject({ code: "not_found" });
    const denied = await createDatabase(testConfig(), "us")
      .select({ outcome: auditLog.outcome, patientId: auditLog.patientId })
      .from(auditLog)
      .where(and(eq(auditLog.actorId, clinician.id), eq(auditLog.action, op.action)));
    expect(denied).toEqual([{ outcome: "denied", patientId: null }]);
  });
});
