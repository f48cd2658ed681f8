import { and, eq, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  aiCalls,
  auditLog,
  companionFeedback,
  companionSummaries,
  riskEvents,
  therapySessions,
} from "../workers/db/schema";
import { SUMMARY_PROMPT_VERSION } from "../workers/features/companion/summary";
import { createDatabase } from "../workers/lib/db";
import { createUser, type TestUser, testConfig } from "./fixtures";
import { call } from "./helpers";
import { api, practice } from "./sessions-helpers";

type Summary = {
  patientId: string;
  aiGenerated: boolean;
  label: string;
  window: { from: string; basis: string; days: number };
  draft: { overview: string; themes: string[]; moodTrend: string; exercisesTried: string };
  facts: {
    mood: { checkIns: number; trend: string; average: number };
    exercises: Array<{ slug: string; replies: number; ratedHelpful: number }>;
    themes: Array<{ label: string; source: string }>;
  };
  riskEvents: Array<{ severity: string; categories: string[]; source: string }>;
};

const path = (p: TestUser) => `/v1/patients/${p.id}/companion-summary`;
const grant = (p: TestUser) => api(p, "POST", "/v1/me/consents/care_plan_context/grant", {});
const DAY = 86_400_000;

/** A patient on a clinician's team with a completed session 10 days ago and data since then. */
async function patientWithHistory() {
  const { clinician, patients } = await practice([{ region: "eu" }]);
  const patient = patients[0] as TestUser;
  const db = createDatabase(testConfig(), patient.region);
  const ended = new Date(Date.now() - 10 * DAY);
  await db.insert(therapySessions).values({
    id: crypto.randomUUID(),
    patientId: patient.id,
    clinicianId: clinician.id,
    clinicianRegion: clinician.region,
    sessionType: "follow-up",
    startsAt: new Date(ended.getTime() - 50 * 60_000),
    endsAt: ended,
    status: "completed",
    bookedBy: patient.id,
  });
  // Mood falls over the window; one check-in before the session stays outside it.
  const moods = [
    { score: 2, daysAgo: 12 },
    { score: 7, daysAgo: 9 },
    { score: 6, daysAgo: 7 },
    { score: 4, daysAgo: 4 },
    { score: 3, daysAgo: 2 },
  ];
  for (const m of moods) {
    const res = await api(patient, "POST", "/v1/me/tracking", {
      kind: "mood",
      score: m.score,
      tags: ["anxious"],
      note: "secret journal words",
      recordedAt: new Date(Date.now() - m.daysAgo * DAY).toISOString(),
    });
    expect(res.status).toBe(201);
  }
  await db.insert(aiCalls).values([
    ...[1, 2].map(() => ({
      patientId: patient.id,
      purpose: "reply" as const,
      model: "m",
      promptVersion: "p",
      latencyMs: 5,
      outcome: "ok",
      grounding: ["sleep-hygiene"],
    })),
  ]);
  await db.insert(companionFeedback).values({
    patientId: patient.id,
    seq: 4,
    helpful: true,
    librarySlug: "sleep-hygiene",
    promptVersion: "p",
  });
  await db.insert(riskEvents).values([
    {
      userId: patient.id,
      seq: 9,
      severity: "high",
      categories: ["suicidal_ideation"],
      ruleIds: ["r1"],
      source: "edge",
      createdAt: new Date(Date.now() - 3 * DAY),
    },
    {
      userId: patient.id,
      seq: 2,
      severity: "elevated",
      categories: ["self_harm"],
      ruleIds: ["r2"],
      source: "edge",
      createdAt: new Date(Date.now() - 20 * DAY),
    },
  ]);
  return { clinician, patient, db };
}

const summaryAudits = (db: ReturnType<typeof createDatabase>, patientId: string) =>
  db
    .select({ action: auditLog.action, outcome: auditLog.outcome, actorId: auditLog.actorId })
    .from(auditLog)
    .where(and(eq(auditLog.patientId, patientId), like(auditLog.action, "companion.summary.%")));

