import type { TestUser } from "./fixtures";

/**
 * Who may touch patient P's data, for EVERY operation of the OpenAPI document (chat, socket
 * upgrade, account, admin and sign-in flows included): a route without a row fails the suite
 * ("the matrix is generated from the OpenAPI document" below), and so does a row expecting a
 * status the route does not document.
 * Each cell is the expected status; "+" means the 2xx body must contain P's data (P's id), and a
 * bare 2xx means it must not (the caller acted on their own data). Routes run in order and self
 * acts last, because some routes change state (removal, break-glass).
 */
export const ACTORS = [
  "anonymous",
  "otherPatient",
  "teamClinician",
  "offTeamClinician",
  "admin",
  "breakGlass",
  "self",
] as const;
export type Actor = (typeof ACTORS)[number];
export type Cell =
  | "200+"
  | "200"
  | "201+"
  | "201"
  | "202"
  | "204"
  | "400"
  | "401"
  | "403"
  | "404"
  | "409"
  | "422";

export interface World {
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
  /** A crisis alert about P in the team clinician's inbox. */
  alertId: string;
  /** One of P's scored assessments, and an open assignment the team clinician made for P. */
  assessmentId: string;
  assignmentId: string;
}

export const REASON = "Matrix check: emergency access to confirm safety plan.";
export const jsonInit = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

export interface Row {
  /** The OpenAPI operation this row exercises ("GET /v1/patients/{patientId}/profile"). */
  operation: string;
  route: string;
  request: (w: World) => [string, RequestInit?];
  expect: Record<Actor, Cell>;
}

export const everyone = (cell: Cell, self: Cell = cell): Record<Actor, Cell> => ({
  anonymous: "401",
  otherPatient: cell,
  teamClinician: cell,
  offTeamClinician: cell,
  admin: cell,
  breakGlass: cell,
  self,
});
/** The same answer for every actor, anonymous included (public routes). */
export const all = (cell: Cell): Record<Actor, Cell> =>
  Object.fromEntries(ACTORS.map((a) => [a, cell])) as Record<Actor, Cell>;
export const only = (allowed: Partial<Record<Actor, Cell>>): Record<Actor, Cell> => ({
  ...everyone("404"),
  ...allowed,
});
