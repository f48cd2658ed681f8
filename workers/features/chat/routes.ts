import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { RoomRef } from "../../../durable-objects/chat-protocol";
import { careData } from "../../lib/care-data/repository";
import type { AppEnv } from "../../lib/context";
import { AppError } from "../../lib/errors";
import { bearer, jsonBody, ok, problem, route } from "../../lib/openapi";
import type { Principal } from "../../lib/principal";
import { createRouter } from "../../lib/router";
import { principalOf, requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { consentRequired } from "../profile/consent";
import { readHistory, writeSharing } from "./repo";
import {
  HistoryQuery,
  HistorySchema,
  PatientParams,
  SendMessageSchema,
  SharingSchema,
  StreamQuery,
  TicketSchema,
} from "./schema";
import {
  CHAT_HISTORY_OPEN,
  chatConsent,
  consumeTicket,
  forwardToRoom,
  issueTicket,
  joinPatientRoom,
  ownRoom,
  patientRoom,
  roomOf,
  TICKET_TTL_SECONDS,
} from "./service";

const tags = ["chat"];
const consentProblem = problem(
  403,
  "Problem (RFC 9457): chat needs consent to the AI companion and to processing health data (`consent` names the missing one)",
);
const sseResponse = {
  description: "Server-sent events",
  content: { "text/event-stream": { schema: z.string() } },
};

const createTicket = route({
  method: "post",
  path: "/chat/tickets",
  tags,
  summary: "A single-use ticket (60 s) to open your chat room's WebSocket",
  security: bearer,
  middleware: [requireAuth()] as const,
  responses: { 201: ok(TicketSchema, "Ticket"), 403: consentProblem },
});

const createPatientTicket = route({
  method: "post",
  path: "/patients/{id}/chat/tickets",
  tags,
  summary: "Care-team clinician: a ticket to join a patient's chat room (audited)",
  security: bearer,
  middleware: [requireAuth("clinician")] as const,
  request: { params: PatientParams },
  problems: [404],
  responses: { 201: ok(TicketSchema, "Ticket") },
});

const sendMessage = route({
  method: "post",
  path: "/chat/messages",
  tags,
  summary: "HTTP fallback: send a message; the turn (ack, safety events, tokens, reply) streams back as SSE",
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { body: jsonBody(SendMessageSchema) },
  problems: [503],
  responses: { 200: sseResponse, 403: consentProblem },
});

const stream = route({
  method: "get",
  path: "/chat/stream",
  tags,
  summary: "HTTP fallback: events after `after` as SSE (then the stream ends; reconnect with Last-Event-ID)",
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { query: StreamQuery },
  responses: { 200: sseResponse },
});

const history = route({
  method: "get",
  path: "/chat/history",
  tags,
  summary: "Your chat history (audited read)",
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { query: HistoryQuery },
  responses: { 200: ok(HistorySchema, "History") },
});

const patientHistory = route({
  method: "get",
  path: "/patients/{id}/chat/history",
  tags,
  summary: "Care team: a patient's chat history, limited by the patient's sharing choice",
  security: bearer,
  middleware: [requireAuth("clinician")] as const,
  request: { params: PatientParams, query: HistoryQuery },
  problems: [404],
  responses: { 200: ok(HistorySchema, "History") },
});

const putSharing = route({
  method: "put",
  path: "/chat/sharing",
  tags,
  summary: "Share your full chat history with your care team (default: crisis events only)",
  security: bearer,
  middleware: [requireAuth("patient")] as const,
  request: { body: jsonBody(SharingSchema) },
  problems: [404],
  responses: { 200: ok(SharingSchema, "Saved") },
});

async function ticketResponse(c: Context<AppEnv>, room: RoomRef, p: Principal) {
  const ticket = await issueTicket(scopeOf(c), { ...room, actorId: p.userId, role: p.role });
  return { ticket, expiresIn: TICKET_TTL_SECONDS, url: `/v1/chat/ws?ticket=${ticket}` };
}

/** Allowed browser origins for cookie-authenticated sockets (cross-site WebSocket hijacking guard). */
function originAllowed(c: Context<AppEnv>): boolean {
  const origin = c.req.header("origin");
  if (!origin) return false;
  const allowed = String(c.env.CORS_ORIGINS ?? "")
    .split(",")
    .map((o) => o.trim());
  return allowed.includes(origin) || origin === new URL(c.req.url).origin;
}

const DO_ERRORS: Record<string, AppError> = {
  too_long: new AppError("validation_failed", "The message is too long"),
  rate_limited: new AppError("rate_limited", "You're sending messages quickly. Please wait a moment.", {
    headers: { "retry-after": "60" },
  }),
  quota_exceeded: new AppError("rate_limited", "You've reached today's message limit.", {
    headers: { "retry-after": "3600" },
  }),
};

/** The chat API: tickets, the WebSocket upgrade, the HTTP fallback, history and sharing. */
export const chatRoutes = createRouter()
  .openapi(createTicket, async (c) => {
    const p = principalOf(c);
    await chatConsent(scopeOf(c), p, true);
    return c.json(await ticketResponse(c, ownRoom(p), p), 201);
  })
  .openapi(createPatientTicket, async (c) => {
    const p = principalOf(c);
    const access = await joinPatientRoom(scopeOf(c), c.req.valid("param").id);
    return c.json(await ticketResponse(c, patientRoom(access), p), 201);
  })
  .openapi(sendMessage, async (c) => {
    const p = principalOf(c);
    const body = c.req.valid("json");
    // Without consent the room still runs the safety net on the message (and stores no text).
    const headers = await chatConsent(scopeOf(c), p, false);
    const res = await forwardToRoom(scopeOf(c), ownRoom(p), { userId: p.userId, role: p.role }, "/send", {
      method: "POST",
      headers,
      body: JSON.stringify({ text: body.text, clientId: body.clientId ?? crypto.randomUUID() }),
    });
    if (res.status !== 200) {
      const err = (await res.json().catch(() => null)) as { code?: string; crisis?: unknown } | null;
      const kind = headers["x-haven-consent-missing"] === "health_data" ? "health_data" : "ai_companion";
      const refused = err?.code === "consent_required" ? consentRequired(kind) : DO_ERRORS[err?.code ?? ""];
      if (!refused) throw new AppError("service_unavailable", "The chat room is unavailable");
      // A refused message is still read by the safety net: its crisis response travels with the refusal.
      if (!err?.crisis) throw refused;
      throw new AppError(refused.code, refused.message, {
        ...(refused.headers ? { headers: refused.headers } : {}),
        extensions: { ...refused.extensions, crisis: err.crisis },
      });
    }
    return new Response(res.body, { headers: res.headers });
  })
  .openapi(stream, async (c) => {
    const p = principalOf(c);
    const lastEventId = Number(c.req.header("last-event-id") ?? Number.NaN);
    const after = Number.isInteger(lastEventId) && lastEventId > 0 ? lastEventId : c.req.valid("query").after;
    const res = await forwardToRoom(
      scopeOf(c),
      ownRoom(p),
      { userId: p.userId, role: p.role },
      `/stream?after=${after}`,
    );
    return new Response(res.body, { headers: res.headers });
  })
  .openapi(history, async (c) => {
    const p = principalOf(c);
    const scope = scopeOf(c);
    await roomOf(scope, ownRoom(p)).flushNow(ownRoom(p));
    const { messages, full, next } = await readHistory(scope, careData(scope).self(), c.req.valid("query"));
    return c.json({ messages, sharing: full ? ("full" as const) : ("crisis_only" as const), next }, 200);
  })
  .openapi(patientHistory, async (c) => {
    const scope = scopeOf(c);
    const access = await careData(scope).open(c.req.valid("param").id, CHAT_HISTORY_OPEN);
    await roomOf(scope, patientRoom(access)).flushNow(patientRoom(access));
    const { messages, full, next } = await readHistory(scope, access, c.req.valid("query"));
    return c.json({ messages, sharing: full ? ("full" as const) : ("crisis_only" as const), next }, 200);
  })
  .openapi(putSharing, async (c) => {
    const p = principalOf(c);
    const { full } = c.req.valid("json");
    await writeSharing(scopeOf(c), careData(scopeOf(c)).self(), full);
    await roomOf(scopeOf(c), ownRoom(p)).setSharing(ownRoom(p), full);
    return c.json({ full }, 200);
  });

/** The upgrade is a plain route (its answer is a 101), documented here so the matrix covers it. */
chatRoutes.openAPIRegistry.registerPath(
  route({
    method: "get",
    path: "/chat/ws",
    tags,
    summary:
      "WebSocket upgrade into your room (or, with a care-team ticket, a patient's): a ticket or the session cookie",
    request: { query: z.object({ ticket: z.string().optional() }) },
    problems: [400, 401, 404],
    responses: { 101: { description: "Switching protocols" } },
  }),
);

/**
 * `GET /v1/chat/ws`: the WebSocket upgrade. Authenticated by a single-use ticket (any client) or
 * by the session cookie from an allowed origin (browsers). A ticket presented by a different
 * signed-in user is refused with 404.
 */
chatRoutes.get("/chat/ws", async (c) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new AppError("bad_request", "Expected a WebSocket upgrade");
  }
  const ticket = c.req.query("ticket");
  const p = c.get("principal");
  let room: RoomRef;
  let actor: { userId: string; role: Principal["role"] };
  let headers: Record<string, string> = { upgrade: "websocket" };
  if (ticket) {
    const grant = await consumeTicket(scopeOf(c), ticket);
    if (p && p.userId !== grant.actorId) throw new AppError("not_found", "No such resource");
    room = { ownerId: grant.ownerId, region: grant.region };
    actor = { userId: grant.actorId, role: grant.role };
    if (grant.actorId === grant.ownerId)
      headers = {
        ...headers,
        ...(await chatConsent(scopeOf(c), { ...grant, userId: grant.actorId }, false)),
      };
  } else if (p && p.via === "cookie" && originAllowed(c)) {
    room = ownRoom(p);
    actor = { userId: p.userId, role: p.role };
    // The socket opens (history stays readable); the room refuses messages without consent.
    headers = { ...headers, ...(await chatConsent(scopeOf(c), p, false)) };
  } else {
    throw new AppError("unauthorized", "A chat ticket or a signed-in session is required");
  }
  return forwardToRoom(scopeOf(c), room, actor, "/ws", { headers });
});
