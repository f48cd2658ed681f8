import { DurableObject } from "cloudflare:workers";
import { type Config, loadConfig } from "../workers/lib/config";
import { createLogger, type Logger } from "../workers/lib/logger";
import { createScope, jobAudit, type Scope } from "../workers/lib/scope";
import type { UserCipher } from "../workers/lib/user-cipher";
import {
  type ChatTurn,
  moderationFlagsSelfHarm,
  rollSummary,
  SAFETY_PROMPT,
  SYSTEM_PROMPT,
  streamReply,
} from "./chat-companion";
import { alertCareTeam, flushEvents, ownerCipher } from "./chat-flush";
import { replayOverHttp, sendOverHttp } from "./chat-http";
import { ChatHub, type Sink } from "./chat-hub";
import {
  Actor,
  type ChatErrorCode,
  CrisisAlert,
  DAILY_QUOTA,
  type EphemeralFrame,
  InboundFrame,
  MAX_MESSAGE_CHARS,
  PER_MINUTE_LIMIT,
  RoomRef,
} from "./chat-protocol";
import {
  type CrisisAssessment,
  crisisResources,
  crisisResponse,
  detectCrisis,
  SUPPRESSING,
} from "./chat-safety";
import { ChatStore } from "./chat-store";

const FLUSH_DELAY_MS = 2000;
const RECENT_TURNS = 12;

export type SendResult =
  | { ok: true; seq: number; done: Promise<void> }
  | { ok: false; code: ChatErrorCode; message: string };

/**
 * One private room per user, in the user's jurisdiction. The room is the conversation's source of
 * truth: every event gets its `seq` in SQLite before anyone sees it, sockets hibernate between
 * messages, the safety layer runs on every patient message before the model, and an alarm flushes
 * the log to the user's regional Postgres (encrypted, idempotent). A clinician's own room doubles
 * as their alert inbox (`pushAlert`).
 */
