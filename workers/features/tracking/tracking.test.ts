import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addToCareTeam } from "../../../test/chat-helpers";
import { createUser, type TestUser, testConfig } from "../../../test/fixtures";
import { call } from "../../../test/helpers";
import {
  careAlerts,
  medicationDoses,
  medications,
  riskEvents,
  riskSignals,
  trackingEntries,
  users,
} from "../../db/schema";
import { createDatabase } from "../../lib/db";
import { userCipher } from "../../lib/user-cipher";
import { missedStreak, moodDrop } from "./detectors";

const db = () => createDatabase(testConfig(), "us");
const send = (user: TestUser | null, method: string, path: string, body?: unknown) =>
  call(path, {
    method,
    headers: { "content-type": "application/json", ...user?.auth },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

describe("mood-drop detector (against the person's own baseline)", () => {
  const at = new Date("2026-11-20T12:00:00Z");
  const point = (score: number, daysBefore: number, id = crypto.randomUUID()) => ({
    id,
    score,
    recordedAt: new Date(at.getTime() - daysBefore * DAY),
  });
  const current = { id: "now", score: 3, recordedAt: at };

  it("fires on a 3-point drop under the mean of at least 3 earlier check-ins", () => {
    expect(moodDrop(current, [point(6, 1), point(6, 2), point(6, 3)])).toEqual({
      baseline: 6,
      score: 3,
      drop: 3,
      samples: 3,
      severity: "low",
    });
  });
  it("is moderate at a drop of 5 or a score of 2 or less", () => {
    expect(moodDrop({ ...current, score: 2 }, [point(7, 1), point(7, 2), point(7, 3)])?.severity).toBe(
      "moderate",
    );
    expect(moodDrop({ ...current, score: 2 }, [point(5, 1), point(5, 2), point(5, 3)])?.severity).toBe(
      "moderate",
    );
  });
  it("does not fire on a 2.9-point drop, with fewer than 3 earlier check-ins, or on old ones", () => {
    expect(moodDrop(current, [point(6, 1), point(6, 2), point(5, 3)])).toBeNull(); // mean 5.67
    expect(moodDrop(current, [point(9, 1), point(9, 2)])).toBeNull();
    expect(moodDrop(current, [point(9, 15), point(9, 16), point(9, 20)])).toBeNull();
    // Later check-ins and the entry itself are not part of its baseline.
    expect(
      moodDrop(current, [point(9, -1), point(9, -2), point(9, -3), { ...current, score: 3 }]),
    ).toBeNull();
  });
});

describe("missed-medication streak detector", () => {
  const d = (...s: ("taken" | "missed" | "skipped")[]) =>
    s.map((status, i) => ({ id: String(i), status, recordedAt: new Date(Date.now() - i * DAY) }));
  it("fires at 3 missed in a row (newest first), and again at 6", () => {
    expect(missedStreak(d("missed", "missed", "missed", "taken"))).toEqual({ streak: 3 });
    expect(missedStreak(d("missed", "missed", "missed", "missed", "missed", "missed"))).toEqual({
      streak: 6,
    });
  });
  it("does not fire at 2, at 4 (already signalled at 3), or when a skip or a dose breaks the run", () => {
    expect(missedStreak(d("missed", "missed", "taken", "missed"))).toBeNull();
    expect(missedStreak(d("missed", "missed", "missed", "missed"))).toBeNull();
    expect(missedStreak(d("missed", "skipped", "missed", "missed"))).toBeNull();
    expect(missedStreak(d("taken", "missed", "missed", "missed"))).toBeNull();
  });
});

describe("self-tracking API", () => {
  it("logs a mood check-in with its note encrypted at rest under the owner's key", async () => {
    const p = await createUser("patient");
    const res = await send(p, "POST", "/v1/me/tracking", {
      kind: "mood",
      score: 7,
      tags: ["calm", "hopeful"],
      note: "walked by the river with my sister",
    });
    expect(res.status).toBe(201);
    const entry = (await res.json()) as { id: string; note: string; tags: string[]; signal: unknown };
    expect(entry).toMatchObject({
      note: "walked by the river with my sister",
      tags: ["calm", "hopeful"],
      signal: null,
    });
    const [row] = await db().select().from(trackingEntries).where(eq(trackingEntries.id, entry.id));
    expect(row?.noteEnc).toBeTruthy();
    expect(row?.noteEnc).not.toContain("river");
    const [u] = await db().select({ w: users.dataKeyWrapped }).from(users).where(eq(users.id, p.id));
    const cipher = await userCipher(testConfig(), p.id, u?.w ?? null);
    expect(await cipher?.decrypt(`tracking.note:${entry.id}`, row?.noteEnc ?? "")).toBe(
      "walked by the river with my sister",
    );
  });

  it("records a mood drop as a risk signal (and none for a steady mood)", async () => {
    const p = await createUser("patient");
    for (const [score, days] of [
      [7, 3],
      [8, 2],
      [7, 1],
    ] as const) {
      const r = await send(p, "POST", "/v1/me/tracking", { kind: "mood", score, recordedAt: ago(days) });
      expect(((await r.json()) as { signal: unknown }).signal).toBeNull();
    }
    const steady = await send(p, "POST", "/v1/me/tracking", { kind: "mood", score: 6 });
    expect(((await steady.json()) as { signal: unknown }).signal).toBeNull();
    const low = await send(p, "POST", "/v1/me/tracking", { kind: "mood", score: 2 });
    const body = (await low.json()) as { id: string; signal: unknown };
    expect(body.signal).toEqual({ kind: "mood_drop", severity: "moderate" });
    const signals = await db().select().from(riskSignals).where(eq(riskSignals.userId, p.id));
    expect(signals.map((s) => [s.kind, s.sourceId, s.detail])).toEqual([
      ["mood_drop", body.id, { baseline: 7, score: 2, drop: 5, samples: 4 }],
    ]);
  });

  it("logs symptoms, sleep and a journal entry; refuses bad input with 422 naming the field", async () => {
    const p = await createUser("patient");
    const ok = await Promise.all([
      send(p, "POST", "/v1/me/tracking", { kind: "symptom", score: 6, tags: ["headache", "fatigue"] }),
      send(p, "POST", "/v1/me/tracking", { kind: "sleep", hours: 6.6, score: 4 }),
      send(p, "POST", "/v1/me/tracking", { kind: "journal", note: "A long day." }),
    ]);
    expect(ok.map((r) => r.status)).toEqual([201, 201, 201]);
    const list = (await (await send(p, "GET", "/v1/me/tracking?days=7")).json()) as {
      entries: { kind: string; hours: number | null }[];
    };
    expect(list.entries.map((e) => e.kind).sort()).toEqual(["journal", "sleep", "symptom"]);
    expect(list.entries.find((e) => e.kind === "sleep")?.hours).toBe(6.5);
    const bad = await Promise.all([
      send(p, "POST", "/v1/me/tracking", { kind: "mood", score: 11 }),
      send(p, "POST", "/v1/me/tracking", { kind: "mood", score: 5, tags: ["euphoric"] }),
      send(p, "POST", "/v1/me/tracking", {
        kind: "mood",
        score: 5,
        recordedAt: new Date(Date.now() + DAY).toISOString(),
      }),
    ]);
    expect(bad.map((r) => r.status)).toEqual([422, 422, 422]);
    const text = await bad[0]?.text();
    expect(text).toContain("score");
  });

  it("crisis language in a note gets the crisis response and the lines to call at once, over the API and on the page; the care team is alerted without the words", async () => {
    const p = await createUser("patient");
    const clinician = await createUser("clinician");
    await addToCareTeam(p, clinician);
    const plain = await send(p, "POST", "/v1/me/tracking", { kind: "journal", note: "A long day at work." });
    const plainBody = (await plain.json()) as { crisis: unknown };
    expect(plainBody, JSON.stringify(plainBody)).toHaveProperty("crisis", null);
    const res = await send(p, "POST", "/v1/me/tracking", {
      kind: "journal",
      note: "I can't do this anymore. I want to kill myself tonight, I have the pills.",
    });
    expect(res.status).toBe(201);
    const entry = (await res.json()) as {
      id: string;
      crisis: { severity: string; message: string; resources: { name: string; phone?: string }[] } | null;
    };
    expect(entry.crisis?.severity).toBe("imminent");
    expect(entry.crisis?.message).toMatch(/911|988/);
    expect(entry.crisis?.resources.some((r) => r.phone === "988")).toBe(true);
    expect(entry.crisis).toMatchObject({ careTeamAlerted: true });
    // A risk event with rule ids only, and the clinician's inbox row.
    const events = await db().select().from(riskEvents).where(eq(riskEvents.userId, p.id));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ source: "note", severity: "imminent" });
    expect(events[0]?.seq).toBeLessThan(0);
    expect(JSON.stringify(events)).not.toMatch(/have the pills|do this anymore/);
    const inbox = await db()
      .select()
      .from(careAlerts)
      .where(and(eq(careAlerts.patientId, p.id), eq(careAlerts.clinicianId, clinician.id)));
    expect(inbox).toMatchObject([{ seq: events[0]?.seq, severity: "imminent" }]);
    const timeline = await (await send(clinician, "GET", `/v1/patients/${p.id}/timeline`)).text();
    expect(timeline).toContain("a note the patient wrote");
    expect(timeline).not.toContain("pills");
    // A mood note, and an edit that adds the words, are read too; an ordinary edit is not a crisis.
    const mood = await send(p, "POST", "/v1/me/tracking", {
      kind: "mood",
      score: 3,
      note: "everyone would be better off without me",
    });
    expect(((await mood.json()) as { crisis: { severity: string } }).crisis.severity).toBe("elevated");
    const edited = await send(p, "PUT", `/v1/me/tracking/${entry.id}`, { note: "Better now." });
    expect(((await edited.json()) as { crisis: unknown }).crisis).toBeNull();
    // Reading the entries never carries it.
    expect(await (await send(p, "GET", "/v1/me/tracking?days=7")).text()).not.toContain('"crisis"');

    const csrf = "test-csrf-token-0123456789";
    const page = await call("/track/journal", {
      method: "POST",
      redirect: "manual",
      headers: {
        cookie: `haven_at=${p.token}; haven_csrf=${csrf}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ csrf, note: "I'm going to end my life tonight." }),
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain('href="tel:988"');
    expect(html).toContain("have to go through this alone");
  });

  it("lets only the owner edit and delete an entry", async () => {
    const [p, other] = await Promise.all([createUser("patient"), createUser("patient")]);
    const { id } = (await (await send(p, "POST", "/v1/me/tracking", { kind: "mood", score: 4 })).json()) as {
      id: string;
    };
    expect((await send(other, "PUT", `/v1/me/tracking/${id}`, { score: 9 })).status).toBe(404);
    expect((await send(other, "DELETE", `/v1/me/tracking/${id}`)).status).toBe(404);
    const edited = await send(p, "PUT", `/v1/me/tracking/${id}`, { score: 5, note: "better after lunch" });
    expect(await edited.json()).toMatchObject({ score: 5, note: "better after lunch" });
    expect((await send(p, "PUT", `/v1/me/tracking/${id}`, { hours: 3 })).status).toBe(422);
    expect((await send(p, "DELETE", `/v1/me/tracking/${id}`)).status).toBe(204);
    expect(await db().select().from(trackingEntries).where(eq(trackingEntries.id, id))).toEqual([]);
  });

  it("shows the care team scores always but a note only when the patient shared it", async () => {
    const [p, clinician] = await Promise.all([createUser("patient"), createUser("clinician")]);
    await addToCareTeam(p, clinician);
    await send(p, "POST", "/v1/me/tracking", { kind: "mood", score: 5, note: "private words" });
    await send(p, "POST", "/v1/me/tracking", { kind: "mood", score: 4, note: "shared words", shared: true });
    const res = await send(clinician, "GET", `/v1/patients/${p.id}/tracking`);
    const body = (await res.json()) as { entries: { score: number; note: string | null }[] };
    expect(body.entries.map((e) => [e.score, e.note]).sort()).toEqual([
      [4, "shared words"],
      [5, null],
    ]);
  });
});

describe("medications", () => {
  it("stores name, dose and schedule encrypted; 3 missed doses in a row become a signal", async () => {
    const p = await createUser("patient");
    const med = (await (
      await send(p, "POST", "/v1/me/medications", { name: "Sertraline", dose: "50 mg", schedule: "mornings" })
    ).json()) as { id: string; name: string };
    expect(med.name).toBe("Sertraline");
    const [row] = await db().select().from(medications).where(eq(medications.id, med.id));
    expect(`${row?.nameEnc}${row?.doseEnc}${row?.scheduleEnc}`).not.toMatch(/Sertraline|50 mg|mornings/);
    const dose = (status: string, extra = {}) =>
      send(p, "POST", `/v1/me/medications/${med.id}/doses`, { status, ...extra });
    expect((await dose("taken")).status).toBe(201);
    const skipped = await dose("skipped", { reason: "felt sick" });
    expect(await skipped.json()).toMatchObject({ status: "skipped", reason: "felt sick", signal: null });
    const [skipRow] = await db()
      .select()
      .from(medicationDoses)
      .where(and(eq(medicationDoses.status, "skipped"), eq(medicationDoses.userId, p.id)));
    expect(skipRow?.reasonEnc).toBeTruthy();
    expect(skipRow?.reasonEnc).not.toContain("sick");
    await dose("missed");
    await dose("missed");
    const third = (await (await dose("missed")).json()) as { id: string; signal: unknown };
    expect(third.signal).toEqual({ kind: "missed_medication", severity: "low" });
    const signals = await db().select().from(riskSignals).where(eq(riskSignals.userId, p.id));
    expect(signals.map((s) => [s.kind, s.sourceId, s.detail])).toEqual([
      ["missed_medication", third.id, { streak: 3 }],
    ]);
    const list = (await (await send(p, "GET", "/v1/me/medications")).json()) as {
      medications: { adherence: number; recentDoses: unknown[] }[];
    };
    expect(list.medications[0]?.recentDoses).toHaveLength(5);
    expect(list.medications[0]?.adherence).toBe(0.2);
  });

  it("refuses a dose on someone else's medication (404) and writes nothing", async () => {
    const [p, other] = await Promise.all([createUser("patient"), createUser("patient")]);
    const med = (await (await send(p, "POST", "/v1/me/medications", { name: "Lithium" })).json()) as {
      id: string;
    };
    const res = await send(other, "POST", `/v1/me/medications/${med.id}/doses`, { status: "taken" });
    expect(res.status).toBe(404);
    expect(await db().select().from(medicationDoses).where(eq(medicationDoses.medicationId, med.id))).toEqual(
      [],
    );
    expect((await send(other, "DELETE", `/v1/me/medications/${med.id}`)).status).toBe(404);
  });
});
