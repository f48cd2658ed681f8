import type { ChatHub, Sink } from "./chat-hub";
import type { Actor, ChatErrorCode, OutboundFrame, RoomEvent, SocketAttachment } from "./chat-protocol";
import type { ChatStore } from "./chat-store";

/** The room's message intake, as the HTTP fallback needs it. */
export type Accept = (
  actor: Actor,
  text: string,
  clientId: string,
  origin: Sink | null,
) => Promise<
  | { ok: true; seq: number; done: Promise<void> }
  | { ok: false; code: ChatErrorCode; message: string; crisis?: RoomEvent | undefined }
>;

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store" };

function sse(frame: OutboundFrame): string {
  return `${"seq" in frame ? `id: ${frame.seq}\n` : ""}data: ${JSON.stringify(frame)}\n\n`;
}

/**
 * HTTP fallback for clients without WebSockets: accepts one message and streams the whole turn
 * (ack, safety events, tokens, reply) back as Server-Sent Events, ending when the turn is over.
 * The Worker route has already validated the body with zod; this re-checks the shapes it uses.
 */
export async function sendOverHttp(
  hub: ChatHub,
  store: ChatStore,
  actor: Actor,
  request: Request,
  accept: Accept,
): Promise<Response> {
  const body: unknown = await request.json().catch(() => null);
  const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const text = typeof fields.text === "string" ? fields.text : "";
  const clientId =
    typeof fields.clientId === "string" && fields.clientId ? fields.clientId : crypto.randomUUID();
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  const encoder = new TextEncoder();
  const state: SocketAttachment = { ...actor, lastSeq: store.lastSeq(), ready: true, joinedSeq: 0 };
  const sink: Sink = {
    state,
    send: (f) => void writer.write(encoder.encode(sse(f))).catch(() => undefined),
    save: () => {},
  };
  hub.sse.add(sink);
  const result = await accept(actor, text, clientId, sink);
  if (!result.ok) {
    hub.sse.delete(sink);
    void writer.close().catch(() => undefined);
    return Response.json(
      { code: result.code, message: result.message, ...(result.crisis ? { crisis: result.crisis } : {}) },
      { status: 400 },
    );
  }
  void result.done.finally(() => {
    hub.sse.delete(sink);
    void writer.close().catch(() => undefined);
  });
  return new Response(readable, { headers: SSE_HEADERS });
}

/**
 * Everything after `after` that this actor may see, as one SSE response (then it ends), and how
 * many events it holds (the room audits the read).
 */
export async function replayOverHttp(
  hub: ChatHub,
  store: ChatStore,
  actor: Actor,
  after: number,
): Promise<{ response: Response; sent: number }> {
  const state: SocketAttachment = { ...actor, lastSeq: 0, ready: false, joinedSeq: Number.MAX_SAFE_INTEGER };
  const chunks: string[] = ["retry: 3000\n\n"];
  const visible = hub.visibility(state);
  let sent = 0;
  for (const e of await store.since(Number.isFinite(after) && after > 0 ? after : 0))
    if (visible(e)) {
      chunks.push(sse(e));
      sent++;
    }
  return { response: new Response(chunks.join(""), { headers: SSE_HEADERS }), sent };
}
