import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, sessionSlots, therapySessions } from "../workers/db/schema";
import { createDatabase } from "../workers/lib/db";
import { createUser, testConfig } from "./fixtures";
import { api, at, practice } from "./sessions-helpers";

const followUp = (clinicianId: string, start: string) => ({ clinicianId, sessionType: "follow-up", start });

describe("booking: no double booking, decided by Postgres", () => {
  it("20 parallel attempts on overlapping slots: exactly one succeeds, 19 get 409 problem+json", async () => {
    const { clinician, patients } = await practice([
      { region: "eu" },
      { region: "us" },
      { region: "apac" },
      { region: "eu" },
    ]);
    // Starts 10:00, 10:15, 10:30, 10:45: every pair overlaps (50 min + 10 min buffer).
    const attempts = Array.from({ length: 20 }, (_, i) => ({
      patient: patients[i % patients.length]!,
      start: at(3, 10, 15 * (i % 4)),
    }));
    const results = await Promise.all(
      attempts.map((a) => api(a.patient, "POST", "/v1/therapy-sessions", followUp(clinician.id, a.start))),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.type).toContain("application/problem+json");
      expect(r.body.code).toBe("conflict");
    }
    // One held slot for the clinician that day, in the clinician's region.
    const held = await createDatabase(testConfig(), "us")
      .select({ id: sessionSlots.id })
      .from(sessionSlots)
      .where(and(eq(sessionSlots.clinicianId, clinician.id), eq(sessionSlots.held, true)));
    expect(held).toHaveLength(1);
  });

  it("the constraint itself refuses an overlapping hold written straight to the table (23P01)", async () => {
    const db = createDatabase(testConfig(), "us");
    const clinicianId = crypto.randomUUID();
    const range = (a: string, b: string) => `[${a},${b})`;
    await db
      .insert(sessionSlots)
      .values({ id: crypto.randomUUID(), clinicianId, during: range(at(5, 9), at(5, 10)) });
    const err = await db
      .insert(sessionSlots)
      .values({ id: crypto.randomUUID(), clinicianId, during: range(at(5, 9, 30), at(5, 10, 30)) })
      .then(() => null)
      .catch((e: unknown) => e);
    const code = (e: unknown): string | undefined =>
      e && typeof e === "object"
        ? "code" in e
          ? String(e.code)
          : code((e as { cause?: unknown }).cause)
        : undefined;
    expect(code(err)).toBe("23P01");
    // Adjacent is fine ([) ranges), and so is another clinician at the same time.
    await db
      .insert(sessionSlots)
      .values({ id: crypto.randomUUID(), clinicianId, during: range(at(5, 10), at(5, 11)) });
    await db.insert(sessionSlots).values({
      id: crypto.randomUUID(),
      clinicianId: crypto.randomUUID(),
      during: range(at(5, 9), at(5, 10)),
    });
  });

  it("Idempotency-Key: a retry returns the first booking (200, same id), never a second", async () => {
    const { clinician, patients } = await practice();
    const [p] = patients;
    const key = { "idempotency-key": `book-${crypto.randomUUID()}` };
    const first = await api(p!, "POST", "/v1/therapy-sessions", followUp(clinician.id, at(4, 9)), key);
    const again = await api(p!, "POST", "/v1/therapy-sessions", followUp(clinician.id, at(4, 9)), key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const parallel = await Promise.all(
      [1, 2, 3].map(() =>
        api(p!, "POST", "/v1/therapy-sessions", followUp(clinician.id, at(4, 12)), {
          "idempotency-key": "same-key-123",
        }),
      ),
    );
    const ok = parallel.filter((r) => r.status === 200 || r.status === 201);
    expect(new Set(ok.map((r) => r.body.id)).size).toBe(1);
    expect(parallel.every((r) => [200, 201, 409].includes(r.status))).toBe(true);
    const rows = await createDatabase(testConfig(), "eu")
      .select({ id: therapySessions.id })
      .from(therapySessions)
      .where(eq(therapySessions.patientId, p!.id));
    expect(rows).toHaveLength(2);
  });

  it("cancellation frees the slot; the reason is stored encrypted and shown to the parties", async () => {
    const { clinician, patients } = await practice([{ region: "eu" }, { region: "us" }]);
    const [a, b] = patients;
    const booked = await api(a!, "POST", "/v1/therapy-sessions", followUp(clinician.id, at(6, 14)));
    expect(booked.status).toBe(201);
    const taken = await api(b!, "POST", "/v1/therapy-sessions", followUp(clinician.id, at(6, 14, 30)));
    expect(taken.status).toBe(409);
    const slotsBefore = await api(
      b!,
      "GET",
      `/v1/clinicians/${clinician.id}/slots?sessionType=follow-up&from=${at(6, 0).slice(0, 10)}&to=${at(6, 0).slice(0, 10)}`,
    );
    expect((slotsBefore.body.slots as { start: string }[]).map((s) => s.start)).not.toContain(at(6, 14));
    const cancelled = await api(a!, "POST", `/v1/therapy-sessions/${booked.body.id}/cancel`, {
      reason: "Work shift moved",
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      status: "cancelled",
      cancelReason: "Work shift moved",
      lateCancel: false,
    });
    const [row] = await createDatabase(testConfig(), "eu")
      .select({ reasonEnc: therapySessions.reasonEnc })
      .from(therapySessions)
      .where(eq(therapySessions.id, String(booked.body.id)));
    expect(row?.reasonEnc).not.toContain("Work shift");
    const slotsAfter = await api(
      b!,
      "GET",
      `/v1/clinicians/${clinician.id}/slots?sessionType=follow-up&from=${at(6, 0).slice(0, 10)}&to=${at(6, 0).slice(0, 10)}`,
    );
    expect((slotsAfter.body.slots as { start: string }[]).map((s) => s.start)).toContain(at(6, 14));
    const rebooked = await api(b!, "POST", "/v1/therapy-sessions", followUp(clinician.id, at(6, 14, 30)));
    expect(rebooked.status).toBe(201);
    const twice = await api(a!, "POST", `/v1/therapy-sessions/${booked.body.id}/cancel`, { reason: "again" });
    expect(twice.status).toBe(409);
  });

  it("policy edges: late cancel recorded, unoffered times refused, session types and teams checked", async () => {
    const { clinician, patients } = await practice();
    const [p] = patients;
    const soon = new Date(Math.ceil((Date.now() + 2 * 3_600_000) / 900_000) * 900_000).toISOString();
    const s = await api(p!, "POST", "/v1/therapy-sessions", followUp(clinician.id, soon));
    expect(s.status).toBe(201);
    const late = await api(p!, "POST", `/v1/therapy-sessions/${s.body.id}/cancel`, { reason: "Sick" });
    expect(late.body).toMatchObject({ status: "cancelled", lateCancel: true });
    // Not on the 15-minute grid, in the past, beyond the 60-day horizon.
    for (const start of [at(7, 9, 5), at(-1, 9), at(70, 9)]) {
      const r = await api(p!, "POST", "/v1/therapy-sessions", followUp(clinician.id, start));
      expect(r.status).toBe(409);
    }
    const unknownType = await api(p!, "POST", "/v1/therapy-sessions", {
      clinicianId: clinician.id,
      sessionType: "group",
      start: at(7, 9),
    });
    expect(unknownType.status).toBe(404);
    const stranger = await createUser("patient", "us");
    const off = await api(stranger, "POST", "/v1/therapy-sessions", followUp(clinician.id, at(7, 9)));
    expect(off.status).toBe(404);
    const slots = await api(
      stranger,
      "GET",
      `/v1/clinicians/${clinician.id}/slots?sessionType=follow-up&from=${at(7, 0).slice(0, 10)}&to=${at(7, 0).slice(0, 10)}`,
    );
    expect(slots.status).toBe(404);
    const bad = await api(p!, "POST", "/v1/therapy-sessions", {
      clinicianId: clinician.id,
      sessionType: "follow-up",
      start: "tomorrow",
    });
    expect(bad.status).toBe(422);
    expect(bad.type).toContain("application/problem+json");
  });

  it("a clinician books for a patient, reschedules, and the patient sees it; no-shows only after the start", async () => {
    const { clinician, patients } = await practice();
    const [p] = patients;
    const s = await api(clinician, "POST", "/v1/therapy-sessions", {
      patientId: p!.id,
      sessionType: "intake",
      start: at(8, 9),
    });
    expect(s.status).toBe(201);
    const early = await api(clinician, "POST", `/v1/therapy-sessions/${s.body.id}/mark`, {
      status: "no_show",
    });
    expect(early.status).toBe(409);
    const moved = await api(p!, "POST", `/v1/therapy-sessions/${s.body.id}/reschedule`, {
      start: at(8, 11),
      reason: "Clash",
    });
    expect(moved.status).toBe(201);
    expect(moved.body).toMatchObject({ start: at(8, 11), rescheduledFrom: s.body.id, sessionType: "intake" });
    const mine = await api(p!, "GET", "/v1/me/therapy-sessions");
    const list = mine.body.sessions as { id: string; status: string }[];
    expect(list.find((x) => x.id === s.body.id)?.status).toBe("cancelled");
    expect(list.find((x) => x.id === moved.body.id)?.status).toBe("booked");
    const cal = await api(clinician, "GET", `/v1/clinician/calendar?from=${at(8, 0)}&to=${at(9, 0)}`);
    expect((cal.body.sessions as { id: string }[]).map((x) => x.id)).toEqual([s.body.id, moved.body.id]);
    const other = await createUser("clinician", "us");
    expect((await api(other, "GET", `/v1/therapy-sessions/${moved.body.id}`)).status).toBe(404);
    const denied = await createDatabase(testConfig(), "eu")
      .select({ outcome: auditLog.outcome })
      .from(auditLog)
      .where(and(eq(auditLog.actorId, other.id), eq(auditLog.action, "session.read")));
    expect(denied.map((d) => d.outcome)).toEqual(["denied"]);
  });

  it("ICS: one event per booking and a feed, CRLF lines, UTC times, no clinical detail", async () => {
    const { clinician, patients } = await practice();
    const [p] = patients;
    const s = await api(p!, "POST", "/v1/therapy-sessions", followUp(clinician.id, at(9, 13)));
    const one = await api(p!, "GET", `/v1/therapy-sessions/${s.body.id}/calendar.ics`);
    expect(one.status).toBe(200);
    expect(one.type).toContain("text/calendar");
    expect(one.text.startsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")).toBe(true);
    expect(one.text.endsWith("END:VCALENDAR\r\n")).toBe(true);
    expect(one.text).toContain(`UID:${s.body.id}@haven.health\r\n`);
    expect(one.text).toContain(`DTSTART:${at(9, 13).replace(/[-:]/g, "").replace(".000", "")}\r\n`);
    expect(one.text.split("\r\n").every((l) => new TextEncoder().encode(l).length <= 75)).toBe(true);
    const feed = await api(p!, "GET", "/v1/me/therapy-sessions/calendar.ics");
    expect(feed.text.match(/BEGIN:VEVENT/g)).toHaveLength(1);
  });
});
