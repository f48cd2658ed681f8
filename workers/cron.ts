import { lifecycleCron } from "./features/lifecycle/cron";

/**
 * Cron work, one entry per feature. Each job runs isolated (one failing does not stop the others)
 * and must be idempotent: a missed or repeated tick is normal. The schedule is in wrangler.toml.
 */
const CRON_JOBS: ReadonlyArray<(env: Env, scheduledTime: number) => Promise<void>> = [lifecycleCron];

/** The `scheduled` handler's body: runs every job and waits for all. */
export async function runCronJobs(env: Env, scheduledTime: number): Promise<void> {
  await Promise.allSettled(CRON_JOBS.map((job) => job(env, scheduledTime)));
}
