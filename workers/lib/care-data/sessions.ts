import { and, asc, eq, gte, inArray, lt, ne, sql } from "drizzle-orm";
import {
  calendarFeeds,
  careTeam,
  clinicianAvailability,
  psychotherapyNotes,
  riskEvents,
  sessionNoteAddenda,
  sessionNotes,
  sessionRecordings,
  sessionSlots,
  therapySessions,
  users,
} from "../../db/schema";
import type { Database } from "../db";
import type { Scope } from "../scope";
import { REGIONS, type Region } from "../vocabulary";

/** Operations on therapy sessions (audited with resource type `therapy_session`). */
export const sessionOp = (
  action: string,
  resourceId: string | null = null,
  allow?: ("self" | "care_team")[],
) => ({ action, resourceType: "therapy_session", resourceId, ...(allow ? { allow } : {}) }) as const;
/** Progress notes and addenda: the care team writes; the patient reads signed notes only. */
export const noteOp = (action: string, resourceId: string | null, allow: ("self" | "care_team")[]) =>
  ({ action, resourceType: "session_note", resourceId, allow }) as const;
/** Psychotherapy notes: their author on the care team only, never the patient, never exported. */
export const psychotherapyOp = (action: string, resourceId: string | null) =>
  ({ action, resourceType: "psychotherapy_note", resourceId, allow: ["care_team"] }) as const;
export const recordingOp = (action: string, resourceId: string | null) =>
  ({ action, resourceType: "session_recording", resourceId, allow: ["self", "care_team"] }) as const;

export type SessionRow = typeof therapySessions.$inferSelect;
export type NoteRow = typeof sessionNotes.$inferSelect;

// ---- availability and slots (clinician's region, no patient data) -------------------------------

export function availabilityQuery(db: Database, clinicianId: string) {
  return db.select().from(clinicianAvailability).where(eq(clinicianAvailability.clinicianId, clinicianId));
}

export function upsertAvailability(db: Database, clinicianId: string, timeZone: string, settings: unknown) {
  return db
    .insert(clinicianAvailability)
    .values({ clinicianId, timeZone, settings })
    .onConflictDoUpdate({
      target: clinicianAvailability.clinicianId,
      set: { timeZone, settings, updatedAt: sql`now()` },
    });
}

/** Held intervals of a clinician's calendar overlapping [from, to). */
export function busyQuery(db: Database, clinicianId: string, from: Date, to: Date) {
  return db
    .select({
      start: sql<string>`lower(${sessionSlots.during})`.mapWith(String),
      end: sql<string>`upper(${sessionSlots.during})`.mapWith(String),
    })
    .from(sessionSlots)
    .where(
      and(
        eq(sessionSlots.clinicianId, clinicianId),
        eq(sessionSlots.held, true),
        sql`${sessionSlots.during} && tstzrange(${from.toISOString()}::timestamptz, ${to.toISOString()}::timestamptz, '[)')`,
      ),
    );
}

/** Holds [from, to) on a clinician's calendar; an overlap fails in Postgres (SQLSTATE 23P01). */
export function holdSlot(db: Database, id: string, clinicianId: string, from: Date, to: Date) {
  return db.insert(sessionSlots).values({
    id,
    clinicianId,
    during:
      sql`tstzrange(${from.toISOString()}::timestamptz, ${to.toISOString()}::timestamptz, '[)')` as unknown as string,
  });
}

/** Frees a booking's hold (cancellation, reschedule, or a failed booking's compensation). */
export function releaseSlot(db: Database, id: string) {
  return db.update(sessionSlots).set({ held: false }).where(eq(sessionSlots.id, id));
}

export function deleteSlot(db: Database, id: string) {
  return db.delete(sessionSlots).where(and(eq(sessionSlots.id, id)));
}

// ---- sessions (patient's region) --------------------------------------------------------------

/** True when the pair has an ACTIVE care-team relationship (a booking's precondition). */
export function activeTeamQuery(db: Database, patientId: string, clinicianId: string) {
  return db
    .select({ id: careTeam.id })
    .from(careTeam)
    .where(
      and(
        eq(careTeam.patientId, patientId),
        eq(careTeam.clinicianId, clinicianId),
        eq(careTeam.status, "active"),
      ),
    )
    .limit(1);
}

