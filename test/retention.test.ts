import { env } from "cloudflare:test";
import { and, desc, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  chatMessages,
  dataRequests,
  jobRuns,
  legalHolds,
  notificationDeadLetters,
  riskEvents,
  sessions,
  users,
} from "../workers/db/schema";
import {
  complianceScore,
  deadLettersSteady,
  evaluateControls,
} from "../workers/features/lifecycle/compliance";
import { lifecycleScope } from "../workers/features/lifecycle/job-scope";
import { runRetention, runRetentionIn } from "../workers/features/lifecycle/retention";
import { cutoffOf } from "../workers/features/lifecycle/retention-policy";
import { deadLetterTrend } from "../workers/lib/care-data/compliance";
import { createDatabase } from "../workers/lib/db";
import { userCipher } from "../workers/lib/user-cipher";
import { createUser, testConfig } from "./fixtures";

const db = () => createDatabase(testConfig(), "eu");
const scope = () => lifecycleScope(env, "retention.test");

describe("retention", () => {
  it("removes exactly what is past policy at the boundary, and records the run without PHI", async () => {
    const now = new Date();
    const p = await createUser("patient", "eu");
    const [u] = await db().select().from(users).where(eq(users.id, p.id));
    const cipher = await userCipher(testConfig(), p.id, u?.dataKeyWrapped ?? null);
    const chatCut = cutoffOf("chat", now);
    const at = (ms: number) => new Date(chatCut.getTime() + ms);
    await db()
      .insert(chatMessages)
      .values(
        await Promise.all(
          [
            [1, at(-1)],
            [2, at(0)],
            [3, at(60_000)],
          ].map(async ([seq, createdAt]) => ({
            userId: p.id,
            seq: seq as number,
            role: "user" as const,
            contentEnc: (await cipher?.encrypt("chat.content", "old words")) ?? "",
            createdAt: createdAt as Date,
          })),
        ),
      );
    // Health data: an inactive patient (last activity past 7 years) and an active one.
    const inactive = await createUser("patient", "eu");
    const healthCut = cutoffOf("health", now);
    await db()
      .update(users)
      .set({ createdAt: new Date(healthCut.getTime() - 1000) })
      .where(eq(users.id, inactive.id));
    // Its fixture session (a sign-in) was last used then too.
    await db()
      .update(sessions)
      .set({
        createdAt: new Date(healthCut.getTime() - 1000),
        lastUsedAt: new Date(healthCut.getTime() - 1000),
      })
      .where(eq(sessions.userId, inactive.id));
    const active = await createUser("patient", "eu");
    // Inactive as long, but under legal hold: retention must not touch their data.
    const held = await createUser("patient", "eu");
    await db()
      .update(users)
      .set({ createdAt: new Date(healthCut.getTime() - 1000) })
      .where(eq(users.id, held.id));
    await db()
      .update(sessions)
      .set({
        createdAt: new Date(healthCut.getTime() - 1000),
        lastUsedAt: new Date(healthCut.getTime() - 1000),
      })
      .where(eq(sessions.userId, held.id));
    await db().insert(legalHolds).values({ patientId: held.id, reason: "litigation", placedBy: active.id });
    for (const who of [inactive, active, held])
      await db()
        .insert(riskEvents)
        .values({
          userId: who.id,
          seq: 1,
          severity: "elevated",
          categories: [],
          ruleIds: ["r"],
          createdAt: now,
        });
    // An export past its 7 days.
    const reqId = crypto.randomUUID();
    const key = `exports/eu/${p.id}/${reqId}/`;
    await env.EXPORTS.put(`${key}haven-export.json`, "{}");
    await env.EXPORTS.put(`${key}fhir-bundle.json`, "{}");
    await db()
      .insert(dataRequests)
      .values({
        id: reqId,
        patientId: p.id,
        kind: "export",
        status: "ready",
        requestedBy: p.id,
        objectKey: key,
        expiresAt: new Date(now.getTime() - 1),
      });

    const run = await runRetentionIn(scope(), "eu", now);
    expect(run.outcome).toBe("success");
    const left = await db()
      .select({ seq: chatMessages.seq })
      .from(chatMessages)
      .where(eq(chatMessages.userId, p.id));
    expect(left.map((r) => r.seq).sort()).toEqual([2, 3]);
    expect(await db().select().from(riskEvents).where(eq(riskEvents.userId, inactive.id))).toEqual([]);
    expect((await db().select().from(riskEvents).where(eq(riskEvents.userId, active.id))).length).toBe(1);
    expect((await db().select().from(riskEvents).where(eq(riskEvents.userId, held.id))).length).toBe(1);
    expect((await env.EXPORTS.list({ prefix: key })).objects).toEqual([]);
    expect((await db().select().from(dataRequests).where(eq(dataRequests.id, reqId)))[0]?.status).toBe(
      "expired",
    );

    const [record] = await db()
      .select()
      .from(jobRuns)
      .where(and(eq(jobRuns.job, "retention"), eq(jobRuns.outcome, "success")))
      .orderBy(desc(jobRuns.startedAt))
      .limit(1);
    const counts = record?.counts as Record<string, number>;
    expect(counts.chat_messages).toBeGreaterThanOrEqual(1);
    expect(counts.risk_events).toBeGreaterThanOrEqual(1);
    expect(counts.export_archives).toBeGreaterThanOrEqual(1);
    // Audit retention ran (nothing in the test database is 7 years old: nothing pruned).
    expect(counts).toMatchObject({
      audit_pruned: 0,
      audit_checkpoints: 0,
      audit_prune_refused_chain_broken: 0,
    });
    expect(record?.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(record)).not.toContain(p.id);
  });
});

