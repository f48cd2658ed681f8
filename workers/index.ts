import { app } from "./app";
import { queue, scheduled as notificationsCron } from "./features/notifications/entry";
import { telemetryRetention } from "./features/wearables/retention";

export { ChatRoom } from "../durable-objects/chat-room";
export { MetricsHub } from "../durable-objects/metrics-hub";
export { VisitRoom } from "../durable-objects/visit-room";
export { WearableStream } from "../durable-objects/wearable-stream";

/** The daily maintenance cron (wrangler.toml); every other cron is the notifications minute. */
const DAILY_CRON = "17 3 * * *";

export default {
  fetch: app.fetch,
  queue,
  /** Cron Triggers (wrangler.toml `[triggers]`): the notifications minute, daily maintenance. */
  async scheduled(controller, env, ctx) {
    if (controller.cron === DAILY_CRON) ctx.waitUntil(telemetryRetention(env));
    else await notificationsCron(controller, env);
  },
} satisfies ExportedHandler<Env>;
