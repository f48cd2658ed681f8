import { careData } from "../../lib/care-data/repository";
import {
  activeAppointmentsQuery,
  dueUnsignedNotesQuery,
  unsignedPastSessionsQuery,
} from "../../lib/care-data/sessions";
import { publishQuietly } from "../../lib/events";
import type { Scope } from "../../lib/scope";
import { REGIONS } from "../../lib/vocabulary";
import { derivedUuid } from "../notifications/cron";

export interface MissingNote {
  sessionId: string;
  patientId: string;
  endedAt: string;
}

/**
 * The caller's sessions past `NOTE_REMINDER_HOURS` without a signed note, from every region
 * (the in-app list on the clinician's Sessions page; audited per region). The notification for
 * each is published by the hourly cron ({@link publishUnsignedNotes}), not by reading this list.
 */
export async function missingNoteReminders(scope: Scope): Promise<MissingNote[]> {
  const hours = scope.config.NOTE_REMINDER_HOURS;
  const perRegion = await careData(scope).everyRegion(
    { action: "session.reminders", resourceType: "therapy_session" },
    (db, userId) => [unsignedPastSessionsQuery(db, userId, hours)],
  );
  return perRegion
    .flatMap(([rows]) => rows)
    .map((r) => ({ sessionId: r.id, patientId: r.patientId, endedAt: r.endsAt.toISOString() }));
}

/**
 * The hourly missing-note job: every booked or completed session in every region that ended more
 * than `NOTE_REMINDER_HOURS` before `now` without a signed note publishes one `note.unsigned`
 * event to its clinician. The event id is derived from the session alone, so the listing running
 * every hour (and a repeated or retried tick) is one notification per session, never one per
 * hour: the consumer keys deliveries on (recipient, event id). A failed publish is logged and
 * retried by the next tick with the same id. The event carries ids only (`noteId` is the
 * session's id: a session has at most one progress note, and it may not exist yet).
 */
export async function publishUnsignedNotes(scope: Scope, now = new Date()): Promise<number> {
  let published = 0;
  for (const region of REGIONS) {
    const rows = await dueUnsignedNotesQuery(scope.db(region), now, scope.config.NOTE_REMINDER_HOURS);
    for (const row of rows) {
      await publishQuietly(scope.env, scope.log, {
        id: await derivedUuid(`note.unsigned:${row.id}`),
        type: "note.unsigned",
        v: 1,
        noteId: row.id,
        clinicianId: row.clinicianId,
        region,
      });
      published++;
    }
  }
  return published;
}

/**
 * The "active appointments" figure for metrics: sessions in progress now and sessions starting
 * today (UTC), summed over every region. Counts only; no patient or clinician ids.
 */
export async function activeAppointments(scope: Scope): Promise<{ inProgress: number; today: number }> {
  const rows = await Promise.all(
    REGIONS.map(async (region) => (await activeAppointmentsQuery(scope.db(region)))[0]),
  );
  return rows.reduce(
    (sum: { inProgress: number; today: number }, r) => ({
      inProgress: sum.inProgress + (r?.inProgress ?? 0),
      today: sum.today + (r?.today ?? 0),
    }),
    { inProgress: 0, today: 0 },
  );
}
