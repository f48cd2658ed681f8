import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { auditLog, careTeam } from "../workers/db/schema";
import { createDatabase } from "../workers/lib/db";
import { bearer, route } from "../workers/lib/openapi";
import { createRouter } from "../workers/lib/router";
import { createUser, type TestUser, testConfig } from "./fixtures";
import { call } from "./helpers";

/**
 * Who may touch patient P's data, for EVERY operation of the OpenAPI document (chat, socket
 * upgrade, account, admin and sign-in flows included): a route without a row fails the suite
 * ("the matrix is generated from the OpenAPI document" below), and so does a row expecting a
 * status the route does not document.
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
type Cell = "200+" | "200" | "201+" | "201" | "202" | "204" | "400" | "401" | "403" | "404" | "409" | "422";

interface World {
  P: TestUser;
  users: Record<Exclude<Actor, "anonymous">, TestUser>;
  /** Not actors: a clinician to remove, one who asked to join, one to invite, one to assign. */
  removable: TestUser;
  requester: TestUser;
  invitee: TestUser;
  assignee: TestUser;
  /** A staff account whose role the admin changes (its sessions are revoked). */
  roleTarget: TestUser;
  foreignInvitation: string;
}

const REASON = "Matrix check: emergency access to confirm safety plan.";
const jsonInit = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

