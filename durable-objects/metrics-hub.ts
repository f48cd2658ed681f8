import { DurableObject } from "cloudflare:workers";
import { MAX_GAUGE_WINDOW_MS, type MetricsBatch } from "../workers/lib/metrics/recorder";
import type { HubAlert, HubEvent, HubSnapshot } from "../workers/lib/metrics/ship";

/** Ring sizes: the ops view shows recent history, not an archive. */
const MAX_EVENTS = 1_000;
const MAX_ALERTS = 200;
const MAX_SERIES = 20_000;

/**
 * One shard of Haven's metrics: true cumulative counters, gauges and cumulative histogram
 * buckets in SQLite storage (so nothing goes backwards when the object is evicted or moved),
 * plus bounded rings of recent warn/error log events and Alertmanager notifications.
 * Isolates send batched deltas (`record`), the `/metrics` scrape reads every shard (`snapshot`).
 * Modelled on the approach of Cloudflare's Prometheus exporter: a Durable Object holds the state
 * a stateless Worker cannot.
 */
export class MetricsHub extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const sql = this.ctx.storage.sql;
      sql.exec(
        "create table if not exists series (key text primary key, family text not null, op text not null, value real not null, updated_at integer not null)",
      );
      sql.exec(`create table if not exists events (
        id integer primary key autoincrement, time text not null, level text not null, event text not null,
        request_id text, route text, status integer, code text, dependency text)`);
      sql.exec("create index if not exists events_request on events (request_id)");
      sql.exec(`create table if not exists alerts (
        fingerprint text not null, status text not null, alertname text not null, severity text not null,
        summary text not null, starts_at text not null, ends_at text, received_at text not null,
        primary key (fingerprint, starts_at))`);
    });
  }

  /** Applies one isolate's deltas atomically: adds to counters/histograms, sets gauges. */
  async record(batch: MetricsBatch): Promise<void> {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    this.ctx.storage.transactionSync(() => {
      for (const op of batch.ops) {
        if (!Number.isFinite(op.value)) continue;
        if (op.op === "add") {
          sql.exec(
            `insert into series (key, family, op, value, updated_at) values (?, ?, 'add', ?, ?)
             on conflict (key) do update set value = value + excluded.value, updated_at = excluded.updated_at`,
            op.key,
            op.family,
            op.value,
            now,
          );
        } else if (op.op === "max") {
          // The window's largest report; the first report after the window ends starts a new one.
          sql.exec(
            `insert into series (key, family, op, value, updated_at) values (?1, ?2, 'max', ?3, ?4)
             on conflict (key) do update set
               value = case when updated_at < ?4 - ?5 then excluded.value else max(value, excluded.value) end,
               updated_at = case when updated_at < ?4 - ?5 then excluded.updated_at else updated_at end`,
            op.key,
            op.family,
            op.value,
            now,
            MAX_GAUGE_WINDOW_MS,
          );
        } else {
          sql.exec(
            `insert into series (key, family, op, value, updated_at) values (?, ?, 'set', ?, ?)
             on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`,
            op.key,
            op.family,
            op.value,
            now,
          );
        }
      }
      for (const e of batch.events) {
        sql.exec(
          "insert into events (time, level, event, request_id, route, status, code, dependency) values (?, ?, ?, ?, ?, ?, ?, ?)",
          e.time,
          e.level,
          e.event,
          e.requestId ?? null,
          e.route ?? null,
          e.status ?? null,
          e.code ?? null,
          e.dependency ?? null,
        );
      }
      if (batch.events.length > 0) {
        sql.exec("delete from events where id <= (select max(id) from events) - ?", MAX_EVENTS);
      }
    });
  }

  async snapshot(): Promise<HubSnapshot> {
    const series = this.ctx.storage.sql
      .exec<{ key: string; family: string; op: string; value: number; updated_at: number }>(
        "select key, family, op, value, updated_at from series order by key limit ?",
        MAX_SERIES,
      )
      .toArray();
    return {
      series: series.map((r) => ({
        key: r.key,
        family: r.family,
        op: r.op === "set" ? "set" : r.op === "max" ? "max" : "add",
        value: r.value,
        updatedAt: r.updated_at,
      })),
    };
  }

  async recentEvents(filter: { requestId?: string; limit?: number }): Promise<HubEvent[]> {
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 500);
    const rows = filter.requestId
      ? this.ctx.storage.sql.exec<EventRow>(
          "select * from events where request_id = ? order by id desc limit ?",
          filter.requestId,
          limit,
        )
      : this.ctx.storage.sql.exec<EventRow>("select * from events order by id desc limit ?", limit);
    return rows.toArray().map((r) => ({
      time: r.time,
      level: r.level,
      event: r.event,
      requestId: r.request_id,
      route: r.route,
      status: r.status,
      code: r.code,
      dependency: r.dependency,
    }));
  }

  /** Stores Alertmanager notifications (firing and resolved) for the ops view. */
  async recordAlerts(alerts: HubAlert[]): Promise<void> {
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      for (const a of alerts) {
        sql.exec(
          `insert into alerts (fingerprint, status, alertname, severity, summary, starts_at, ends_at, received_at)
           values (?, ?, ?, ?, ?, ?, ?, ?)
           on conflict (fingerprint, starts_at) do update set status = excluded.status, ends_at = excluded.ends_at,
             received_at = excluded.received_at, summary = excluded.summary`,
          a.fingerprint,
          a.status,
          a.alertname,
          a.severity,
          a.summary,
          a.startsAt,
          a.endsAt,
          a.receivedAt,
        );
      }
      sql.exec(
        "delete from alerts where rowid not in (select rowid from alerts order by received_at desc limit ?)",
        MAX_ALERTS,
      );
    });
  }

  async recentAlerts(limit = 50): Promise<HubAlert[]> {
    return this.ctx.storage.sql
      .exec<AlertRow>(
        "select * from alerts order by received_at desc limit ?",
        Math.min(Math.max(limit, 1), MAX_ALERTS),
      )
      .toArray()
      .map((r) => ({
        fingerprint: r.fingerprint,
        status: r.status === "resolved" ? "resolved" : "firing",
        alertname: r.alertname,
        severity: r.severity,
        summary: r.summary,
        startsAt: r.starts_at,
        endsAt: r.ends_at,
        receivedAt: r.received_at,
      }));
  }
}

type EventRow = {
  time: string;
  level: string;
  event: string;
  request_id: string | null;
  route: string | null;
  status: number | null;
  code: string | null;
  dependency: string | null;
};
type AlertRow = {
  fingerprint: string;
  status: string;
  alertname: string;
  severity: string;
  summary: string;
  starts_at: string;
  ends_at: string | null;
  received_at: string;
};
