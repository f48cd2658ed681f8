import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, careAlerts, careTeam } from "../workers/db/schema";
import { createDatabase } from "../workers/lib/db";
import { createUser, type TestUser, testConfig } from "./fixtures";
import { call } from "./helpers";

/**
 * Who may touch patient P's data, for every route of the profile, care-team and audit features.
 * Each cell is the expected status; "+" means the 2xx body must contain P's data (P's id), and a
 * bare 2xx means it must not (the caller acted on their own data). Routes run in order and self
 * acts last, because some routes change state (removal, break-glass).
 */
const ACTORS = [
  "anonymous",
  "otherPatient",
  "teamClinician",
  "offTeamClinician",
  "admin",
  "breakGlass",
  "self",
] as const;
type Actor = (typeof ACTORS)[number];
type Cell = "200+" | "200" | "201+" | "201" | "204" | "401" | "404" | "409";

interface World {
  P: TestUser;
  users: Record<Exclude<Actor, "anonymous">, TestUser>;
  /** Not actors: a clinician to remove, one who asked to join, one to invite, one to assign. */
  removable: TestUser;
  requester: TestUser;
  invitee: TestUser;
  assignee: TestUser;
  foreignInvitation: string;
  /** A crisis alert about P in the team clinician's inbox. */
  alertId: string;
}

const REASON = "Matrix check: emergency access to confirm safety plan.";
const jsonInit = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

interface Row {
  route: string;
  request: (w: World) => [string, RequestInit?];
  expect: Record<Actor, Cell>;
}

const everyone = (cell: Cell, self: Cell = cell): Record<Actor, Cell> => ({
  anonymous: "401",
  otherPatient: cell,
  teamClinician: cell,
  offTeamClinician: cell,
  admin: cell,
  breakGlass: cell,
  self,
});
const only = (allowed: Partial<Record<Actor, Cell>>): Record<Actor, Cell> => ({
  ...everyone("404"),
  ...allowed,
});

