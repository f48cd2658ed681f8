import { z } from "@hono/zod-openapi";
import { MAX_MESSAGE_CHARS } from "../../../durable-objects/chat-protocol";
import { IdSchema, SeqSchema } from "../../lib/vocabulary";

export const TicketSchema = z
  .object({
    ticket: z.string().openapi({ description: "Single-use, valid for 60 seconds" }),
    expiresIn: z.literal(60),
    url: z.string().openapi({ description: "Path to open as a WebSocket (same origin)" }),
  })
  .openapi("ChatTicket");

export const PatientParams = z.object({
  id: IdSchema.openapi({ param: { name: "id", in: "path" } }),
});

export const SendMessageSchema = z
  .object({
    // No max here: a longer message must still reach the room, whose safety net reads it before it
    // refuses it (the request body limit, 1 MiB, bounds it).
    text: z
      .string()
      .min(1)
      .openapi({
        description: `At most ${MAX_MESSAGE_CHARS} characters. A longer message is refused with 422 after the safety net has read it: if it is a crisis, the crisis response is in the problem's \`crisis\` member and the care team is alerted.`,
      }),
    clientId: z.string().min(1).max(64).optional(),
  })
  .openapi("ChatSendMessage");

export const StreamQuery = z.object({ after: SeqSchema.default(0) });

export const HistoryQuery = z.object({
  after: SeqSchema.default(0),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

export const ChatMessageSchema = z
  .object({
    seq: z.number().int(),
    role: z.enum(["user", "assistant", "clinician", "system"]),
    text: z.string(),
    crisis: z.boolean(),
    at: z.string(),
  })
  .openapi("ChatMessage");

export const HistorySchema = z
  .object({
    messages: z.array(ChatMessageSchema),
    sharing: z.enum(["full", "crisis_only"]),
    /** Cursor of the next page (`?after=<next>`); null when this page is the last. */
    next: z.number().int().nullable(),
  })
  .openapi("ChatHistory");

export const SharingSchema = z.object({ full: z.boolean() }).openapi("ChatSharing");

export type ChatMessageOut = z.infer<typeof ChatMessageSchema>;
