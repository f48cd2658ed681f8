import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, careAlerts, careTeam } from "../workers/db/schema";
import { createDatabase } from "../workers/lib/db";
import { bearer, route } from "../workers/lib/openapi";
import { createRouter } from "../workers/lib/router";
import { ACTORS, jsonInit, REASON, type World } from "./access-matrix-cells";
import { MATRIX } from "./access-matrix-rows";
import { createUser, signIn, type TestUser, testConfig } from "./fixtures";
import { call } from "./helpers";
import { matrixSession } from "./sessions-helpers";

let world: World;

beforeAll(async () => {
  const [P, otherPatient, teamClinician, offTeamClinician, admin, breakGlass] = await Promise.all([
    createUser("patient", "eu"),
    createUser("patient", "us"),
    createUser("clinician", "us"),
    createUser("clinician", "apac"),
    createUser("admin", "us"),
    createUser("clinician", "eu"),
  ]);
  const [removable, requester, invitee, assignee, foreign, roleTarget] = await Promise.all([
    createUser("clinician", "us"),
    createUser("clinician", "eu"),
    createUser("clinician", "apac"),
    createUser("clinician", "eu"),
    createUser("clinician", "us"),
    createUser("clinician", "us"),
  ]);
  const post = async (user: TestUser, path: string, body: unknown) => {
    const init = jsonInit("POST", body);
    const res = await call(path, { ...init, headers: { ...user.auth, "content-type": "application/json" } });
    if (res.status >= 300) throw new Error(`setup ${path} answered ${res.status}`);
    return (await res.json()) as { id: string };
  };
  for (const clinician of [teamClinician, removable]) {
    await post(admin, "/v1/admin/care-team", { patientId: P.id, clinicianId: clinician.id });
  }
  await post(requester, "/v1/clinician/care-requests", { patientId: P.id });
  const invitation = await post(P, "/v1/me/care-team", { clinicianId: foreign.id });
  await post(breakGlass, `/v1/patients/${P.id}/break-glass`, { reason: REASON });
  const [alert] = await createDatabase(testConfig(), "eu")
    .insert(careAlerts)
    .values({ clinicianId: teamClinician.id, patientId: P.id, seq: 1, severity: "high" })
    .returning({ id: careAlerts.id });
  const phq9 = { q1: 1, q2: 1, q3: 0, q4: 0, q5: 0, q6: 0, q7: 0, q8: 0, q9: 0 };
  const assessment = await post(P, "/v1/assessments/phq-9", { answers: phq9 });
  const assignment = await post(teamClinician, `/v1/patients/${P.id}/assessment-assignments`, {
    instrument: "who-5",
    cadenceDays: 7,
  });
  const users = { otherPatient, teamClinician, offTeamClinician, admin, breakGlass, self: P };
  world = {
    P,
    users,
    removable,
    requester,
    invitee,
    assignee,
    roleTarget,
    foreignInvitation: invitation.id,
    alertId: alert?.id ?? "",
    assessmentId: assessment.id,
    assignmentId: assignment.id,
    sessionId: await matrixSession(P, teamClinician),
  };
});