describe("between-session summary", () => {
  it("consent off: refused with a problem naming the consent, nothing read, no model call, denial audited", async () => {
    const { clinician, patient, db } = await patientWithHistory();
    for (const [who, method] of [
      [clinician, "POST"],
      [clinician, "GET"],
      [patient, "POST"],
    ] as const) {
      const res = await api(who, method, path(patient));
      expect(res.status).toBe(403);
      expect(res.type).toContain("application/problem+json");
      expect(res.body.consent).toBe("care_plan_context");
      expect(res.text).not.toContain("anxious");
    }
    const audits = await summaryAudits(db, patient.id);
    expect(audits.map((a) => a.outcome).sort()).toEqual(["denied", "denied", "denied"]);
    expect(await db.select().from(aiCalls).where(eq(aiCalls.purpose, "summary"))).not.toContainEqual(
      expect.objectContaining({ patientId: patient.id }),
    );
    expect(
      await db.select().from(companionSummaries).where(eq(companionSummaries.patientId, patient.id)),
    ).toEqual([]);
  });

  it("consent on: the care team generates it deterministically, encrypted at rest, audited, in the AI trail; the patient sees the same", async () => {
    const { clinician, patient, db } = await patientWithHistory();
    expect((await grant(patient)).status).toBe(200);
    expect((await api(clinician, "GET", path(patient))).status).toBe(404); // none yet

    const first = await api(clinician, "POST", path(patient));
    expect(first.status).toBe(200);
    const s = first.body as unknown as Summary;
    expect(s.aiGenerated).toBe(true);
    expect(s.label).toMatch(/AI-generated/);
    expect(s.window.basis).toBe("last_session");
    expect(s.window.days).toBe(10);
    // Facts from the data since the session: four check-ins (7, 6, 4, 3), falling.
    expect(s.facts.mood).toMatchObject({ checkIns: 4, trend: "worsening", average: 5 });
    expect(s.facts.exercises).toEqual([
      {
        slug: "sleep-hygiene",
        title: "Sleep: habits that help",
        replies: 2,
        ratedHelpful: 1,
        ratedNotHelpful: 0,
      },
    ]);
    expect(s.draft.moodTrend).toBe(
      "[offline draft] 4 mood check-ins, average 5/10 (lowest 3, highest 7); trend: worsening.",
    );
    expect(s.draft.themes).toEqual(["Sleep: habits that help (2)", "anxious (4)"]);
    // Risk events come from the records (only the one inside the window), never from the model.
    expect(s.riskEvents).toEqual([
      expect.objectContaining({ severity: "high", categories: ["suicidal_ideation"], source: "edge" }),
    ]);
    // No note text went anywhere.
    expect(first.text).not.toContain("secret journal words");

    // Deterministic: regenerating gives the same draft.
    const again = await api(clinician, "POST", path(patient));
    expect((again.body as unknown as Summary).draft).toEqual(s.draft);

    // The patient reads the same summary.
    const own = await api(patient, "GET", path(patient));
    expect(own.status).toBe(200);
    expect((own.body as unknown as Summary).draft).toEqual(s.draft);

    // Encrypted at rest: the raw row holds no readable draft.
    const [raw] = await db
      .select()
      .from(companionSummaries)
      .where(eq(companionSummaries.patientId, patient.id));
    expect(raw?.promptVersion).toBe(SUMMARY_PROMPT_VERSION);
    expect(raw?.contentEnc).not.toMatch(/offline draft|anxious|Sleep|mood|worsening/);
    expect(raw?.contentEnc.length).toBeGreaterThan(100);

    // The AI trail holds the two summary calls, without content.
    const trail = await db
      .select()
      .from(aiCalls)
      .where(and(eq(aiCalls.patientId, patient.id), eq(aiCalls.purpose, "summary")));
    expect(trail.map((t) => [t.outcome, t.promptVersion, t.grounding])).toEqual([
      ["ok", SUMMARY_PROMPT_VERSION, ["sleep-hygiene"]],
      ["ok", SUMMARY_PROMPT_VERSION, ["sleep-hygiene"]],
    ]);
    expect(JSON.stringify(trail)).not.toMatch(/offline draft|anxious/);

    // Audit: inputs read and generation by the clinician, reads by the patient.
    const audits = await summaryAudits(db, patient.id);
    const by = (actor: string, action: string) =>
      audits.filter((a) => a.actorId === actor && a.action === action && a.outcome === "success").length;
    expect(by(clinician.id, "companion.summary.inputs_read")).toBe(4);
    expect(by(clinician.id, "companion.summary.generate")).toBe(2);
    expect(by(patient.id, "companion.summary.read")).toBe(1);
    expect(by(patient.id, "companion.summary.risk_read")).toBe(1);
  });

  it("a clinician on another patient's team, another patient, break-glass-less admins: 404, audited as denied", async () => {
    const { patient, db } = await patientWithHistory();
    await grant(patient);
    const { clinician: other } = await practice([{ region: "us" }]);
    const otherPatient = await createUser("patient", "eu");
    const admin = await createUser("admin", "us");
    for (const who of [other, otherPatient, admin]) {
      expect((await api(who, "POST", path(patient))).status).toBe(404);
      expect((await api(who, "GET", path(patient))).status).toBe(404);
    }
    expect(
      await db.select().from(companionSummaries).where(eq(companionSummaries.patientId, patient.id)),
    ).toEqual([]);
    const denied = (await summaryAudits(db, patient.id)).filter((a) => a.outcome === "denied");
    expect(denied.length).toBe(6);
  });

  it("no completed session: the window is the last 14 days", async () => {
    const patient = await createUser("patient", "us");
    await grant(patient);
    const ok = await api(patient, "POST", path(patient));
    expect(ok.status).toBe(200);
    expect((ok.body as unknown as Summary).window).toMatchObject({ basis: "default", days: 14 });
    expect((ok.body as unknown as Summary).draft.moodTrend).toBe(
      "[offline draft] No mood check-ins in this period.",
    );
  });

  it("pages: the clinician's chart and the patient's page show it labelled AI-generated, with a Regenerate form", async () => {
    const { clinician, patient } = await patientWithHistory();
    const csrf = "test-csrf-token-0123456789";
    const page = (user: TestUser, url: string, init: RequestInit = {}) =>
      call(url, {
        redirect: "manual",
        ...init,
        headers: { cookie: `haven_at=${user.token}; haven_csrf=${csrf}`, ...(init.headers ?? {}) },
      });
    const chart = `/clinician/patients/${patient.id}`;
    const before = await (await page(clinician, chart)).text();
    expect(before).toContain("Between-session summary");
    expect(before).toContain("has not consented to between-session summaries");
    expect(before).not.toContain("Generate summary");
    await grant(patient);
    const empty = await (await page(clinician, chart)).text();
    expect(empty).toContain("Generate summary");
    const posted = await page(clinician, `${chart}/summary`, {
      method: "POST",
      body: new URLSearchParams({ csrf }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get("location")).toBe(`${chart}?saved=summary#summary`);
    const html = await (await page(clinician, chart)).text();
    expect(html).toContain('<span class="ai-label">AI-generated</span>');
    expect(html).toContain("trend: worsening");
    expect(html).toContain("from the records, not the model");
    expect(html).toMatch(/<strong>high<\/strong> \(suicidal ideation\)/);
    expect(html).toContain(`action="/clinician/patients/${patient.id}/summary"`);
    expect(html).toContain(">Regenerate</button>");

    const own = await page(patient, "/summary");
    expect(own.status).toBe(200);
    const ownHtml = await own.text();
    expect(ownHtml).toContain("AI-generated");
    expect(ownHtml).toContain("trend: worsening");
    expect(ownHtml).toContain('action="/summary/regenerate"');
    const regenerated = await page(patient, "/summary/regenerate", {
      method: "POST",
      body: new URLSearchParams({ csrf }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(regenerated.status).toBe(303);
    // Other clinicians never reach the page's section (the chart itself is a 404 for them).
    const { clinician: other } = await practice([{ region: "us" }]);
    expect((await page(other, chart)).status).toBe(404);
    expect((await page(clinician, "/summary")).status).toBe(404);
  });
});
