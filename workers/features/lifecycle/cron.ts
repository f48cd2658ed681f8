import { runDueErasures } from "./erasure";
import { lifecycleScope } from "./job-scope";
import { runRetention } from "./retention";

/** Hourly: the retention policy (records a run per region) and the sweep of due erasures. */
export async function lifecycleCron(env: Env, scheduledTime: number): Promise<void> {
  const now = new Date(scheduledTime);
  await runRetention(lifecycleScope(env, "retention"), now);
  await runDueErasures(lifecycleScope(env, "erasure.sweep"), now);
}
