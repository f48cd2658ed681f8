import type { Reading, ReadingType } from "./wearable-protocol";
import type { Episode, MinutePoint, RuleInput, SleepPoint } from "./wearable-rules";
import { localDay } from "./wearable-rules";

/** How long flushed readings stay as the dedupe record: the 30-day late window plus a day. */
export const DEDUPE_HORIZON_MS = 31 * 24 * 3600_000;
/** Minute buckets kept for baselines (28 days) plus the current day. */
export const MINUTE_HORIZON_MS = 29 * 24 * 3600_000;

export type PendingRow = {
  device_id: string;
  type: string;
  ts: number;
  value: number;
  stage: string | null;
};

export interface StoredAnomaly extends Episode {
  id: number;
  published: number;
}

/**
 * The stream's SQLite: readings (pending flush, then kept as the dedupe record until the late
 * window has passed), one-minute buckets per type (charts and baselines), devices, anomalies,
 * idempotency answers and meta. Every method is synchronous (SQLite in the object).
 */
export class WearableStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      create table if not exists meta (key text primary key, value text not null);
      create table if not exists devices (
        id text primary key, token_hash text not null unique, revoked integer not null default 0,
        last_seen integer);
      create table if not exists device_days (device_id text not null, day integer not null,
        primary key (device_id, day)) without rowid;
      create table if not exists readings (
        device_id text not null, type text not null, ts integer not null, value real not null,
        stage text, flushed integer not null default 0,
        primary key (device_id, type, ts)) without rowid;
      create index if not exists readings_pending on readings (flushed, ts) where flushed = 0;
      create index if not exists readings_type_ts on readings (type, ts);
      create table if not exists minutes (type text not null, minute integer not null, n integer not null,
        sum real not null, min real not null, max real not null, primary key (type, minute)) without rowid;
      create table if not exists anomalies (id integer primary key autoincrement, rule text not null,
        reading_type text not null, start integer not null, end integer not null, value real not null,
        baseline real, published integer not null default 0, unique (rule, reading_type, start));
      create table if not exists idempotency (key text primary key, answer text not null, at integer not null);
    `);
  }

  meta(key: string): string | null {
    return (
      this.sql.exec<{ value: string }>("select value from meta where key = ?", key).toArray()[0]?.value ??
      null
    );
  }

  setMeta(key: string, value: string | number): void {
    this.sql.exec(
      "insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value",
      key,
      String(value),
    );
  }

  deviceByHash(tokenHash: string): { id: string; revoked: number } | null {
    return (
      this.sql
        .exec<{ id: string; revoked: number }>(
          "select id, revoked from devices where token_hash = ?",
          tokenHash,
        )
        .toArray()[0] ?? null
    );
  }

  addDevice(id: string, tokenHash: string): void {
    this.sql.exec("insert into devices (id, token_hash) values (?, ?) on conflict do nothing", id, tokenHash);
  }

  revokeDevice(id: string): void {
    this.sql.exec(
      "insert into devices (id, token_hash, revoked) values (?, ?, 1) on conflict (id) do update set revoked = 1",
      id,
      `revoked:${id}`,
    );
  }

  pendingCount(): number {
    return this.sql.exec<{ n: number }>("select count(*) as n from readings where flushed = 0").one().n;
  }

  /**
   * Stores readings in one transaction: a reading already held (same device, type, timestamp)
   * is a duplicate; a new one goes to the pending rows and its minute bucket.
   */
  store(
    deviceId: string,
    readings: Reading[],
    now: number,
  ): { accepted: number; duplicates: number; fresh: Reading[] } {
    const fresh: Reading[] = [];
    let duplicates = 0;
    // New readings' minute buckets, summed here first: one upsert per (type, minute), not per reading.
    const buckets = new Map<
      string,
      { type: string; minute: number; n: number; sum: number; min: number; max: number }
    >();
    for (const r of readings) {
      const written = this.sql.exec(
        "insert into readings (device_id, type, ts, value, stage) values (?, ?, ?, ?, ?) on conflict do nothing",
        deviceId,
        r.type,
        r.ts,
        r.value,
        r.stage,
      ).rowsWritten;
      if (written === 0) {
        duplicates++;
        continue;
      }
      fresh.push(r);
      if (r.type === "sleep_stage") continue;
      const minute = Math.floor(r.ts / 60_000) * 60_000;
      const key = `${r.type}:${minute}`;
      const b = buckets.get(key);
      if (b) {
        b.n++;
        b.sum += r.value;
        b.min = Math.min(b.min, r.value);
        b.max = Math.max(b.max, r.value);
      } else buckets.set(key, { type: r.type, minute, n: 1, sum: r.value, min: r.value, max: r.value });
    }
    for (const b of buckets.values())
      this.sql.exec(
        `insert into minutes (type, minute, n, sum, min, max) values (?, ?, ?, ?, ?, ?)
         on conflict (type, minute) do update set n = n + excluded.n, sum = sum + excluded.sum,
           min = min(min, excluded.min), max = max(max, excluded.max)`,
        b.type,
        b.minute,
        b.n,
        b.sum,
        b.min,
        b.max,
      );
    const last = readings.at(-1);
    if (last) this.setMeta("offset_min", last.offsetMin);
    this.sql.exec(
      "update devices set last_seen = max(coalesce(last_seen, 0), ?) where id = ?",
      now,
      deviceId,
    );
    const offset = Number(this.meta("offset_min") ?? 0);
    this.sql.exec(
      "insert into device_days (device_id, day) values (?, ?) on conflict do nothing",
      deviceId,
      localDay(now, offset),
    );
    return { accepted: fresh.length, duplicates, fresh };
  }

  pending(limit: number): PendingRow[] {
    return this.sql
      .exec<PendingRow>(
        "select device_id, type, ts, value, stage from readings where flushed = 0 order by ts limit ?",
        limit,
      )
      .toArray();
  }

  /** Postgres has these rows: they stop being pending (kept as the dedupe record until the horizon). */
  markFlushed(rows: PendingRow[]): void {
    for (const r of rows)
      this.sql.exec(
        "update readings set flushed = 1 where device_id = ? and type = ? and ts = ?",
        r.device_id,
        r.type,
        r.ts,
      );
  }

  /** Deletes what Postgres already holds and the horizon no longer needs. Never a pending row. */
  prune(now: number): void {
    this.sql.exec("delete from readings where flushed = 1 and ts < ?", now - DEDUPE_HORIZON_MS);
    this.sql.exec("delete from minutes where minute < ?", now - MINUTE_HORIZON_MS);
    this.sql.exec("delete from idempotency where at < ?", now - 24 * 3600_000);
    this.sql.exec(
      "delete from device_days where day < ?",
      Math.floor((now - MINUTE_HORIZON_MS) / 86_400_000),
    );
  }

  idempotent(key: string): string | null {
    return (
      this.sql.exec<{ answer: string }>("select answer from idempotency where key = ?", key).toArray()[0]
        ?.answer ?? null
    );
  }

  remember(key: string, answer: string, now: number): void {
    this.sql.exec(
      "insert into idempotency (key, answer, at) values (?, ?, ?) on conflict do nothing",
      key,
      answer,
      now,
    );
  }

  minuteSeries(type: ReadingType, from: number, mean = true): MinutePoint[] {
    return this.sql
      .exec<{ minute: number; value: number }>(
        `select minute, ${mean ? "sum / n" : "sum"} as value from minutes where type = ? and minute >= ? order by minute`,
        type,
        from,
      )
      .toArray();
  }

  minuteBuckets(type: ReadingType, from: number) {
    return this.sql
      .exec<{ minute: number; n: number; sum: number; min: number; max: number }>(
        "select minute, n, sum, min, max from minutes where type = ? and minute >= ? order by minute",
        type,
        from,
      )
      .toArray();
  }

  /** Everything the rules read: 29 days of minutes, sleep intervals and device activity. */
  ruleInput(now: number): RuleInput {
    const from = now - MINUTE_HORIZON_MS;
    const sleep = this.sql
      .exec<{ ts: number; seconds: number; stage: string }>(
        "select ts, value as seconds, stage from readings where type = 'sleep_stage' and ts >= ?",
        from,
      )
      .toArray() as SleepPoint[];
    const devices = this.sql
      .exec<{ id: string; last_seen: number }>(
        "select id, last_seen from devices where revoked = 0 and last_seen is not null",
      )
      .toArray()
      .map((d) => ({
        id: d.id,
        lastSeen: d.last_seen,
        days: this.sql
          .exec<{ day: number }>("select day from device_days where device_id = ?", d.id)
          .toArray()
          .map((x) => x.day),
      }));
    return {
      now,
      offsetMin: Number(this.meta("offset_min") ?? 0),
      heartRate: this.minuteSeries("heart_rate", from),
      steps: this.minuteSeries("steps", from, false),
      spo2: this.minuteSeries("spo2", from),
      hrvSdnn: this.minuteSeries("hrv_sdnn", from),
      hrvRmssd: this.minuteSeries("hrv_rmssd", from),
      restingHeartRate: this.minuteSeries("resting_heart_rate", from),
      sleep,
      devices,
    };
  }

  anomalies(): StoredAnomaly[] {
    return this.sql
      .exec<{
        id: number;
        rule: string;
        reading_type: string;
        start: number;
        end: number;
        value: number;
        baseline: number | null;
        published: number;
      }>("select * from anomalies order by start")
      .toArray()
      .map((a) => ({
        id: a.id,
        rule: a.rule as Episode["rule"],
        readingType: a.reading_type,
        start: a.start,
        end: a.end,
        value: a.value,
        baseline: a.baseline,
        published: a.published,
      }));
  }

  addAnomaly(e: Episode): void {
    this.sql.exec(
      "insert into anomalies (rule, reading_type, start, end, value, baseline) values (?, ?, ?, ?, ?, ?) on conflict do nothing",
      e.rule,
      e.readingType,
      e.start,
      e.end,
      e.value,
      e.baseline,
    );
  }

  markPublished(id: number): void {
    this.sql.exec("update anomalies set published = 1 where id = ?", id);
  }
}