describe("dead-letter retention (30 days)", () => {
  it("removes dead letters one second past 30 days, keeps one a second inside, and counts them", async () => {
    const now = new Date();
    const cut = cutoffOf("dead_letters", now);
    expect(now.getTime() - cut.getTime()).toBe(30 * 24 * 3600_000);
    const letter = (tag: string, createdAt: Date, status: "open" | "retried") => ({
      messageId: `retention-${tag}-${crypto.randomUUID()}`,
      queue: "haven-deliveries",
      errorCode: "provider_down",
      attempts: 5,
      body: { deliveryId: crypto.randomUUID() },
      status,
      createdAt,
    });
    const rows = [
      letter("outside-open", new Date(cut.getTime() - 1000), "open"),
      letter("outside-retried", new Date(cut.getTime() - 1000), "retried"),
      letter("inside", new Date(cut.getTime() + 1000), "open"),
    ];
    await db().insert(notificationDeadLetters).values(rows);
    const run = await runRetentionIn(scope(), "eu", now);
    expect(run.outcome).toBe("success");
    const left = await db()
      .select({ messageId: notificationDeadLetters.messageId })
      .from(notificationDeadLetters)
      .where(
        inArray(
          notificationDeadLetters.messageId,
          rows.map((r) => r.messageId),
        ),
      );
    expect(left.map((r) => r.messageId)).toEqual([rows[2]?.messageId]);
    expect(run.counts.dead_letters).toBeGreaterThanOrEqual(2);
    expect(run.counts.dead_letters_unresolved).toBeGreaterThanOrEqual(1);
    const [record] = await db()
      .select()
      .from(jobRuns)
      .where(and(eq(jobRuns.job, "retention"), eq(jobRuns.outcome, "success")))
      .orderBy(desc(jobRuns.startedAt))
      .limit(1);
    const recorded = (record?.counts ?? {}) as Record<string, number>;
    expect(typeof recorded.dead_letters).toBe("number");
    expect(typeof recorded.dead_letters_unresolved).toBe("number");
  });
});

