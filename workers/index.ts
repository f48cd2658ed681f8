import { app } from "./app";
import { runCronJobs } from "./cron";
import { isLivenessProbe, liveness } from "./features/health/liveness";
import { scheduled as notificationsCron, queue } from "./features/notifications/entry";
import { telemetryRetention } from "./features/wearables/retention";
import { runWithRequestId } from "./lib/correlation";
import { shipMetrics } from "./lib/metrics/ship";
import { scheduled as realertCron } from "./scheduled";

export { ChatRoom } from "../durable-objects/chat-room";
export { MetricsHub } from "../durable-objects/metrics-hub";
export { VisitRoom } from "../durable-objects/visit-room";
export { WearableStream } from "../durable-objects/wearable-stream";
export { ExportWorkflow } from "./features/lifecycle/export-workflow";

/** Cron schedules (wrangler.toml `[triggers]`): each names its work; anything else is the minute. */
const DAILY_CRON = "17 3 * * *";
const HOURLY_CRON = "17 * * * *";

export default {
  /** The liveness probe answers before the app (see features/health/liveness.ts). */
  fetch: (request, env, ctx) =>
    isLivenessProbe(request) ? liveness(request, env, ctx) : app.fetch(request, env, ctx),
  /** Queue consumers (notifications); their metric deltas are shipped like a request's. */
  async queue(batch, env, ctx) {
    try {
      await queue(batch, env);
    } finally {
      shipMetrics(env, (p) => ctx.waitUntil(p), true);
    }
  },
  /**
   * Cron Triggers: the minute (notifications, re-alerts), the hourly
   * lifecycle jobs (retention, due erasures) and daily telemetry retention.
   */
  async scheduled(controller, env, ctx) {
    // One id per cron run, on its logs, upstream calls and the events it publishes.
    await runWithRequestId(`job:cron:${crypto.randomUUID()}`, async () => {
      if (controller.cron === DAILY_CRON) ctx.waitUntil(telemetryRetention(env));
      else if (controller.cron === HOURLY_CRON) ctx.waitUntil(runCronJobs(env, controller.scheduledTime));
      else {
        // The minute: notifications (reminders, digests, crisis sweep) and the re-alert of
        // unacknowledged high-risk alerts (each alert is re-sent once REALERT_AFTER_MINUTES passed).
        await Promise.allSettled([notificationsCron(controller, env), realertCron(controller, env, ctx)]);
      }
    });
    shipMetrics(env, (p) => ctx.waitUntil(p), true);
  },
} satisfies ExportedHandler<Env>;
