import { z } from "@hono/zod-openapi";
import { careData } from "../../lib/care-data/repository";
import { sessionOp } from "../../lib/care-data/sessions";
import { toBase64Url, toHex, utf8Encode } from "../../lib/crypto/encoding";
import { AppError } from "../../lib/errors";
import { bearer, ok, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import type { Scope } from "../../lib/scope";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { locateSession } from "./locate";
import * as s from "./schema";

const tags = ["video visits"];
/** The room opens this long before the start and closes this long after the end. */
export const VISIT_EARLY_MS = 60 * 60_000;
export const VISIT_LATE_MS = 60 * 60_000;
const TICKET_TTL = 60;

const Grant = z.object({ sessionId: z.uuid(), userId: z.uuid(), role: z.enum(["patient", "clinician"]) });
const IceServers = z
  .array(
    z.object({
      urls: z.union([z.string(), z.array(z.string())]),
      username: z.string().optional(),
      credential: z.string().optional(),
    }),
  )
  .max(10);

const ticketKey = async (ticket: string) =>
  `visit-ticket:${toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8Encode(ticket))))}`;

function iceServers(scope: Scope) {
  const raw = scope.config.VISIT_ICE_SERVERS;
  if (!raw) return [];
  try {
    return IceServers.parse(JSON.parse(raw));
  } catch {
    scope.log.error("visit_ice_servers_invalid", {});
    return [];
  }
}

/**
 * A single-use ticket into a session's visit room, for the session's patient or its clinician,
 * within the window around the start (audited as `visit.join`). Anyone else: an audited 404.
 */
async function issueVisitTicket(scope: Scope, sessionId: string) {
  const { access, row } = await locateSession(scope, sessionId, "visit.join");
  if (row.status === "cancelled") throw new AppError("conflict", "The session was cancelled");
  const opensAt = row.startsAt.getTime() - VISIT_EARLY_MS;
  const closesAt = row.endsAt.getTime() + VISIT_LATE_MS;
  if (Date.now() < opensAt || Date.now() > closesAt)
    throw new AppError(
      "conflict",
      "The visit room opens an hour before the session and closes an hour after it",
    );
  await careData(scope).record(access, sessionOp("visit.join", sessionId));
  const role = access.via === "self" ? "patient" : "clinician";
  const ticket = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  const grant = { sessionId, userId: scope.principal?.userId ?? "", role };
  await scope.redis().set(await ticketKey(ticket), JSON.stringify(grant), { ex: TICKET_TTL });
  return {
    ticket,
    role,
    iceServers: iceServers(scope),
    opensAt: new Date(opensAt).toISOString(),
    closesAt: new Date(closesAt).toISOString(),
  } as const;
}

const r = {
  ticket: route({
    tags,
    security: bearer,
    middleware: [requireAuth("patient", "clinician")],
    method: "post",
    path: "/therapy-sessions/{id}/visit/tickets",
    summary: "A single-use ticket (60 s) into the session's video visit, with the ICE servers to use",
    request: { params: s.SessionIdParam },
    problems: [404, 409],
    responses: { 201: ok(s.VisitTicket, "Ticket") },
  }),
};

export const visitRoutes = createRouter().openapi(r.ticket, async (c) =>
  c.json(await issueVisitTicket(scopeOf(c), c.req.valid("param").id), 201),
);

visitRoutes.openAPIRegistry.registerPath(
  route({
    method: "get",
    path: "/therapy-sessions/{id}/visit/ws",
    tags,
    summary: "WebSocket upgrade into the visit's signalling room (single-use ticket)",
    request: { params: s.SessionIdParam, query: z.object({ ticket: z.string().optional() }) },
    problems: [400, 401, 404],
    responses: { 101: { description: "Switching protocols" } },
  }),
);

/** The upgrade: the ticket must be for this session; the room learns who connects from headers. */
visitRoutes.get("/therapy-sessions/:id/visit/ws", async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
    throw new AppError("bad_request", "Expected a WebSocket upgrade");
  const ticket = c.req.query("ticket") ?? "";
  const scope = scopeOf(c);
  if (!/^[A-Za-z0-9_-]{43}$/.test(ticket)) throw new AppError("unauthorized", "Invalid or expired ticket");
  const raw = await scope.redis().getdel<unknown>(await ticketKey(ticket));
  const grant = Grant.safeParse(typeof raw === "string" ? JSON.parse(raw) : raw);
  if (!grant.success) throw new AppError("unauthorized", "Invalid or expired ticket");
  if (grant.data.sessionId !== c.req.param("id")) throw new AppError("not_found", "No such session");
  const p = c.get("principal");
  if (p && p.userId !== grant.data.userId) throw new AppError("not_found", "No such session");
  const ns = c.env.VISIT_ROOM;
  const stub = ns.get(ns.idFromName(grant.data.sessionId));
  return stub.fetch("https://visit/ws", {
    headers: { upgrade: "websocket", "x-visit-user": grant.data.userId, "x-visit-role": grant.data.role },
  });
});
