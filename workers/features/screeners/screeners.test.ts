import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addToCareTeam, connect } from "../../../test/chat-helpers";
import { createUser, type TestUser, testConfig } from "../../../test/fixtures";
import { call, problem, until } from "../../../test/helpers";
import { auditLog, notifications, riskEvents, screenerResponses, users } from "../../db/schema";
import { createDatabase } from "../../lib/db";
import { userCipher } from "../../lib/user-cipher";
import type { Region } from "../../lib/vocabulary";
import { triageCssrs } from "./triage";

const NO = { wishedDead: false, suicidalThoughts: false, behavior: false };
const IDEATION_NO = { method: false, intent: false, plan: false };

const submit = (user: TestUser | null, body: unknown) =>
  call("/v1/screeners/c-ssrs", {
    method: "POST",
    headers: { "content-type": "application/json", ...user?.auth },
    body: JSON.stringify(body),
  });
const get = (user: TestUser | null, path: string) => call(path, { headers: { ...user?.auth } });
const db = (region: Region = "us") => createDatabase(testConfig(), region);

const TRIAGE = [
  { name: "all no", answers: NO, risk: "none" },
  { name: "Q1 only", answers: { ...NO, wishedDead: true }, risk: "low" },
  { name: "Q2 yes, Q3–5 no", answers: { ...NO, suicidalThoughts: true, ...IDEATION_NO }, risk: "low" },
  {
    name: "Q3 method",
    answers: { ...NO, suicidalThoughts: true, ...IDEATION_NO, method: true },
    risk: "moderate",
  },
  {
    name: "Q6 more than 3 months ago",
    answers: { ...NO, behavior: true, behaviorPast3Months: false },
    risk: "moderate",
  },
  {
    name: "Q4 intent",
    answers: { ...NO, suicidalThoughts: true, ...IDEATION_NO, intent: true },
    risk: "high",
  },
  { name: "Q5 plan", answers: { ...NO, suicidalThoughts: true, ...IDEATION_NO, plan: true }, risk: "high" },
  {
    name: "Q6 within 3 months",
    answers: { ...NO, behavior: true, behaviorPast3Months: true },
    risk: "high",
  },
] as const;

const SKIP_LOGIC = [
  {
    name: "Q2 yes without Q3–5",
    body: { ...NO, suicidalThoughts: true },
    paths: ["json.method", "json.intent", "json.plan"],
  },
  {
    name: "Q2 yes with Q4 missing",
    body: { ...NO, suicidalThoughts: true, method: false, plan: false },
    paths: ["json.intent"],
  },
  { name: "Q3 answered although Q2 is no", body: { ...NO, method: true }, paths: ["json.method"] },
  {
    name: "Q6 yes without the 3-month follow-up",
    body: { ...NO, behavior: true },
    paths: ["json.behaviorPast3Months"],
  },
  {
    name: "3-month follow-up although Q6 is no",
    body: { ...NO, behaviorPast3Months: true },
    paths: ["json.behaviorPast3Months"],
  },
  { name: "Q1 missing", body: { suicidalThoughts: false, behavior: false }, paths: ["json.wishedDead"] },
  {
    name: "every problem at once (Q1 missing and Q3–5 missing)",
    body: { suicidalThoughts: true, behavior: false },
    paths: ["json.wishedDead", "json.method", "json.intent", "json.plan"],
  },
  { name: "not a boolean", body: { ...NO, wishedDead: "yes" }, paths: ["json.wishedDead"] },
  { name: "unknown field", body: { ...NO, notes: "free text" }, paths: ["json"] },
] as const;

