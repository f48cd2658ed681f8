import { eq } from "drizzle-orm";
import { users } from "../../db/schema/users";
import { audit } from "../../lib/audit";
import {
  insertDoseWrites,
  insertEntry,
  insertMedication,
  medicationWrite,
  trackingWrite,
} from "../../lib/care-data/tracking";
import type { Scope } from "../../lib/scope";
import { userCipher } from "../../lib/user-cipher";
import { syncMedicationReminders } from "../notifications/medication-reminders";

const DAY = 86_400_000;

/**
 * Demo self-tracking for the demo patient: two weeks of mood and sleep (a steady baseline), a few
 * symptoms, and one medication with its doses, so the chart's trends show something. Encrypted
 * like real entries and audited.
 */
export async function seedTracking(scope: Scope, patientId: string): Promise<void> {
  const db = scope.db("us");
  const [user] = await db
    .select({ wrapped: users.dataKeyWrapped })
    .from(users)
    .where(eq(users.id, patientId));
  const cipher = await userCipher(scope.config, patientId, user?.wrapped ?? null);
  if (!cipher) return;
  const now = Date.now();
  const moods = [6, 7, 6, 7, 7, 6, 5, 6, 7, 7, 6, 7, 6, 7];
  for (const [i, score] of moods.entries()) {
    const at = new Date(now - (moods.length - i) * DAY);
    const id = crypto.randomUUID();
    await insertEntry(db, {
      id,
      userId: patientId,
      kind: "mood",
      score,
      tags: score < 6 ? ["tired"] : ["calm"],
      recordedAt: at,
    });
    await insertEntry(db, {
      id: crypto.randomUUID(),
      userId: patientId,
      kind: "sleep",
      score: score - 1,
      sleepMinutes: (6 + (i % 3)) * 60,
      recordedAt: at,
    });
    await audit(scope, "us", { ...trackingWrite("create", id), patientId, outcome: "success" });
  }
  await insertEntry(db, {
    userId: patientId,
    kind: "symptom",
    score: 5,
    tags: ["poor_sleep", "fatigue"],
    noteEnc: null,
    recordedAt: new Date(now - 3 * DAY),
  });
  const medId = crypto.randomUUID();
  await insertMedication(db, {
    id: medId,
    userId: patientId,
    nameEnc: await cipher.encrypt(`medication.name:${medId}`, "Sertraline"),
    doseEnc: await cipher.encrypt(`medication.dose:${medId}`, "50 mg"),
    scheduleEnc: await cipher.encrypt(`medication.schedule:${medId}`, "Every morning"),
    dosesPerDay: 1,
    reminderTimes: ["08:00"],
    reminderTimeZone: "America/New_York",
  });
  await audit(scope, "us", { ...medicationWrite("create", medId), patientId, outcome: "success" });
  // Its 08:00 New York dose reminder on the minute cron (the demo patient's zone).
  await syncMedicationReminders(scope, "us", patientId, {
    id: medId,
    active: true,
    reminderTimes: ["08:00"],
    reminderTimeZone: "America/New_York",
  });
  for (let d = 7; d >= 1; d--) {
    await db.batch([
      ...insertDoseWrites(db, {
        id: crypto.randomUUID(),
        userId: patientId,
        medicationId: medId,
        status: d === 4 ? "missed" : "taken",
        recordedAt: new Date(now - d * DAY),
      }),
    ]);
  }
}
