import { z } from "zod";
import type { RoomRef } from "../../../durable-objects/chat-protocol";
import { roomStub } from "../../../durable-objects/chat-stub";
import type { PatientAccess } from "../../lib/care-data/access";
import { careData } from "../../lib/care-data/repository";
import { toBase64Url, toHex, utf8Encode } from "../../lib/crypto/encoding";
import { AppError } from "../../lib/errors";
import type { Principal } from "../../lib/principal";
import type { Scope } from "../../lib/scope";
import { RegionSchema, RoleSchema } from "../../lib/vocabulary";
import { consentRequired, consentsOf, missingChatConsent } from "../profile/consent";

export const TICKET_TTL_SECONDS = 60 as const;

/** What a ticket grants: one actor into one room. Stored under the ticket's SHA-256 only. */
const TicketGrant = z.object({
  ownerId: z.string().uuid(),
  region: RegionSchema,
  actorId: z.string().uuid(),
  role: RoleSchema,
});
export type TicketGrant = z.infer<typeof TicketGrant>;

const ticketKey = async (ticket: string) =>
  `chat-ticket:${toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8Encode(ticket))))}`;

/**
 * Issues a single-use WebSocket ticket so no long-lived token ever appears in a URL: 256 random
 * bits, kept in Redis only as a hash for 60 seconds, consumed with GETDEL.
 */
export async function issueTicket(scope: Scope, grant: TicketGrant): Promise<string> {
  const ticket = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  await scope.redis().set(await ticketKey(ticket), JSON.stringify(grant), { ex: TICKET_TTL_SECONDS });
  return ticket;
}

/** Consumes a ticket (it cannot be used twice). Unknown, expired or used → 401. */
export async function consumeTicket(scope: Scope, ticket: string): Promise<TicketGrant> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(ticket)) throw new AppError("unauthorized", "Invalid or expired ticket");
  const raw = await scope.redis().getdel<unknown>(await ticketKey(ticket));
  const parsed = TicketGrant.safeParse(typeof raw === "string" ? safeJson(raw) : raw);
  if (!parsed.success) throw new AppError("unauthorized", "Invalid or expired ticket");
  return parsed.data;
}

/** Only the active care team may join a patient's room or read their chat (not break-glass, not admins). */
const CHAT_JOIN = { action: "chat.join", resourceType: "chat_room", allow: ["care_team"] } as const;
export const CHAT_HISTORY_OPEN = {
  action: "chat.history.read",
  resourceType: "chat_room",
  allow: ["care_team"],
} as const;

/** A care-team clinician joins a patient's room: access decided and audited (success or denial). */
export async function joinPatientRoom(scope: Scope, patientId: string): Promise<PatientAccess> {
  const care = careData(scope);
  const access = await care.open(patientId, CHAT_JOIN);
  await care.record(access, CHAT_JOIN);
  return access;
}

/** The principal's own room. */
export function ownRoom(p: Principal): RoomRef {
  return { ownerId: p.userId, region: p.region };
}

/** A patient's room as reached through resolved access. */
export function patientRoom(access: PatientAccess): RoomRef {
  return { ownerId: access.patientId, region: access.region };
}

/**
 * Forwards a request into a room's Durable Object with the Worker-established identity; the
 * room trusts only these headers, which clients cannot reach (the DO has no public route).
 */
export function forwardToRoom(
  scope: Scope,
  room: RoomRef,
  actor: { userId: string; role: Principal["role"] },
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("x-haven-actor", JSON.stringify(actor));
  headers.set("x-haven-room", JSON.stringify(room));
  return roomStub(scope.env, room.ownerId, room.region).fetch(
    new Request(`https://chat-room${path}`, { ...init, headers }),
  );
}

/** Room RPC stub (flush, sharing). */
export function roomOf(scope: Scope, room: RoomRef) {
  return roomStub(scope.env, room.ownerId, room.region);
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

/**
 * A patient's own chat needs consent to the AI companion and to processing health data. Returns
 * the header the room trusts for its consent state; `refuse` throws the 403 problem instead.
 * Staff joining a patient's room need no consent of their own.
 */
export async function chatConsent(
  scope: Scope,
  who: { role: Principal["role"]; region: RoomRef["region"]; userId: string },
  refuse: boolean,
): Promise<Record<string, string>> {
  if (who.role !== "patient") return {};
  const missing = missingChatConsent(await consentsOf(scope, who.userId, who.region));
  if (missing && refuse) throw consentRequired(missing);
  return missing
    ? { "x-haven-consent": "0", "x-haven-consent-missing": missing }
    : { "x-haven-consent": "1" };
}
