import { app } from "./app";
import { runCronJobs } from "./cron";
import { scheduled as notificationsCron, queue } from "./features/notifications/entry";
import { telemetryRetention } from "./features/wearables/retention";

export { ChatRoom } from "../durable-objects/chat-room";
export { MetricsHub } from "../durable-objects/metrics-hub";
export { VisitRoom } from "../durable-objects/visit-room";
export { WearableStream } from "../durable-objects/wearable-stream";
export { ExportWorkflow } from "./features/lifecycle/export-workflow";

/** Cron schedules (wrangler.toml `[triggers]`): each names its work; anything else is the minute. */
const DAILY_CRON = "17 3 * * *";
const HOURLY_CRON = "17 * * * *";

export default {
  fetch: app.fetch,
  queue,
  /**
   * Cron Triggers: the notifications minute (reminders, digests, crisis sweep), the hourly
   * lifecycle jobs (retention, due erasures) and daily telemetry retention.
   */
  async scheduled(controller, env, ctx) {
    if (controller.cron === DAILY_CRON) ctx.waitUntil(telemetryRetention(env));
    else if (controller.cron === HOURLY_CRON) ctx.waitUntil(runCronJobs(env, controller.scheduledTime));
    else await notificationsCron(controller, env);
  },
} satisfies ExportedHandler<Env>;
