import { app } from "./app";
import { scheduled } from "./scheduled";

export { ChatRoom } from "../durable-objects/chat-room";
export { WearableStream } from "../durable-objects/wearable-stream";

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
