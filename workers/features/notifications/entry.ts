import { runNotificationCron } from "./cron";
import { defaultProviders, enqueue, queue, queueScope } from "./queue";

/** The Worker's `scheduled` handler: the minute cron of notifications (reminders, digests, sweep). */
export async function scheduled(controller: ScheduledController, env: Env): Promise<void> {
  const scope = queueScope(env, "notify.cron");
  await runNotificationCron(
    scope,
    defaultProviders(scope),
    (m) => enqueue(env, m),
    new Date(controller.scheduledTime),
  );
}

export { queue };