describe("compliance controls", () => {
  it("retention that has not run within 25 hours is a failed control", async () => {
    const now = new Date();
    await runRetention(scope(), now);
    const fresh = await evaluateControls(scope(), now);
    expect(fresh.find((c) => c.id === "retention_ran")?.status).toBe("pass");
    const later = await evaluateControls(scope(), new Date(now.getTime() + 26 * 3600_000));
    expect(later.find((c) => c.id === "retention_ran")?.status).toBe("fail");
    const ids = fresh.map((c) => c.id);
    expect(ids).toEqual([
      "staff_mfa",
      "master_key_age",
      "audit_chain",
      "phi_protections",
      "retention_ran",
      "dr_drill",
      "residency",
      "dead_letters",
    ]);
    expect(fresh.find((c) => c.id === "phi_protections")?.status).toBe("pass");
    expect(fresh.find((c) => c.id === "residency")?.status).toBe("pass");
  });

  it("a staff account without MFA fails the MFA control", async () => {
    const nurse = await createUser("clinician", "apac");
    await createDatabase(testConfig(), "apac")
      .update(users)
      .set({ mfaEnabledAt: null })
      .where(eq(users.id, nurse.id));
    const controls = await evaluateControls(scope());
    expect(controls.find((c) => c.id === "staff_mfa")?.status).toBe("fail");
    await createDatabase(testConfig(), "apac")
      .update(users)
      .set({ mfaEnabledAt: new Date() })
      .where(eq(users.id, nurse.id));
  });

  it("dead letters arriving faster than the day before fail the dead-letter control", async () => {
    // A "now" far ahead, so that only this test's letters fall in its two 24-hour windows.
    const now = new Date(Date.now() + 1000 * 24 * 3600_000);
    const at = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * 3600_000);
    const letter = (createdAt: Date, status: "open" | "retried") => ({
      messageId: `control-${crypto.randomUUID()}`,
      queue: "haven-deliveries",
      errorCode: "provider_down",
      attempts: 5,
      body: { deliveryId: crypto.randomUUID() },
      status,
      createdAt,
    });
    const rows = [
      letter(at(30), "open"),
      letter(at(1), "open"),
      letter(at(2), "open"),
      letter(at(1), "retried"),
    ];
    await db().insert(notificationDeadLetters).values(rows);
    try {
      const trend = await deadLetterTrend(db(), now);
      expect(trend.last24h).toBe(2);
      expect(trend.previous24h).toBe(1);
      expect(trend.openOver24h).toBeGreaterThanOrEqual(1);
      const controls = await evaluateControls(scope(), now);
      const control = controls.find((c) => c.id === "dead_letters");
      expect(control?.status).toBe("fail");
      expect((control?.evidence as Record<string, { last24h: number }> | undefined)?.eu?.last24h).toBe(2);
      expect(deadLettersSteady({ last24h: 2, previous24h: 1, openOver24h: 0 })).toBe(false);
      expect(deadLettersSteady({ last24h: 1, previous24h: 1, openOver24h: 1 })).toBe(false);
      expect(deadLettersSteady({ last24h: 1, previous24h: 3, openOver24h: 0 })).toBe(true);
      expect(deadLettersSteady({ last24h: 0, previous24h: 0, openOver24h: 0 })).toBe(true);
    } finally {
      await db()
        .delete(notificationDeadLetters)
        .where(
          inArray(
            notificationDeadLetters.messageId,
            rows.map((r) => r.messageId),
          ),
        );
    }
  });

  it("the score is the share of applicable controls that pass", () => {
    const c = (status: "pass" | "fail" | "not_applicable") => ({
      id: status,
      title: "",
      status,
      evidence: {},
    });
    expect(complianceScore([c("pass"), c("pass"), c("fail"), c("not_applicable")])).toBe(66.7);
    expect(complianceScore([c("pass")])).toBe(100);
    expect(complianceScore([c("fail")])).toBe(0);
  });
});
