import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { nextSessionFact, PROMPT_VERSION } from "../durable-objects/chat-companion";
import {
  aiCalls,
  auditLog,
  companionFeedback,
  notificationSettings,
  therapySessions,
} from "../workers/db/schema";
import { createDatabase } from "../workers/lib/db";
import { connect, say, sendOverHttp } from "./chat-helpers";
import { createUser, testConfig } from "./fixtures";
import { call, until } from "./helpers";

describe("grounded companion", () => {
  it("a sleep question is answered from the library, cited, and the AI trail records the calls without content", async () => {
    const patient = await createUser("patient");
    const client = await connect(patient);
    const { reply } = await say(client, "any tips for sleeping better? I keep lying awake");
    client.close();
    expect(reply.outcome).toBe("ok");
    expect(reply.citations).toEqual([{ slug: "sleep-hygiene", title: "Sleep: habits that help" }]);
    expect(String(reply.text)).toContain("From Haven's library: Sleep: habits that help");

    const db = createDatabase(testConfig(), patient.region);
    const rows = await until(async () => {
      const r = await db.select().from(aiCalls).where(eq(aiCalls.patientId, patient.id));
      return r.some((x) => x.purpose === "reply") ? r : undefined;
    });
    const replyRow = rows.find((r) => r.purpose === "reply");
    expect(replyRow).toMatchObject({
      promptVersion: PROMPT_VERSION,
      outcome: "ok",
      grounding: ["sleep-hygiene"],
    });
    expect(replyRow?.safety).toMatchObject({ edge: "none", constrained: "false" });
    expect(rows.find((r) => r.purpose === "embedding")).toMatchObject({
      outcome: "ok",
      grounding: ["sleep-hygiene"],
    });
    // No content anywhere in the trail.
    expect(JSON.stringify(rows)).not.toMatch(/sleeping better|lying awake/);
  });

  it("small talk is not grounded and carries no citation", async () => {
    const client = await connect(await createUser("patient"));
    const { reply } = await say(client, "I planted tomatoes today");
    client.close();
    expect(reply.citations).toBeUndefined();
    expect(String(reply.text)).not.toContain("From Haven's library");
  });

  it("a crisis turn is never grounded (its prompt stays fixed)", async () => {
    const { res, frames } = await sendOverHttp(await createUser("patient"), {
      text: "I want to die, I can't sleep anymore",
      clientId: "crisis-grounding",
    });
    expect(res.status).toBe(200);
    const events = await frames();
    expect(events.some((f) => f.type === "crisis")).toBe(true);
    expect(events.filter((f) => f.type === "assistant" && f.citations !== undefined)).toEqual([]);
  });

  it("feedback: the patient rates a reply (audited, no text), a re-rating replaces it, admins see counts only", async () => {
    const patient = await createUser("patient");
    const post = (body: unknown) =>
      call("/v1/chat/feedback", {
        method: "POST",
        headers: { ...patient.auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await post({ seq: 2, helpful: true, librarySlug: "sleep-hygiene" })).status).toBe(200);
    expect(
      (await post({ seq: 2, helpful: false, reason: "not_relevant", librarySlug: "sleep-hygiene" })).status,
    ).toBe(200);
    expect((await post({ seq: 2, helpful: false, reason: "because I said so" })).status).toBe(422);
    expect((await post({ seq: 0, helpful: true })).status).toBe(422);
    expect((await post({ seq: 3, helpful: true, librarySlug: "not-an-item" })).status).toBe(422);

    const db = createDatabase(testConfig(), patient.region);
    const rows = await db.select().from(companionFeedback).where(eq(companionFeedback.patientId, patient.id));
    expect(rows.map((r) => [r.seq, r.helpful, r.reason])).toEqual([[2, false, "not_relevant"]]);
    const audited = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.actorId, patient.id), eq(auditLog.action, "companion.feedback")));
    expect(audited.map((a) => a.outcome)).toEqual(["success", "success"]);

    const admin = await createUser("admin");
    const stats = (await (await call("/v1/admin/companion/feedback", { headers: admin.auth })).json()) as {
      groups: Array<{ librarySlug: string | null; notHelpful: number; reasons: Record<string, number> }>;
    };
    const sleep = stats.groups.find((g) => g.librarySlug === "sleep-hygiene");
    expect(sleep?.notHelpful).toBeGreaterThanOrEqual(1);
    expect(sleep?.reasons.not_relevant).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(stats)).not.toContain(patient.id);

    const clinician = await createUser("clinician");
    expect((await call("/v1/admin/companion/feedback", { headers: clinician.auth })).status).toBe(404);
    expect((await post({ seq: 2, helpful: true })).status).toBe(200);
  });

  it("the library is public content with sources and review dates", async () => {
    const res = await call("/v1/library/grounding-5-4-3-2-1");
    expect(res.status).toBe(200);
    const item = (await res.json()) as { title: string; sources: string[]; reviewedOn: string };
    expect(item.title).toBe("Grounding 5-4-3-2-1");
    expect(item.sources.length).toBeGreaterThan(0);
    expect(item.reviewedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await call("/v1/library/no-such-item")).status).toBe(404);
  });
});

