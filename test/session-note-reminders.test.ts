import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sessionNotes, therapySessions } from "../workers/db/schema";
import { publishUnsignedNotes } from "../workers/features/sessions/reminders";
import { createDatabase } from "../workers/lib/db";
import { createLogger } from "../workers/lib/logger";
import { createScope, jobAudit } from "../workers/lib/scope";
import { createUser, testConfig } from "./fixtures";

type Sent = { id: string; type: string; noteId: string; clinicianId: string; region: string };

function jobScope(sent: Sent[], hours?: number) {
  const fakeEnv = {
    ...env,
    EVENTS: { send: async (body: unknown) => void sent.push(body as Sent) },
  } as unknown as Env;
  const config = { ...testConfig(), ...(hours ? { NOTE_REMINDER_HOURS: hours } : {}) };
  return createScope({
    env: fakeEnv,
    config,
    log: createLogger("error"),
    audit: jobAudit("session.note_reminders"),
  });
}

describe("missing-note reminders (note.unsigned from the hourly cron)", () => {
  it("fires once per session past the deadline; never for signed notes, cancelled or no-show sessions", async () => {
    const clinician = await createUser("clinician", "us");
    const patient = await createUser("patient", "eu");
    const db = createDatabase(testConfig(), "eu");
    const now = new Date();
    const session = async (
      endedHoursAgo: number,
      status: "booked" | "completed" | "cancelled" | "no_show",
    ) => {
      const id = crypto.randomUUID();
      const end = now.getTime() - endedHoursAgo * 3_600_000;
      await db.insert(therapySessions).values({
        id,
        patientId: patient.id,
        clinicianId: clinician.id,
        clinicianRegion: clinician.region,
        sessionType: "follow-up",
        startsAt: new Date(end - 50 * 60_000),
        endsAt: new Date(end),
        status,
        bookedBy: patient.id,
      });
      return id;
    };
    const due = await session(30, "completed");
    const dueBooked = await session(26, "booked"); // never marked, still needs a note
    const draftOnly = await session(40, "completed");
    const signed = await session(30, "completed");
    const cancelled = await session(30, "cancelled");
    const noShow = await session(30, "no_show");
    const tooRecent = await session(2, "completed");
    await db.insert(sessionNotes).values([
      {
        sessionId: draftOnly,
        patientId: patient.id,
        clinicianId: clinician.id,
        format: "soap",
        contentEnc: "x",
      },
      {
        sessionId: signed,
        patientId: patient.id,
        clinicianId: clinician.id,
        format: "soap",
        contentEnc: "x",
        status: "signed",
        signedAt: now,
        signedBy: clinician.id,
      },
    ]);

    const sent: Sent[] = [];
    const scope = jobScope(sent);
    await publishUnsignedNotes(scope, now);
    await publishUnsignedNotes(scope, new Date(now.getTime() + 3_600_000)); // the next hourly tick
    const mine = sent.filter((e) => e.clinicianId === clinician.id);
    const bySession = (id: string) => mine.filter((e) => e.noteId === id);
    expect(new Set(mine.map((e) => e.noteId))).toEqual(new Set([due, dueBooked, draftOnly]));
    for (const id of [due, dueBooked, draftOnly]) {
      const events = bySession(id);
      expect(events).toHaveLength(2); // listed by both ticks …
      expect(events[0]?.id).toBe(events[1]?.id); // … with one event id: the consumer delivers it once
      expect(events[0]).toMatchObject({ type: "note.unsigned", region: "eu", clinicianId: clinician.id });
    }
    expect(new Set(mine.map((e) => e.id)).size).toBe(3);
    for (const id of [signed, cancelled, noShow, tooRecent]) expect(bySession(id)).toEqual([]);
    // The event carries ids only: nothing about the patient.
    expect(JSON.stringify(mine)).not.toContain(patient.id);

    // The deadline is configuration: at 1 hour the recent session is due too.
    const sooner: Sent[] = [];
    await publishUnsignedNotes(jobScope(sooner, 1), now);
    expect(sooner.filter((e) => e.clinicianId === clinician.id).map((e) => e.noteId)).toContain(tooRecent);
  });
});
