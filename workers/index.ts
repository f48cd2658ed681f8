import { app } from "./app";
import { queue, scheduled } from "./features/notifications/entry";

export { ChatRoom } from "../durable-objects/chat-room";
export { WearableStream } from "../durable-objects/wearable-stream";

export default {
  fetch: app.fetch,
  queue,
  scheduled,
} satisfies ExportedHandler<Env>;
