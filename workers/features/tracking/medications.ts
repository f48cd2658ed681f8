import type { PatientAccess } from "../../lib/care-data/access";
import { wrappedKeyQuery } from "../../lib/care-data/chat";
import { careData } from "../../lib/care-data/repository";
import {
  type DoseRow,
  deleteMedication,
  dosesQuery,
  insertDoseWrites,
  insertMedication,
  insertSignal,
  type MedicationRow,
  medicationsQuery,
  medicationWrite,
  RISK_SIGNAL_CREATE,
  TRACKING_READ,
  updateMedication,
} from "../../lib/care-data/tracking";
import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";
import { type UserCipher, userCipher } from "../../lib/user-cipher";
import { syncMedicationReminders } from "../notifications/medication-reminders";
import { missedStreak } from "./detectors";
import type { Dose, DoseInput, Medication, MedicationInput, MedicationUpdate } from "./schema";
import { ownCipher } from "./service";

const field = (what: "name" | "dose" | "schedule" | "reason", id: string) => `medication.${what}:${id}`;
const MED_READ = { ...TRACKING_READ, action: "medication.read", resourceType: "medication" } as const;

async function toDose(d: DoseRow, cipher: UserCipher | null): Promise<Dose> {
  return {
    id: d.id,
    medicationId: d.medicationId,
    status: d.status,
    reason: cipher ? await cipher.decryptOptional(field("reason", d.id), d.reasonEnc) : null,
    recordedAt: d.recordedAt.toISOString(),
  };
}

async function toMedication(
  m: MedicationRow,
  doses: DoseRow[],
  cipher: UserCipher | null,
): Promise<Medication> {
  const mine = doses.filter((d) => d.medicationId === m.id);
  const taken = mine.filter((d) => d.status === "taken").length;
  return {
    id: m.id,
    name: cipher ? await cipher.decrypt(field("name", m.id), m.nameEnc) : "(unreadable)",
    dose: cipher ? await cipher.decryptOptional(field("dose", m.id), m.doseEnc) : null,
    schedule: cipher ? await cipher.decryptOptional(field("schedule", m.id), m.scheduleEnc) : null,
    dosesPerDay: m.dosesPerDay,
    active: m.active,
    reminderTimes: m.reminderTimes,
    reminderTimeZone: m.reminderTimeZone,
    recentDoses: await Promise.all(mine.map((d) => toDose(d, cipher))),
    adherence: mine.length === 0 ? null : Math.round((taken / mine.length) * 100) / 100,
  };
}

async function read(scope: Scope, access: PatientAccess) {
  const [[owner], meds, doses] = await careData(scope).run(
    access,
    MED_READ,
    (db) =>
      [
        wrappedKeyQuery(db, access.patientId),
        medicationsQuery(db, access.patientId),
        dosesQuery(db, access.patientId, 30),
      ] as const,
  );
  const cipher = await userCipher(scope.config, access.patientId, owner?.wrapped ?? null);
  return {
    patientId: access.patientId,
    medications: await Promise.all(meds.map((m) => toMedication(m, doses, cipher))),
  };
}

/** The caller's medications with the last 30 days of doses (decrypted). */
export const ownMedications = (scope: Scope) => read(scope, careData(scope).self());

/** A patient's medications and adherence, for their care team or a break-glass holder (audited). */
export async function patientMedications(scope: Scope, patientId: string) {
  return read(scope, await careData(scope).open(patientId, MED_READ));
}

export async function addMedication(scope: Scope, input: MedicationInput): Promise<Medication> {
  const care = careData(scope);
  const self = care.self();
  const id = crypto.randomUUID();
  await care.requireConsent(self, "health_data");
  const cipher = await ownCipher(scope);
  const [nameEnc, doseEnc, scheduleEnc] = await Promise.all([
    cipher.encrypt(field("name", id), input.name),
    input.dose ? cipher.encrypt(field("dose", id), input.dose) : null,
    input.schedule ? cipher.encrypt(field("schedule", id), input.schedule) : null,
  ]);
  const [[saved]] = await care.run(self, medicationWrite("create", id), (db) => [
    insertMedication(db, {
      id,
      userId: self.patientId,
      nameEnc,
      doseEnc,
      scheduleEnc,
      dosesPerDay: input.dosesPerDay,
      reminderTimes: input.reminderTimes ?? [],
      reminderTimeZone: input.reminderTimeZone ?? null,
    }),
  ]);
  if (!saved) throw new AppError("internal");
  await syncMedicationReminders(scope, self.region, self.patientId, saved);
  return toMedication(saved, [], cipher);
}