describe("C-SSRS triage", () => {
  it.each(TRIAGE)("$name → $risk (pure)", ({ answers, risk }) => {
    expect(triageCssrs(answers)).toBe(risk);
  });

  it.each(TRIAGE)("$name → $risk (API, stored)", async ({ answers, risk }) => {
    const patient = await createUser("patient");
    const res = await submit(patient, answers);
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      patientId: patient.id,
      instrument: "c-ssrs",
      risk,
      urgent: risk === "high",
    });
    const [row] = await db()
      .select()
      .from(screenerResponses)
      .where(eq(screenerResponses.id, String(body.id)));
    expect(row).toMatchObject({ userId: patient.id, risk, instrument: "c-ssrs" });
    const events = await db().select().from(riskEvents).where(eq(riskEvents.userId, patient.id));
    expect(events.map((e) => e.severity)).toEqual(risk === "none" ? [] : [risk]);
  });

  it.each(SKIP_LOGIC)("422 $name, with field paths and no values", async ({ body, paths }) => {
    const patient = await createUser("patient");
    const res = await submit(patient, body);
    expect(res.status).toBe(422);
    const p = await problem(res);
    const got = (p.errors as Array<{ path: string }>).map((e) => e.path);
    expect([...new Set(got)].sort()).toEqual([...paths].sort());
    expect(JSON.stringify(p)).not.toContain("free text");
    const stored = await db()
      .select()
      .from(screenerResponses)
      .where(eq(screenerResponses.userId, patient.id));
    expect(stored).toEqual([]);
  });
});

