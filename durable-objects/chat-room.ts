import { DurableObject } from "cloudflare:workers";
import { auditInsert } from "../workers/lib/audit";
import { aiCallInsert } from "../workers/lib/care-data/ai-calls";
import { latestByPatient, latestScoresQuery } from "../workers/lib/care-data/assessments";
import { nextSessionQuery, timeZoneQuery } from "../workers/lib/care-data/between-session";
import { CONTEXT_READ, helpfulItemsQuery } from "../workers/lib/care-data/companion";
import { chatAllowed, consentState } from "../workers/lib/care-data/consents";
import { type Config, loadConfig } from "../workers/lib/config";
import { REQUEST_ID_HEADER, runWithRequestId } from "../workers/lib/correlation";
import { withDeadline } from "../workers/lib/deadline";
import { isEnabled } from "../workers/lib/flags";
import { LIBRARY_BY_SLUG, type LibraryItem } from "../workers/lib/library/items";
import { RETRIEVAL_TIMEOUT_MS, retrieve } from "../workers/lib/library/retrieval";
import { createLogger, type Logger } from "../workers/lib/logger";
import { inc } from "../workers/lib/metrics/recorder";
import { shipMetrics } from "../workers/lib/metrics/ship";
import { createOpenAI } from "../workers/lib/openai";
import { createScope, jobAudit, type Scope } from "../workers/lib/scope";
import { type UserCipher, userCipher } from "../workers/lib/user-cipher";
import { alertScope, pushToClinician, recordAlert } from "./chat-alerts";
import {
  type ChatTurn,
  carePlanPrompt,
  libraryPrompt,
  moderationFlagsSelfHarm,
  NO_CARE_PLAN_PROMPT,
  nextSessionFact,
  PROMPT_VERSION,
  rollSummary,
  SAFETY_PROMPT,
  SYSTEM_PROMPT,
  streamReply,
} from "./chat-companion";
import { flushAudits, flushEvents, ownerWrappedKey } from "./chat-flush";
import { replayOverHttp, sendOverHttp } from "./chat-http";
import { ChatHub, type Sink } from "./chat-hub";
import { RoomOutbox } from "./chat-outbox";
import {
  Actor,
  alertKey,
  type ChatErrorCode,
  CONSENT_CLOSE_CODE,
  CrisisAlert,
  DAILY_QUOTA,
  type EphemeralFrame,
  InboundFrame,
  MAX_MESSAGE_CHARS,
  Notice,
  PER_MINUTE_LIMIT,
  RecordedAlerts,
  type RoomEvent,
  RoomRef,
} from "./chat-protocol";
import {
  assessRisk,
  CHECK_IN_TEXT,
  crisisResources,
  crisisResponse,
  modelRiskCheck,
  type RiskAssessment,
  SUPPRESSING,
  safetyPlanForCrisis,
  safetyScanText,
  TIER_RANK,
} from "./chat-safety";
import { ChatStore } from "./chat-store";
import { traced } from "./correlated";
import { storedRows } from "./storage-rows";

const FLUSH_DELAY_MS = 2000;
/**
 * Meta key of the owner's data key as Postgres stores it, wrapped by the master keys: with it the
 * room seals and opens events while Postgres is unreachable. Dropped when the key is shredded.
 */
const KEPT_KEY = "data_key_wrapped";
const KEY_RETRY_MS = 10_000;
const RECENT_TURNS = 12;
/** Earlier patient messages the safety net reads as conversation context. */
const RISK_CONTEXT_TURNS = 6;

const NO_RISK: RiskAssessment = {
  tier: "none",
  categories: [],
  fired: [],
  detected: false,
  severity: "none",
  score: 0,
};
/** How long a consent answer is trusted before the room asks Postgres again. */
const CONSENT_TTL_MS = 15_000;
/** A live push still failing after this long is dropped (the inbox row in Postgres stays). */
const PUSH_GIVE_UP_MS = 24 * 3600_000;

export type SendResult =
  | { ok: true; seq: number; done: Promise<void> }
  | { ok: false; code: ChatErrorCode; message: string; crisis?: RoomEvent | undefined };

/**
 * One private room per user, in the user's jurisdiction. The room is the conversation's source of
 * truth: every event gets its `seq` in SQLite before anyone sees it, sockets hibernate between
 * messages, the safety layer runs on every patient message before the model, and an alarm flushes
 * the log to the user's regional Postgres (encrypted, idempotent). A clinician's own room doubles
 * as their alert inbox (`pushAlert`).
 */
