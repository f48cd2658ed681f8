import type { PatientAccess } from "../../lib/care-data/access";
import { wrappedKeyQuery } from "../../lib/care-data/chat";
import { deleteBookingSchedules } from "../../lib/care-data/notify-settings";
import { regionOfUser } from "../../lib/care-data/region";
import { careData } from "../../lib/care-data/repository";
import {
  activeTeamQuery,
  availabilityQuery,
  busyQuery,
  cancelSession,
  deleteSlot,
  holdSlot,
  insertSession,
  markSession,
  patientSessionsQuery,
  releaseSlot,
  type SessionRow,
  sessionOp,
  sessionQuery,
  upsertAvailability,
} from "../../lib/care-data/sessions";
import { AppError } from "../../lib/errors";
import { publishQuietly } from "../../lib/events";
import type { Scope } from "../../lib/scope";
import { userCipher } from "../../lib/user-cipher";
import type { Region } from "../../lib/vocabulary";
import { scheduleSessionReminders } from "../notifications/cron";
import { type Availability, AvailabilitySchema, freeSlots, type Interval, localDate } from "./availability";
import { locateSession } from "./locate";
import type { BookingRequest, Session } from "./schema";

const reasonField = (id: string) => `session.reason:${id}`;
/** Reminders before each session (hours). */
const SESSION_REMINDER_HOURS = [24, 1];

function principal(scope: Scope) {
  if (!scope.principal) throw new AppError("unauthorized", "Sign in to continue");
  return scope.principal;
}

/** The clinician's published availability, or null when they have none. */
export async function loadAvailability(scope: Scope, region: Region, clinicianId: string) {
  const [row] = await availabilityQuery(scope.db(region), clinicianId);
  return row ? AvailabilitySchema.parse(row.settings) : null;
}

/** The caller's own availability (a clinician's), stored in their region. */
export async function saveAvailability(scope: Scope, a: Availability): Promise<Availability> {
  const p = principal(scope);
  await upsertAvailability(scope.db(p.region), p.userId, a.timeZone, a);
  return a;
}

async function clinicianRegion(scope: Scope, clinicianId: string): Promise<Region> {
  const region = await regionOfUser(scope, clinicianId);
  if (!region) throw new AppError("not_found", "No such clinician");
  return region;
}

async function busyAround(scope: Scope, region: Region, clinicianId: string, from: Date, to: Date) {
  const rows = await busyQuery(scope.db(region), clinicianId, from, to);
  return rows.map((r): Interval => ({ start: Date.parse(r.start), end: Date.parse(r.end) }));
}

/** Held bookings per clinician-local date (a hold's start plus its buffer is the session's start). */
function perDay(a: Availability, busy: readonly Interval[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const b of busy) {
    const date = localDate(new Date(b.start + a.bufferBeforeMinutes * 60_000), a.timeZone);
    counts.set(date, (counts.get(date) ?? 0) + 1);
  }
  return counts;
}

/**
 * Free slots of a clinician on the caller's care team. A patient sees only clinicians on their
 * own active care team; anyone else is answered 404 (no existence leak).
 */
export async function slotsOf(
  scope: Scope,
  clinicianId: string,
  q: { sessionType: string; from: string; to: string },
) {
  const p = principal(scope);
  if (p.role === "patient") {
    const [team] = await activeTeamQuery(scope.db(p.region), p.userId, clinicianId);
    if (!team) throw new AppError("not_found", "No such clinician");
  } else if (p.userId !== clinicianId) throw new AppError("not_found", "No such clinician");
  const region = await clinicianRegion(scope, clinicianId);
  const a = await loadAvailability(scope, region, clinicianId);
  if (!a) return { clinicianId, timeZone: "UTC", sessionType: q.sessionType, minutes: 0, slots: [] };
  const type = a.sessionTypes.find((t) => t.id === q.sessionType);
  if (!type) throw new AppError("not_found", "No such session type");
  if (Date.parse(q.to) - Date.parse(q.from) > 62 * 86_400_000 || q.to < q.from)
    throw new AppError("validation_failed", "Ask for at most 62 days, from before to");
  const from = new Date(Date.parse(q.from) - 86_400_000);
  const to = new Date(Date.parse(q.to) + 2 * 86_400_000);
  const busy = await busyAround(scope, region, clinicianId, from, to);
  const slots = freeSlots(a, { ...q, now: new Date(), busy, perDay: perDay(a, busy) });
  return { clinicianId, timeZone: a.timeZone, sessionType: type.id, minutes: type.minutes, slots };
}

