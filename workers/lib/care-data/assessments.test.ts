import { describe, expect, it } from "vitest";
import { addToCareTeam } from "../../../test/chat-helpers";
import { createUser, testConfig } from "../../../test/fixtures";
import { createDatabase } from "../db";
import {
  assignWrites,
  type ChangeRule,
  dueState,
  insertAssessment,
  latestByPatient,
  latestScoresQuery,
  openAssignmentsQuery,
  teamAssignmentsQuery,
} from "./assessments";

const PHQ9: ChangeRule = { threshold: 6, better: "lower", response: true, remissionBelow: 5 };
const WHO5: ChangeRule = { threshold: 10, better: "higher", response: false, remissionBelow: null };

const row = (patientId: string, instrument: "phq-9" | "who-5", total: number) => ({
  id: crypto.randomUUID(),
  patientId,
  instrument,
  version: "test",
  total,
  band: "b",
  item9: instrument === "phq-9" ? 0 : null,
  safetyFlag: false,
  answersEnc: "x",
});

describe("assessment queries", () => {
  it("computes previous score, reliable change, response and remission in the insert", async () => {
    const p = await createUser("patient", "eu");
    const db = createDatabase(testConfig(), "eu");
    const [[first]] = await db.batch([insertAssessment(db, row(p.id, "phq-9", 18), PHQ9)]);
    expect(first).toMatchObject({ previousTotal: null, change: null, response: null, remission: false });
    const [[second]] = await db.batch([insertAssessment(db, row(p.id, "phq-9", 13), PHQ9)]);
    expect(second).toMatchObject({ previousTotal: 18, change: "no_reliable_change", response: false });
    const [[third]] = await db.batch([insertAssessment(db, row(p.id, "phq-9", 4), PHQ9)]);
    // 13 → 4 is −9 (reliable); 4 ≤ 18 / 2 is a response from baseline; 4 < 5 is remission.
    expect(third).toMatchObject({ previousTotal: 13, change: "improved", response: true, remission: true });
    const [[fourth]] = await db.batch([insertAssessment(db, row(p.id, "phq-9", 10), PHQ9)]);
    expect(fourth).toMatchObject({ previousTotal: 4, change: "worse", remission: false });
    // Higher is better on WHO-5: a 12-point fall is worse.
    await db.batch([insertAssessment(db, row(p.id, "who-5", 60), WHO5)]);
    const [[who]] = await db.batch([insertAssessment(db, row(p.id, "who-5", 48), WHO5)]);
    expect(who).toMatchObject({ previousTotal: 60, change: "worse", response: null, remission: null });
    expect(third?.seq).toBeGreaterThan(first?.seq ?? Infinity);

    const other = await createUser("patient", "eu");
    await db.batch([insertAssessment(db, row(other.id, "phq-9", 7), PHQ9)]);
    const latest = latestByPatient(await latestScoresQuery(db, [p.id, other.id]));
    expect(latest.get(p.id)?.["phq-9"]?.latest.total).toBe(10);
    expect(latest.get(p.id)?.["phq-9"]?.previous?.total).toBe(4);
    expect(latest.get(p.id)?.["who-5"]?.previous?.total).toBe(60);
    expect(latest.get(other.id)?.["phq-9"]).toMatchObject({ latest: { total: 7 }, previous: null });
    expect(latestByPatient(await latestScoresQuery(db, [])).size).toBe(0);
  });

  it("lists open assignments for the patient and for clinicians on the active care team", async () => {
    const p = await createUser("patient", "eu");
    const c = await createUser("clinician", "eu");
    const off = await createUser("clinician", "eu");
    await addToCareTeam(p, c);
    const db = createDatabase(testConfig(), "eu");
    const base = { patientId: p.id, clinicianId: c.id, instrument: "phq-9" as const };
    await db.batch([...assignWrites(db, { ...base, id: crypto.randomUUID(), cadenceDays: 14 })]);
    await db.batch([...assignWrites(db, { ...base, id: crypto.randomUUID(), cadenceDays: 7 })]);
    const mine = await openAssignmentsQuery(db, p.id);
    expect(mine.map((m) => [m.instrument, m.cadenceDays, m.lastCompletedAt])).toEqual([["phq-9", 7, null]]);
    expect((await teamAssignmentsQuery(db, c.id)).map((m) => m.patientId)).toEqual([p.id]);
    expect(await teamAssignmentsQuery(db, off.id)).toEqual([]);
    await db.batch([insertAssessment(db, row(p.id, "phq-9", 3), PHQ9)]);
    const [after] = await openAssignmentsQuery(db, p.id);
    expect(after?.lastCompletedAt).toBeInstanceOf(Date);
  });

  it("due state: first due at start, then a cadence after the last completion; overdue after 2 days", () => {
    const start = new Date("2026-01-01T00:00:00Z");
    const day = 86_400_000;
    const at = (d: number) => new Date(start.getTime() + d * day);
    expect(dueState({ startsAt: start, cadenceDays: 14, lastCompletedAt: null }, at(0)).status).toBe("due");
    expect(dueState({ startsAt: start, cadenceDays: 14, lastCompletedAt: null }, at(2.01)).status).toBe(
      "overdue",
    );
    const done = { startsAt: start, cadenceDays: 14, lastCompletedAt: at(1) };
    expect(dueState(done, at(14)).status).toBe("upcoming");
    expect(dueState(done, at(15)).status).toBe("due");
    expect(dueState(done, at(17)).status).toBe("due");
    expect(dueState(done, at(17.01)).status).toBe("overdue");
    expect(dueState(done, at(0)).dueAt.toISOString()).toBe(at(15).toISOString());
  });
});