export class ChatRoom extends DurableObject<Env> {
  private readonly store: ChatStore;
  private readonly outbox: RoomOutbox;
  private readonly log: Logger;
  private readonly hub: ChatHub;
  private cipher: UserCipher | null = null;
  /** The room's owner and region as stored (see owner()). */
  private ownerRef: RoomRef | undefined;
  /** Until when the owner's key is not asked of Postgres again after a failed load (flushes still ask). */
  private keyRetryAt = 0;
  private turn: Promise<void> = Promise.resolve();
  private flushing: Promise<number> | null = null;
  private alerting: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new ChatStore(ctx.storage.sql, () => this.ownerKey());
    this.outbox = new RoomOutbox(ctx.storage.sql);
    this.hub = new ChatHub(ctx, this.store, () => this.owner().ownerId);
    this.log = createLogger("warn", { component: "chat_room" });
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
  }

  /** Internal entry for the Worker: `/ws` upgrade, `/send` (SSE reply), `/stream?after=` (SSE replay). */
  override async fetch(request: Request): Promise<Response> {
    // The Worker's request id (forwarded by the stub): this call's logs and upstream calls carry it.
    return runWithRequestId(request.headers.get(REQUEST_ID_HEADER), async () => {
      const actor = Actor.safeParse(parseHeader(request, "x-haven-actor"));
      const room = RoomRef.safeParse(parseHeader(request, "x-haven-room"));
      if (actor.success && room.success && actor.data.userId === room.data.ownerId)
        this.repairRegion(room.data);
      if (!actor.success || !room.success || !this.bind(room.data))
        return new Response(null, { status: 404 });
      const consent = request.headers.get("x-haven-consent");
      if (consent === "1" || consent === "0") this.rememberConsent(consent === "1");
      const url = new URL(request.url);
      if (url.pathname === "/ws" && request.headers.get("upgrade") === "websocket")
        return this.hub.upgrade(actor.data);
      if (url.pathname === "/send" && request.method === "POST")
        return sendOverHttp(this.hub, this.store, actor.data, request, (...args) => this.accept(...args));
      if (url.pathname === "/stream") {
        const after = Number(url.searchParams.get("after") ?? 0);
        const { response, sent } = await replayOverHttp(this.hub, this.store, actor.data, after);
        this.auditReplay(actor.data, after, sent);
        return response;
      }
      return new Response(null, { status: 404 });
    });
  }

  /** Runs an RPC call under the caller's request id (durable-objects/correlated.ts). */
  private traced<T>(room: unknown, work: () => Promise<T>): Promise<T> {
    return traced(room, work);
  }

  /**
   * Pushes a crisis alert (ids and severity only) to this clinician's connected sockets. The same
   * alert pushed again (a retry whose answer was lost) is stored once.
   */
  async pushAlert(room: unknown, alert: unknown): Promise<{ ok: boolean; seq?: number }> {
    return this.traced(room, async () => {
      const r = RoomRef.safeParse(room);
      const a = CrisisAlert.safeParse(alert);
      if (!r.success || !a.success || !this.bind(r.data)) return { ok: false };
      const { event, existing } = await this.store.appendUnless(
        { type: "crisis_alert", ...a.data },
        null,
        () => this.store.findAlert(alertKey(a.data)),
      );
      if (existing !== undefined) return { ok: true, seq: existing };
      this.hub.broadcast(event);
      await this.scheduleAt(Date.now() + FLUSH_DELAY_MS);
      return { ok: true, seq: event.seq };
    });
  }

  /**
   * Shows an in-app notification live on the owner's open sockets (chat page, clinician dashboard).
   * Ephemeral: the notification row in Postgres is the record. Returns how many sockets got it.
   */
  async notify(room: unknown, notice: unknown): Promise<{ ok: boolean; sockets: number }> {
    return this.traced(room, async () => {
      const r = RoomRef.safeParse(room);
      const n = Notice.safeParse(notice);
      if (!r.success || !n.success || !this.bind(r.data)) return { ok: false, sockets: 0 };
      return { ok: true, sockets: this.hub.toOwner({ type: "notification", ...n.data }) };
    });
  }

  /**
   * Takes over an alert raised outside the chat (a screener, an assessment, a note). Recorded by
   * the Worker in Postgres: its live pushes are kept in this room's outbox and retried until each
   * clinician's room has them. Not recorded (Postgres did not take it): the outbox records it and
   * pushes it, retried by the alarm, as for a chat crisis.
   */
  async enqueueAlerts(room: unknown, input: unknown): Promise<{ ok: boolean }> {
    return this.traced(room, async () => {
      const r = RoomRef.safeParse(room);
      const parsed = RecordedAlerts.safeParse(input);
      if (!r.success || !parsed.success || !this.bind(r.data)) return { ok: false };
      const { about, severity, alerts } = parsed.data;
      this.outbox.addAlert(about, severity);
      // Without the inbox rows (the Worker could not record them) the outbox records them itself.
      if (alerts) this.outbox.recorded(about, alerts);
      this.ctx.waitUntil(this.deliverAlerts().catch((err) => this.logError("alert_failed", err)));
      await this.reschedule();
      return { ok: true };
    });
  }

  /**
   * Mirrors the owner's consent to chat (Postgres holds the record): withdrawal takes effect on the
   * next message, including on a socket that is already open.
   */
  async setConsent(room: unknown, allowed: boolean): Promise<{ ok: boolean }> {
    return this.traced(room, async () => {
      const r = RoomRef.safeParse(room);
      if (!r.success || !this.bind(r.data) || typeof allowed !== "boolean") return { ok: false };
      this.rememberConsent(allowed);
      return { ok: true };
    });
  }

  /**
   * Erasure (GDPR Art. 17): closes the owner's sockets, cancels the alarm and deletes ALL of the
   * room's storage (events, summary, kept key, outbox). Called by the erasure job after the
   * owner's sessions are revoked; the owner's id is never used again, so the room stays empty.
   */
  async erase(room: unknown): Promise<{ ok: boolean }> {
    return this.traced(room, async () => {
      const r = RoomRef.safeParse(room);
      if (!r.success) return { ok: false };
      // Already erased (a retried erasure): nothing is stored, not even the binding.
      if (storedRows(this.ctx.storage.sql) === 0) return { ok: true };
      if (!this.bind(r.data)) return { ok: false };
      for (const ws of this.ctx.getWebSockets()) ws.close(4410, "account erased");
      this.cipher = null;
      this.ownerRef = undefined;
      await this.ctx.storage.deleteAlarm();
      await this.ctx.storage.deleteAll();
      return { ok: true };
    });
  }

  /** Rows stored in this object's SQLite (every table): the erasure job's raw read-back. */
  async storedRows(): Promise<number> {
    return storedRows(this.ctx.storage.sql);
  }

  /** Mirrors the patient's sharing choice (Postgres holds the record) for live visibility. */
  async setSharing(room: unknown, full: boolean): Promise<{ ok: boolean }> {
    return this.traced(room, async () => {
      const r = RoomRef.safeParse(room);
      if (!r.success || !this.bind(r.data)) return { ok: false };
      this.store.setMeta("share_full", full ? "1" : "0");
      return { ok: true };
    });
  }

  /** Flushes pending events to Postgres now (history reads call it so they are current). */
  async flushNow(room: unknown): Promise<{ ok: boolean; flushed: number }> {
    return this.traced(room, async () => {
      const r = RoomRef.safeParse(room);
      if (!r.success || !this.bind(r.data)) return { ok: false, flushed: 0 };
      try {
        return { ok: true, flushed: await this.flush() };
      } catch (err) {
        this.logError("flush_failed", err);
        await this.reschedule();
        return { ok: false, flushed: 0 };
      }
    });
  }

  /** The highest sequence number so far (0 for a new room). */
  async lastSeq(): Promise<number> {
    return this.store.lastSeq();
  }

  /** Flushes, records and pushes owed alerts, then sets the next alarm for whatever is still owed. */
  override async alarm(): Promise<void> {
    if (this.store.getMeta("owner") === null) return;
    await this.flush().catch((err) => this.logError("flush_failed", err));
    await this.deliverAlerts().catch((err) => this.logError("alert_failed", err));
    await this.reschedule();
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const sink = this.hub.socketSink(ws);
    if (!sink) return ws.close(1011, "unknown socket");
    const frame = InboundFrame.safeParse(typeof raw === "string" ? safeJson(raw) : null);
    if (!frame.success) return sink.send(errorFrame("invalid_frame", "Unrecognised frame"));
    const f = frame.data;
    if (f.type === "ping") return sink.send({ type: "pong" });
    if (f.type === "hello") {
      const sent = await this.hub.replay(sink, f.lastSeq);
      return this.auditReplay(sink.state, f.lastSeq, sent);
    }
    const result = await this.accept(sink.state, f.text, f.clientId, sink);
    if (!result.ok) {
      sink.send(errorFrame(result.code, result.message, f.clientId));
      if (result.code === "consent_required") ws.close(CONSENT_CLOSE_CODE, "consent_required");
    } else await result.done;
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    inc("active_sessions", {}, -1);
    this.shipMetrics();
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closed");
    } catch {
      // already closed
    }
  }

  override async webSocketError(): Promise<void> {}

  /** Hands this isolate's pending metric deltas to the metrics hub when due (background). */
  private shipMetrics(): void {
    shipMetrics(this.env, (p) => this.ctx.waitUntil(p));
  }

  // ---- messages --------------------------------------------------------------------------------

  /**
   * Validates, stores and fans out one message, then runs the safety layer and (if allowed) the
   * companion. Returns before the reply finishes; `done` settles when the turn is over.
   */
  private async accept(
    actor: Actor,
    text: string,
    clientId: string,
    origin: Sink | null,
  ): Promise<SendResult> {
    if (actor.userId === this.owner().ownerId && actor.role === "patient" && !(await this.consentAllows())) {
      return {
        ok: false,
        code: "consent_required",
        message:
          "Chatting with the companion needs your consent to the AI companion and to processing health data. You can turn them on in your account (/account), under Consent.",
        crisis: await this.crisisOfRefused(actor, text, clientId),
      };
    }
    const isOwner = actor.userId === this.owner().ownerId;
    if (text.length > MAX_MESSAGE_CHARS) {
      // Refused for its length, but the patient's words are still read by the safety net first.
      return {
        ok: false,
        code: "too_long",
        message: `Messages are limited to ${MAX_MESSAGE_CHARS} characters`,
        crisis: isOwner ? await this.crisisOfRefused(actor, text, clientId) : undefined,
      };
    }
    const existing = this.store.findByClientId(actor.userId, clientId);
    if (existing !== null) {
      origin?.send({ type: "ack", clientId, seq: existing });
      return { ok: true, seq: existing, done: Promise.resolve() };
    }
    const context = isOwner ? await this.recentPatientTurns() : [];
    const assessment = isOwner
      ? assessRisk(text, context, { afterCheckIn: await this.lastTurnWasCheckIn() })
      : NO_RISK;
    // The limits bound cost and abuse; they never silence the safety net. A message over them that
    // needs a safety response (a crisis, or the direct check-in question) is accepted and answered
    // with the fixed texts only: no model is called for it.
    let overLimit = false;
    if (isOwner) {
      const now = Date.now();
      const limit =
        this.store.countMessages(actor.userId, now - 60_000) >= PER_MINUTE_LIMIT
          ? ({
              code: "rate_limited",
              message: "You're sending messages quickly. Please wait a moment.",
            } as const)
          : this.store.countMessages(actor.userId, startOfUtcDay(now)) >= DAILY_QUOTA
            ? ({ code: "quota_exceeded", message: "You've reached today's message limit." } as const)
            : null;
      if (limit && !assessment.detected && assessment.tier !== "check_in") return { ok: false, ...limit };
      overLimit = limit !== null;
    }
    const event = await this.store.append(
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
    inc("chat_messages_total", { role: isOwner ? "patient" : "clinician" });
    this.shipMetrics();
    void this.scheduleAt(Date.now() + FLUSH_DELAY_MS);
    if (!isOwner) return { ok: true, seq: event.seq, done: Promise.resolve() };
    if (assessment.detected) {
      await this.respondToCrisis(event.seq, assessment);
      if (SUPPRESSING.has(assessment.severity) || overLimit)
        return { ok: true, seq: event.seq, done: Promise.resolve() };
    } else if (assessment.tier === "check_in") {
      this.hub.broadcast(
        await this.store.append({
          type: "check_in",
          about: event.seq,
          text: CHECK_IN_TEXT,
          fired: assessment.fired,
        }),
      );
      return { ok: true, seq: event.seq, done: Promise.resolve() };
    }
    const done = this.turn.then(async () => {
      let constrained = assessment.detected;
      const config = this.config();
      if (!constrained && config.OPENAI_MODERATION && (await moderationFlagsSelfHarm(config, text))) {
        await this.respondToCrisis(event.seq, {
          ...assessment,
          tier: "elevated",
          detected: true,
          severity: "elevated",
          categories: ["self_harm"],
          fired: [...assessment.fired, "moderation:self-harm"],
        });
        constrained = true;
      }
      // Layer 3 rolls out behind a flag (it only ever raises risk); layers 1-2 never do.
      const gate =
        config.SAFETY_MODEL_CHECK &&
        !constrained &&
        (await isEnabled(this.jobScope("flags"), "safety.model_check", {
          role: "patient",
          userId: actor.userId,
        }))
          ? this.modelLayer(event.seq, text, context, assessment)
          : null;
      return this.companionReply(event.seq, constrained, gate, text, assessment);
    });
    this.turn = done.catch(() => undefined);
    return { ok: true, seq: event.seq, done };
  }

  /**
   * Layer 3: the model-based classifier, run concurrently with generation. Resolves true when the
   * reply may be released. It only raises risk: a higher verdict triggers the crisis response (and
   * withholds the reply from `high` up); a lower one, a timeout or malformed output changes nothing.
   */
  private async modelLayer(
    about: number,
    text: string,
    context: readonly string[],
    assessment: RiskAssessment,
  ): Promise<boolean> {
    const config = this.config();
    const verdict = await modelRiskCheck(
      createOpenAI(config, { timeoutMs: config.SAFETY_MODEL_TIMEOUT_MS }),
      config.SAFETY_MODEL ?? config.OPENAI_MODEL,
      text,
      context,
      { timeoutMs: config.SAFETY_MODEL_TIMEOUT_MS },
    );
    this.recordAiCall({
      purpose: "risk_check",
      model: config.SAFETY_MODEL ?? config.OPENAI_MODEL,
      latencyMs: verdict.ms,
      outcome: verdict.ok ? "ok" : verdict.reason,
      safety: { edge: assessment.tier, layer3: verdict.ok ? verdict.tier : verdict.reason },
    });
    if (!verdict.ok) {
      this.log.warn("safety_layer3", { outcome: verdict.reason, ms: verdict.ms });
      return true;
    }
    if (
      TIER_RANK[verdict.tier] <= TIER_RANK[assessment.tier] ||
      TIER_RANK[verdict.tier] < TIER_RANK.elevated
    ) {
      if (TIER_RANK[verdict.tier] < TIER_RANK[assessment.tier])
        this.log.info("safety_layer3", { outcome: "lower_than_edge", ms: verdict.ms });
      return true;
    }
    const severity = verdict.tier as "elevated" | "high" | "imminent";
    await this.respondToCrisis(about, {
      tier: severity,
      detected: true,
      severity,
      categories: verdict.categories.length > 0 ? verdict.categories : ["suicidal_ideation_passive"],
      fired: [...assessment.fired, `l3:${severity}`],
      score: assessment.score,
    });
    return !SUPPRESSING.has(severity);
  }

  /**
   * The safety net does not depend on consent to the companion, nor on a message's length. A
   * refused message (no consent, or too long) is still assessed; when it is a crisis, the message
   * is kept only as an empty placeholder (its text is never stored) and the crisis response, the
   * care-team alert and the risk event go out as for any crisis — protecting a person's vital
   * interests needs no consent (GDPR Art. 9(2)(c)). Returns the crisis event for the HTTP caller,
   * or undefined.
   */
  private async crisisOfRefused(
    actor: Actor,
    text: string,
    clientId: string,
  ): Promise<RoomEvent | undefined> {
    const risk = assessRisk(safetyScanText(text));
    if (!risk.detected) return undefined;
    const placeholder = await this.store.append(
      { type: "message", role: "user", authorId: actor.userId, text: "", clientId, crisis: true },
      actor.userId,
    );
    this.hub.broadcast(placeholder);
    return this.respondToCrisis(placeholder.seq, risk);
  }

  /** The patient's earlier messages, oldest first, for the safety net's conversation context. */
  private async recentPatientTurns(): Promise<string[]> {
    return (await this.store.recent(["message"], RISK_CONTEXT_TURNS * 2))
      .flatMap((e) => (e.type === "message" && e.role === "user" ? [e.text] : []))
      .slice(-RISK_CONTEXT_TURNS);
  }

  /** True when the companion's last turn was the direct check-in question. */
  private async lastTurnWasCheckIn(): Promise<boolean> {
    return (await this.store.recent(["assistant", "check_in"], 1))[0]?.type === "check_in";
  }

  /** The fixed crisis response and screener offer go out first; the care team is alerted in the background. */
  private async respondToCrisis(about: number, assessment: RiskAssessment): Promise<RoomEvent> {
    const room = this.owner();
    const {
      text: response,
      offerScreener,
      resources,
    } = crisisResponse(assessment, crisisResources(room.region), {
      listResources: false,
    });
    this.outbox.addAlert(about, assessment.severity);
    inc("crisis_detections_total", { severity: assessment.severity, source: crisisSource(assessment.fired) });
    inc("care_alerts_total", { outcome: "created" });
    const crisis = await this.store.append({
      type: "crisis",
      about,
      severity: assessment.severity,
      categories: assessment.categories,
      rules: assessment.fired,
      response,
      resources,
      careTeamAlerted: "pending",
    });
    this.hub.broadcast(crisis);
    this.ctx.waitUntil(this.attachSafetyPlan(about).catch((err) => this.logError("safety_plan_failed", err)));
    if (offerScreener)
      this.hub.broadcast(await this.store.append({ type: "screener_offer", instrument: "c-ssrs", about }));
    this.ctx.waitUntil(this.deliverAlerts().catch((err) => this.logError("alert_failed", err)));
    this.ctx.waitUntil(this.flush().catch((err) => this.logError("flush_failed", err)));
    this.ctx.waitUntil(this.reschedule());
    return crisis;
  }

  /**
   * Adds the patient's own safety plan to the crisis response `about`, after the crisis lines went
   * out (they never wait for it): the page shows it first in that response. Nothing when there is
   * no plan or it cannot be read in time.
   */
  private async attachSafetyPlan(about: number): Promise<void> {
    const room = this.owner();
    const job = createScope({
      env: this.env,
      config: this.config(),
      log: this.log,
      audit: jobAudit("chat.safety_plan"),
    });
    const plan = await safetyPlanForCrisis(job, room.ownerId, room.region);
    if (!plan) return;
    this.hub.broadcast(await this.store.append({ type: "safety_plan", about, ...plan }));
  }

  /**
   * Works through the alert outbox: records each crisis in the care team's inboxes (Postgres, the
   * patient's region), tells the patient whether their care team was alerted, and pushes each
   * clinician's alert live. Whatever fails stays in the outbox with its next retry time.
   */
  private deliverAlerts(): Promise<void> {
    this.alerting ??= this.deliverOnce().finally(() => {
      this.alerting = null;
    });
    return this.alerting;
  }

  private async deliverOnce(): Promise<void> {
    const room = this.owner();
    const job = alertScope({ env: this.env, config: this.config(), log: this.log });
    for (const pending of this.outbox.dueRecords()) {
      try {
        const recorded = await recordAlert(job, room, pending.about, pending.severity);
        this.outbox.recorded(pending.about, recorded);
        this.hub.broadcast(
          await this.store.append({
            type: "crisis_status",
            about: pending.about,
            careTeamAlerted: recorded.length > 0,
          }),
        );
      } catch (err) {
        this.outbox.recordFailed(pending.about);
        this.logError("alert_record_failed", err);
      }
    }
    await Promise.all(
      this.outbox.duePushes().map(async (p) => {
        if (Date.now() - p.at > PUSH_GIVE_UP_MS) {
          this.outbox.pushed(p.alertId);
          this.log.warn("alert_push_abandoned", {});
          return;
        }
        try {
          await pushToClinician(job, p.clinicianId, {
            alertId: p.alertId,
            patientId: room.ownerId,
            severity: p.severity,
            at: p.at,
          });
          this.outbox.pushed(p.alertId);
        } catch (err) {
          this.outbox.pushFailed(p.alertId);
          this.logError("alert_push_failed", err);
        }
      }),
    );
  }

  private async companionReply(
    replyTo: number,
    constrained: boolean,
    gate: Promise<boolean> | null,
    text: string,
    assessment: RiskAssessment,
  ): Promise<void> {
    const config = this.config();
    // Grounding is looked up only for ordinary turns: a constrained (crisis) reply keeps its fixed prompt.
    const grounding = constrained ? [] : await this.ground(text);
    const started = Date.now();
    const result = await streamReply(
      config,
      await this.prompt(constrained, grounding),
      (delta) => this.hub.broadcastEphemeral({ type: "token", replyTo, delta }),
      gate ? { gate } : {},
    );
    const citations = result.outcome === "ok" ? grounding.map(({ slug, title }) => ({ slug, title })) : [];
    this.hub.broadcast(
      await this.store.append({
        type: "assistant",
        text: result.text,
        replyTo,
        outcome: result.outcome,
        ...(citations.length > 0 ? { citations } : {}),
      }),
    );
    this.recordAiCall({
      purpose: "reply",
      model: config.OPENAI_MODEL,
      latencyMs: Date.now() - started,
      outcome: result.outcome,
      tokensIn: result.usage?.promptTokens ?? null,
      tokensOut: result.usage?.completionTokens ?? null,
      safety: {
        edge: assessment.tier,
        constrained: String(constrained),
        layer3: gate ? "ran" : "off",
        output:
          result.outcome === "unsafe" ? "replaced" : result.outcome === "withheld" ? "withheld" : "passed",
      },
      grounding: citations.map((c) => c.slug),
    });
    await this.updateSummary().catch((err) => this.logError("summary_failed", err));
    await this.scheduleAt(Date.now() + FLUSH_DELAY_MS);
  }

  /**
   * The library item (at most one) closest to the person's message, above the relevance
   * threshold; bounded by RETRIEVAL_TIMEOUT_MS. Any failure means no grounding, never a failed turn.
   */
  private async ground(text: string): Promise<LibraryItem[]> {
    const config = this.config();
    const region = this.owner().region;
    const started = Date.now();
    try {
      const found = await withDeadline(
        retrieve(config, this.jobScope("library").db(region), region, text, { k: 1 }),
        RETRIEVAL_TIMEOUT_MS,
      );
      this.recordAiCall({
        purpose: "embedding",
        model: config.EMBEDDING_MODEL,
        latencyMs: Date.now() - started,
        outcome: "ok",
        grounding: found.map((f) => f.slug),
      });
      return found.flatMap((f) => LIBRARY_BY_SLUG.get(f.slug) ?? []);
    } catch (err) {
      this.recordAiCall({
        purpose: "embedding",
        model: config.EMBEDDING_MODEL,
        latencyMs: Date.now() - started,
        outcome: err instanceof Error && err.message === "deadline" ? "timeout" : "error",
      });
      return [];
    }
  }

  /**
   * The care-plan context the patient consented to (`care_plan_context`), read through the
   * care-data query builders in the patient's region with its audit row in the same batch; null
   * without consent (then the companion uses none of it): exercises they rated helpful, the
   * safety plan's coping steps, recent scores with their trend, and the next booked session.
   */
  private async carePlanContext(): Promise<{
    helpfulItems: string[];
    copingSteps: string[];
    facts: string[];
  } | null> {
    const room = this.owner();
    const scope = this.jobScope("companion.context");
    const db = scope.db(room.region);
    const state = await consentState(db, room.ownerId);
    if (!state.care_plan_context) return null;
    const [[helpful, scores, [next], [zone]], plan] = await Promise.all([
      db.batch([
        helpfulItemsQuery(db, room.ownerId),
        latestScoresQuery(db, [room.ownerId]),
        nextSessionQuery(db, room.ownerId),
        timeZoneQuery(db, room.ownerId),
        auditInsert(db, scope, { ...CONTEXT_READ, patientId: room.ownerId, outcome: "success" }),
      ]),
      // Bounded and never throwing: a slow or unreadable plan only means no coping steps here.
      safetyPlanForCrisis(scope, room.ownerId, room.region, CONTEXT_PLAN_TIMEOUT_MS),
    ]);
    const coping = plan?.sections.copingStrategies;
    return {
      helpfulItems: helpful.flatMap((h) => LIBRARY_BY_SLUG.get(h.slug ?? "")?.title ?? []),
      copingSteps: Array.isArray(coping)
        ? coping.filter((c): c is string => typeof c === "string").slice(0, 5)
        : [],
      // Recent scores and their trend (band and reliable change, never item answers).
      facts: [
        ...Object.values(latestByPatient(scores).get(room.ownerId) ?? {}).map(
          (pair) =>
            `Latest ${pair.latest.instrument.toUpperCase()}: ${pair.latest.total} (${pair.latest.band})${
              pair.latest.change ? `, ${pair.latest.change.replaceAll("_", " ")} since the previous one` : ""
            }.`,
        ),
        // The next booked session: when (in their time zone) and what type; never notes.
        ...(next ? [nextSessionFact(next.startsAt, next.sessionType, zone?.timeZone ?? "UTC")] : []),
      ],
    };
  }

  /** Writes one row of the AI processing trail (no content) in the background. */
  private recordAiCall(call: {
    purpose: "reply" | "risk_check" | "moderation" | "embedding";
    model: string;
    latencyMs: number;
    outcome: string;
    tokensIn?: number | null;
    tokensOut?: number | null;
    safety?: Record<string, string>;
    grounding?: string[];
  }): void {
    const room = this.owner();
    const db = this.jobScope("ai_trail").db(room.region);
    this.ctx.waitUntil(
      aiCallInsert(db, {
        patientId: room.ownerId,
        purpose: call.purpose,
        model: call.model,
        promptVersion: PROMPT_VERSION,
        tokensIn: call.tokensIn ?? null,
        tokensOut: call.tokensOut ?? null,
        latencyMs: call.latencyMs,
        outcome: call.outcome,
        safety: call.safety ?? {},
        grounding: call.grounding ?? [],
      })
        .then(() => undefined)
        .catch((err) => this.logError("ai_trail_failed", err)),
    );
  }

  /** System prompt, the rolling summary, the recent turns, and the safety constraint when needed. */
  private async prompt(constrained: boolean, grounding: readonly LibraryItem[] = []): Promise<ChatTurn[]> {
    const turns: ChatTurn[] = [{ role: "system", content: SYSTEM_PROMPT }];
    const context = await this.carePlanContext().catch((err) => {
      this.logError("care_plan_context_failed", err);
      return null;
    });
    if (context) turns.push({ role: "system", content: carePlanPrompt(context) });
    else turns.push({ role: "system", content: NO_CARE_PLAN_PROMPT });
    for (const item of grounding) turns.push({ role: "system", content: libraryPrompt(item) });
    const summary = await this.store.summary();
    if (summary)
      turns.push({ role: "system", content: `Earlier in this conversation the person said:\n${summary}` });
    for (const e of await this.store.recent(["message", "assistant"], RECENT_TURNS)) {
      if (e.type === "assistant") turns.push({ role: "assistant", content: e.text });
      else if (e.type === "message" && e.role === "user") turns.push({ role: "user", content: e.text });
    }
    if (constrained) turns.push({ role: "system", content: SAFETY_PROMPT });
    return turns;
  }

  /** Rolls the summary forward, encrypted with the owner's key; without the key it waits. */
  private async updateSummary(): Promise<void> {
    const window = await this.store.recent(["message", "assistant"], RECENT_TURNS);
    const windowStart = window[0]?.seq ?? 0;
    const through = Number(this.store.getMeta("summarized_through") ?? 0);
    if (windowStart <= through + 1) return;
    const cipher = await this.ownerKey().catch(() => null);
    if (!cipher) return;
    const dropped = (await this.store.since(through, 500))
      .filter((e) => e.seq < windowStart && e.type === "message" && e.role === "user")
      .map((e) => (e.type === "message" ? e.text : ""));
    await this.store.setSummary(cipher, rollSummary((await this.store.summary()) ?? "", dropped));
    this.store.setMeta("summarized_through", String(windowStart - 1));
  }

  // ---- HTTP fallback ---------------------------------------------------------------------------

  // ---- persistence -----------------------------------------------------------------------------

  /** Makes sure the alarm fires no later than `at`. */
  private async scheduleAt(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** Sets the alarm for the next thing still owed: unflushed events or audits, or an alert retry. */
  private async reschedule(): Promise<void> {
    const due: number[] = [];
    if (this.store.hasUnflushed() || this.outbox.audits(1).length > 0) due.push(Date.now() + FLUSH_DELAY_MS);
    const next = this.outbox.nextDue();
    if (next !== null) due.push(Math.max(next, Date.now() + 50));
    if (due.length > 0) await this.scheduleAt(Math.min(...due));
  }

  /** Writes unflushed events to Postgres; one flush at a time. */
  private flush(): Promise<number> {
    this.flushing ??= this.flushOnce().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /**
   * Flushes events and queued audit rows to Postgres, then seals (encrypts) the room's copy and
   * prunes flushed events beyond the replay window. Without the owner's key (crypto-shredded)
   * nothing is written to Postgres and any plaintext left in the room is deleted.
   */
  private async flushOnce(): Promise<number> {
    const room = this.owner();
    const job = this.jobScope("chat.flush");
    await this.revalidateKey(job);
    let total = 0;
    for (let end = this.store.unflushedEnd(); end > 0; end = this.store.unflushedEnd()) {
      const cipher = await this.ownerKey(job);
      if (cipher) total += await flushEvents(job, room, cipher, await this.store.unflushed());
      this.store.markFlushed(end);
    }
    for (let audits = this.outbox.audits(); audits.length > 0; audits = this.outbox.audits()) {
      await flushAudits(
        job,
        room,
        audits.map((a) => ({
          action: a.action,
          actorId: a.actor_id,
          actorRole: a.actor_role,
          resourceId: a.resource_id,
          at: a.at,
        })),
      );
      this.outbox.clearAudits(audits.at(-1)?.id ?? 0);
    }
    const cipher = await this.ownerKey(job);
    if (cipher) await this.store.seal(cipher);
    else this.store.dropPlaintext();
    this.store.prune(startOfUtcDay(Date.now()));
    this.outbox.prune(Date.now() - 7 * 86_400_000);
    return total;
  }

  /**
   * The owner's data-key cipher (null if shredded). Postgres is asked once per activation (and again
   * by every flush, {@link ChatRoom.revalidateKey}); when it cannot answer, the wrapped key the room
   * kept from an earlier answer is unwrapped with the master keys alone.
   */
  private async ownerKey(scope: Scope = this.jobScope("chat.flush")): Promise<UserCipher | null> {
    if (this.cipher) return this.cipher;
    if (Date.now() < this.keyRetryAt) {
      const kept = await this.keptKey();
      if (kept) return kept;
      throw new Error("key_unavailable");
    }
    try {
      return await this.loadKey(scope);
    } catch (err) {
      // Without a kept key, the next appends do not wait on Postgres again for a while (they are
      // written unsealed and sealed at the next flush); the safety net's events must not lag.
      this.keyRetryAt = Date.now() + KEY_RETRY_MS;
      const kept = await this.keptKey();
      if (kept) return kept;
      throw err;
    }
  }

  /**
   * Asks Postgres for the owner's key again: a shredded key is dropped from the room (memory and
   * SQLite), a re-wrapped one (master-key rotation) replaces the kept copy. If Postgres cannot
   * answer, the key in hand stays.
   */
  private async revalidateKey(scope: Scope): Promise<void> {
    try {
      await this.loadKey(scope);
    } catch (err) {
      this.logError("key_check_failed", err);
    }
  }

  /** Loads the owner's wrapped key from Postgres and keeps it (wrapped) in the room's SQLite. */
  private async loadKey(scope: Scope): Promise<UserCipher | null> {
    const room = this.owner();
    const wrapped = await ownerWrappedKey(scope, room);
    if (wrapped === null) {
      this.cipher = null;
      this.store.deleteMeta(KEPT_KEY);
      return null;
    }
    const cipher = await userCipher(scope.config, room.ownerId, wrapped);
    if (this.store.getMeta(KEPT_KEY) !== wrapped) this.store.setMeta(KEPT_KEY, wrapped);
    this.cipher = cipher;
    this.keyRetryAt = 0;
    return cipher;
  }

  /** The cipher from the wrapped key kept in SQLite, or null (none kept, or its master key retired). */
  private async keptKey(): Promise<UserCipher | null> {
    const wrapped = this.store.getMeta(KEPT_KEY);
    if (wrapped === null) return null;
    try {
      this.cipher = await userCipher(this.config(), this.owner().ownerId, wrapped);
    } catch (err) {
      this.logError("kept_key_unusable", err);
      return null;
    }
    return this.cipher;
  }

  // ---- consent ---------------------------------------------------------------------------------

  private rememberConsent(allowed: boolean): void {
    this.store.setMeta("consent", allowed ? "1" : "0");
    this.store.setMeta("consent_at", String(Date.now()));
  }

  /**
   * Whether the owner may chat now: the last answer while it is fresh (withdrawal pushes one in),
   * otherwise Postgres again; if Postgres cannot answer, the last known answer stands.
   */
  private async consentAllows(): Promise<boolean> {
    const at = Number(this.store.getMeta("consent_at") ?? 0);
    if (Date.now() - at > CONSENT_TTL_MS) {
      try {
        const room = this.owner();
        this.rememberConsent(
          chatAllowed(await consentState(this.jobScope("chat.consent").db(room.region), room.ownerId)),
        );
      } catch (err) {
        this.logError("consent_check_failed", err);
      }
    }
    return this.store.getMeta("consent") === "1";
  }

  /** Queues the audit row of a replay read (written with the next flush, in the owner's region). */
  private auditReplay(actor: Actor, after: number, sent: number): void {
    if (sent === 0) return;
    this.outbox.queueAudit({
      action: "chat.replay",
      actorId: actor.userId,
      actorRole: actor.role,
      resourceId: `after:${after}`,
    });
    this.ctx.waitUntil(this.scheduleAt(Date.now() + FLUSH_DELAY_MS));
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
    return owner === room.ownerId && this.store.getMeta("region") === room.region;
  }

  /**
   * The owner's own session names their region from their token, which is authoritative: a room
   * bound to another region (by an alert pushed with a guessed region before regions were
   * resolved without guessing) is corrected, so it flushes to the right database from now on.
   */
  private repairRegion(room: RoomRef): void {
    const region = this.store.getMeta("region");
    if (this.store.getMeta("owner") !== room.ownerId || region === null || region === room.region) return;
    this.store.setMeta("region", room.region);
    this.cipher = null;
    this.ownerRef = undefined;
    this.log.warn("room_region_repaired", { from: region, to: room.region });
  }

  private owner(): RoomRef {
    // Read and validated once per activation: every message and broadcast asks (it was 3 % of
    // the room's CPU under the soak). Cleared where the binding changes (region repair, erasure).
    if (this.ownerRef) return this.ownerRef;
    const parsed = RoomRef.safeParse({
      ownerId: this.store.getMeta("owner"),
      region: this.store.getMeta("region"),
    });
    if (!parsed.success) throw new Error("room_not_bound");
    this.ownerRef = parsed.data;
    return parsed.data;
  }

  /** A scope for work the room does on its own (flush, alerts): audited as a system job. */
  private jobScope(job: string): Scope {
    return createScope({
      env: this.env,
      config: this.config(),
      log: this.log,
      audit: jobAudit(job),
      redisTimeoutMs: 2000,
    });
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

/** Which layer raised a crisis, for `crisis_detections_total{source}` (ids only, never text). */
function crisisSource(fired: readonly string[]): "chat" | "moderation" | "model" {
  if (fired.some((id) => id.startsWith("l3:") || id.startsWith("model:"))) return "model";
  if (fired.some((id) => id.startsWith("moderation:"))) return "moderation";
  return "chat";
}

/** How long a turn's context waits for the safety plan before going on without its coping steps. */
const CONTEXT_PLAN_TIMEOUT_MS = 800;
