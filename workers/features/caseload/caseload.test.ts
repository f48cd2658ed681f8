import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addToCareTeam } from "../../../test/chat-helpers";
import { createUser, type TestUser, testConfig } from "../../../test/fixtures";
import { call } from "../../../test/helpers";
import {
  assessmentResponses,
  breakGlass,
  careAlertActions,
  careAlerts,
  riskEvents,
  riskSignals,
} from "../../db/schema";
import { createDatabase } from "../../lib/db";
import { createLogger } from "../../lib/logger";
import { realertDue } from "../alerts/triage";
import { rank } from "./service";

const db = () => createDatabase(testConfig(), "us");
const get = (user: TestUser, path: string) => call(path, { headers: user.auth });
const post = (user: TestUser, path: string, body: unknown) =>
  call(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...user.auth },
    body: JSON.stringify(body),
  });
const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000);

async function score(patientId: string, total: number, band: string, minutesAgo: number, extra = {}) {
  await db()
    .insert(assessmentResponses)
    .values({
      patientId,
      instrument: "phq-9",
      version: "test",
      total,
      band,
      answersEnc: "x",
      submittedAt: at(minutesAgo),
      ...extra,
    });
}

async function alert(
  clinicianId: string,
  patientId: string,
  severity: string,
  minutesAgo: number,
  seq: number,
) {
  const [row] = await db()
    .insert(careAlerts)
    .values({ clinicianId, patientId, seq, severity, createdAt: at(minutesAgo) })
    .returning();
  return row?.id ?? "";
}

describe("risk timeline", () => {
  it("orders every kind of event newest first, with who acknowledged", async () => {
    const [p, c] = await Promise.all([createUser("patient"), createUser("clinician")]);
    await addToCareTeam(p, c);
    await db()
      .insert(riskEvents)
      .values({
        userId: p.id,
        seq: 3,
        severity: "imminent",
        categories: [],
        ruleIds: ["r1"],
        source: "edge",
        createdAt: at(50),
      });
    const alertId = await alert(c.id, p.id, "imminent", 49, 3);
    await score(p.id, 21, "severe", 40, { previousTotal: 12, change: "worse" });
    await db()
      .insert(riskSignals)
      .values({
        userId: p.id,
        kind: "mood_drop",
        severity: "moderate",
        detail: { baseline: 7, score: 2 },
        sourceId: crypto.randomUUID(),
        createdAt: at(30),
      });
    expect((await post(c, `/v1/clinician/alerts/${alertId}/acknowledge`, {})).status).toBe(200);
    expect(
      (await post(c, `/v1/clinician/alerts/${alertId}/notes`, { note: "Called her, safe at home" })).status,
    ).toBe(201);
    const res = await get(c, `/v1/patients/${p.id}/timeline`);
    expect(res.status).toBe(200);
    const { events } = (await res.json()) as {
      events: { kind: string; title: string; actorName: string | null; note: string | null; at: string }[];
    };
    expect(events.map((e) => e.kind)).toEqual([
      "alert_note",
      "alert_acknowledged",
      "mood_drop",
      "score",
      "alert",
      "crisis",
    ]);
    const times = events.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(events[0]).toMatchObject({
      note: "Called her, safe at home",
      actorName: `clinician ${c.id.slice(0, 4)}`,
    });
    expect(events[1]?.actorName).toBe(`clinician ${c.id.slice(0, 4)}`);
    expect(events[3]?.title).toBe("PHQ-9 21 (severe, was 12, worse)");
    expect(events[5]?.title).toContain("companion chat");
    // The note is sealed with the patient's key at rest.
    const [action] = await db().select().from(careAlertActions).where(eq(careAlertActions.alertId, alertId));
    expect(action?.noteEnc).not.toContain("safe at home");
    // Not for the patient, other clinicians or other patients.
    const stranger = await createUser("clinician");
    expect((await get(stranger, `/v1/patients/${p.id}/timeline`)).status).toBe(404);
    expect((await get(p, `/v1/patients/${p.id}/timeline`)).status).toBe(404);
  });
});

