import { z } from "zod";
import { currentRequestId, REQUEST_ID_PATTERN } from "./correlation";
import { RegionSchema } from "./vocabulary";

/**
 * Haven's domain events: one versioned zod schema per event type, published to the `haven-events`
 * Cloudflare Queue by whichever feature observes the fact, consumed by notifications. Bodies carry
 * ids, codes and instants only — never PHI (no text, no names, no scores): the consumer reads what
 * it needs through the care-data layer. Every event has its own `id`, the root of every idempotency
 * key derived from it, so a redelivered message notifies nobody twice.
 *
 * @example await publishEvent(scope.env, { type: "security.sign_in", v: 1, userId, region, sessionId })
 */

const id = z.string().uuid();
const code = z
  .string()
  .min(1)
  .max(48)
  .regex(/^[a-z0-9_.:-]+$/, "a lowercase code");
const instant = z.string().datetime({ offset: true });

/**
 * Every event's envelope. `requestId` is the id of the request (or job) that published it — filled
 * in by {@link makeEvent} from the current unit of work — so the consumer's logs and upstream calls
 * join the publisher's (docs/observability.md, "Request ids"). Optional: events queued before it
 * existed, and events published outside any unit of work, have none.
 */
const base = {
  id,
  occurredAt: instant,
  v: z.literal(1),
  requestId: z.string().regex(REQUEST_ID_PATTERN).optional(),
};

/** A crisis was detected in a patient's message or screener; the care team has inbox rows for `seq`. */
export const CrisisDetected = z.object({
  ...base,
  type: z.literal("crisis.detected"),
  patientId: id,
  region: RegionSchema,
  /** The room seq (chat) or minus the screener seq, as `care_alerts.seq`. */
  seq: z.number().int(),
  severity: code,
});
/** A clinician acknowledged a crisis alert (the rest of the care team is told it is handled). */
export const AlertAcknowledged = z.object({
  ...base,
  type: z.literal("alert.acknowledged"),
  alertId: id,
  patientId: id,
  region: RegionSchema,
  clinicianId: id,
});
/** An assessment (instrument code) is due for a patient. */
export const AssessmentDue = z.object({
  ...base,
  type: z.literal("assessment.due"),
  patientId: id,
  region: RegionSchema,
  instrument: code,
});
/** A patient submitted an assessment (the care team is told one is there; never the score). */
export const AssessmentSubmitted = z.object({
  ...base,
  type: z.literal("assessment.submitted"),
  patientId: id,
  region: RegionSchema,
  instrument: code,
  responseId: id,
});
/** A wearable/measurement anomaly (metric code only). */
export const AnomalyDetected = z.object({
  ...base,
  type: z.literal("anomaly.detected"),
  patientId: id,
  region: RegionSchema,
  metric: code,
  critical: z.boolean().default(false),
});
const booking = {
  bookingId: id,
  patientId: id,
  clinicianId: id,
  region: RegionSchema,
  startsAt: instant,
};
export const BookingCreated = z.object({ ...base, type: z.literal("booking.created"), ...booking });
export const BookingChanged = z.object({ ...base, type: z.literal("booking.changed"), ...booking });
export const BookingCancelled = z.object({ ...base, type: z.literal("booking.cancelled"), ...booking });
/** A scheduled reminder before a session (fired by the scheduler). */
export const SessionReminder = z.object({ ...base, type: z.literal("session.reminder"), ...booking });
/** A medication time for a patient (fired by the scheduler; the medication itself is never named). */
export const MedicationReminder = z.object({
  ...base,
  type: z.literal("medication.reminder"),
  patientId: id,
  region: RegionSchema,
  scheduleId: id,
  /** The medication whose dose time it is (absent for a free-standing daily reminder). */
  medicationId: id.optional(),
});
/** A clinical note is still unsigned after its deadline. */
export const NoteUnsigned = z.object({
  ...base,
  type: z.literal("note.unsigned"),
  noteId: id,
  clinicianId: id,
  region: RegionSchema,
});
/** A new sign-in to an account. */
export const SecuritySignIn = z.object({
  ...base,
  type: z.literal("security.sign_in"),
  userId: id,
  region: RegionSchema,
  sessionId: id,
});
/** Multi-factor authentication was enabled or disabled. */
export const SecurityMfaChanged = z.object({
  ...base,
  type: z.literal("security.mfa_changed"),
  userId: id,
  region: RegionSchema,
  change: z.enum(["enabled", "disabled", "recovery_codes_regenerated"]),
});

/**
 * An operations alert from Alertmanager changed state (firing or resolved): told to every admin of
 * `region`, so the webhook publishes one per region. Alert rules aggregate series that carry no
 * PHI; only the rule name, severity, state and Alertmanager's fingerprint travel. The event id is
 * derived from (fingerprint, status, startsAt, region), so Alertmanager's repeats notify once.
 */
export const OpsAlert = z.object({
  ...base,
  type: z.literal("ops.alert"),
  region: RegionSchema,
  alertname: z.string().regex(/^[A-Za-z0-9_.:-]{1,120}$/),
  severity: code,
  status: z.enum(["firing", "resolved"]),
  fingerprint: z.string().regex(/^[A-Za-z0-9_.:+-]{1,64}$/),
  startsAt: instant,
});

export const DomainEvent = z.discriminatedUnion("type", [
  CrisisDetected,
  AlertAcknowledged,
  AssessmentDue,
  AssessmentSubmitted,
  AnomalyDetected,
  BookingCreated,
  BookingChanged,
  BookingCancelled,
  SessionReminder,
  MedicationReminder,
  NoteUnsigned,
  SecuritySignIn,
  SecurityMfaChanged,
  OpsAlert,
]);
export type DomainEvent = z.infer<typeof DomainEvent>;
export type EventType = DomainEvent["type"];
export const EVENT_TYPES = DomainEvent.options.map((o) => o.shape.type.value) as [EventType, ...EventType[]];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

/** What a publisher supplies: `id`, `occurredAt` and `requestId` are filled in when omitted. */
export type NewEvent = {
  [T in EventType]: Omit<EventOf<T>, "id" | "occurredAt" | "requestId"> & {
    id?: string;
    occurredAt?: string;
    requestId?: string;
  };
}[EventType];

/** Validates and completes an event (throws a ZodError on a malformed one: a programming error). */
export function makeEvent(input: NewEvent): DomainEvent {
  const requestId = currentRequestId();
  return DomainEvent.parse({
    id: crypto.randomUUID(),
    occurredAt: new Date().toISOString(),
    ...(requestId ? { requestId } : {}),
    ...input,
  });
}

/**
 * Publishes a domain event to the events queue. Returns the event (with its id). The queue is
 * durable once `send` resolves; callers whose event must not be lost (crisis) also keep a record
 * the scheduler sweeps (see notifications' `sweep`), so a failed publish is retried, not dropped.
 */
export async function publishEvent(env: Pick<Env, "EVENTS">, input: NewEvent): Promise<DomainEvent> {
  const event = makeEvent(input);
  await env.EVENTS.send(event, { contentType: "json" });
  return event;
}

/**
 * Publishes without failing the caller (a sign-in must not fail because the queue is down); the
 * failure is logged by event type only.
 */
export async function publishQuietly(
  env: Pick<Env, "EVENTS">,
  log: { warn(msg: string, data?: Record<string, unknown>): void },
  input: NewEvent,
): Promise<void> {
  try {
    await publishEvent(env, input);
  } catch (err) {
    log.warn("event_publish_failed", { type: input.type, error: (err as Error).name });
  }
}