/** A deterministic booking id for (actor, Idempotency-Key): a retry collides on the hold's key. */
async function idempotentId(actorId: string, key: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`booking:${actorId}:${key}`)),
  );
  digest[6] = ((digest[6] ?? 0) & 0x0f) | 0x80; // version 8 (RFC 9562: custom)
  digest[8] = ((digest[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(digest.slice(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** SQLSTATE of a database error, through drizzle's wrapper. */
export function sqlState(err: unknown): string | undefined {
  for (
    let e: unknown = err, i = 0;
    e && typeof e === "object" && i < 4;
    e = (e as { cause?: unknown }).cause, i++
  )
    if ("code" in e && typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  return undefined;
}

export interface Booked {
  session: Session;
  replayed: boolean;
}

/**
 * Books a session. The slot must be one the clinician's availability offers (notice, horizon,
 * window, time off, daily maximum); the hold on the clinician's calendar is then inserted and
 * Postgres's exclusion constraint decides between racing requests (the loser gets 409). With an
 * Idempotency-Key a retry returns the first booking instead of a second one.
 */
export async function book(
  scope: Scope,
  req: BookingRequest,
  idempotencyKey?: string,
  rescheduledFrom?: string,
): Promise<Booked> {
  const p = principal(scope);
  const care = careData(scope);
  let access: PatientAccess;
  let clinicianId: string;
  if (p.role === "patient") {
    if (!req.clinicianId) throw new AppError("validation_failed", "clinicianId is required");
    access = care.self();
    clinicianId = req.clinicianId;
    const [team] = await activeTeamQuery(scope.db(p.region), p.userId, clinicianId);
    if (!team) return care.refuse(sessionOp("session.create"), "clinician", access);
  } else {
    if (!req.patientId) throw new AppError("validation_failed", "patientId is required");
    access = await care.open(req.patientId, sessionOp("session.create", null, ["care_team"]));
    clinicianId = p.userId;
  }
  const id = idempotencyKey ? await idempotentId(p.userId, idempotencyKey) : crypto.randomUUID();
  if (idempotencyKey) {
    const replay = await replayOf(scope, access, id);
    if (replay) return replay;
  }
  const region = await clinicianRegion(scope, clinicianId);
  const a = await loadAvailability(scope, region, clinicianId);
  const type = a?.sessionTypes.find((t) => t.id === req.sessionType);
  if (!a || !type) throw new AppError("not_found", "No such session type");
  const start = new Date(req.start);
  const end = new Date(start.getTime() + type.minutes * 60_000);
  const date = localDate(start, a.timeZone);
  const dayBusy = await busyAround(
    scope,
    region,
    clinicianId,
    new Date(start.getTime() - 86_400_000),
    new Date(start.getTime() + 86_400_000),
  );
  const offered = freeSlots(a, {
    from: date,
    to: date,
    sessionType: type.id,
    now: new Date(),
    busy: [], // overlap is Postgres's decision (below), never a check-then-insert
    perDay: perDay(a, dayBusy),
  });
  if (!offered.some((s) => s.start === start.toISOString()))
    throw new AppError(
      "conflict",
      "That time is not offered (availability, notice, horizon or daily maximum)",
    );
  const holdFrom = new Date(start.getTime() - a.bufferBeforeMinutes * 60_000);
  const holdTo = new Date(end.getTime() + a.bufferAfterMinutes * 60_000);
  try {
    await holdSlot(scope.db(region), id, clinicianId, holdFrom, holdTo);
  } catch (err) {
    const state = sqlState(err);
    if (state === "23P01")
      throw new AppError("conflict", "That time has just been booked; choose another slot");
    if (state === "23505" && idempotencyKey) {
      const replay = await replayOf(scope, access, id);
      if (replay) return replay;
      throw new AppError("conflict", "A request with this Idempotency-Key is still in progress");
    }
    throw err;
  }
  try {
    const [[row]] = await care.run(access, sessionOp("session.create", id), (db) => [
      insertSession(db, {
        id,
        patientId: access.patientId,
        clinicianId,
        clinicianRegion: region,
        sessionType: type.id,
        startsAt: start,
        endsAt: end,
        bookedBy: p.userId,
        rescheduledFrom: rescheduledFrom ?? null,
      }),
    ]);
    if (!row) throw new AppError("internal");
    await announceBooking(scope, rescheduledFrom ? "booking.changed" : "booking.created", row, access.region);
    return { session: view(row, null), replayed: false };
  } catch (err) {
    await deleteSlot(scope.db(region), id).catch(() => undefined);
    throw err;
  }
}

async function replayOf(scope: Scope, access: PatientAccess, id: string): Promise<Booked | null> {
  const [row] = await sessionQuery(scope.db(access.region), id);
  return row ? { session: view(row, null), replayed: true } : null;
}

export function view(row: SessionRow, reason: string | null): Session {
  return {
    id: row.id,
    patientId: row.patientId,
    clinicianId: row.clinicianId,
    sessionType: row.sessionType,
    start: row.startsAt.toISOString(),
    end: row.endsAt.toISOString(),
    status: row.status,
    lateCancel: row.lateCancel,
    cancelledBy: row.cancelledBy,
    cancelReason: reason,
    rescheduledFrom: row.rescheduledFrom,
  };
}

/** Reads one session (patient or care team; audited). */
export async function getSession(scope: Scope, id: string): Promise<Session> {
  const { access, row } = await locateSession(scope, id, "session.read");
  const [[fresh], [owner]] = await careData(scope).run(access, sessionOp("session.read", id), (db) => [
    sessionQuery(db, id),
    wrappedKeyQuery(db, access.patientId),
  ]);
  const s = fresh ?? row;
  const cipher = await userCipher(scope.config, access.patientId, owner?.wrapped ?? null);
  const reason = s.reasonEnc && cipher ? await cipher.decrypt(reasonField(id), s.reasonEnc) : null;
  return view(s, reason);
}

/**
 * Cancels a booked session before it starts (reason required, encrypted). A patient's
 * cancellation inside the clinician's late-cancel window is allowed and recorded as late. The
 * clinician's hold is released after the session row changes, so a failure leaves the slot
 * blocked rather than doubly booked.
 */
export async function cancel(scope: Scope, id: string, reason: string, action = "session.cancel") {
  const p = principal(scope);
  const { access, row } = await locateSession(scope, id, action);
  if (row.status !== "booked") throw new AppError("conflict", "Only a booked session can be cancelled");
  if (row.startsAt.getTime() <= Date.now())
    throw new AppError("conflict", "The session has started; mark it completed or a no-show instead");
  const a = await loadAvailability(scope, row.clinicianRegion as Region, row.clinicianId);
  const late =
    p.role === "patient" && row.startsAt.getTime() - Date.now() < (a?.lateCancelHours ?? 24) * 3_600_000;
  const [owner] = await wrappedKeyQuery(scope.db(access.region), access.patientId);
  const cipher = await userCipher(scope.config, access.patientId, owner?.wrapped ?? null);
  if (!cipher) throw new AppError("not_found", "No such session");
  const reasonEnc = await cipher.encrypt(reasonField(id), reason);
  const [changed] = await careData(scope).run(access, sessionOp(action, id), (db) => [
    cancelSession(db, id, p.userId, late, reasonEnc),
  ]);
  if (changed.length === 0) throw new AppError("conflict", "The session changed meanwhile; reload it");
  await releaseSlot(scope.db(row.clinicianRegion as Region), id);
  // Its reminders go (a reschedule books the new time, with its own reminders, first).
  await deleteBookingSchedules(scope.db(access.region), id).catch((err) =>
    scope.log.warn("session_reminders_not_dropped", { error: err instanceof Error ? err.name : "unknown" }),
  );
  if (action === "session.cancel") await announceBooking(scope, "booking.cancelled", row, access.region);
  return getSession(scope, id);
}

/**
 * Tells the notifications service about a booking (ids and the start time only) and, for a new
 * booking, schedules its reminders 24 h and 1 h before. Never fails the booking itself.
 */
async function announceBooking(
  scope: Scope,
  type: "booking.created" | "booking.changed" | "booking.cancelled",
  row: SessionRow,
  region: Region,
): Promise<void> {
  const booking = {
    bookingId: row.id,
    patientId: row.patientId,
    clinicianId: row.clinicianId,
    region,
    startsAt: row.startsAt.toISOString(),
  };
  await publishQuietly(scope.env, scope.log, { type, v: 1, ...booking });
  if (type !== "booking.cancelled")
    await scheduleSessionReminders(
      scope,
      { ...booking, startsAt: row.startsAt },
      SESSION_REMINDER_HOURS,
    ).catch((err) =>
      scope.log.warn("session_reminders_not_scheduled", {
        error: err instanceof Error ? err.name : "unknown",
      }),
    );
}

/** Books the new time first (so a taken slot leaves the old booking in place), then cancels the old one. */
export async function reschedule(scope: Scope, id: string, start: string, reason: string) {
  const { row } = await locateSession(scope, id, "session.reschedule");
  if (row.status !== "booked") throw new AppError("conflict", "Only a booked session can be rescheduled");
  const p = principal(scope);
  const req =
    p.role === "patient"
      ? { clinicianId: row.clinicianId, sessionType: row.sessionType, start }
      : { patientId: row.patientId, sessionType: row.sessionType, start };
  const booked = await book(scope, req, undefined, id);
  try {
    await cancel(scope, id, reason, "session.reschedule");
  } catch (err) {
    await cancel(scope, booked.session.id, "Reschedule failed").catch(() => undefined);
    throw err;
  }
  return booked.session;
}

/** The clinician marks a session that has started as completed or a no-show. */
export async function mark(scope: Scope, id: string, status: "completed" | "no_show") {
  const { access, row } = await locateSession(scope, id, "session.mark", ["care_team"]);
  if (row.startsAt.getTime() > Date.now()) throw new AppError("conflict", "The session has not started yet");
  const [changed] = await careData(scope).run(access, sessionOp(`session.${status}`, id), (db) => [
    markSession(db, id, status),
  ]);
  if (changed.length === 0) throw new AppError("conflict", "A cancelled session cannot be marked");
  return getSession(scope, id);
}

/** The caller's own sessions (a patient's), from yesterday on. */
export async function ownSessions(scope: Scope, action = "session.list"): Promise<Session[]> {
  const care = careData(scope);
  const access = care.self();
  const [rows] = await care.run(access, sessionOp(action), (db) => [
    patientSessionsQuery(db, access.patientId, new Date(Date.now() - 86_400_000)),
  ]);
  return rows.map((r) => view(r, null));
}
