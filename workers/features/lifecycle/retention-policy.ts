import type { RetentionClass } from "../../lib/care-data/kind";

const DAY = 24 * 3600_000;

/**
 * Retention per class of data (every registered kind names its class). Changing a period is one
 * line here; the cron applies it on its next run. `removes: false` classes are counted, not removed.
 */
export const RETENTION: Record<RetentionClass, { days: number; basis: string; removes: boolean }> = {
  /** Health data: 7 years after the person's last activity (HIPAA 164.316(b)(2) documentation floor is 6). */
  health: { days: 7 * 365 + 2, basis: "last activity", removes: true },
  /** Companion chat: 1 year per message. */
  chat: { days: 365, basis: "message time", removes: true },
  /** Account data (profile, consents, sessions): kept with the account, removed by erasure. */
  account: { days: 0, basis: "account lifetime", removes: false },
  /**
   * Audit: 7 years. A prefix of the chain is pruned with a keyed checkpoint so the chain keeps
   * verifying (./audit-retention.ts); rows about a subject under legal hold stop the prune.
   */
  audit: { days: 7 * 365 + 2, basis: "entry time", removes: true },
  /** Export archives: 7 days after they were built. */
  exports: { days: 7, basis: "build time", removes: true },
  /**
   * Dead letters (`notification_dead_letters`: ids and codes only): 30 days after the failure,
   * open or resolved — a notification that could not be delivered in 30 days is stale; the run
   * record counts the unresolved ones removed.
   */
  dead_letters: { days: 30, basis: "failure time", removes: true },
  /**
   * Therapy-session recordings (R2 chunks and their index rows): 90 days after the recording
   * stopped (or started, if it never was). The signed session note is the lasting clinical
   * record; raw audio/video of therapy is kept only as long as it is needed to write and review
   * it. A patient under an active legal hold keeps theirs. Change the days here per deployment.
   */
  recordings: { days: 90, basis: "recording stop", removes: true },
  /** Raw wearable telemetry: 30 days, rollups kept (the wearables work registers its kinds). */
  telemetry_raw: { days: 30, basis: "reading time", removes: true },
};

/** The cut-off for a class at `now`: rows older than this are past policy. */
export const cutoffOf = (cls: RetentionClass, now: Date) =>
  new Date(now.getTime() - RETENTION[cls].days * DAY);