describe("caseload", () => {
  it("ranks by recent risk with reasons, shows last scores and trends, filters and searches", async () => {
    const c = await createUser("clinician");
    const [calm, urgent, worse, other] = await Promise.all([
      createUser("patient"),
      createUser("patient"),
      createUser("patient"),
      createUser("patient"),
    ]);
    for (const p of [calm, urgent, worse]) await addToCareTeam(p, c);
    await score(calm.id, 4, "minimal", 100);
    await score(worse.id, 8, "mild", 200);
    await score(worse.id, 16, "moderately_severe", 100, { previousTotal: 8, change: "worse" });
    await alert(c.id, urgent.id, "imminent", 10, 1);
    const res = await get(c, "/v1/clinician/caseload");
    const body = (await res.json()) as {
      total: number;
      patients: {
        patientId: string;
        name: string;
        reasons: string[];
        scores: { trend: string; total: number }[];
      }[];
    };
    expect(body.total).toBe(3);
    expect(body.patients.map((p) => p.patientId)).toEqual([urgent.id, worse.id, calm.id]);
    expect(body.patients.map((p) => p.patientId)).not.toContain(other.id);
    expect(body.patients[0]?.reasons[0]).toBe("1 unacknowledged alert (highest: imminent)");
    expect(body.patients[1]?.scores).toMatchObject([{ total: 16, trend: "up" }]);
    expect(body.patients[1]?.reasons).toEqual(["PHQ-9 reliably worse (8 → 16)"]);
    expect(body.patients[2]?.scores).toMatchObject([{ total: 4, trend: "first" }]);
    const alerts = (await (await get(c, "/v1/clinician/caseload?filter=alerts")).json()) as {
      patients: { patientId: string }[];
    };
    expect(alerts.patients.map((p) => p.patientId)).toEqual([urgent.id]);
    const search = (await (
      await post(c, "/v1/clinician/caseload/search", { q: calm.id.slice(0, 4) })
    ).json()) as {
      patients: { patientId: string }[];
    };
    expect(search.patients.map((p) => p.patientId)).toEqual([calm.id]);
    expect((await get(calm, "/v1/clinician/caseload")).status).toBe(404);
  });

  it("the ranking puts an unacknowledged alert above any crisis history, and explains it", () => {
    const base = {
      unacked_alerts: 0,
      unacked_top: 0,
      crisis_top: 0,
      crisis_count: 0,
      last_crisis_at: null,
      signal_top: 0,
      signal_count: 0,
    };
    const alerted = rank({ ...base, unacked_alerts: 1, unacked_top: 1 }, [], []);
    const crises = rank(
      { ...base, crisis_top: 4, crisis_count: 5, last_crisis_at: new Date() },
      [],
      ["phq-9"],
    );
    expect(alerted.riskScore).toBeGreaterThan(crises.riskScore);
    expect(crises.reasons).toEqual([
      "5 crisis events in 14 days (highest: imminent), last today",
      "PHQ-9 overdue",
    ]);
    expect(rank(base, [], []).riskScore).toBe(0);
  });
});

describe("alert triage", () => {
  it("escalates to an on-call colleague: break-glass grant, alert in their inbox, they can acknowledge", async () => {
    const [p, c, oncall] = await Promise.all([
      createUser("patient"),
      createUser("clinician"),
      createUser("clinician", "eu"),
    ]);
    await addToCareTeam(p, c);
    const alertId = await alert(c.id, p.id, "high", 5, 7);
    expect((await get(oncall, `/v1/patients/${p.id}/timeline`)).status).toBe(404);
    const bad = await post(c, `/v1/clinician/alerts/${alertId}/escalate`, {
      email: "nobody@example.test",
      reason: "On call tonight",
    });
    expect(bad.status).toBe(404);
    const self = await post(c, `/v1/clinician/alerts/${alertId}/escalate`, {
      clinicianId: c.id,
      reason: "To myself, wrongly",
    });
    expect(self.status).toBe(404);
    const res = await post(c, `/v1/clinician/alerts/${alertId}/escalate`, {
      clinicianId: oncall.id,
      reason: "On call tonight, please call",
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      actions: [{ kind: "escalation", targetId: oncall.id, note: "On call tonight, please call" }],
    });
    const grants = await db()
      .select()
      .from(breakGlass)
      .where(and(eq(breakGlass.patientId, p.id), eq(breakGlass.actorId, oncall.id)));
    expect(grants).toHaveLength(1);
    const inbox = (await (await get(oncall, "/v1/clinician/alerts")).json()) as {
      alerts: { id: string; patientId: string; patientName: string }[];
    };
    expect(inbox.alerts.map((a) => [a.patientId, a.patientName])).toEqual([
      [p.id, `patient ${p.id.slice(0, 4)}`],
    ]);
    const theirs = inbox.alerts[0]?.id ?? "";
    expect((await post(oncall, `/v1/clinician/alerts/${theirs}/acknowledge`, {})).status).toBe(200);
    expect((await get(oncall, `/v1/patients/${p.id}/timeline`)).status).toBe(200);
    // Someone else's alert: 404 for notes, escalation and detail.
    expect((await post(oncall, `/v1/clinician/alerts/${alertId}/notes`, { note: "x" })).status).toBe(404);
    expect((await get(oncall, `/v1/clinician/alerts/${alertId}`)).status).toBe(404);
  });

  it("re-alerts every unacknowledged crisis alert after the configured time, once per period (not wearable notices)", async () => {
    const [p, c] = await Promise.all([createUser("patient"), createUser("clinician")]);
    await addToCareTeam(p, c);
    const old = await alert(c.id, p.id, "imminent", 30, 11);
    const fresh = await alert(c.id, p.id, "high", 5, 12);
    const low = await alert(c.id, p.id, "low", 30, 13);
    const acked = await alert(c.id, p.id, "high", 30, 14);
    const wearable = await alert(c.id, p.id, "wearable", 30, 15);
    await post(c, `/v1/clinician/alerts/${acked}/acknowledge`, {});
    const base = { env, config: testConfig(), log: createLogger("error") };
    await realertDue(base, 15);
    const realerts = async () =>
      (
        await db()
          .select()
          .from(careAlertActions)
          .where(and(eq(careAlertActions.patientId, p.id), eq(careAlertActions.kind, "realert")))
      ).map((a) => a.alertId);
    // A low-severity crisis (a C-SSRS "wish to be dead", a PHQ-9 item 9 of 1) is re-sent too.
    expect([...(await realerts())].sort()).toEqual([old, low].sort());
    await realertDue(base, 15);
    expect([...(await realerts())].sort()).toEqual([old, low].sort());
    for (const id of [fresh, acked, wearable]) expect(await realerts()).not.toContain(id);
    const detail = (await (await get(c, `/v1/clinician/alerts/${old}`)).json()) as {
      actions: { kind: string; authorName: string }[];
    };
    expect(detail.actions).toMatchObject([{ kind: "realert", authorName: "Haven (scheduled re-alert)" }]);
  });
});
