import { loadConfig } from "../../lib/config";
import { createLogger } from "../../lib/logger";
import { createScope, jobAudit, type Scope } from "../../lib/scope";

/** A scope for lifecycle work outside a request (workflow step, cron run): audited as `system`. */
export function lifecycleScope(env: Env, job: string): Scope {
  const log = createLogger("info", { component: "lifecycle", job });
  return createScope({ env, config: loadConfig(env, log), log, audit: jobAudit(job) });
}