const MATRIX: Row[] = [
  {
    route: "GET /v1/patients/:P/profile",
    request: (w) => [`/v1/patients/${w.P.id}/profile`],
    expect: only({ teamClinician: "200+", breakGlass: "200+", self: "200+" }),
  },
  { route: "GET /v1/me", request: () => ["/v1/me"], expect: everyone("200", "200+") },
  { route: "GET /v1/me/profile", request: () => ["/v1/me/profile"], expect: everyone("200", "200+") },
  { route: "GET /v1/me/consents", request: () => ["/v1/me/consents"], expect: everyone("200") },
  {
    route: "GET /v1/me/care-team",
    request: () => ["/v1/me/care-team"],
    expect: only({ otherPatient: "200", self: "200" }),
  },
  {
    route: "GET /v1/me/break-glass",
    request: () => ["/v1/me/break-glass"],
    expect: only({ otherPatient: "200", self: "200" }),
  },
  {
    route: "GET /v1/me/access-report",
    request: () => ["/v1/me/access-report"],
    expect: only({ otherPatient: "200", self: "200" }),
  },
  {
    route: "GET /v1/clinician/patients",
    request: () => ["/v1/clinician/patients"],
    expect: only({ teamClinician: "200+", offTeamClinician: "200", breakGlass: "200" }),
  },
  {
    route: "GET /v1/clinician/invitations",
    request: () => ["/v1/clinician/invitations"],
    expect: only({ teamClinician: "200", offTeamClinician: "200", breakGlass: "200" }),
  },
  {
    route: "GET /v1/clinician/alerts",
    request: () => ["/v1/clinician/alerts"],
    expect: only({ teamClinician: "200+", offTeamClinician: "200", breakGlass: "200" }),
  },
  {
    route: "POST /v1/clinician/alerts/:alert/acknowledge",
    request: (w) => [`/v1/clinician/alerts/${w.alertId}/acknowledge`, { method: "POST" }],
    expect: only({ teamClinician: "200+" }),
  },
  {
    route: "GET /v1/admin/audit?patientId=P",
    request: (w) => [`/v1/admin/audit?region=eu&patientId=${w.P.id}`],
    expect: only({ admin: "200+" }),
  },
  {
    route: "GET /v1/admin/audit/verify",
    request: () => ["/v1/admin/audit/verify?region=eu"],
    expect: only({ admin: "200" }),
  },
  {
    route: "PUT /v1/me/profile",
    request: () => ["/v1/me/profile", jsonInit("PUT", { legalName: "Written by the caller" })],
    expect: everyone("200", "200+"),
  },
  {
    route: "POST /v1/me/consents/health_data/grant",
    request: () => ["/v1/me/consents/health_data/grant", jsonInit("POST")],
    expect: everyone("200"),
  },
  {
    route: "POST /v1/me/consents/ai_companion/withdraw",
    request: () => ["/v1/me/consents/ai_companion/withdraw", jsonInit("POST")],
    expect: everyone("200"),
  },
  {
    route: "POST /v1/me/care-team (invite)",
    request: (w) => ["/v1/me/care-team", jsonInit("POST", { clinicianId: w.invitee.id })],
    expect: only({ otherPatient: "201", self: "201+" }),
  },
  {
    route: "POST /v1/clinician/invitations/:id/accept (P's invitation to someone else)",
    request: (w) => [`/v1/clinician/invitations/${w.foreignInvitation}/accept`, jsonInit("POST")],
    expect: only({}),
  },
  {
    route: "POST /v1/clinician/care-requests",
    request: (w) => ["/v1/clinician/care-requests", jsonInit("POST", { patientId: w.P.id })],
    expect: only({ teamClinician: "409", offTeamClinician: "201+", breakGlass: "201+" }),
  },
  {
    route: "POST /v1/me/care-team/:requester/accept",
    request: (w) => [`/v1/me/care-team/${w.requester.id}/accept`, jsonInit("POST")],
    expect: only({ self: "200+" }),
  },
  {
    route: "POST /v1/admin/care-team",
    request: (w) => [
      "/v1/admin/care-team",
      jsonInit("POST", { patientId: w.P.id, clinicianId: w.assignee.id }),
    ],
    expect: only({ admin: "200+" }),
  },
  {
    route: "DELETE /v1/me/care-team/:removable",
    request: (w) => [`/v1/me/care-team/${w.removable.id}`, { method: "DELETE" }],
    expect: only({ self: "204" }),
  },
  {
    route: "POST /v1/patients/:P/break-glass",
    request: (w) => [`/v1/patients/${w.P.id}/break-glass`, jsonInit("POST", { reason: REASON })],
    expect: only({ teamClinician: "409", offTeamClinician: "201+", admin: "201+", breakGlass: "201+" }),
  },
  {
    route: "POST /v1/screeners/c-ssrs",
    request: () => [
      "/v1/screeners/c-ssrs",
      jsonInit("POST", { wishedDead: false, suicidalThoughts: false, behavior: false }),
    ],
    expect: only({ otherPatient: "201", self: "201+" }),
  },
  {
    route: "GET /v1/screeners/c-ssrs",
    request: () => ["/v1/screeners/c-ssrs"],
    expect: only({ otherPatient: "200", self: "200+" }),
  },
  {
    // After the break-glass row above: offTeamClinician and admin now hold grants too.
    route: "GET /v1/patients/:P/screeners (after break-glass)",
    request: (w) => [`/v1/patients/${w.P.id}/screeners`],
    expect: only({
      teamClinician: "200+",
      offTeamClinician: "200+",
      admin: "200+",
      breakGlass: "200+",
      self: "200+",
    }),
  },
];

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
  const [removable, requester, invitee, assignee, foreign] = await Promise.all([
    createUser("clinician", "us"),
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
  const users = { otherPatient, teamClinician, offTeamClinician, admin, breakGlass, self: P };
  world = {
    P,
    users,
    removable,
    requester,
    invitee,
    assignee,
    foreignInvitation: invitation.id,
    alertId: alert?.id ?? "",
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
    const profile = await call("/v1/me/profile", { headers: world.P.auth });
    expect(await profile.json()).toMatchObject({ userId: world.P.id, legalName: "Written by the caller" });
    const other = await call("/v1/me/profile", { headers: world.users.otherPatient.auth });
    expect(await other.json()).toMatchObject({ userId: world.users.otherPatient.id });
    const db = createDatabase(testConfig(), "eu");
    const [removed] = await db
      .select({ status: careTeam.status })
      .from(careTeam)
      .where(and(eq(careTeam.patientId, world.P.id), eq(careTeam.clinicianId, world.removable.id)));
    expect(removed?.status).toBe("removed");
    const res = await call(`/v1/patients/${world.P.id}/profile`, { headers: world.removable.auth });
    expect(res.status).toBe(404);
  });
});
