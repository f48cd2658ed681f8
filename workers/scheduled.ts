import { realertDue } from "./features/alerts/triage";
import { loadConfig } from "./lib/config";
import { createLogger } from "./lib/logger";

/**
 * Cron jobs (`[triggers] crons` in wrangler.toml). Each job runs in its own job scope and its
 * failure is logged without stopping the others.
 */
export async function scheduled(
  controller: ScheduledController,
  env: Env,
  ctx: ExecutionContext,
): Promise<void> {
  const log = createLogger("info", { job: "cron", cron: controller.cron });
  const config = loadConfig(env, log);
  const jobs: Promise<unknown>[] = [
    realertDue({ env, config, log }, config.REALERT_AFTER_MINUTES)
      .then((sent) => log.info("realert_done", { sent }))
      .catch((err) => log.error("realert_failed", { error: err instanceof Error ? err.name : "unknown" })),
  ];
  ctx.waitUntil(Promise.all(jobs));
  await Promise.all(jobs);
}