describe("C-SSRS storage, audit and alerts", () => {
  it("encrypts answers at rest under the patient's key and audits the write", async () => {
    const patient = await createUser("patient");
    const answers = { ...NO, suicidalThoughts: true, ...IDEATION_NO, method: true };
    const res = await submit(patient, answers);
    const { id } = (await res.json()) as { id: string };
    const [row] = await db().select().from(screenerResponses).where(eq(screenerResponses.id, id));
    if (!row) throw new Error("no row");
    for (const leak of ["true", "false", "method", "suicidalThoughts", "wishedDead"])
      expect(row.answersEnc).not.toContain(leak);
    const [owner] = await db()
      .select({ wrapped: users.dataKeyWrapped })
      .from(users)
      .where(eq(users.id, patient.id));
    const cipher = await userCipher(testConfig(), patient.id, owner?.wrapped ?? null);
    expect(JSON.parse((await cipher?.decrypt(`screener.answers:${id}`, row.answersEnc)) ?? "")).toEqual(
      answers,
    );
    await expect(
      cipher?.decrypt(`screener.answers:${crypto.randomUUID()}`, row.answersEnc),
    ).rejects.toThrow();
    const audits = await db()
      .select({
        action: auditLog.action,
        outcome: auditLog.outcome,
        actorId: auditLog.actorId,
        resourceId: auditLog.resourceId,
      })
      .from(auditLog)
      .where(eq(auditLog.patientId, patient.id));
    expect(audits).toEqual([
      { action: "screener.create", outcome: "success", actorId: patient.id, resourceId: id },
    ]);
  });

  it("high risk: urgent message and resources, risk event, live alert to the care team, queued notification", async () => {
    const patient = await createUser("patient");
    const clinician = await createUser("clinician");
    const bystander = await createUser("clinician");
    await addToCareTeam(patient, clinician);
    const [dashboard, other] = await Promise.all([connect(clinician), connect(bystander)]);
    const res = await submit(patient, { ...NO, behavior: true, behaviorPast3Months: true });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ risk: "high", urgent: true, careTeamAlerted: true });
    expect(body.message).toMatch(/contact emergency services now/);
    expect(JSON.stringify(body.resources)).toMatch(/988/);
    const alert = await dashboard.waitFor((f) => f.type === "crisis_alert", 5000);
    expect(alert).toMatchObject({ patientId: patient.id, severity: "high" });
    expect(Object.keys(alert).sort()).toEqual(["alertId", "at", "patientId", "seq", "severity", "type"]);
    const [risk] = await db().select().from(riskEvents).where(eq(riskEvents.userId, patient.id));
    expect(risk).toMatchObject({
      severity: "high",
      source: "screener",
      categories: [],
      ruleIds: ["screener.c-ssrs"],
    });
    expect(risk?.seq).toBeLessThan(0);
    const queued = await db().select().from(notifications).where(eq(notifications.patientId, patient.id));
    expect(queued).toMatchObject([
      {
        recipientId: clinician.id,
        kind: "crisis_alert",
        severity: "high",
        status: "pending",
        seq: risk?.seq,
      },
    ]);
    await new Promise((r) => setTimeout(r, 200));
    expect(other.frames.some((f) => f.type === "crisis_alert")).toBe(false);
    dashboard.close();
    other.close();
  });

  it("moderate risk alerts too; two screeners never collide on the risk event or notification keys", async () => {
    const patient = await createUser("patient");
    const clinician = await createUser("clinician");
    await addToCareTeam(patient, clinician);
    const moderate = { ...NO, behavior: true, behaviorPast3Months: false };
    for (const _ of [1, 2]) expect((await submit(patient, moderate)).status).toBe(201);
    const events = await db().select().from(riskEvents).where(eq(riskEvents.userId, patient.id));
    expect(events.map((e) => e.severity)).toEqual(["moderate", "moderate"]);
    expect(new Set(events.map((e) => e.seq)).size).toBe(2);
    const queued = await until(async () => {
      const rows = await db().select().from(notifications).where(eq(notifications.patientId, patient.id));
      return rows.length === 2 ? rows : undefined;
    });
    expect(queued.every((n) => n.severity === "moderate" && n.recipientId === clinician.id)).toBe(true);
  });

  it("the free-text note goes through the safety net: all-no answers with a crisis note are high risk", async () => {
    const patient = await createUser("patient");
    const clinician = await createUser("clinician");
    await addToCareTeam(patient, clinician);
    const dashboard = await connect(clinician);
    const note = "honestly the pills are counted out, tonight after everyone is asleep";
    const res = await submit(patient, { ...NO, note });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ risk: "high", urgent: true, careTeamAlerted: true });
    expect(await dashboard.waitFor((f) => f.type === "crisis_alert", 5000)).toMatchObject({
      severity: "high",
    });
    const [risk] = await db().select().from(riskEvents).where(eq(riskEvents.userId, patient.id));
    expect(risk?.ruleIds[0]).toBe("screener.c-ssrs");
    expect(risk?.ruleIds.length).toBeGreaterThan(1);
    expect(JSON.stringify(risk)).not.toContain("pills");
    const calm = await submit(patient, { ...NO, note: "sleeping better since the new routine" });
    expect(await calm.json()).toMatchObject({ risk: "none" });
    expect((await submit(patient, { ...NO, note: "x".repeat(1001) })).status).toBe(422);
    dashboard.close();
  });

  it("a positive screen at low risk (Q1 only) still takes the safety path: risk event, alert, resources", async () => {
    const patient = await createUser("patient", "eu");
    const clinician = await createUser("clinician");
    await addToCareTeam(patient, clinician);
    const res = await submit(patient, { ...NO, wishedDead: true });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ risk: "low", urgent: false, careTeamAlerted: true });
    expect(JSON.stringify(body.resources)).toMatch(/112/);
    const events = await db("eu").select().from(riskEvents).where(eq(riskEvents.userId, patient.id));
    expect(events.map((e) => [e.severity, e.source])).toEqual([["low", "screener"]]);
    const queued = await db("eu").select().from(notifications).where(eq(notifications.patientId, patient.id));
    expect(queued.map((n) => [n.recipientId, n.severity])).toEqual([[clinician.id, "low"]]);
    // All no: nothing fires (which is not the same as "safe").
    const none = await submit(patient, NO);
    expect(await none.json()).toMatchObject({ risk: "none", careTeamAlerted: false });
    expect(await db("eu").select().from(riskEvents).where(eq(riskEvents.userId, patient.id))).toHaveLength(1);
  });
});