export async function editMedication(scope: Scope, id: string, input: MedicationUpdate): Promise<Medication> {
  const care = careData(scope);
  const self = care.self();
  const op = medicationWrite("update", id);
  await care.requireConsent(self, "health_data");
  const cipher = await ownCipher(scope);
  const enc = async (what: "name" | "dose" | "schedule", v: string | null | undefined) =>
    v === undefined ? undefined : v === null || v === "" ? null : await cipher.encrypt(field(what, id), v);
  const [nameEnc, doseEnc, scheduleEnc] = await Promise.all([
    enc("name", input.name),
    enc("dose", input.dose),
    enc("schedule", input.schedule),
  ]);
  const [[saved], doses] = await care.run(
    self,
    op,
    (db) =>
      [
        updateMedication(db, self.patientId, id, {
          ...(nameEnc ? { nameEnc } : {}),
          ...(doseEnc !== undefined ? { doseEnc } : {}),
          ...(scheduleEnc !== undefined ? { scheduleEnc } : {}),
          ...(input.dosesPerDay !== undefined ? { dosesPerDay: input.dosesPerDay } : {}),
          ...(input.active !== undefined ? { active: input.active } : {}),
          ...(input.reminderTimes !== undefined ? { reminderTimes: input.reminderTimes } : {}),
          ...(input.reminderTimeZone !== undefined ? { reminderTimeZone: input.reminderTimeZone } : {}),
        }),
        dosesQuery(db, self.patientId, 30, [id]),
      ] as const,
  );
  if (!saved) return care.refuse(op, "medication", self);
  await syncMedicationReminders(scope, self.region, self.patientId, saved);
  return toMedication(saved, doses, cipher);
}

export async function removeMedication(scope: Scope, id: string): Promise<void> {
  const care = careData(scope);
  const self = care.self();
  const op = medicationWrite("delete", id);
  const [gone] = await care.run(self, op, (db) => [deleteMedication(db, self.patientId, id)]);
  if (gone.length === 0) await care.refuse(op, "medication", self);
  await syncMedicationReminders(scope, self.region, self.patientId, { id, deleted: true });
}

/**
 * Logs a dose (taken, missed or skipped with a reason) of the caller's medication. A run of missed
 * doses is recorded as a risk signal (timeline event) at 3, 6, 9 … in a row.
 */
export async function logDose(scope: Scope, medicationId: string, input: DoseInput): Promise<Dose> {
  const care = careData(scope);
  const self = care.self();
  const id = crypto.randomUUID();
  const op = medicationWrite("dose", id);
  await care.requireConsent(self, "health_data");
  const cipher = await ownCipher(scope);
  const recordedAt = input.recordedAt ? new Date(input.recordedAt) : new Date();
  if (recordedAt.getTime() > Date.now() + 5 * 60_000)
    throw new AppError("validation_failed", "recordedAt is in the future", {
      errors: [{ path: "recordedAt", message: "Not in the future" }],
    });
  const reasonEnc = input.reason ? await cipher.encrypt(field("reason", id), input.reason) : null;
  const [inserted, recent] = await care.run(self, op, (db) =>
    insertDoseWrites(db, {
      id,
      userId: self.patientId,
      medicationId,
      status: input.status,
      reasonEnc,
      recordedAt,
    }),
  );
  if (inserted.rows.length === 0) return care.refuse(op, "medication", self);
  const streak = missedStreak(recent);
  if (streak) {
    await care.run(self, { ...RISK_SIGNAL_CREATE, resourceId: id, allow: ["self"] }, (db) => [
      insertSignal(db, {
        userId: self.patientId,
        kind: "missed_medication",
        severity: streak.streak >= 6 ? "moderate" : "low",
        detail: { streak: streak.streak },
        sourceId: id,
      }),
    ]);
  }
  return {
    id,
    medicationId,
    status: input.status,
    reason: input.reason ?? null,
    recordedAt: recordedAt.toISOString(),
    signal: streak ? { kind: "missed_medication", severity: streak.streak >= 6 ? "moderate" : "low" } : null,
  };
}
