import { retentionWrites } from "../../lib/care-data/wearables";
import { loadConfig } from "../../lib/config";
import { createLogger } from "../../lib/logger";
import { createScope, jobAudit } from "../../lib/scope";
import { REGIONS } from "../../lib/vocabulary";

/** Raw readings (and one-minute rollups) are kept 13 months; hourly rollups 7 years. */
export const RAW_RETENTION_MONTHS = 13;
export const HOURLY_RETENTION_YEARS = 7;

/**
 * The daily telemetry job (Cron Trigger): in every region, creates the month partitions ahead,
 * drops raw months past retention (whole partitions, no bulk DELETE), and trims rollups. A region
 * that fails is logged and retried the next day; the others still run.
 */
export async function telemetryRetention(env: Env, now = new Date()): Promise<void> {
  const log = createLogger("info", { component: "telemetry_retention" });
  const scope = createScope({
    env,
    config: loadConfig(env, log),
    log,
    audit: jobAudit("telemetry.retention"),
  });
  const rawBefore = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - RAW_RETENTION_MONTHS, 1));
  const hourBefore = new Date(Date.UTC(now.getUTCFullYear() - HOURLY_RETENTION_YEARS, now.getUTCMonth(), 1));
  await Promise.all(
    REGIONS.map(async (region) => {
      const db = scope.db(region);
      try {
        await db.batch(retentionWrites(db, rawBefore, hourBefore));
      } catch (err) {
        log.error("telemetry_retention_failed", {
          region,
          error: err instanceof Error ? err.name : typeof err,
        });
      }
    }),
  );
}
