import { app } from "./app";
import { runCronJobs } from "./cron";

export { ChatRoom } from "../durable-objects/chat-room";
export { WearableStream } from "../durable-objects/wearable-stream";
export { ExportWorkflow } from "./features/lifecycle/export-workflow";

export default {
  fetch: app.fetch,
  scheduled: (controller, env, ctx) => ctx.waitUntil(runCronJobs(env, controller.scheduledTime)),
} satisfies ExportedHandler<Env>;