interface Row {
  /** The OpenAPI operation this row exercises ("GET /v1/patients/{patientId}/profile"). */
  operation: string;
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
/** The same answer for every actor, anonymous included (public routes). */
const all = (cell: Cell): Record<Actor, Cell> =>
  Object.fromEntries(ACTORS.map((a) => [a, cell])) as Record<Actor, Cell>;
const only = (allowed: Partial<Record<Actor, Cell>>): Record<Actor, Cell> => ({
  ...everyone("404"),
  ...allowed,
});

const MATRIX: Row[] = [
  {
    operation: "GET /v1/patients/{patientId}/profile",
    route: "GET /v1/patients/:P/profile",
    request: (w) => [`/v1/patients/${w.P.id}/profile`],
    expect: only({ teamClinician: "200+", breakGlass: "200+", self: "200+" }),
  },
  {
    operation: "GET /v1/me",
    route: "GET /v1/me",
    request: () => ["/v1/me"],
    expect: everyone("200", "200+"),
  },
  {
    operation: "GET /v1/me/profile",
    route: "GET /v1/me/profile",
    request: () => ["/v1/me/profile"],
    expect: everyone("200", "200+"),
  },
  {
    operation: "GET /v1/me/consents",
    route: "GET /v1/me/consents",
    request: () => ["/v1/me/consents"],
    expect: everyone("200"),
  },
  {
    operation: "GET /v1/me/care-team",
    route: "GET /v1/me/care-team",
    request: () => ["/v1/me/care-team"],
    expect: only({ otherPatient: "200", self: "200" }),
  },
  {
    operation: "GET /v1/me/break-glass",
    route: "GET /v1/me/break-glass",
    request: () => ["/v1/me/break-glass"],
    expect: only({ otherPatient: "200", self: "200" }),
  },
  {
    operation: "GET /v1/me/access-report",
    route: "GET /v1/me/access-report",
    request: () => ["/v1/me/access-report"],
    expect: only({ otherPatient: "200", self: "200" }),
  },
  {
    operation: "GET /v1/clinician/patients",
    route: "GET /v1/clinician/patients",
    request: () => ["/v1/clinician/patients"],
    expect: only({ teamClinician: "200+", offTeamClinician: "200", breakGlass: "200" }),
  },
  {
    operation: "GET /v1/clinician/invitations",
    route: "GET /v1/clinician/invitations",
    request: () => ["/v1/clinician/invitations"],
    expect: only({ teamClinician: "200", offTeamClinician: "200", breakGlass: "200" }),
  },
  {
    operation: "GET /v1/admin/audit",
    route: "GET /v1/admin/audit?patientId=P",
    request: (w) => [`/v1/admin/audit?region=eu&patientId=${w.P.id}`],
    expect: only({ admin: "200+" }),
  },
  {
    operation: "GET /v1/admin/audit/verify",
    route: "GET /v1/admin/audit/verify",
    request: () => ["/v1/admin/audit/verify?region=eu"],
    expect: only({ admin: "200" }),
  },
  {
    operation: "PUT /v1/me/profile",
    route: "PUT /v1/me/profile",
    request: () => ["/v1/me/profile", jsonInit("PUT", { legalName: "Written by the caller" })],
    expect: everyone("200", "200+"),
  },
  {
    operation: "POST /v1/me/consents/{kind}/grant",
    route: "POST /v1/me/consents/health_data/grant",
    request: () => ["/v1/me/consents/health_data/grant", jsonInit("POST")],
    expect: everyone("200"),
  },
  {
    operation: "POST /v1/me/consents/{kind}/withdraw",
    route: "POST /v1/me/consents/ai_companion/withdraw",
    request: () => ["/v1/me/consents/ai_companion/withdraw", jsonInit("POST")],
    expect: everyone("200"),
  },
  {
    operation: "POST /v1/me/care-team",
    route: "POST /v1/me/care-team (invite)",
    request: (w) => ["/v1/me/care-team", jsonInit("POST", { clinicianId: w.invitee.id })],
    expect: only({ otherPatient: "201", self: "201+" }),
  },
  {
    operation: "POST /v1/clinician/invitations/{id}/accept",
    route: "POST /v1/clinician/invitations/:id/accept (P's invitation to someone else)",
    request: (w) => [`/v1/clinician/invitations/${w.foreignInvitation}/accept`, jsonInit("POST")],
    expect: only({}),
  },
  {
    operation: "POST /v1/clinician/care-requests",
    route: "POST /v1/clinician/care-requests",
    request: (w) => ["/v1/clinician/care-requests", jsonInit("POST", { patientId: w.P.id })],
    expect: only({ teamClinician: "409", offTeamClinician: "201+", breakGlass: "201+" }),
  },
  {
    operation: "POST /v1/me/care-team/{clinicianId}/accept",
    route: "POST /v1/me/care-team/:requester/accept",
    request: (w) => [`/v1/me/care-team/${w.requester.id}/accept`, jsonInit("POST")],
    expect: only({ self: "200+" }),
  },
  {
    operation: "POST /v1/admin/care-team",
    route: "POST /v1/admin/care-team",
    request: (w) => [
      "/v1/admin/care-team",
      jsonInit("POST", { patientId: w.P.id, clinicianId: w.assignee.id }),
    ],
    expect: only({ admin: "200+" }),
  },
  {
    operation: "DELETE /v1/me/care-team/{clinicianId}",
    route: "DELETE /v1/me/care-team/:removable",
    request: (w) => [`/v1/me/care-team/${w.removable.id}`, { method: "DELETE" }],
    expect: only({ self: "204" }),
  },
  {
    operation: "POST /v1/patients/{patientId}/break-glass",
    route: "POST /v1/patients/:P/break-glass",
    request: (w) => [`/v1/patients/${w.P.id}/break-glass`, jsonInit("POST", { reason: REASON })],
    expect: only({ teamClinician: "409", offTeamClinician: "201+", admin: "201+", breakGlass: "201+" }),
  },
  {
    operation: "POST /v1/screeners/c-ssrs",
    route: "POST /v1/screeners/c-ssrs",
    request: () => [
      "/v1/screeners/c-ssrs",
      jsonInit("POST", { wishedDead: false, suicidalThoughts: false, behavior: false }),
    ],
    expect: only({ otherPatient: "201", self: "201+" }),
  },
  {
    operation: "GET /v1/screeners/c-ssrs",
    route: "GET /v1/screeners/c-ssrs",
    request: () => ["/v1/screeners/c-ssrs"],
    expect: only({ otherPatient: "200", self: "200+" }),
  },
  {
    // After the break-glass row above: offTeamClinician and admin now hold grants too.
    operation: "GET /v1/patients/{patientId}/screeners",
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
  // ---- chat: tickets, HTTP fallback, history, sharing ----------------------------------------
  {
    operation: "POST /v1/chat/tickets",
    route: "POST /v1/chat/tickets (own room)",
    request: () => ["/v1/chat/tickets", jsonInit("POST")],
    expect: everyone("201"),
  },
  {
    operation: "POST /v1/patients/{id}/chat/tickets",
    route: "POST /v1/patients/:P/chat/tickets",
    request: (w) => [`/v1/patients/${w.P.id}/chat/tickets`, jsonInit("POST")],
    expect: only({ teamClinician: "201" }),
  },
  {
    operation: "GET /v1/chat/history",
    route: "GET /v1/chat/history (own)",
    request: () => ["/v1/chat/history"],
    expect: everyone("200"),
  },
  {
    operation: "GET /v1/patients/{id}/chat/history",
    route: "GET /v1/patients/:P/chat/history",
    request: (w) => [`/v1/patients/${w.P.id}/chat/history`],
    expect: only({ teamClinician: "200" }),
  },
  {
    operation: "GET /v1/chat/stream",
    route: "GET /v1/chat/stream (own room's replay)",
    request: () => ["/v1/chat/stream?after=0"],
    expect: everyone("200"),
  },
  {
    operation: "POST /v1/chat/messages",
    route: "POST /v1/chat/messages (empty text: validated after authentication)",
    request: () => ["/v1/chat/messages", jsonInit("POST", { text: "" })],
    expect: everyone("422"),
  },
  {
    operation: "PUT /v1/chat/sharing",
    route: "PUT /v1/chat/sharing (own choice)",
    request: () => ["/v1/chat/sharing", jsonInit("PUT", { full: false })],
    expect: only({ otherPatient: "200", self: "200" }),
  },
  {
    operation: "GET /v1/chat/ws",
    route: "GET /v1/chat/ws (upgrade without a ticket: a bearer token alone never opens a socket)",
    request: () => ["/v1/chat/ws", { headers: { upgrade: "websocket" } }],
    expect: all("401"),
  },
  {
    operation: "GET /v1/chat/ws",
    route: "GET /v1/chat/ws (unknown ticket)",
    request: () => [`/v1/chat/ws?ticket=${"A".repeat(43)}`, { headers: { upgrade: "websocket" } }],
    expect: all("401"),
  },
  // ---- account and admin ------------------------------------------------------------------------
  { operation: "GET /v1/meta", route: "GET /v1/meta", request: () => ["/v1/meta"], expect: all("200") },
  { operation: "GET /health", route: "GET /health", request: () => ["/health"], expect: all("200") },
  { operation: "GET /ready", route: "GET /ready", request: () => ["/ready"], expect: all("200") },
  {
    operation: "GET /v1/me/sessions",
    route: "GET /v1/me/sessions",
    request: () => ["/v1/me/sessions"],
    expect: everyone("200"),
  },
  {
    operation: "DELETE /v1/me/sessions/{sessionId}",
    route: "DELETE /v1/me/sessions/:someone-else's",
    request: () => [`/v1/me/sessions/${crypto.randomUUID()}`, { method: "DELETE" }],
    expect: everyone("404"),
  },
  {
    operation: "POST /v1/me/mfa/setup",
    route: "POST /v1/me/mfa/setup (each caller enrols only their own account)",
    request: () => ["/v1/me/mfa/setup", jsonInit("POST")],
    expect: everyone("200"),
  },
  {
    operation: "POST /v1/me/mfa/enable",
    route: "POST /v1/me/mfa/enable (wrong code)",
    request: () => ["/v1/me/mfa/enable", jsonInit("POST", { code: "000000" })],
    expect: everyone("422"),
  },
  {
    operation: "POST /v1/me/password",
    route: "POST /v1/me/password (wrong current password)",
    request: () => ["/v1/me/password", jsonInit("POST", { currentPassword: "not-it", newPassword: "x" })],
    expect: everyone("422"),
  },
  {
    operation: "POST /v1/admin/invitations",
    route: "POST /v1/admin/invitations",
    request: () => [
      "/v1/admin/invitations",
      jsonInit("POST", {
        email: `invite-${crypto.randomUUID()}@example.test`,
        displayName: "Invited",
        role: "clinician",
        region: "eu",
      }),
    ],
    expect: only({ admin: "201" }),
  },
  {
    operation: "POST /v1/admin/keys/rotate",
    route: "POST /v1/admin/keys/rotate?region=eu",
    request: () => ["/v1/admin/keys/rotate?region=eu", jsonInit("POST")],
    expect: only({ admin: "200" }),
  },
  {
    operation: "PUT /v1/admin/users/{userId}/role",
    route: "PUT /v1/admin/users/:staff/role",
    request: (w) => [`/v1/admin/users/${w.roleTarget.id}/role`, jsonInit("PUT", { role: "clinician" })],
    expect: only({ admin: "200" }),
  },
  // ---- sign-in flows: public, and a presented token changes nothing -----------------------------
  {
    operation: "POST /v1/auth/signup",
    route: "POST /v1/auth/signup",
    request: () => [
      "/v1/auth/signup",
      jsonInit("POST", {
        email: `signup-${crypto.randomUUID()}@example.test`,
        password: "a long enough passphrase for haven",
        displayName: "New",
        region: "eu",
        consents: { healthData: true, aiCompanion: false },
      }),
    ],
    expect: all("202"),
  },
  {
    operation: "POST /v1/auth/verify-email",
    route: "POST /v1/auth/verify-email (unknown token)",
    request: () => ["/v1/auth/verify-email", jsonInit("POST", { token: `eu.${"x".repeat(40)}` })],
    expect: all("400"),
  },
  {
    operation: "POST /v1/auth/login",
    route: "POST /v1/auth/login (unknown account)",
    request: () => [
      "/v1/auth/login",
      jsonInit("POST", { email: `nobody-${crypto.randomUUID()}@example.test`, password: "wrong" }),
    ],
    expect: all("401"),
  },
  {
    operation: "POST /v1/auth/login/mfa",
    route: "POST /v1/auth/login/mfa (unknown challenge)",
    request: () => ["/v1/auth/login/mfa", jsonInit("POST", { mfaToken: "x".repeat(40), code: "000000" })],
    expect: all("401"),
  },
  {
    operation: "POST /v1/auth/refresh",
    route: "POST /v1/auth/refresh (unknown token)",
    request: () => ["/v1/auth/refresh", jsonInit("POST", { refreshToken: `eu.${"x".repeat(40)}` })],
    expect: all("401"),
  },
  {
    operation: "POST /v1/auth/password-reset",
    route: "POST /v1/auth/password-reset",
    request: () => [
      "/v1/auth/password-reset",
      jsonInit("POST", { email: `nobody-${crypto.randomUUID()}@example.test` }),
    ],
    expect: all("202"),
  },
  {
    operation: "POST /v1/auth/password-reset/confirm",
    route: "POST /v1/auth/password-reset/confirm (unknown token)",
    request: () => [
      "/v1/auth/password-reset/confirm",
      jsonInit("POST", { token: `eu.${"x".repeat(40)}`, password: "a long enough passphrase for haven" }),
    ],
    expect: all("400"),
  },
  {
    operation: "POST /v1/auth/accept-invite",
    route: "POST /v1/auth/accept-invite (unknown token)",
    request: () => [
      "/v1/auth/accept-invite",
      jsonInit("POST", { token: `eu.${"x".repeat(40)}`, password: "a long enough passphrase for haven" }),
    ],
    expect: all("400"),
  },
  {
    // Last, as it would revoke the caller's session. Fixture tokens carry session ids with no
    // session row, so the signed-in answer is 404 (a real session answers 204: accounts.test.ts).
    operation: "POST /v1/auth/logout",
    route: "POST /v1/auth/logout (only the caller's own session)",
    request: () => ["/v1/auth/logout", jsonInit("POST")],
    expect: everyone("404"),
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
  const users = { otherPatient, teamClinician, offTeamClinician, admin, breakGlass, self: P };
  world = { P, users, removable, requester, invitee, assignee, roleTarget, foreignInvitation: invitation.id };
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
