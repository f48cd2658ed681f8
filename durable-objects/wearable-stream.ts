import { DurableObject } from "cloudflare:workers";
import { auditInsert } from "../workers/lib/audit";
import { consentState } from "../workers/lib/care-data/consents";
import { activeDeviceHashes, flushTelemetryWrite, TELEMETRY_FLUSH } from "../workers/lib/care-data/wearables";
import { type Config, loadConfig } from "../workers/lib/config";
import { withDeadline } from "../workers/lib/deadline";
import { createLogger, type Logger } from "../workers/lib/logger";
import { inc, set } from "../workers/lib/metrics/recorder";
import { shipMetrics } from "../workers/lib/metrics/ship";
import { createScope, jobAudit, type Scope } from "../workers/lib/scope";
import { traced } from "./correlated";
import { storedRows } from "./storage-rows";
import {
  DeviceEntry,
  IngestCall,
  type IngestResult,
  LiveAttachment,
  type LiveFrame,
  type Reading,
  ReadingTypeSchema,
  type Rejection,
  StreamRef,
} from "./wearable-protocol";
import { publishWearableAnomaly } from "./wearable-publish";
import {
  detectAcute,
  detectAll,
  newEpisodes,
  type RestBaseline,
  type RuleInput,
  restBaseline,
} from "./wearable-rules";
import { WearableStore } from "./wearable-store";

/** Readings per flush statement (one `unnest` INSERT through the HTTP driver). */
export const FLUSH_ROWS = 5000;
/** Statements per alarm run before yielding (the next alarm continues). */
const FLUSH_ROUNDS = 20;
const FLUSH_DELAY_MS = 1000;
/** Past this many readings not yet in Postgres, ingest answers 503 with Retry-After. */
export const PENDING_CAP = 200_000;
const BACKLOG_RETRY_AFTER_S = 60;
/** Consent is re-read from Postgres when the stream's answer is older than this. */
const CONSENT_TTL_MS = 15_000;
const DB_TIMEOUT_MS = 5000;
const EVALUATE_EVERY_MS = 60_000;
/** The whole-history rules (nightly ones, silence) and the cached resting baseline: hourly. */
const FULL_EVALUATE_EVERY_MS = 3600_000;
/** What the minute rules read: the last day and the 12-minute rest window before it, with slack. */
const ACUTE_HORIZON_MS = 25 * 3600_000;
/** Silence is checked at least this often while devices exist. */
const IDLE_ALARM_MS = 3600_000;
const LIVE_MIN_INTERVAL_MS = 1000;
/** Flushed readings past the dedupe horizon are deleted at most this often. */
const PRUNE_EVERY_MS = 3600_000;

/** Minute points an evaluation read (status and tests: the minute pass must stay small). */
const minutesIn = (i: RuleInput) =>
  i.heartRate.length +
  i.steps.length +
  i.spo2.length +
  i.hrvSdnn.length +
  i.hrvRmssd.length +
  i.restingHeartRate.length;

interface QueuedBatch {
  deviceId: string;
  text: string;
  rows: Reading[];
  key: string | null;
  rejected: Rejection[];
  done: { resolve(r: Extract<IngestResult, { ok: true }>): void; reject(e: unknown): void };
}

/**
 * One user's wearable stream. Accepted readings are in this object's SQLite before `ingest`
 * returns; `alarm()` lands them in Postgres in large idempotent batches (retried with backoff
 * while Postgres is down, removed from here only once Postgres has them), evaluates the
 * personal-baseline anomaly rules and publishes what they find; live subscribers (the patient's
 * and the care team's pages) get readings — at most one per type per second — and anomalies over
 * hibernatable WebSockets.
 */
