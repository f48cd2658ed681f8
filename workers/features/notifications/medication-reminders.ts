import {
  deleteMedicationSchedules,
  type ScheduleRow,
  upsertMedicationSchedules,
} from "../../lib/care-data/notify-settings";
import type { Scope } from "../../lib/scope";
import type { Region } from "../../lib/vocabulary";
import { derivedUuid, nextFire } from "./cron";
import { loadRecipient } from "./recipient";

/**
 * Medication dose-time reminders on the minute cron's daily schedules: one schedule per medication
 * and local time ("HH:MM" in an IANA zone, so 08:00 stays 08:00 across DST), with a deterministic
 * id — `derivedUuid("medication:<id>:<HH:MM>")` — so a firing's event id (schedule id + due
 * instant) is the same however often the schedules are re-synced or the cron overlaps: a dose time
 * notifies once. The event names no medication in any text; the consumer checks the medication is
 * still active when it fires. Wording on lock screens stays neutral ("Haven: reminder").
 */

export interface MedicationReminderPlan {
  id: string;
  active: boolean;
  reminderTimes: string[];
  reminderTimeZone: string | null;
}

export const medicationScheduleId = (medicationId: string, localTime: string) =>
  derivedUuid(`medication:${medicationId}:${localTime}`);

/**
 * Makes the schedules of one medication match its dose times: upserts one per time while it is
 * active, drops the rest (all of them when it is paused or deleted — pass `null`). Returns the
 * schedules kept.
 */
export async function syncMedicationReminders(
  scope: Scope,
  region: Region,
  patientId: string,
  med: MedicationReminderPlan | { id: string; deleted: true },
  now = new Date(),
): Promise<ScheduleRow[]> {
  const db = scope.db(region);
  const times = "deleted" in med || !med.active ? [] : [...new Set(med.reminderTimes)].sort();
  if (times.length === 0) {
    await deleteMedicationSchedules(db, patientId, med.id, []);
    return [];
  }
  const plan = med as MedicationReminderPlan;
  const timeZone = plan.reminderTimeZone ?? (await loadRecipient(scope, patientId))?.timeZone ?? "UTC";
  const rows = await Promise.all(
    times.map(async (localTime) => {
      const id = await medicationScheduleId(med.id, localTime);
      return {
        id,
        userId: patientId,
        kind: "daily" as const,
        localTime,
        timeZone,
        event: { type: "medication.reminder", v: 1, patientId, region, scheduleId: id, medicationId: med.id },
        nextFireAt: nextFire({ kind: "daily", localTime, timeZone }, now),
      };
    }),
  );
  await deleteMedicationSchedules(
    db,
    patientId,
    med.id,
    rows.map((r) => r.id),
  );
  return upsertMedicationSchedules(db, rows);
}
