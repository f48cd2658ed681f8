import { inc } from "../workers/lib/metrics/recorder";
import type { Actor, EphemeralFrame, OutboundFrame, RoomEvent } from "./chat-protocol";
import { SocketAttachment } from "./chat-protocol";
import type { ChatStore } from "./chat-store";
import { crisisWindow } from "./chat-store";

/** A connected listener: a hibernatable WebSocket or a live HTTP (SSE) response. */
export interface Sink {
  state: SocketAttachment;
  send(frame: OutboundFrame): void;
  save(): void;
}

/**
 * The room's listeners and what each may see: accepts hibernatable WebSockets, replays missed
 * events (no gaps, no duplicates) and fans new ones out. Per-socket state lives in the socket's
 * attachment, so it survives hibernation and eviction.
 */
export class ChatHub {
  /** Live HTTP (SSE) listeners of the fallback path; they end with their turn. */
  readonly sse = new Set<Sink>();
  private readonly ctx: DurableObjectState;
  private readonly store: ChatStore;
  private readonly ownerId: () => string;

  constructor(ctx: DurableObjectState, store: ChatStore, ownerId: () => string) {
    this.ctx = ctx;
    this.store = store;
    this.ownerId = ownerId;
  }

  async upgrade(actor: Actor): Promise<Response> {
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [actor.userId]);
    inc("active_sessions", {}, 1);
    let joinedSeq = this.store.lastSeq();
    const state: SocketAttachment = { ...actor, lastSeq: 0, ready: false, joinedSeq };
    server.serializeAttachment(state);
    if (actor.userId !== this.ownerId()) {
      const joined = await this.store.append({ type: "clinician_joined", clinicianId: actor.userId });
      joinedSeq = joined.seq - 1;
      server.serializeAttachment({ ...state, joinedSeq });
      this.broadcast(joined);
    }
    server.send(
      JSON.stringify({
        type: "welcome",
        lastSeq: this.store.lastSeq(),
        role: actor.role,
      } satisfies EphemeralFrame),
    );
    return new Response(null, { status: 101, webSocket: client });
  }

  socketSink(ws: WebSocket): Sink | null {
    const parsed = SocketAttachment.safeParse(ws.deserializeAttachment());
    if (!parsed.success) return null;
    const state = parsed.data;
    return {
      state,
      send: (frame) => {
        try {
          ws.send(JSON.stringify(frame));
        } catch {
          // socket closing; the client replays on reconnect
        }
      },
      save: () => ws.serializeAttachment(state),
    };
  }

  private sinks(): Sink[] {
    const sockets = this.ctx.getWebSockets().flatMap((ws) => this.socketSink(ws) ?? []);
    return [...sockets, ...this.sse];
  }

  /**
   * Sends everything after `lastSeq` this listener may see, then marks it live. No gaps, no
   * duplicates. Returns how many events were sent (the room audits the read).
   */
  async replay(sink: Sink, lastSeq: number): Promise<number> {
    const visible = this.visibility(sink.state);
    let last = lastSeq;
    let sent = 0;
    for (let end = this.store.pageEnd(last); end !== null; end = this.store.pageEnd(last)) {
      for (const event of await this.store.since(last)) {
        if (event.seq > end) break;
        if (visible(event)) {
          sink.send(event);
          sent++;
        }
      }
      last = end;
    }
    sink.state.lastSeq = last;
    sink.state.ready = true;
    sink.save();
    return sent;
  }

  broadcast(event: RoomEvent): void {
    for (const sink of this.sinks()) {
      if (!sink.state.ready || event.seq <= sink.state.lastSeq) continue;
      sink.send(event);
      sink.state.lastSeq = event.seq;
      sink.save();
    }
  }

  /** Sends an ephemeral frame to the owner's own ready listeners only; returns how many. */
  toOwner(frame: EphemeralFrame): number {
    const owner = this.ownerId();
    const sinks = this.sinks().filter((s) => s.state.ready && s.state.userId === owner);
    for (const sink of sinks) sink.send(frame);
    return sinks.length;
  }

  broadcastEphemeral(frame: EphemeralFrame): void {
    for (const sink of this.sinks()) if (sink.state.ready) sink.send(frame);
  }

  /**
   * What a listener may see: the owner everything; a clinician everything after they joined, and
   * before that everything if the patient shares fully, else crisis events and ±3 turns around them.
   */
  visibility(state: SocketAttachment): (e: RoomEvent) => boolean {
    if (state.userId === this.ownerId() || this.store.getMeta("share_full") === "1") return () => true;
    const window = crisisWindow(this.store.turnSeqs(), this.store.crisisSeqs());
    return (e) =>
      e.seq > state.joinedSeq || e.type === "crisis" || e.type === "screener_offer" || window.has(e.seq);
  }
}