export class WearableStream extends DurableObject<Env> {
  private readonly store: WearableStore;
  private readonly log: Logger;
  private readonly lastLive = new Map<string, number>();
  /** The backlog cap (a field so a test can lower it). */
  pendingCap = PENDING_CAP;
  /** Readings not yet in Postgres, counted once per activation and kept up to date after. */
  private pendingKnown: number | null = null;
  /** Batches waiting for the next group write (see {@link write}) and their reading count. */
  private queue: QueuedBatch[] = [];
  private queuedRows = 0;
  /** What the last rule evaluation in this activation read (status, for tests and ops). */
  private lastEvaluation: { kind: "full" | "acute"; minutes: number } | null = null;
  /** The alarm time this object last set (null: none; undefined: not read yet in this activation). */
  private alarmAt: number | null | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new WearableStore(ctx.storage.sql);
    this.log = createLogger("warn", { component: "wearable_stream" });
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
  }

  /** Binds the stream to its owner and region on first use; a call naming anyone else is refused. */
  private bind(ref: unknown): StreamRef | null {
    const r = StreamRef.safeParse(ref);
    if (!r.success) return null;
    const owner = this.store.meta("owner");
    if (owner === null) {
      this.store.setMeta("owner", r.data.userId);
      this.store.setMeta("region", r.data.region);
      return r.data;
    }
    return owner === r.data.userId && this.store.meta("region") === r.data.region ? r.data : null;
  }

  private ref(): StreamRef | null {
    const userId = this.store.meta("owner");
    const region = this.store.meta("region");
    const r = StreamRef.safeParse({ userId, region });
    return r.success ? r.data : null;
  }

  private config(): Config {
    return loadConfig(this.env, this.log);
  }

  private scope(job: string): Scope {
    return createScope({ env: this.env, config: this.config(), log: this.log, audit: jobAudit(job) });
  }

  /** Registers a device's token hash (after Postgres has the device). */
  async addDevice(ref: unknown, device: unknown): Promise<{ ok: boolean }> {
    const d = DeviceEntry.safeParse(device);
    if (!this.bind(ref) || !d.success) return { ok: false };
    this.store.addDevice(d.data.id, d.data.tokenHash);
    await this.schedule(IDLE_ALARM_MS);
    return { ok: true };
  }

  /** Revokes a device: its token is refused from the next request (before Postgres records it). */
  async revokeDevice(ref: unknown, deviceId: unknown): Promise<{ ok: boolean }> {
    const id = DeviceEntry.shape.id.safeParse(deviceId);
    if (!this.bind(ref) || !id.success) return { ok: false };
    this.store.revokeDevice(id.data);
    return { ok: true };
  }

  /** Mirrors the owner's health-data consent (Postgres holds the record). */
  async setConsent(ref: unknown, allowed: unknown): Promise<{ ok: boolean }> {
    if (!this.bind(ref) || typeof allowed !== "boolean") return { ok: false };
    this.rememberConsent(allowed);
    return { ok: true };
  }

  private rememberConsent(allowed: boolean): void {
    this.store.setMeta("consent", allowed ? "1" : "0");
    this.store.setMeta("consent_at", Date.now());
  }

  /** Health-data consent now: the mirrored answer if fresh, else Postgres; the last known answer while Postgres is down. */
  private async consent(ref: StreamRef): Promise<boolean | null> {
    const known = this.store.meta("consent");
    if (known !== null && Date.now() - Number(this.store.meta("consent_at") ?? 0) < CONSENT_TTL_MS)
      return known === "1";
    try {
      const state = await withDeadline(
        consentState(this.scope("wearable.consent").db(ref.region), ref.userId),
        DB_TIMEOUT_MS,
      );
      this.rememberConsent(state.health_data);
      return state.health_data;
    } catch {
      return known === null ? null : known === "1";
    }
  }

  /** The device of a token hash: this stream's registry, re-seeded once from Postgres on a miss. */
  private async device(ref: StreamRef, tokenHash: string): Promise<string | null> {
    let d = this.store.deviceByHash(tokenHash);
    if (!d && this.store.meta("devices_seeded_at") === null) {
      try {
        const rows = await withDeadline(
          activeDeviceHashes(this.scope("wearable.devices").db(ref.region), ref.userId),
          DB_TIMEOUT_MS,
        );
        for (const r of rows) this.store.addDevice(r.id, r.tokenHash);
        this.store.setMeta("devices_seeded_at", Date.now());
        d = this.store.deviceByHash(tokenHash);
      } catch {
        return null;
      }
    }
    return d && !d.revoked ? d.id : null;
  }

  /**
   * Stores a checked batch from one device. The answer is given only after the readings are in
   * this object's SQLite (durable). Idempotent per Idempotency-Key and per reading (device, type, ts).
   */
  async ingest(ref: unknown, call: unknown): Promise<IngestResult> {
    // Under the Worker request's id: this call's logs and its Postgres reads join that request.
    return traced(ref, () => this.ingestTraced(ref, call));
  }

  private async ingestTraced(ref: unknown, call: unknown): Promise<IngestResult> {
    const r = this.bind(ref);
    const c = IngestCall.safeParse(call);
    if (!r || !c.success) return { ok: false, error: "unauthorized" };
    const deviceId = await this.device(r, c.data.tokenHash);
    if (!deviceId) return { ok: false, error: "unauthorized" };
    const key = c.data.idempotencyKey ? `${deviceId}:${c.data.idempotencyKey}` : null;
    const earlier = key ? this.store.idempotent(key) : null;
    if (earlier) return { ...(JSON.parse(earlier) as Extract<IngestResult, { ok: true }>), replayed: true };
    const consent = await this.consent(r);
    if (consent === null) return { ok: false, error: "unavailable", retryAfter: 5 };
    if (!consent) return { ok: false, error: "consent_required" };
    if (this.pending() + this.queuedRows + c.data.readings.rows.length > this.pendingCap) {
      if (this.store.meta("backlog_alerted") === null) {
        this.store.setMeta("backlog_alerted", Date.now());
        // Ops alert (log-based alerting on this event name); ids only.
        this.log.error("ops_alert_wearable_backlog", { cap: this.pendingCap });
      }
      await this.schedule(0);
      return { ok: false, error: "backlog", retryAfter: BACKLOG_RETRY_AFTER_S };
    }
    const { text, rows } = c.data.readings;
    const result = await this.write({ deviceId, text, rows, key, rejected: c.data.rejected });
    await this.schedule(FLUSH_DELAY_MS);
    return result;
  }

  /**
   * Group commit: batches that arrive while one is being written wait a moment and are written
   * together, in ONE SQLite transaction (one commit for many requests instead of one each). Each
   * caller's answer is returned only after that transaction: the output gate holds every
   * response until the commit is durable, so "accepted" still means "in this object's storage".
   */
  private write(item: Omit<QueuedBatch, "done">): Promise<Extract<IngestResult, { ok: true }>> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...item, done: { resolve, reject } });
      this.queuedRows += item.rows.length;
      if (this.queue.length === 1) setTimeout(() => this.writeQueued(), 0);
    });
  }

  private writeQueued(): void {
    const items = this.queue;
    this.queue = [];
    this.queuedRows = 0;
    const now = Date.now();
    let answers: { result: Extract<IngestResult, { ok: true }>; fresh: Reading[] }[];
    try {
      answers = this.transaction(() =>
        items.map((it) => {
          // A resend of the same key in the same group is answered like a later resend.
          const earlier = it.key ? this.store.idempotent(it.key) : null;
          if (earlier)
            return {
              result: { ...(JSON.parse(earlier) as Extract<IngestResult, { ok: true }>), replayed: true },
              fresh: [],
            };
          const stored = this.store.store(it.deviceId, it.text, it.rows, now);
          const result = {
            ok: true as const,
            accepted: stored.accepted,
            duplicates: stored.duplicates,
            rejected: it.rejected,
            replayed: false,
          };
          if (it.key) this.store.remember(it.key, JSON.stringify(result), now);
          return { result, fresh: stored.fresh };
        }),
      );
    } catch (err) {
      for (const it of items) it.done.reject(err);
      return;
    }
    let accepted = 0;
    const fresh: Reading[] = [];
    answers.forEach((a, i) => {
      accepted += a.result.accepted;
      fresh.push(...a.fresh);
      items[i]?.done.resolve(a.result);
    });
    this.pendingKnown = this.pending() + accepted;
    this.store.setMeta("dirty", 1);
    this.live(fresh);
  }

  /** State for tests and ops: pending readings, devices, flush failures, anomalies. */
  /**
   * Erasure: closes live subscribers and deletes everything this stream holds (readings not yet
   * flushed included: the patient's data is being erased everywhere), and its alarm.
   */
  async erase(): Promise<{ ok: true }> {
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.close(1000, "erased");
      } catch {
        // already closed
      }
    }
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.store.reset();
    this.alarmAt = undefined;
    return { ok: true };
  }

  /** Rows stored in this object's SQLite (every table): the erasure job's raw read-back. */
  async storedRows(): Promise<number> {
    return storedRows(this.ctx.storage.sql);
  }

  async status(ref: unknown) {
    if (!this.bind(ref)) return null;
    return {
      pending: this.store.pendingCount(),
      flushFailures: Number(this.store.meta("flush_failures") ?? 0),
      anomalies: this.store.anomalies(),
      lastEvaluation: this.lastEvaluation,
    };
  }

  /** One-minute buckets held here (including readings not yet in Postgres), for live charts. */
  async recent(ref: unknown, type: unknown, sinceMs: unknown) {
    const t = ReadingTypeSchema.safeParse(type);
    if (!this.bind(ref) || !t.success || typeof sinceMs !== "number") return null;
    return this.store.minuteBuckets(t.data, sinceMs);
  }

  /** Runs the alarm's work now (tests, and reads that want Postgres current). */
  async flushNow(ref: unknown): Promise<{ ok: boolean; flushed: number }> {
    if (!this.bind(ref)) return { ok: false, flushed: 0 };
    try {
      return { ok: true, flushed: await this.flush() };
    } catch {
      return { ok: false, flushed: 0 };
    }
  }

  /**
   * Evaluates the rules now (tests); normally the alarm does it. `as: "alarm"` takes the alarm's
   * path (the minute rules only, unless the hourly full run is due) instead of forcing a full run.
   */
  async evaluateNow(ref: unknown, now?: number, as?: "alarm"): Promise<{ ok: boolean }> {
    if (!this.bind(ref)) return { ok: false };
    await this.evaluate(now ?? Date.now(), as !== "alarm");
    return { ok: true };
  }

  /** Live subscription: the Worker has already decided access and audited it. */
  override async fetch(request: Request): Promise<Response> {
    const viewer = LiveAttachment.safeParse({ viewerId: request.headers.get("x-haven-viewer") });
    let named: unknown = null;
    try {
      named = JSON.parse(request.headers.get("x-haven-stream") ?? "null");
    } catch {
      return new Response(null, { status: 404 });
    }
    const ref = this.bind(named);
    if (!viewer.success || !ref || request.headers.get("upgrade") !== "websocket")
      return new Response(null, { status: 404 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    pair[1].serializeAttachment(viewer.data);
    pair[1].send(JSON.stringify({ type: "welcome", pending: this.store.pendingCount() } satisfies LiveFrame));
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(): Promise<void> {
    // Subscribers only listen (pings are answered by the auto-response).
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, "closed");
    } catch {
      // already closed
    }
  }

  /** One SQLite transaction; on a rollback the store's caches (which the writes updated) are dropped. */
  private transaction<T>(fn: () => T): T {
    try {
      return this.ctx.storage.transactionSync(fn);
    } catch (err) {
      this.store.reset();
      throw err;
    }
  }

  private pending(): number {
    this.pendingKnown ??= this.store.pendingCount();
    return this.pendingKnown;
  }

  private broadcast(frame: LiveFrame): void {
    const text = JSON.stringify(frame);
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(text);
      } catch {
        // closing
      }
    }
  }

  /** The newest fresh reading of each type, at most one per type per second. */
  private live(fresh: Reading[]): void {
    if (this.ctx.getWebSockets().length === 0) return;
    const newest = new Map<string, Reading>();
    for (const r of fresh) if ((newest.get(r.type)?.ts ?? -1) < r.ts) newest.set(r.type, r);
    const now = Date.now();
    for (const [type, r] of newest) {
      if (now - (this.lastLive.get(type) ?? 0) < LIVE_MIN_INTERVAL_MS) continue;
      this.lastLive.set(type, now);
      this.broadcast({
        type: "reading",
        reading: { type: r.type, ts: r.ts, value: r.value, stage: r.stage },
      });
    }
  }

  /**
   * Makes sure the alarm fires within `inMs`. The alarm time this object set is remembered, so
   * a busy stream's ingest does not read it back on every batch (undefined: not known yet).
   */
  private async schedule(inMs: number): Promise<void> {
    const at = Date.now() + inMs;
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    await this.ctx.storage.setAlarm(at);
    this.alarmAt = at;
  }

  private async setAlarm(at: number): Promise<void> {
    await this.ctx.storage.setAlarm(at);
    this.alarmAt = at;
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null; // this one fired
    const ref = this.ref();
    if (!ref) return;
    try {
      await this.flush();
      this.store.setMeta("flush_failures", 0);
      const now = Date.now();
      if (now - Number(this.store.meta("pruned_at") ?? 0) >= PRUNE_EVERY_MS) {
        this.store.prune(now);
        this.store.setMeta("pruned_at", now);
      }
    } catch (err) {
      const failures = Number(this.store.meta("flush_failures") ?? 0) + 1;
      this.store.setMeta("flush_failures", failures);
      this.log.warn("wearable_flush_failed", {
        failures,
        error: err instanceof Error ? err.name : typeof err,
      });
      await this.setAlarm(Date.now() + Math.min(60_000, 1000 * 2 ** Math.min(failures - 1, 6)));
      return;
    }
    await this.evaluate(Date.now(), false).catch((err) =>
      this.log.warn("wearable_evaluate_failed", { error: err instanceof Error ? err.name : typeof err }),
    );
    const next =
      this.store.pendingCount() > 0 || this.store.anomalies().some((a) => !a.published)
        ? 1000
        : IDLE_ALARM_MS;
    await this.setAlarm(Date.now() + next);
  }

  /**
   * Lands pending readings in Postgres, FLUSH_ROWS per statement, each with its audit row in one
   * transaction; rows stop being pending only after Postgres answered. Throws on a failure.
   */
  private async flush(): Promise<number> {
    const ref = this.ref();
    if (!ref) return 0;
    const scope = this.scope("wearable.flush");
    const db = scope.db(ref.region);
    let total = 0;
    try {
      for (let round = 0; round < FLUSH_ROUNDS; round++) {
        const rows = this.store.pending(FLUSH_ROWS);
        if (rows.ts.length === 0) break;
        const { upTo, ...columns } = rows;
        await db.batch([
          auditInsert(db, scope, {
            ...TELEMETRY_FLUSH,
            resourceId: String(rows.ts.length),
            patientId: ref.userId,
            outcome: "success",
          }),
          flushTelemetryWrite(db, ref.userId, columns),
        ]);
        this.store.markFlushed(upTo);
        this.pendingKnown = null;
        total += rows.ts.length;
      }
    } finally {
      if (total > 0) inc("telemetry_readings_total", { outcome: "landed" }, total);
      this.reportLag();
    }
    if (this.pending() < this.pendingCap / 2 && this.store.meta("backlog_alerted") !== null)
      this.store.deleteMeta("backlog_alerted");
    return total;
  }

  /**
   * Reports the age of this stream's oldest reading not yet in Postgres (0 when none is pending)
   * as `telemetry_flush_lag_seconds` (a `max` gauge: the metrics hub keeps the largest report of
   * its window, so one stuck stream is not hidden by healthy ones), then ships metrics if due.
   */
  private reportLag(): void {
    const oldest = this.store.oldestPendingReceived();
    set("telemetry_flush_lag_seconds", {}, oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
    shipMetrics(this.env, (p) => this.ctx.waitUntil(p));
  }

  /** Runs the rules when new data arrived (or hourly, for silence) and publishes new anomalies. */
  private async evaluate(now: number, force: boolean): Promise<void> {
    const ref = this.ref();
    if (!ref) return;
    const last = Number(this.store.meta("evaluated_at") ?? 0);
    const lastFull = Number(this.store.meta("evaluated_full_at") ?? 0);
    const cached = this.store.meta("rest_baseline");
    const dirty = this.store.meta("dirty") === "1";
    // Every rule over the whole history hourly (or when asked); in between, while data arrives,
    // only the minute rules over the last day, with the resting baseline the last full run cached.
    // Reading 29 days of minutes every minute cost the stream's thread the most of any step.
    const full = force || cached === null || now - lastFull >= FULL_EVALUATE_EVERY_MS;
    const due = force || (dirty && now - last >= EVALUATE_EVERY_MS) || now - last >= IDLE_ALARM_MS;
    if (due) {
      const known = this.store.anomalies();
      let found: ReturnType<typeof detectAll>;
      if (full) {
        const input = this.store.ruleInput(now);
        const baseline = restBaseline(input);
        found = detectAll({ ...input, restBaseline: baseline });
        this.store.setMeta("rest_baseline", JSON.stringify(baseline));
        this.store.setMeta("evaluated_full_at", now);
        this.lastEvaluation = { kind: "full", minutes: minutesIn(input) };
      } else {
        const input = this.store.minuteRuleInput(now, ACUTE_HORIZON_MS);
        found = detectAcute({ ...input, restBaseline: JSON.parse(cached) as RestBaseline | null });
        this.lastEvaluation = { kind: "acute", minutes: minutesIn(input) };
      }
      for (const e of newEpisodes(found, known, now)) this.store.addAnomaly(e);
      this.store.setMeta("evaluated_at", now);
      this.store.setMeta("dirty", 0);
    }
    const scope = this.scope("wearable.anomaly");
    for (const a of this.store.anomalies().filter((x) => !x.published)) {
      await publishWearableAnomaly(scope, ref, a);
      this.store.markPublished(a.id);
      this.broadcast({
        type: "anomaly",
        anomaly: { rule: a.rule, readingType: a.readingType, start: a.start, end: a.end },
      });
    }
  }
}
