import { careData } from "../../lib/care-data/repository";
import { activeAppointmentsQuery, unsignedPastSessionsQuery } from "../../lib/care-data/sessions";
import type { Scope } from "../../lib/scope";
import { REGIONS } from "../../lib/vocabulary";

/** Hours after a session's end without a signed note before a reminder is due. */
export const MISSING_NOTE_HOURS = 24;

export interface MissingNote {
  sessionId: string;
  patientId: string;
  endedAt: string;
}

/**
 * The caller's sessions past {@link MISSING_NOTE_HOURS} without a signed note, from every region
 * (in-app reminders; audited per region). Each is handed to {@link publishMissingNoteReminder}.
 */
export async function missingNoteReminders(scope: Scope): Promise<MissingNote[]> {
  const perRegion = await careData(scope).everyRegion(
    { action: "session.reminders", resourceType: "therapy_session" },
    (db, userId) => [unsignedPastSessionsQuery(db, userId, MISSING_NOTE_HOURS)],
  );
  const due = perRegion
    .flatMap(([rows]) => rows)
    .map((r) => ({ sessionId: r.id, patientId: r.patientId, endedAt: r.endsAt.toISOString() }));
  for (const reminder of due) publishMissingNoteReminder(scope, reminder);
  return due;
}

/**
 * THE place a missing-note reminder would be delivered (push, email) once the notifications
 * service exists. Until then reminders are in-app only (the list above, shown on the clinician's
 * calendar); this logs a PHI-free line. A notification must not name the patient: "A session
 * note is due", with a link, nothing more.
 */
export function publishMissingNoteReminder(scope: Scope, reminder: MissingNote): void {
  scope.log.info("missing_note_reminder", { due: reminder.endedAt.slice(0, 10) });
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
