import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notificationSchedules } from "../workers/db/schema";
import { materialize } from "../workers/features/notifications/consumer";
import { derivedUuid, fireDueSchedules } from "../workers/features/notifications/cron";
import {
  medicationScheduleId,
  syncMedicationReminders,
} from "../workers/features/notifications/medication-reminders";
import { render } from "../workers/features/notifications/templates";
import { type DomainEvent, makeEvent, type NewEvent } from "../workers/lib/events";
import { createUser, type TestUser } from "./fixtures";
import { call } from "./helpers";
import { db, jobScope, notificationsOf } from "./notify-helpers";

const json = (method: string, body: unknown, user: TestUser) => ({
  method,
  headers: { ...user.auth, "content-type": "application/json" },
  body: JSON.stringify(body),
});

async function addMedication(u: TestUser, body: Record<string, unknown>) {
  const res = await call(
    "/v1/me/medications",
    json("POST", { name: "Sertraline", dose: "50 mg", ...body }, u),
  );
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; reminderTimes: string[]; reminderTimeZone: string | null };
}

const schedulesOf = (u: TestUser) =>
  db(u.region).select().from(notificationSchedules).where(eq(notificationSchedules.userId, u.id));

describe("medication reminders", () => {
  it("a medication's dose times become daily schedules with deterministic ids, kept in step with edits", async () => {
    const u = await createUser("patient");
    const med = await addMedication(u, {
      dosesPerDay: 2,
      reminderTimes: ["21:00", "08:30"],
      reminderTimeZone: "America/New_York",
    });
    expect(med).toMatchObject({ reminderTimes: ["21:00", "08:30"], reminderTimeZone: "America/New_York" });
    const rows = await schedulesOf(u);
    expect(rows.map((r) => r.id).sort()).toEqual(
      [await medicationScheduleId(med.id, "08:30"), await medicationScheduleId(med.id, "21:00")].sort(),
    );
    for (const r of rows) {
      expect(r).toMatchObject({ kind: "daily", timeZone: "America/New_York" });
      // Ids only: the event names no medication, dose or schedule text.
      expect(r.event).toEqual({
        type: "medication.reminder",
        v: 1,
        patientId: u.id,
        region: "us",
        scheduleId: r.id,
        medicationId: med.id,
      });
      expect(JSON.stringify(r)).not.toMatch(/sertraline|50 mg/i);
    }
    // One time changed: that schedule goes, the unchanged one keeps its next firing.
    const kept = rows.find((r) => r.localTime === "08:30");
    const edited = await call(
      `/v1/me/medications/${med.id}`,
      json("PUT", { reminderTimes: ["08:30", "13:00"] }, u),
    );
    expect(edited.status).toBe(200);
    const after = await schedulesOf(u);
    expect(after.map((r) => r.localTime).sort()).toEqual(["08:30", "13:00"]);
    expect(after.find((r) => r.localTime === "08:30")?.nextFireAt).toEqual(kept?.nextFireAt);
    // Paused: no schedules; active again: back; deleted: gone.
    await call(`/v1/me/medications/${med.id}`, json("PUT", { active: false }, u));
    expect(await schedulesOf(u)).toEqual([]);
    await call(`/v1/me/medications/${med.id}`, json("PUT", { active: true }, u));
    expect((await schedulesOf(u)).length).toBe(2);
    expect((await call(`/v1/me/medications/${med.id}`, { method: "DELETE", headers: u.auth })).status).toBe(
      204,
    );
    expect(await schedulesOf(u)).toEqual([]);
  });

  it("refuses malformed dose times and zones (422)", async () => {
    const u = await createUser("patient");
    for (const bad of [
      { reminderTimes: ["25:00"] },
      { reminderTimes: ["08:00", "08:00"] },
      { reminderTimes: ["8:00"] },
      { reminderTimes: ["08:00"], reminderTimeZone: "Mars/Olympus" },
      { reminderTimes: Array.from({ length: 9 }, (_, i) => `0${i}:00`) },
    ]) {
      const res = await call("/v1/me/medications", json("POST", { name: "X", ...bad }, u));
      expect(res.status).toBe(422);
    }
  });

  it("fires at the local dose time across the autumn DST change, once per dose, with a deterministic event id", async () => {
    // Its own region: firing due schedules in a region is global to it (other files use "us").
    const u = await createUser("patient", "apac");
    const med = await addMedication(u, {});
    const scope = jobScope();
    // Saturday 31 October 2026, New York (EDT, UTC−4); clocks go back at 02:00 on Sunday 1 November.
    const [row] = await syncMedicationReminders(
      scope,
      "apac",
      u.id,
      { id: med.id, active: true, reminderTimes: ["08:30"], reminderTimeZone: "America/New_York" },
      new Date("2026-10-31T10:00:00Z"),
    );
    expect(row?.nextFireAt?.toISOString()).toBe("2026-10-31T12:30:00.000Z");
    const published: DomainEvent[] = [];
    const publish = async (e: NewEvent) => void published.push(makeEvent(e));
    const mine = () => published.filter((e) => "patientId" in e && e.patientId === u.id);
    await fireDueSchedules(scope, "apac", new Date("2026-10-31T12:29:00Z"), publish);
    expect(mine()).toEqual([]);
    await fireDueSchedules(scope, "apac", new Date("2026-10-31T12:30:20Z"), publish);
    await fireDueSchedules(scope, "apac", new Date("2026-10-31T12:30:40Z"), publish);
    expect(mine().length).toBe(1);
    // Sunday: 08:30 EST is 13:30Z (an hour later in UTC than the day before).
    await fireDueSchedules(scope, "apac", new Date("2026-11-01T12:30:30Z"), publish);
    expect(mine().length).toBe(1);
    await fireDueSchedules(scope, "apac", new Date("2026-11-01T13:30:05Z"), publish);
    expect(mine().map((e) => e.occurredAt)).toEqual(["2026-10-31T12:30:00.000Z", "2026-11-01T13:30:00.000Z"]);
    expect((await schedulesOf(u))[0]?.nextFireAt?.toISOString()).toBe("2026-11-02T13:30:00.000Z");
    // The event id is a function of the medication, the dose time and the day: a re-sync (same
    // schedule id) or an overlapping cron yields the same id, and the consumer notifies once.
    const scheduleId = await medicationScheduleId(med.id, "08:30");
    const second = mine()[1] as DomainEvent;
    expect(second).toMatchObject({ type: "medication.reminder", scheduleId, medicationId: med.id });
    expect(second.id).toBe(await derivedUuid(`${scheduleId}:2026-11-01T13:30:00.000Z`));
    await materialize(scope, second);
    await materialize(scope, { ...second });
    const notes = (await notificationsOf(u, "apac")).filter((n) => n.kind === "medication.reminder");
    expect(notes.length).toBe(1);
    // What the person sees: neutral on the lock screen, the medication never named.
    const inbox = (await (await call("/v1/me/notifications", { headers: u.auth })).json()) as {
      notifications: Array<{ eventType: string; title: string; text: string }>;
    };
    const shown = inbox.notifications.find((n) => n.eventType === "medication.reminder");
    expect(shown?.title).toBe("Haven: reminder");
    expect(shown?.text).toContain("Time for your scheduled medication");
    expect(JSON.stringify(inbox)).not.toMatch(/sertraline|50 mg/i);
    for (const locale of ["en", "es"] as const) {
      const r = render("medication.reminder", locale, { link: "https://h.test/" });
      expect(`${r.title} ${r.preview} ${r.sms}`).not.toMatch(/medic|sertraline/i);
    }
  });

  it("a reminder for a paused medication notifies nobody", async () => {
    const u = await createUser("patient");
    const med = await addMedication(u, { reminderTimes: ["09:00"] });
    const [schedule] = await schedulesOf(u);
    const event = makeEvent({
      type: "medication.reminder",
      v: 1,
      region: "us",
      patientId: u.id,
      scheduleId: schedule?.id ?? "",
      medicationId: med.id,
    });
    await call(`/v1/me/medications/${med.id}`, json("PUT", { active: false }, u));
    expect(await materialize(jobScope(), event)).toEqual([]);
    expect((await notificationsOf(u)).filter((n) => n.kind === "medication.reminder")).toEqual([]);
  });
});
