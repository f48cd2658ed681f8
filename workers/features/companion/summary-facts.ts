import { z } from "@hono/zod-openapi";
import { latestByPatient, type latestScoresQuery } from "../../lib/care-data/assessments";
import type {
  groundingSinceQuery,
  ratingsSinceQuery,
  trackingSinceQuery,
} from "../../lib/care-data/between-session";
import { LIBRARY_BY_SLUG } from "../../lib/library/items";

type Rows<F extends (...a: never[]) => unknown> = Awaited<ReturnType<F>>;

/** How far back a summary looks when the patient has no completed session yet. */
export const DEFAULT_WINDOW_DAYS = 14;
/** Never further back than this, even if the last session was long ago. */
export const MAX_WINDOW_DAYS = 90;

/**
 * The facts a between-session summary is drafted from: counts, numbers and closed-list codes only
 * (no chat text, no notes, no names, no ids). This is all the model sees.
 */
export const SummaryFacts = z
  .object({
    window: z.object({
      from: z.string(),
      to: z.string(),
      basis: z.enum(["last_session", "default"]),
      days: z.number().int(),
    }),
    themes: z.array(
      z.object({
        label: z.string(),
        count: z.number().int(),
        source: z.enum(["library_topic", "emotion_tag", "symptom_tag"]),
      }),
    ),
    mood: z.object({
      checkIns: z.number().int(),
      average: z.number().nullable(),
      earlierAverage: z.number().nullable(),
      laterAverage: z.number().nullable(),
      lowest: z.number().nullable(),
      highest: z.number().nullable(),
      trend: z.enum(["improving", "worsening", "steady", "not_enough_data"]),
    }),
    sleep: z.object({ nights: z.number().int(), averageHours: z.number().nullable() }),
    scores: z.array(
      z.object({
        instrument: z.string(),
        total: z.number(),
        band: z.string(),
        change: z.string().nullable(),
      }),
    ),
    exercises: z.array(
      z.object({
        slug: z.string(),
        title: z.string(),
        replies: z.number().int(),
        ratedHelpful: z.number().int(),
        ratedNotHelpful: z.number().int(),
      }),
    ),
  })
  .openapi("BetweenSessionFacts");
export type SummaryFacts = z.infer<typeof SummaryFacts>;

const round1 = (n: number) => Math.round(n * 10) / 10;
const mean = (xs: number[]) => (xs.length ? round1(xs.reduce((a, b) => a + b, 0) / xs.length) : null);

function countTop(values: string[], limit: number): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, limit);
}

/** Mood 0–10, higher is better: the later half of the window against the earlier half. */
function moodOf(scores: number[]): SummaryFacts["mood"] {
  const half = Math.floor(scores.length / 2);
  const earlier = mean(scores.slice(0, half));
  const later = mean(scores.slice(scores.length - half));
  const diff = earlier !== null && later !== null ? later - earlier : 0;
  return {
    checkIns: scores.length,
    average: mean(scores),
    earlierAverage: scores.length >= 4 ? earlier : null,
    laterAverage: scores.length >= 4 ? later : null,
    lowest: scores.length ? Math.min(...scores) : null,
    highest: scores.length ? Math.max(...scores) : null,
    trend:
      scores.length < 4 ? "not_enough_data" : diff >= 1 ? "improving" : diff <= -1 ? "worsening" : "steady",
  };
}

/** Builds the facts from the rows the care-data layer returned (pure; deterministic). */
export function buildFacts(input: {
  window: SummaryFacts["window"];
  tracking: Rows<typeof trackingSinceQuery>;
  grounding: Rows<typeof groundingSinceQuery>;
  ratings: Rows<typeof ratingsSinceQuery>;
  scores: Rows<typeof latestScoresQuery>;
  patientId: string;
}): SummaryFacts {
  const { tracking, grounding, ratings } = input;
  const moods = tracking.filter((t) => t.kind === "mood" && t.score !== null).map((t) => t.score ?? 0);
  const nights = tracking.filter((t) => t.kind === "sleep" && t.sleepMinutes !== null);
  const slugs = grounding.flatMap((g) => g.grounding).filter((s) => LIBRARY_BY_SLUG.has(s));
  const rated = ratings.filter((r) => r.slug !== null && LIBRARY_BY_SLUG.has(r.slug));
  const exerciseSlugs = [...new Set([...slugs, ...rated.map((r) => r.slug ?? "")])].sort();
  const themes: SummaryFacts["themes"] = [
    ...countTop(slugs, 4).map(([slug, count]) => ({
      label: LIBRARY_BY_SLUG.get(slug)?.title ?? slug,
      count,
      source: "library_topic" as const,
    })),
    ...countTop(
      tracking.filter((t) => t.kind === "mood").flatMap((t) => t.tags),
      4,
    ).map(([label, count]) => ({ label, count, source: "emotion_tag" as const })),
    ...countTop(
      tracking.filter((t) => t.kind === "symptom").flatMap((t) => t.tags),
      4,
    ).map(([label, count]) => ({ label: label.replaceAll("_", " "), count, source: "symptom_tag" as const })),
  ];
  return {
    window: input.window,
    themes,
    mood: moodOf(moods),
    sleep: {
      nights: nights.length,
      averageHours: mean(nights.map((n) => (n.sleepMinutes ?? 0) / 60)),
    },
    scores: Object.values(latestByPatient(input.scores).get(input.patientId) ?? {}).map((pair) => ({
      instrument: pair.latest.instrument,
      total: pair.latest.total,
      band: pair.latest.band,
      change: pair.latest.change ?? null,
    })),
    exercises: exerciseSlugs.map((slug) => ({
      slug,
      title: LIBRARY_BY_SLUG.get(slug)?.title ?? slug,
      replies: slugs.filter((s) => s === slug).length,
      ratedHelpful: rated.filter((r) => r.slug === slug && r.helpful).length,
      ratedNotHelpful: rated.filter((r) => r.slug === slug && !r.helpful).length,
    })),
  };
}