export function insertSession(db: Database, row: typeof therapySessions.$inferInsert) {
  return db.insert(therapySessions).values(row).returning();
}

export function sessionQuery(db: Database, id: string) {
  return db.select().from(therapySessions).where(eq(therapySessions.id, id));
}

/**
 * Where a session lives, for the access decision that follows (`careData(scope).open` on its
 * patient): the caller's own region for a patient, else every region in parallel. Only the
 * patient's id is used before access is decided.
 */
export async function findSession(
  scope: Scope,
  id: string,
  regions: readonly Region[] = REGIONS,
): Promise<{ row: SessionRow; region: Region } | null> {
  const found = await Promise.all(
    regions.map(async (region) => {
      const [row] = await sessionQuery(scope.db(region), id);
      return row ? { row, region } : null;
    }),
  );
  return found.find((f) => f !== null) ?? null;
}

/** A patient's sessions from `from` on, soonest first. */
export function patientSessionsQuery(db: Database, patientId: string, from: Date) {
  return db
    .select()
    .from(therapySessions)
    .where(and(eq(therapySessions.patientId, patientId), gte(therapySessions.endsAt, from)))
    .orderBy(asc(therapySessions.startsAt))
    .limit(200);
}

/** A clinician's sessions in [from, to) in one region (run per region with `everyRegion`). */
export function clinicianSessionsQuery(db: Database, clinicianId: string, from: Date, to: Date) {
  return db
    .select()
    .from(therapySessions)
    .where(
      and(
        eq(therapySessions.clinicianId, clinicianId),
        gte(therapySessions.startsAt, from),
        lt(therapySessions.startsAt, to),
      ),
    )
    .orderBy(asc(therapySessions.startsAt))
    .limit(500);
}

/** Bookings per clinician-local day are counted by the caller from these (non-cancelled) starts. */
export function clinicianBookedStartsQuery(db: Database, clinicianId: string, from: Date, to: Date) {
  return db
    .select({ startsAt: therapySessions.startsAt })
    .from(therapySessions)
    .where(
      and(
        eq(therapySessions.clinicianId, clinicianId),
        ne(therapySessions.status, "cancelled"),
        gte(therapySessions.startsAt, from),
        lt(therapySessions.startsAt, to),
      ),
    );
}

/** Moves a booked session to cancelled; repeats the status so a concurrent change is not lost. */
export function cancelSession(
  db: Database,
  id: string,
  by: string,
  lateCancel: boolean,
  reasonEnc: string | null,
) {
  return db
    .update(therapySessions)
    .set({
      status: "cancelled",
      cancelledBy: by,
      cancelledAt: sql`now()`,
      lateCancel,
      reasonEnc,
      updatedAt: sql`now()`,
    })
    .where(and(eq(therapySessions.id, id), eq(therapySessions.status, "booked")))
    .returning({ id: therapySessions.id });
}

export function markSession(db: Database, id: string, status: "completed" | "no_show") {
  return db
    .update(therapySessions)
    .set({ status, updatedAt: sql`now()` })
    .where(
      and(eq(therapySessions.id, id), inArray(therapySessions.status, ["booked", "completed", "no_show"])),
    )
    .returning({ id: therapySessions.id });
}

/**
 * Sessions that ended more than `hours` ago (within the last 30 days) and have no signed note, for
 * one clinician in one region: the missing-note reminders.
 */
export function unsignedPastSessionsQuery(db: Database, clinicianId: string, hours: number) {
  return db
    .select({ id: therapySessions.id, patientId: therapySessions.patientId, endsAt: therapySessions.endsAt })
    .from(therapySessions)
    .where(
      and(
        eq(therapySessions.clinicianId, clinicianId),
        inArray(therapySessions.status, ["booked", "completed"]),
        sql`${therapySessions.endsAt} < now() - make_interval(hours => ${hours})`,
        sql`${therapySessions.endsAt} > now() - interval '30 days'`,
        sql`not exists (select 1 from ${sessionNotes} where ${sessionNotes.sessionId} = ${therapySessions.id} and ${sessionNotes.status} = 'signed')`,
      ),
    )
    .orderBy(asc(therapySessions.endsAt));
}

