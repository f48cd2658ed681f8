import { PROMPT_VERSION } from "../../../durable-objects/chat-companion";
import type { FEEDBACK_REASONS } from "../../db/schema";
import {
  AI_TRAIL_STATS,
  aiTrailStatsQuery,
  FEEDBACK_STATS,
  FEEDBACK_WRITE,
  feedbackStatsQuery,
  feedbackUpsert,
} from "../../lib/care-data/companion";
import { careData } from "../../lib/care-data/repository";
import type { Scope } from "../../lib/scope";
import { REGIONS } from "../../lib/vocabulary";

export type FeedbackReason = (typeof FEEDBACK_REASONS)[number];

/** A patient rates one companion reply of their own room (no text is stored). */
export async function rateReply(
  scope: Scope,
  input: { seq: number; helpful: boolean; reason?: FeedbackReason; librarySlug?: string },
) {
  const care = careData(scope);
  const access = care.self();
  await care.requireConsent(access, "ai_companion");
  await care.run(access, { ...FEEDBACK_WRITE, resourceId: null }, (db) => [
    feedbackUpsert(db, {
      patientId: access.patientId,
      seq: input.seq,
      helpful: input.helpful,
      reason: input.helpful ? null : (input.reason ?? null),
      librarySlug: input.librarySlug ?? null,
      promptVersion: PROMPT_VERSION,
    }),
  ]);
  return { seq: input.seq, helpful: input.helpful, promptVersion: PROMPT_VERSION };
}

/** Feedback per library item and prompt version across regions (admins; counts only). */
export async function feedbackStats(scope: Scope) {
  const care = careData(scope);
  const perRegion = await Promise.all(
    REGIONS.map(
      async (region) => (await care.region(region, FEEDBACK_STATS, (db) => [feedbackStatsQuery(db)]))[0],
    ),
  );
  const groups = new Map<
    string,
    {
      librarySlug: string | null;
      promptVersion: string;
      helpful: number;
      notHelpful: number;
      reasons: Record<string, number>;
    }
  >();
  for (const row of perRegion.flat()) {
    const key = `${row.librarySlug ?? ""}|${row.promptVersion}`;
    const g = groups.get(key) ?? {
      librarySlug: row.librarySlug,
      promptVersion: row.promptVersion,
      helpful: 0,
      notHelpful: 0,
      reasons: {},
    };
    if (row.helpful) g.helpful += row.count;
    else {
      g.notHelpful += row.count;
      if (row.reason) g.reasons[row.reason] = (g.reasons[row.reason] ?? 0) + row.count;
    }
    groups.set(key, g);
  }
  return {
    groups: [...groups.values()].sort((a, b) => (a.librarySlug ?? "").localeCompare(b.librarySlug ?? "")),
  };
}

/** The AI processing trail summarised per purpose, model, prompt version and outcome (admins). */
export async function aiTrailStats(scope: Scope, sinceHours: number) {
  const care = careData(scope);
  const perRegion = await Promise.all(
    REGIONS.map(async (region) => ({
      region,
      rows: (await care.region(region, AI_TRAIL_STATS, (db) => [aiTrailStatsQuery(db, sinceHours)]))[0],
    })),
  );
  return { sinceHours, rows: perRegion.flatMap(({ region, rows }) => rows.map((r) => ({ region, ...r }))) };
}
