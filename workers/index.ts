import { app } from "./app";

export { ChatRoom } from "../durable-objects/chat-room";
export { MetricsHub } from "../durable-objects/metrics-hub";
export { VisitRoom } from "../durable-objects/visit-room";
export { WearableStream } from "../durable-objects/wearable-stream";

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