/**
 * Every clinician's sessions in one region that ended more than `hours` before `now` (within the
 * 30 days before that) and have no signed note, for the hourly `note.unsigned` reminders. Booked
 * or completed only: cancelled and no-show sessions need no note. Ids only.
 */
export function dueUnsignedNotesQuery(db: Database, now: Date, hours: number) {
  const cutoff = new Date(now.getTime() - hours * 3_600_000);
  return db
    .select({ id: therapySessions.id, clinicianId: therapySessions.clinicianId })
    .from(therapySessions)
    .where(
      and(
        inArray(therapySessions.status, ["booked", "completed"]),
        lt(therapySessions.endsAt, cutoff),
        gte(therapySessions.endsAt, new Date(cutoff.getTime() - 30 * 86_400_000)),
        sql`not exists (select 1 from ${sessionNotes} where ${sessionNotes.sessionId} = ${therapySessions.id} and ${sessionNotes.status} = 'signed')`,
      ),
    )
    .orderBy(asc(therapySessions.endsAt));
}

/** Active appointments in one region: sessions in progress now, and booked sessions starting today (UTC). */
export function activeAppointmentsQuery(db: Database) {
  return db
    .select({
      inProgress:
        sql<number>`count(*) filter (where ${therapySessions.startsAt} <= now() and ${therapySessions.endsAt} > now())`.mapWith(
          Number,
        ),
      today:
        sql<number>`count(*) filter (where ${therapySessions.startsAt} >= date_trunc('day', now()) and ${therapySessions.startsAt} < date_trunc('day', now()) + interval '1 day')`.mapWith(
          Number,
        ),
    })
    .from(therapySessions)
    .where(inArray(therapySessions.status, ["booked", "completed"]));
}

// ---- notes ------------------------------------------------------------------------------------

export function noteQuery(db: Database, sessionId: string) {
  return db.select().from(sessionNotes).where(eq(sessionNotes.sessionId, sessionId));
}

export function addendaQuery(db: Database, sessionId: string) {
  return db
    .select({
      id: sessionNoteAddenda.id,
      authorId: sessionNoteAddenda.authorId,
      contentEnc: sessionNoteAddenda.contentEnc,
      createdAt: sessionNoteAddenda.createdAt,
    })
    .from(sessionNoteAddenda)
    .innerJoin(sessionNotes, eq(sessionNotes.id, sessionNoteAddenda.noteId))
    .where(eq(sessionNotes.sessionId, sessionId))
    .orderBy(asc(sessionNoteAddenda.createdAt));
}

/** Creates or replaces the DRAFT note of a session; a signed note is left untouched (0 rows). */
export function saveDraft(
  db: Database,
  row: {
    id: string;
    sessionId: string;
    patientId: string;
    clinicianId: string;
    format: NoteRow["format"];
    contentEnc: string;
    aiGenerated: boolean;
  },
) {
  return db
    .insert(sessionNotes)
    .values(row)
    .onConflictDoUpdate({
      target: sessionNotes.sessionId,
      set: {
        format: row.format,
        contentEnc: row.contentEnc,
        aiGenerated: row.aiGenerated,
        clinicianId: row.clinicianId,
        version: sql`${sessionNotes.version} + 1`,
        updatedAt: sql`now()`,
      },
      setWhere: sql`${sessionNotes.status} = 'draft'`,
    })
    .returning({ id: sessionNotes.id, version: sessionNotes.version, status: sessionNotes.status });
}

export function signNote(db: Database, sessionId: string, by: string) {
  return db
    .update(sessionNotes)
    .set({ status: "signed", signedAt: sql`now()`, signedBy: by, updatedAt: sql`now()` })
    .where(and(eq(sessionNotes.sessionId, sessionId), eq(sessionNotes.status, "draft")))
    .returning({ id: sessionNotes.id, signedAt: sessionNotes.signedAt });
}

export function insertAddendum(
  db: Database,
  row: { id: string; noteId: string; patientId: string; authorId: string; contentEnc: string },
) {
  return db.insert(sessionNoteAddenda).values(row).returning({ createdAt: sessionNoteAddenda.createdAt });
}

