/**
 * Early-warning detectors over self-tracking data. Pure functions (no I/O) so the rules are
 * tested on their own; the service records what they return as `risk_signals` (risk-timeline
 * events). They are heuristics for a clinician's attention, not validated instruments, and they
 * never mark anyone safe: "no signal" means only "this pattern did not appear".
 */

/** Days of earlier check-ins the mood baseline is taken from. */
export const MOOD_BASELINE_DAYS = 14;
/** Earlier check-ins needed before a drop is judged (fewer: no baseline, no signal). */
export const MOOD_BASELINE_MIN = 3;
/** A check-in this many points (0–10 scale) under the person's own mean is a drop. */
export const MOOD_DROP_POINTS = 3;
/** Consecutive missed doses of one medication that make a streak. */
export const MISSED_STREAK = 3;

export interface MoodPoint {
  id: string;
  score: number | null;
  recordedAt: Date;
}

export interface MoodDrop {
  baseline: number;
  score: number;
  drop: number;
  samples: number;
  severity: "low" | "moderate";
}

/**
 * Whether the check-in `current` is a drop against the person's own recent baseline: the mean of
 * their earlier check-ins (at least {@link MOOD_BASELINE_MIN} of them, within
 * {@link MOOD_BASELINE_DAYS} days before it). A drop of {@link MOOD_DROP_POINTS} or more fires;
 * it is `moderate` when the drop is 5 or more or the score is 2 or less.
 *
 * @example moodDrop({ id, score: 2, recordedAt }, earlier) // { baseline: 7, drop: 5, severity: "moderate", … }
 */
export function moodDrop(current: MoodPoint, history: readonly MoodPoint[]): MoodDrop | null {
  if (current.score === null) return null;
  const from = current.recordedAt.getTime() - MOOD_BASELINE_DAYS * 86_400_000;
  const earlier = history.filter(
    (p) =>
      p.id !== current.id &&
      p.score !== null &&
      p.recordedAt.getTime() <= current.recordedAt.getTime() &&
      p.recordedAt.getTime() > from,
  );
  if (earlier.length < MOOD_BASELINE_MIN) return null;
  const baseline = earlier.reduce((sum, p) => sum + (p.score ?? 0), 0) / earlier.length;
  const drop = baseline - current.score;
  if (drop < MOOD_DROP_POINTS) return null;
  const rounded = Math.round(baseline * 10) / 10;
  return {
    baseline: rounded,
    score: current.score,
    drop: Math.round(drop * 10) / 10,
    samples: earlier.length,
    severity: drop >= 5 || current.score <= 2 ? "moderate" : "low",
  };
}

export interface DosePoint {
  id: string;
  status: "taken" | "missed" | "skipped";
  recordedAt: Date;
}

/**
 * The run of consecutive `missed` doses ending at the newest dose of one medication (doses newest
 * first). Fires exactly when the run reaches {@link MISSED_STREAK} and again at each further
 * multiple (3, 6, 9 …), so a long streak is not one event per dose. A deliberate `skipped` dose
 * (with its reason) ends the run; so does a `taken` one.
 */
export function missedStreak(doses: readonly DosePoint[]): { streak: number } | null {
  let streak = 0;
  for (const d of doses) {
    if (d.status !== "missed") break;
    streak += 1;
  }
  return streak >= MISSED_STREAK && streak % MISSED_STREAK === 0 ? { streak } : null;
}