describe("consent-aware context", () => {
  it("without care-plan consent the companion uses none of it and says so; with it, the read is audited", async () => {
    const patient = await createUser("patient");
    const db = createDatabase(testConfig(), patient.region);
    const contextReads = async () =>
      (
        await db
          .select()
          .from(auditLog)
          .where(and(eq(auditLog.patientId, patient.id), eq(auditLog.action, "companion.context_read")))
      ).length;

    let client = await connect(patient);
    const before = await say(client, "what does my safety plan say?");
    client.close();
    expect(String(before.reply.text)).toContain("you haven't turned on");
    expect(await contextReads()).toBe(0);

    const grant = await call("/v1/me/consents/care_plan_context/grant", {
      method: "POST",
      headers: { ...patient.auth, "content-type": "application/json" },
      body: "{}",
    });
    expect(grant.status).toBe(200);
    const plan = await call("/v1/me/safety-plan", {
      method: "PUT",
      headers: { ...patient.auth, "content-type": "application/json" },
      body: JSON.stringify({
        baseVersion: 0,
        sections: {
          warningSigns: ["Not sleeping"],
          copingStrategies: ["Walk the dog", "Cold shower"],
          distractions: [],
          helpContacts: [],
          professionals: [],
          safeEnvironment: [],
          reasonsForLiving: ["My daughter"],
        },
      }),
    });
    expect(plan.status).toBe(200);
    client = await connect(patient);
    const after = await say(client, "what does my safety plan say?");
    client.close();
    expect(String(after.reply.text)).not.toContain("you haven't turned on");
    // The plan's own first coping step comes back (the offline model answers from the prompt).
    expect(String(after.reply.text)).toContain("Walk the dog");
    expect(await contextReads()).toBeGreaterThanOrEqual(1);
  });
});

describe("the next session in the consented context", () => {
  it("is phrased in the patient's time zone, type and time only (DST-aware; an unknown zone is UTC)", () => {
    const winter = new Date("2026-12-08T14:00:00Z");
    expect(nextSessionFact(winter, "follow-up", "America/New_York")).toBe(
      "Their next session: Tuesday 8 December at 09:00 (EST, America/New_York); type: follow up.",
    );
    expect(nextSessionFact(new Date("2026-07-07T14:00:00Z"), "intake", "America/New_York")).toBe(
      "Their next session: Tuesday 7 July at 10:00 (EDT, America/New_York); type: intake.",
    );
    expect(nextSessionFact(winter, "follow-up", "Not/AZone")).toContain("at 14:00 (UTC, UTC)");
  });

  it("joins the context only with care-plan consent", async () => {
    const patient = await createUser("patient", "eu");
    const clinician = await createUser("clinician", "us");
    const db = createDatabase(testConfig(), patient.region);
    const start = new Date(Date.now() + 3 * 86_400_000);
    start.setUTCHours(14, 0, 0, 0);
    await db.insert(notificationSettings).values({ userId: patient.id, timeZone: "America/New_York" });
    await db.insert(therapySessions).values({
      id: crypto.randomUUID(),
      patientId: patient.id,
      clinicianId: clinician.id,
      clinicianRegion: clinician.region,
      sessionType: "follow-up",
      startsAt: start,
      endsAt: new Date(start.getTime() + 50 * 60_000),
      bookedBy: patient.id,
    });
    const question = "when is my session with my therapist?";
    let client = await connect(patient);
    const off = await say(client, question);
    client.close();
    expect(String(off.reply.text)).toContain("you haven't turned on");
    expect(String(off.reply.text)).not.toContain("next session");

    const grant = await call("/v1/me/consents/care_plan_context/grant", {
      method: "POST",
      headers: { ...patient.auth, "content-type": "application/json" },
      body: "{}",
    });
    expect(grant.status).toBe(200);
    client = await connect(patient);
    const on = await say(client, question);
    client.close();
    const local = new Intl.DateTimeFormat("en-GB", {
      timeZone: "America/New_York",
      weekday: "long",
      day: "numeric",
      month: "long",
    }).format(start);
    expect(String(on.reply.text)).toContain(`Your next session is ${local.replace(",", "")} at 0`);
    expect(String(on.reply.text)).toMatch(/at 0(9|8):00 \((EST|EDT), America\/New_York\); type: follow up/);
    expect(String(on.reply.text)).not.toContain(clinician.id);
  });
});