describe("access matrix for patient P (eu) across all actors", () => {
  it.each(MATRIX)("$route", async ({ request, expect: expected }) => {
    const got: Record<string, string> = {};
    for (const actor of ACTORS) {
      const [path, init = {}] = request(world);
      const auth = actor === "anonymous" ? {} : world.users[actor].auth;
      const res = await call(path, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), ...auth },
      });
      const body = res.status === 204 ? "" : await res.text();
      const sees = res.status < 300 && body.includes(world.P.id);
      got[actor] = res.status < 300 && sees ? `${res.status}+` : String(res.status);
    }
    expect(got).toEqual(expected);
  });

  it("audited every attempt on P's profile with the right actor and outcome, in P's region", async () => {
    const db = createDatabase(testConfig(), "eu");
    const rows = await db
      .select({ actorId: auditLog.actorId, outcome: auditLog.outcome })
      .from(auditLog)
      .where(and(eq(auditLog.patientId, world.P.id), eq(auditLog.action, "profile.read")));
    const byActor = (user: TestUser) => rows.filter((r) => r.actorId === user.id).map((r) => r.outcome);
    const { users } = world;
    expect(byActor(users.teamClinician)).toEqual(["success"]);
    expect(byActor(users.breakGlass)).toEqual(["success"]);
    expect(byActor(users.offTeamClinician)).toEqual(["denied"]);
    expect(byActor(users.admin)).toEqual(["denied"]);
    expect(byActor(users.otherPatient)).toEqual(["denied"]);
    expect(byActor(users.self)).toEqual(["success", "success"]);
    expect(rows.filter((r) => r.actorId === null)).toEqual([]);
  });

  it("left P's data as P wrote it, and removal took effect", async () => {
    // The matrix's last row signed every actor out: sign in again.
    const profile = await call("/v1/me/profile", { headers: (await signIn(world.P)).auth });
    expect(await profile.json()).toMatchObject({ userId: world.P.id, legalName: "Written by the caller" });
    const other = await call("/v1/me/profile", { headers: (await signIn(world.users.otherPatient)).auth });
    expect(await other.json()).toMatchObject({ userId: world.users.otherPatient.id });
    const db = createDatabase(testConfig(), "eu");
    const [removed] = await db
      .select({ status: careTeam.status })
      .from(careTeam)
      .where(and(eq(careTeam.patientId, world.P.id), eq(careTeam.clinicianId, world.removable.id)));
    expect(removed?.status).toBe("removed");
    const res = await call(`/v1/patients/${world.P.id}/profile`, {
      headers: (await signIn(world.removable)).auth,
    });
    expect(res.status).toBe(404);
  });

  it("the logout row signed each actor out (its answer was not a no-op)", async () => {
    expect((await call("/v1/me", { headers: world.P.auth })).status).toBe(401);
    expect((await call("/v1/me/profile", { headers: world.P.auth })).status).toBe(401);
  });
});

interface OpenApiDoc {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
}

const openapi = async () => (await (await call("/openapi.json")).json()) as OpenApiDoc;

const operationsOf = (doc: OpenApiDoc) =>
  Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
  );

/** Operations of an OpenAPI document that no matrix row exercises. */
function uncovered(doc: OpenApiDoc): string[] {
  const covered = new Set(MATRIX.map((r) => r.operation));
  return operationsOf(doc)
    .filter((op) => !covered.has(op))
    .sort();
}

describe("the matrix is generated from the OpenAPI document", () => {
  it("every operation of /openapi.json has a row (expected status per actor)", async () => {
    const doc = await openapi();
    expect(operationsOf(doc).length).toBeGreaterThanOrEqual(50);
    expect(uncovered(doc)).toEqual([]);
  });

  it("a route registered without a matrix row fails the check", async () => {
    const unregistered = createRouter().openapi(
      route({
        method: "post",
        path: "/v1/wearables/readings",
        security: bearer,
        responses: { 201: { description: "Stored" } },
      }),
      (c) => c.body(null, 201),
    );
    const extra = unregistered.getOpenAPI31Document({
      openapi: "3.1.0",
      info: { title: "probe", version: "1" },
    });
    const doc = await openapi();
    const withExtra = { paths: { ...doc.paths, ...extra.paths } } as OpenApiDoc;
    expect(uncovered(withExtra)).toEqual(["POST /v1/wearables/readings"]);
  });

  it("every row names a real operation, and every status it expects is documented for it", async () => {
    const doc = await openapi();
    const ops = new Set(operationsOf(doc));
    expect(MATRIX.filter((r) => !ops.has(r.operation)).map((r) => r.operation)).toEqual([]);
    const undocumented = MATRIX.flatMap((r) => {
      const [method = "", path = ""] = r.operation.split(" ");
      const responses = doc.paths[path]?.[method.toLowerCase()]?.responses ?? {};
      const statuses = [...new Set(Object.values(r.expect).map((cell) => cell.replace("+", "")))];
      return statuses.filter((st) => !(st in responses)).map((st) => `${r.operation} ${st}`);
    });
    expect(undocumented).toEqual([]);
  });
});
