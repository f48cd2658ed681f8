import { z } from "zod";
import { REQUEST_ID_PATTERN } from "../workers/lib/correlation";
import { RegionSchema, RoleSchema } from "../workers/lib/vocabulary";

/** Longest message a user may send (HTTP answers 422 above it; a socket gets an error frame). */
export const MAX_MESSAGE_CHARS = 4000;
/** Messages a user may send to the companion per UTC day. */
export const DAILY_QUOTA = 200;
/** Burst limit inside one room: at most this many messages per rolling minute. */
export const PER_MINUTE_LIMIT = 20;

/** Frames a client may send. Everything else is answered with an `invalid_frame` error frame. */
export const InboundFrame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("hello"), lastSeq: z.number().int().min(0) }),
  z.object({ type: z.literal("message"), text: z.string().min(1), clientId: z.string().min(1).max(64) }),
  z.object({ type: z.literal("ping") }),
]);
export type InboundFrame = z.infer<typeof InboundFrame>;

/** Who is on the other end of a socket or HTTP call, as established by the Worker (never the client). */
export const Actor = z.object({ userId: z.string().uuid(), role: RoleSchema });
export type Actor = z.infer<typeof Actor>;

/** The room's owner and residency region, passed by the Worker on every call. */
/** A psychoeducation library item a reply drew on. */
export interface Citation {
  slug: string;
  title: string;
}

export const RoomRef = z.object({
  ownerId: z.string().uuid(),
  region: RegionSchema,
  /** The caller's request id (added by the stub; workers/lib/correlation.ts). */
  requestId: z.string().regex(REQUEST_ID_PATTERN).optional(),
});
export type RoomRef = z.infer<typeof RoomRef>;

/** Per-socket state that survives hibernation (`serializeAttachment`). */
export const SocketAttachment = Actor.extend({
  lastSeq: z.number().int().min(0),
  ready: z.boolean(),
  /** Room seq when a clinician joined: live events after it are visible regardless of sharing. */
  joinedSeq: z.number().int().min(0),
});
export type SocketAttachment = z.infer<typeof SocketAttachment>;

/** Durable, sequenced room events (stored in SQLite before they are sent). */
export type RoomEvent =
  | {
      type: "message";
      seq: number;
      at: number;
      role: "user" | "clinician";
      authorId: string;
      text: string;
      clientId: string;
      crisis: boolean;
    }
  | {
      type: "assistant";
      seq: number;
      at: number;
      text: string;
      replyTo: number;
      outcome: ReplyOutcome;
      /** Library items the reply was grounded in (shown as "From Haven's library: …" with a link). */
      citations?: Citation[];
    }
  | {
      type: "crisis";
      seq: number;
      at: number;
      about: number;
      severity: string;
      categories: string[];
      rules: string[];
      response: string;
      resources: unknown;
      /** Whether the care team was alerted: known later ("pending"), then a `crisis_status` event says. */
      careTeamAlerted?: CareTeamAlerted;
    }
  | { type: "crisis_status"; seq: number; at: number; about: number; careTeamAlerted: boolean }
  /** The patient's own safety plan, shown first in the crisis response `about` (only when one exists). */
  | { type: "safety_plan"; seq: number; at: number; about: number; version: number; sections: unknown }
  | { type: "screener_offer"; seq: number; at: number; instrument: "c-ssrs"; about: number }
  /** The companion asks directly about suicidal thoughts (ambiguous message; `fired`: ids only). */
  | { type: "check_in"; seq: number; at: number; about: number; text: string; fired: string[] }
  | { type: "clinician_joined"; seq: number; at: number; clinicianId: string }
  | {
      type: "crisis_alert";
      seq: number;
      at: number;
      alertId: string;
      patientId: string;
      severity: string;
      realert?: number;
    };

/** true: recorded in every care-team clinician's inbox; false: no one to alert; "pending": in progress. */
export type CareTeamAlerted = true | false | "pending";

/**
 * How a companion reply ended: streamed normally, replaced as unsafe, a fallback after a failure, or
 * withheld because the model-based safety layer found risk the edge layers had not.
 */
export type ReplyOutcome = "ok" | "unsafe" | "timeout" | "error" | "withheld";

/** Ephemeral frames (no seq): never stored, never replayed. */
export type EphemeralFrame =
  | { type: "welcome"; lastSeq: number; role: Actor["role"] }
  | { type: "ack"; clientId: string; seq: number }
  | { type: "token"; replyTo: number; delta: string }
  | { type: "error"; code: ChatErrorCode; message: string; clientId?: string }
  | { type: "pong" }
  /** An in-app notification for the room's owner (ids, fixed title, unread count; the inbox is the record). */
  | { type: "notification"; id: string; eventType: string; title: string; critical: boolean; unread: number };

export type OutboundFrame = RoomEvent | EphemeralFrame;

export type ChatErrorCode =
  | "invalid_frame"
  | "too_long"
  | "quota_exceeded"
  | "rate_limited"
  | "not_ready"
  | "consent_required";

/** Close code of a socket refused because the owner withdrew consent. */
export const CONSENT_CLOSE_CODE = 4403;

/**
 * An alert raised outside the chat (screener, assessment, note) handed to the patient's room: with
 * `alerts` the Worker recorded the inbox rows and the room takes over the live pushes; without
 * them the room's outbox records them too. Either way retried until done.
 */
export const RecordedAlerts = z.object({
  about: z.number().int(),
  severity: z.string().min(1).max(32),
  alerts: z
    .array(z.object({ alertId: z.string().uuid(), clinicianId: z.string().uuid() }))
    .max(100)
    .optional(),
});

/** Alert pushed into a clinician's own room (their dashboard socket). Ids and severity only. */
export const CrisisAlert = z.object({
  /** The inbox row in the patient's region; a retried push with the same id is stored once. */
  alertId: z.string().uuid(),
  patientId: z.string().uuid(),
  severity: z.string().min(1).max(32),
  at: z.number().int(),
  /** Set on a re-alert of a still-unacknowledged alert: its count (1, 2, …); each is stored once. */
  realert: z.number().int().min(1).optional(),
});
/** The room's dedupe key of a pushed alert: the alert id, plus the re-alert count for a re-alert. */
export const alertKey = (a: { alertId: string; realert?: number | undefined }) =>
  a.realert ? `${a.alertId}:realert:${a.realert}` : a.alertId;
export type CrisisAlert = z.infer<typeof CrisisAlert>;

/** A live in-app notification for the owner's sockets (never content: a fixed title and ids). */
export const Notice = z.object({
  id: z.string().uuid(),
  eventType: z.string().min(1).max(48),
  title: z.string().min(1).max(120),
  critical: z.boolean(),
  unread: z.number().int().min(0),
});