describe("C-SSRS history and access", () => {
  const answers = { ...NO, suicidalThoughts: true, method: true, intent: false, plan: false };

  it("GET /v1/screeners/c-ssrs: the patient's own history, decrypted, newest first, audited", async () => {
    const patient = await createUser("patient");
    await submit(patient, NO);
    await submit(patient, answers);
    const res = await get(patient, "/v1/screeners/c-ssrs");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { patientId: string; entries: Array<Record<string, unknown>> };
    expect(body.patientId).toBe(patient.id);
    expect(body.entries.map((e) => [e.risk, e.answers])).toEqual([
      ["moderate", answers],
      ["none", NO],
    ]);
    const reads = await db()
      .select({ outcome: auditLog.outcome })
      .from(auditLog)
      .where(and(eq(auditLog.patientId, patient.id), eq(auditLog.action, "screener.read")));
    expect(reads).toEqual([{ outcome: "success" }]);
    const other = await createUser("patient");
    const mine = (await (await get(other, "/v1/screeners/c-ssrs")).json()) as { entries: unknown[] };
    expect(mine.entries).toEqual([]);
  });

  it("GET /v1/patients/:id/screeners: care team and break-glass read; others 404 (audited); anonymous 401", async () => {
    const patient = await createUser("patient", "eu");
    const [team, offTeam, otherPatient, glass] = await Promise.all([
      createUser("clinician", "us"),
      createUser("clinician", "apac"),
      createUser("patient", "eu"),
      createUser("clinician", "us"),
    ]);
    await addToCareTeam(patient, team);
    await submit(patient, answers);
    const path = `/v1/patients/${patient.id}/screeners`;

    const ok = await get(team, path);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { entries: Array<{ answers: unknown }> }).entries[0]?.answers).toEqual(
      answers,
    );

    for (const actor of [offTeam, otherPatient, glass]) {
      const res = await get(actor, path);
      expect(res.status).toBe(404);
      expect(JSON.stringify(await problem(res))).not.toContain("moderate");
    }
    expect((await get(otherPatient, `/v1/patients/${crypto.randomUUID()}/screeners`)).status).toBe(404);
    expect((await get(null, path)).status).toBe(401);
    expect((await get(null, "/v1/screeners/c-ssrs")).status).toBe(401);
    expect((await submit(null, NO)).status).toBe(401);
    expect((await submit(team, NO)).status).toBe(404);

    const opened = await call(`/v1/patients/${patient.id}/break-glass`, {
      method: "POST",
      headers: { ...glass.auth, "content-type": "application/json" },
      body: JSON.stringify({ reason: "Screener check: urgent review of safety answers." }),
    });
    expect(opened.status).toBe(201);
    expect((await get(glass, path)).status).toBe(200);

    const rows = await db("eu")
      .select({ actorId: auditLog.actorId, outcome: auditLog.outcome })
      .from(auditLog)
      .where(and(eq(auditLog.patientId, patient.id), eq(auditLog.action, "screener.read")));
    const by = (u: TestUser) => rows.filter((r) => r.actorId === u.id).map((r) => r.outcome);
    expect(by(team)).toEqual(["success"]);
    expect(by(offTeam)).toEqual(["denied"]);
    expect(by(otherPatient)).toEqual(["denied"]);
    expect(by(glass)).toEqual(["denied", "success"]);
  });
});

describe("health-data consent", () => {
  it("without it nothing new is stored (403 naming the consent); re-granting restores", async () => {
    const patient = await createUser("patient", "eu");
    const post = (path: string) => call(path, { method: "POST", headers: patient.auth });
    expect((await post("/v1/me/consents/health_data/withdraw")).status).toBe(200);
    const refused = await submit(patient, NO);
    expect(refused.status).toBe(403);
    expect((await problem(refused)).consent).toBe("health_data");
    const stored = () =>
      db("eu").select().from(screenerResponses).where(eq(screenerResponses.userId, patient.id));
    expect(await stored()).toEqual([]);
    expect((await post("/v1/me/consents/health_data/grant")).status).toBe(200);
    expect((await submit(patient, NO)).status).toBe(201);
    expect(await stored()).toHaveLength(1);
  });
});
