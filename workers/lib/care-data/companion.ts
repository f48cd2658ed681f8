import { sql } from "drizzle-orm";
import { aiCalls, companionFeedback } from "../../db/schema";
import type { Database } from "../db";

export const FEEDBACK_WRITE = {
  action: "companion.feedback",
  resourceType: "companion_feedback",
  allow: ["self"],
} as const;
export const FEEDBACK_STATS = {
  action: "admin.companion_feedback",
  resourceType: "companion_feedback",
} as const;
export const AI_TRAIL_STATS = { action: "admin.ai_trail", resourceType: "ai_call" } as const;

/** One rating per reply: a new rating of the same reply replaces the earlier one. */
export function feedbackUpsert(
  db: Database,
  row: {
    patientId: string;
    seq: number;
    helpful: boolean;
    reason: (typeof companionFeedback.$inferInsert)["reason"];
    librarySlug: string | null;
    promptVersion: string;
  },
) {
  return db
    .insert(companionFeedback)
    .values(row)
    .onConflictDoUpdate({
      target: [companionFeedback.patientId, companionFeedback.seq],
      set: { helpful: row.helpful, reason: row.reason, librarySlug: row.librarySlug, createdAt: sql`now()` },
    })
    .returning({ id: companionFeedback.id });
}

/** Counts per library item, prompt version, rating and reason (no patient, no text): for admins. */
export function feedbackStatsQuery(db: Database) {
  return db
    .select({
      librarySlug: companionFeedback.librarySlug,
      promptVersion: companionFeedback.promptVersion,
      helpful: companionFeedback.helpful,
      reason: companionFeedback.reason,
      count: sql<number>`count(*)::int`,
    })
    .from(companionFeedback)
    .groupBy(
      companionFeedback.librarySlug,
      companionFeedback.promptVersion,
      companionFeedback.helpful,
      companionFeedback.reason,
    );
}

/** The AI processing trail summarised (no patient, no content): calls, outcomes, latency, tokens. */
export function aiTrailStatsQuery(db: Database, sinceHours: number) {
  return db
    .select({
      purpose: aiCalls.purpose,
      model: aiCalls.model,
      promptVersion: aiCalls.promptVersion,
      outcome: aiCalls.outcome,
      calls: sql<number>`count(*)::int`,
      p50LatencyMs: sql<number>`percentile_cont(0.5) within group (order by ${aiCalls.latencyMs})::float8`,
      p95LatencyMs: sql<number>`percentile_cont(0.95) within group (order by ${aiCalls.latencyMs})::float8`,
      tokensIn: sql<number>`coalesce(sum(${aiCalls.tokensIn}), 0)::int`,
      tokensOut: sql<number>`coalesce(sum(${aiCalls.tokensOut}), 0)::int`,
    })
    .from(aiCalls)
    .where(sql`${aiCalls.createdAt} > now() - make_interval(hours => ${sinceHours})`)
    .groupBy(aiCalls.purpose, aiCalls.model, aiCalls.promptVersion, aiCalls.outcome);
}

export const CONTEXT_READ = { action: "companion.context_read", resourceType: "care_plan" } as const;

/** Library items the patient rated helpful, most recent first (ids only): "exercises that helped". */
export function helpfulItemsQuery(db: Database, patientId: string) {
  return db
    .selectDistinctOn([companionFeedback.librarySlug], {
      slug: companionFeedback.librarySlug,
      at: companionFeedback.createdAt,
    })
    .from(companionFeedback)
    .where(
      sql`${companionFeedback.patientId} = ${patientId} and ${companionFeedback.helpful} and ${companionFeedback.librarySlug} is not null`,
    )
    .orderBy(companionFeedback.librarySlug, sql`${companionFeedback.createdAt} desc`)
    .limit(5);
}
