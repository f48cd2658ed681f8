import { app } from "./app";
import { telemetryRetention } from "./features/wearables/retention";

export { ChatRoom } from "../durable-objects/chat-room";
export { MetricsHub } from "../durable-objects/metrics-hub";
export { VisitRoom } from "../durable-objects/visit-room";
export { WearableStream } from "../durable-objects/wearable-stream";

export default {
  fetch: app.fetch,
  /** Cron Triggers (wrangler.toml `[triggers]`): daily maintenance jobs. */
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(telemetryRetention(env));
  },
} satisfies ExportedHandler<Env>;
