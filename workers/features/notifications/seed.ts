import { recipientQuery, upsertSettings } from "../../lib/care-data/notify-settings";
import type { Scope } from "../../lib/scope";
import { userCipher } from "../../lib/user-cipher";
import { scheduleReminder, scheduleSessionReminders } from "./cron";
import { formatLocal } from "./rules";

const ZONE = "America/New_York";

/**
 * Demo notification data: the clinician is on call (critical alerts locked on) with a dev SMS
 * number; the patient has a demo session starting in 62 minutes with a reminder one hour before
 * (so it arrives about two minutes after seeding, at its local time) and a daily 09:00 reminder.
 */
export async function seedNotifications(
  scope: Scope,
  ids: { patientId: string; clinicianId: string },
): Promise<string[]> {
  const db = scope.db("us");
  const [[clinician]] = await recipientQuery(db, ids.clinicianId);
  const cipher = await userCipher(scope.config, ids.clinicianId, clinician?.dataKeyWrapped ?? null);
  await upsertSettings(db, {
    userId: ids.clinicianId,
    timeZone: ZONE,
    onCall: true,
    phoneEnc: cipher ? await cipher.encrypt("notify.phone", "+15555550100") : null,
  });
  await upsertSettings(db, { userId: ids.patientId, timeZone: ZONE });
  const startsAt = new Date(Date.now() + 62 * 60_000);
  const [reminder] = await scheduleSessionReminders(
    scope,
    {
      bookingId: crypto.randomUUID(),
      patientId: ids.patientId,
      clinicianId: ids.clinicianId,
      region: "us",
      startsAt,
    },
    [1],
  );
  await scheduleReminder(
    scope,
    "us",
    ids.patientId,
    { kind: "daily", localTime: "09:00", timeZone: ZONE },
    {
      type: "medication.reminder",
      v: 1,
      region: "us",
      patientId: ids.patientId,
      scheduleId: crypto.randomUUID(),
    },
  );
  const at = reminder?.nextFireAt ? formatLocal(reminder.nextFireAt, ZONE, "en-US") : "n/a";
  return [
    `  Notifications: the clinician is on call (SMS to the dev outbox /dev/sms); a demo session reminder fires at ${at} ${ZONE} (/notifications, /dev/mailbox).`,
  ];
}