export function psychotherapyNoteQuery(db: Database, sessionId: string, authorId: string) {
  return db
    .select()
    .from(psychotherapyNotes)
    .where(and(eq(psychotherapyNotes.sessionId, sessionId), eq(psychotherapyNotes.authorId, authorId)));
}

export function savePsychotherapyNote(
  db: Database,
  row: { id: string; sessionId: string; patientId: string; authorId: string; contentEnc: string },
) {
  return db
    .insert(psychotherapyNotes)
    .values(row)
    .onConflictDoUpdate({
      target: [psychotherapyNotes.sessionId, psychotherapyNotes.authorId],
      set: { contentEnc: row.contentEnc, updatedAt: sql`now()` },
    })
    .returning({ id: psychotherapyNotes.id, updatedAt: psychotherapyNotes.updatedAt });
}

// ---- recordings -------------------------------------------------------------------------------

export function insertRecording(db: Database, row: typeof sessionRecordings.$inferInsert) {
  return db.insert(sessionRecordings).values(row).returning();
}

export function recordingQuery(db: Database, id: string) {
  return db.select().from(sessionRecordings).where(eq(sessionRecordings.id, id));
}

export function recordingsOfSession(db: Database, sessionId: string) {
  return db.select().from(sessionRecordings).where(eq(sessionRecordings.sessionId, sessionId));
}

export function bumpRecordingChunks(db: Database, id: string, index: number) {
  return db
    .update(sessionRecordings)
    .set({ chunks: sql`greatest(${sessionRecordings.chunks}, ${index + 1})` })
    .where(and(eq(sessionRecordings.id, id), eq(sessionRecordings.status, "recording")))
    .returning({ id: sessionRecordings.id });
}

export function stopRecording(db: Database, id: string, by: string) {
  return db
    .update(sessionRecordings)
    .set({ status: "stopped", stoppedBy: by, stoppedAt: sql`now()` })
    .where(and(eq(sessionRecordings.id, id), eq(sessionRecordings.status, "recording")))
    .returning({ id: sessionRecordings.id });
}

/**
 * A `risk_events` row for crisis language in a session's transcript (ids and severity only, never
 * text), source `session`. Its `seq` is a random value below -2^30: screener rows use small
 * negative numbers and chat rows positive ones, so they cannot collide.
 */
export function sessionRiskEvent(
  db: Database,
  patientId: string,
  severity: string,
  categories: readonly string[],
  fired: readonly string[],
) {
  const seq = -(2 ** 30) - ((crypto.getRandomValues(new Uint32Array(1))[0] ?? 0) % 2 ** 30);
  return db.insert(riskEvents).values({
    userId: patientId,
    seq,
    severity,
    categories: [...categories],
    ruleIds: ["session.transcript", ...fired],
    source: "session",
    createdAt: sql`now()`,
  });
}

// ---- calendar feed tokens (the user's region; hashes only) ----------------------------------

/** The user's feed token row (hash and creation time), if any. */
export function calendarFeedQuery(db: Database, userId: string) {
  return db
    .select({ createdAt: calendarFeeds.createdAt })
    .from(calendarFeeds)
    .where(eq(calendarFeeds.userId, userId));
}

/** Creates or replaces (rotates) the user's feed token hash: the old URL stops working at once. */
export function upsertCalendarFeed(db: Database, userId: string, tokenHash: string) {
  return db
    .insert(calendarFeeds)
    .values({ userId, tokenHash })
    .onConflictDoUpdate({ target: calendarFeeds.userId, set: { tokenHash, createdAt: sql`now()` } })
    .returning({ createdAt: calendarFeeds.createdAt });
}

export function deleteCalendarFeed(db: Database, userId: string) {
  return db
    .delete(calendarFeeds)
    .where(eq(calendarFeeds.userId, userId))
    .returning({ userId: calendarFeeds.userId });
}

/** The active account a feed token hash belongs to (deactivated accounts have no feed). */
export function calendarFeedOwnerQuery(db: Database, tokenHash: string) {
  return db
    .select({ userId: users.id, role: users.role })
    .from(calendarFeeds)
    .innerJoin(users, eq(users.id, calendarFeeds.userId))
    .where(and(eq(calendarFeeds.tokenHash, tokenHash), sql`${users.deactivatedAt} is null`));
}