export class ChatRoom extends DurableObject<Env> {
  private readonly store: ChatStore;
  private readonly log: Logger;
  private readonly hub: ChatHub;
  private cipher: UserCipher | null = null;
  private turn: Promise<void> = Promise.resolve();
  private flushing: Promise<number> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new ChatStore(ctx.storage.sql);
    this.hub = new ChatHub(ctx, this.store, () => this.owner().ownerId);
    this.log = createLogger("warn", { component: "chat_room" });
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
  }

  /** Internal entry for the Worker: `/ws` upgrade, `/send` (SSE reply), `/stream?after=` (SSE replay). */
  override async fetch(request: Request): Promise<Response> {
    const actor = Actor.safeParse(parseHeader(request, "x-haven-actor"));
    const room = RoomRef.safeParse(parseHeader(request, "x-haven-room"));
    if (!actor.success || !room.success || !this.bind(room.data)) return new Response(null, { status: 404 });
    const url = new URL(request.url);
    if (url.pathname === "/ws" && request.headers.get("upgrade") === "websocket")
      return this.hub.upgrade(actor.data);
    if (url.pathname === "/send" && request.method === "POST")
      return sendOverHttp(this.hub, this.store, actor.data, request, (...args) => this.accept(...args));
    if (url.pathname === "/stream")
      return replayOverHttp(this.hub, this.store, actor.data, Number(url.searchParams.get("after") ?? 0));
    return new Response(null, { status: 404 });
  }

  /** Pushes a crisis alert (ids and severity only) to this clinician's connected sockets. */
  async pushAlert(room: unknown, alert: unknown): Promise<{ ok: boolean; seq?: number }> {
    const r = RoomRef.safeParse(room);
    const a = CrisisAlert.safeParse(alert);
    if (!r.success || !a.success || !this.bind(r.data)) return { ok: false };
    const event = this.store.append({ type: "crisis_alert", ...a.data });
    this.hub.broadcast(event);
    return { ok: true, seq: event.seq };
  }

  /** Mirrors the patient's sharing choice (Postgres holds the record) for live visibility. */
  async setSharing(room: unknown, full: boolean): Promise<{ ok: boolean }> {
    const r = RoomRef.safeParse(room);
    if (!r.success || !this.bind(r.data)) return { ok: false };
    this.store.setMeta("share_full", full ? "1" : "0");
    return { ok: true };
  }

  /** Flushes pending events to Postgres now (history reads call it so they are current). */
  async flushNow(room: unknown): Promise<{ ok: boolean; flushed: number }> {
    const r = RoomRef.safeParse(room);
    if (!r.success || !this.bind(r.data)) return { ok: false, flushed: 0 };
    try {
      return { ok: true, flushed: await this.flush() };
    } catch (err) {
      this.logError("flush_failed", err);
      return { ok: false, flushed: 0 };
    }
  }

  /** The highest sequence number so far (0 for a new room). */
  async lastSeq(): Promise<number> {
    return this.store.lastSeq();
  }

  override async alarm(): Promise<void> {
    await this.flush();
    if (this.store.unflushed(1).length > 0) await this.ctx.storage.setAlarm(Date.now() + FLUSH_DELAY_MS);
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const sink = this.hub.socketSink(ws);
    if (!sink) return ws.close(1011, "unknown socket");
    const frame = InboundFrame.safeParse(typeof raw === "string" ? safeJson(raw) : null);
    if (!frame.success) return sink.send(errorFrame("invalid_frame", "Unrecognised frame"));
    const f = frame.data;
    if (f.type === "ping") return sink.send({ type: "pong" });
    if (f.type === "hello") return this.hub.replay(sink, f.lastSeq);
    const result = this.accept(sink.state, f.text, f.clientId, sink);
    if (!result.ok) sink.send(errorFrame(result.code, result.message, f.clientId));
    else await result.done;
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closed");
    } catch {
      // already closed
    }
  }

  override async webSocketError(): Promise<void> {}

  // ---- messages --------------------------------------------------------------------------------

  /**
   * Validates, stores and fans out one message, then runs the safety layer and (if allowed) the
   * companion. Returns before the reply finishes; `done` settles when the turn is over.
   */
  private accept(actor: Actor, text: string, clientId: string, origin: Sink | null): SendResult {
    if (text.length > MAX_MESSAGE_CHARS) {
      return {
        ok: false,
        code: "too_long",
        message: `Messages are limited to ${MAX_MESSAGE_CHARS} characters`,
      };
    }
    const existing = this.store.findByClientId(actor.userId, clientId);
    if (existing !== null) {
      origin?.send({ type: "ack", clientId, seq: existing });
      return { ok: true, seq: existing, done: Promise.resolve() };
    }
    const isOwner = actor.userId === this.owner().ownerId;
    if (isOwner) {
      const now = Date.now();
      if (this.store.countMessages(actor.userId, now - 60_000) >= PER_MINUTE_LIMIT) {
        return {
          ok: false,
          code: "rate_limited",
          message: "You're sending messages quickly. Please wait a moment.",
        };
      }
      if (this.store.countMessages(actor.userId, startOfUtcDay(now)) >= DAILY_QUOTA) {
        return { ok: false, code: "quota_exceeded", message: "You've reached today's message limit." };
      }
    }
    const assessment: CrisisAssessment = isOwner
      ? detectCrisis(text)
      : { detected: false, severity: "none", categories: [], rules: [] };
    const event = this.store.append(
      {
        type: "message",
        role: isOwner ? "user" : "clinician",
        authorId: actor.userId,
        text,
        clientId,
        crisis: assessment.detected,
      },
      actor.userId,
    );
    origin?.send({ type: "ack", clientId, seq: event.seq });
    this.hub.broadcast(event);
    void this.scheduleFlush();
    if (!isOwner) return { ok: true, seq: event.seq, done: Promise.resolve() };
    if (assessment.detected) {
      this.respondToCrisis(event.seq, assessment);
      if (SUPPRESSING.has(assessment.severity)) return { ok: true, seq: event.seq, done: Promise.resolve() };
    }
    const done = this.turn.then(async () => {
      let constrained = assessment.detected;
      if (
        !constrained &&
        this.config().OPENAI_MODERATION &&
        (await moderationFlagsSelfHarm(this.config(), text))
      ) {
        this.respondToCrisis(event.seq, {
          detected: true,
          severity: "elevated",
          categories: ["self_harm"],
          rules: ["moderation.self-harm"],
        });
        constrained = true;
      }
      return this.companionReply(event.seq, constrained);
    });
    this.turn = done.catch(() => undefined);
    return { ok: true, seq: event.seq, done };
  }

  /** The fixed crisis response and screener offer go out first; the care team is alerted in the background. */
  private respondToCrisis(about: number, assessment: CrisisAssessment): void {
    const room = this.owner();
    const {
      text: response,
      offerScreener,
      resources,
    } = crisisResponse(assessment, crisisResources(room.region), {
      listResources: false,
    });
    const crisis = this.store.append({
      type: "crisis",
      about,
      severity: assessment.severity,
      categories: assessment.categories,
      rules: assessment.rules,
      response,
      resources,
    });
    this.hub.broadcast(crisis);
    if (offerScreener)
      this.hub.broadcast(this.store.append({ type: "screener_offer", instrument: "c-ssrs", about }));
    const config = this.config();
    this.ctx.waitUntil(
      alertCareTeam(this.env, config, room, about, assessment.severity).catch((err) =>
        this.logError("alert_failed", err),
      ),
    );
    this.ctx.waitUntil(this.flush().catch((err) => this.logError("flush_failed", err)));
  }

  private async companionReply(replyTo: number, constrained: boolean): Promise<void> {
    const result = await streamReply(this.config(), this.prompt(constrained), (delta) =>
      this.hub.broadcastEphemeral({ type: "token", replyTo, delta }),
    );
    this.hub.broadcast(
      this.store.append({ type: "assistant", text: result.text, replyTo, outcome: result.outcome }),
    );
    this.updateSummary();
    await this.scheduleFlush();
  }

  /** System prompt, the rolling summary, the recent turns, and the safety constraint when needed. */
  private prompt(constrained: boolean): ChatTurn[] {
    const turns: ChatTurn[] = [{ role: "system", content: SYSTEM_PROMPT }];
    const summary = this.store.getMeta("summary");
    if (summary)
      turns.push({ role: "system", content: `Earlier in this conversation the person said:\n${summary}` });
    for (const e of this.store.recent(["message", "assistant"], RECENT_TURNS)) {
      if (e.type === "assistant") turns.push({ role: "assistant", content: e.text });
      else if (e.type === "message" && e.role === "user") turns.push({ role: "user", content: e.text });
    }
    if (constrained) turns.push({ role: "system", content: SAFETY_PROMPT });
    return turns;
  }

  private updateSummary(): void {
    const window = this.store.recent(["message", "assistant"], RECENT_TURNS);
    const windowStart = window[0]?.seq ?? 0;
    const through = Number(this.store.getMeta("summarized_through") ?? 0);
    if (windowStart <= through + 1) return;
    const dropped = this.store
      .since(through, 500)
      .filter((e) => e.seq < windowStart && e.type === "message" && e.role === "user")
      .map((e) => (e.type === "message" ? e.text : ""));
    this.store.setMeta("summary", rollSummary(this.store.getMeta("summary") ?? "", dropped));
    this.store.setMeta("summarized_through", String(windowStart - 1));
  }

  // ---- HTTP fallback ---------------------------------------------------------------------------

  // ---- persistence -----------------------------------------------------------------------------

  private async scheduleFlush(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + FLUSH_DELAY_MS);
  }

  /** Writes unflushed events to Postgres; one flush at a time. */
  private flush(): Promise<number> {
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async flushOnce(): Promise<number> {
    let total = 0;
    for (let batch = this.store.unflushed(); batch.length > 0; batch = this.store.unflushed()) {
      const room = this.owner();
      this.cipher ??= await ownerCipher(this.jobScope("chat.flush"), room);
      if (!this.cipher) {
        this.store.markFlushed(batch.at(-1)?.seq ?? 0);
        continue;
      }
      total += await flushEvents(this.jobScope("chat.flush"), room, this.cipher, batch);
      this.store.markFlushed(batch.at(-1)?.seq ?? 0);
    }
    return total;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** Records the room's owner on first use; afterwards a call naming another owner is refused. */
  private bind(room: RoomRef): boolean {
    const owner = this.store.getMeta("owner");
    if (owner === null) {
      this.store.setMeta("owner", room.ownerId);
      this.store.setMeta("region", room.region);
      return true;
    }
    return owner === room.ownerId;
  }

  private owner(): RoomRef {
    const parsed = RoomRef.safeParse({
      ownerId: this.store.getMeta("owner"),
      region: this.store.getMeta("region"),
    });
    if (!parsed.success) throw new Error("room_not_bound");
    return parsed.data;
  }

  /** A scope for work the room does on its own (flush, alerts): audited as a system job. */
  private jobScope(job: string): Scope {
    return createScope({ env: this.env, config: this.config(), log: this.log, audit: jobAudit(job) });
  }

  private config(): Config {
    return loadConfig(this.env, this.log);
  }

  private logError(event: string, err: unknown): void {
    this.log.error(event, { error: err instanceof Error ? err.name : typeof err });
  }
}

function errorFrame(code: ChatErrorCode, message: string, clientId?: string): EphemeralFrame {
  return clientId ? { type: "error", code, message, clientId } : { type: "error", code, message };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return null;
  }
}

function parseHeader(request: Request, name: string): unknown {
  return safeJson(request.headers.get(name) ?? "");
}

function startOfUtcDay(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}
