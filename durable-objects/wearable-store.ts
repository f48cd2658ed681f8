import { READING_TYPES, type Reading, type ReadingType } from "./wearable-protocol";
import type { Episode, MinutePoint, RuleInput, SleepPoint } from "./wearable-rules";
import { localDay } from "./wearable-rules";

/** How long flushed readings stay as the dedupe record: the 30-day late window plus a day. */
export const DEDUPE_HORIZON_MS = 31 * 24 * 3600_000;
/** Minute buckets kept for baselines (28 days) plus the current day. */
export const MINUTE_HORIZON_MS = 29 * 24 * 3600_000;

/** Readings to land in Postgres, column by column (what the `unnest` flush takes). */
export interface PendingColumns {
  deviceIds: string[];
  types: string[];
  ts: number[];
  values: number[];
  stages: (string | null)[];
  /** Every pending row with `received` ≤ this is in the columns (what markFlushed marks). */
  upTo: number;
}

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
  /** meta is read on every ingest; this object is its only writer, so a write-through cache is exact. */
  private readonly metaCache = new Map<string, string | null>();
  /** token hash → device, loaded on first use of a hash; cleared on every device change. */
  private readonly deviceCache = new Map<string, { id: string; revoked: number }>();
  /** (device, local day) pairs and last_seen minutes already written in this activation. */
  private readonly daysWritten = new Set<string>();
  private readonly seenWritten = new Map<string, number>();
  /** The last `received` stamp handed out (strictly increasing per batch; see {@link store}). */
  private lastReceived: number | null = null;

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
        stage text, flushed integer not null default 0, received integer not null default 0,
        primary key (device_id, type, ts)) without rowid;
      create table if not exists minutes (type text not null, minute integer not null, n integer not null,
        sum real not null, min real not null, max real not null, primary key (type, minute)) without rowid;
      create table if not exists anomalies (id integer primary key autoincrement, rule text not null,
        reading_type text not null, start integer not null, end integer not null, value real not null,
        baseline real, published integer not null default 0, unique (rule, reading_type, start));
      create table if not exists idempotency (key text primary key, answer text not null, at integer not null);
    `);
    this.migrate();
  }

  /**
   * Streams created before readings kept their received time (schema 1): add the column, stamp
   * the rows still pending with now, and index pending rows by arrival (oldest first).
   */
  private migrate(): void {
    if (this.meta("schema") === "2") return;
    const columns = this.sql.exec<{ name: string }>("pragma table_info(readings)").toArray();
    if (!columns.some((c) => c.name === "received")) {
      this.sql.exec("alter table readings add column received integer not null default 0");
      this.sql.exec("update readings set received = ? where flushed = 0", Date.now());
    }
    // Schema 1's pending index, and its (type, ts) index: every read and delete now walks the
    // primary key per device (a second index on every reading cost ~20 % of ingest CPU).
    this.sql.exec("drop index if exists readings_pending");
    this.sql.exec("drop index if exists readings_type_ts");
    this.sql.exec("create index if not exists readings_unflushed on readings (received) where flushed = 0");
    this.setMeta("schema", 2);
  }

  /** Forgets what this object cached (after `deleteAll`). */
  reset(): void {
    this.metaCache.clear();
    this.deviceCache.clear();
    this.daysWritten.clear();
    this.seenWritten.clear();
    this.lastReceived = null;
  }

  meta(key: string): string | null {
    const hit = this.metaCache.get(key);
    if (hit !== undefined) return hit;
    const value =
      this.sql.exec<{ value: string }>("select value from meta where key = ?", key).toArray()[0]?.value ??
      null;
    this.metaCache.set(key, value);
    return value;
  }

  setMeta(key: string, value: string | number): void {
    const text = String(value);
    if (this.metaCache.get(key) === text) return;
    this.sql.exec(
      "insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value",
      key,
      text,
    );
    this.metaCache.set(key, text);
  }

  deleteMeta(key: string): void {
    this.sql.exec("delete from meta where key = ?", key);
    this.metaCache.set(key, null);
  }

  /** The device a token hash belongs to (revoked ones included, flagged); cached until a device changes. */
  deviceByHash(tokenHash: string): { id: string; revoked: number } | null {
    const hit = this.deviceCache.get(tokenHash);
    if (hit) return hit;
    const row =
      this.sql
        .exec<{ id: string; revoked: number }>(
          "select id, revoked from devices where token_hash = ?",
          tokenHash,
        )
        .toArray()[0] ?? null;
    if (row) this.deviceCache.set(tokenHash, row);
    return row;
  }

  addDevice(id: string, tokenHash: string): void {
    this.sql.exec("insert into devices (id, token_hash) values (?, ?) on conflict do nothing", id, tokenHash);
    this.deviceCache.clear();
  }

  /** Revoked from this call on: the cache is cleared in the same synchronous step as the write. */
  revokeDevice(id: string): void {
    this.sql.exec(
      "insert into devices (id, token_hash, revoked) values (?, ?, 1) on conflict (id) do update set revoked = 1",
      id,
      `revoked:${id}`,
    );
    this.deviceCache.clear();
  }

  pendingCount(): number {
    return this.sql.exec<{ n: number }>("select count(*) as n from readings where flushed = 0").one().n;
  }

  /** When the oldest reading not yet in Postgres arrived (epoch ms), or null if none is pending. */
  oldestPendingReceived(): number | null {
    const row = this.sql
      .exec<{ r: number | null }>("select min(received) as r from readings where flushed = 0")
      .one();
    return row.r ?? null;
  }

  /**
   * A stamp for a batch received now: strictly greater than every stamp of a pending row, so a
   * flush that took the rows up to stamp T never marks a batch stored while it waited for Postgres.
   */
  private receivedStamp(now: number): number {
    this.lastReceived ??=
      this.sql.exec<{ r: number | null }>("select max(received) as r from readings where flushed = 0").one()
        .r ?? 0;
    this.lastReceived = Math.max(now, this.lastReceived + 1);
    return this.lastReceived;
  }

  /**
   * Stores a batch (call inside a transaction): ONE `INSERT … SELECT FROM json_each(?) ON
   * CONFLICT DO NOTHING RETURNING` for all readings — a reading already held (same device, type,
   * timestamp, also twice in one batch) is a duplicate and returns nothing — then one upsert of
   * the new readings' minute buckets. `text` is the {@link encodeReadings} form of `readings`.
   */
  store(
    deviceId: string,
    text: string,
    readings: Reading[],
    now: number,
  ): { accepted: number; duplicates: number; fresh: Reading[] } {
    const received = this.receivedStamp(now);
    const fresh = this.sql
      .exec<{ type: ReadingType; ts: number; value: number; stage: Reading["stage"] }>(
        `insert into readings (device_id, type, ts, value, stage, received)
         select ?, r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3, ? from json_each(?) r where true
         on conflict do nothing
         returning type, ts, value, stage`,
        deviceId,
        received,
        text,
      )
      .toArray() as Reading[];
    // New readings' minute buckets, summed here: one upsert of all (type, minute) pairs.
    const buckets = new Map<string, [string, number, number, number, number, number]>();
    for (const r of fresh) {
      if (r.type === "sleep_stage") continue;
      const minute = Math.floor(r.ts / 60_000) * 60_000;
      const key = `${r.type}:${minute}`;
      const b = buckets.get(key);
      if (b) {
        b[2]++;
        b[3] += r.value;
        b[4] = Math.min(b[4], r.value);
        b[5] = Math.max(b[5], r.value);
      } else buckets.set(key, [r.type, minute, 1, r.value, r.value, r.value]);
    }
    if (buckets.size > 0)
      this.sql.exec(
        `insert into minutes (type, minute, n, sum, min, max)
         select b.value ->> 0, b.value ->> 1, b.value ->> 2, b.value ->> 3, b.value ->> 4, b.value ->> 5
         from json_each(?) b where true
         on conflict (type, minute) do update set n = n + excluded.n, sum = sum + excluded.sum,
           min = min(min, excluded.min), max = max(max, excluded.max)`,
        JSON.stringify([...buckets.values()]),
      );
    const last = readings.at(-1);
    if (last) this.setMeta("offset_min", last.offsetMin);
    // Device activity for the silence rule (24 h granularity): last_seen at most once a minute,
    // each local day once per activation.
    const seenMinute = Math.floor(now / 60_000);
    if (this.seenWritten.get(deviceId) !== seenMinute) {
      this.sql.exec(
        "update devices set last_seen = max(coalesce(last_seen, 0), ?) where id = ?",
        now,
        deviceId,
      );
      this.seenWritten.set(deviceId, seenMinute);
    }
    const day = localDay(now, Number(this.meta("offset_min") ?? 0));
    if (!this.daysWritten.has(`${deviceId}:${day}`)) {
      this.sql.exec(
        "insert into device_days (device_id, day) values (?, ?) on conflict do nothing",
        deviceId,
        day,
      );
      this.daysWritten.add(`${deviceId}:${day}`);
    }
    return { accepted: fresh.length, duplicates: readings.length - fresh.length, fresh };
  }

  /**
   * The oldest pending readings, whole batches: every pending row received up to the stamp of the
   * `limit`-th oldest (so at most `limit` plus one batch), as columns for the flush.
   */
  pending(limit: number): PendingColumns {
    const nth = this.sql
      .exec<{ r: number }>(
        "select received as r from readings where flushed = 0 order by received limit 1 offset ?",
        limit - 1,
      )
      .toArray()[0]?.r;
    // Fewer than `limit` pending: all of them, up to the newest stamp NOW — never an open bound,
    // or a batch stored while the flush awaits Postgres would be marked landed without being sent.
    const upTo =
      nth ??
      this.sql.exec<{ r: number | null }>("select max(received) as r from readings where flushed = 0").one()
        .r ??
      0;
    const out: PendingColumns = { deviceIds: [], types: [], ts: [], values: [], stages: [], upTo };
    const cursor = this.sql.exec(
      "select device_id, type, ts, value, stage from readings where flushed = 0 and received <= ?",
      upTo,
    );
    for (const [deviceId, type, ts, value, stage] of cursor.raw()) {
      out.deviceIds.push(deviceId as string);
      out.types.push(type as string);
      out.ts.push(ts as number);
      out.values.push(value as number);
      out.stages.push(stage as string | null);
    }
    return out;
  }

  /** Postgres has the rows of {@link pending}: they stop being pending (kept as the dedupe record until the horizon). */
  markFlushed(upTo: number): number {
    return this.sql.exec("update readings set flushed = 1 where flushed = 0 and received <= ?", upTo)
      .rowsWritten;
  }

  /** Every device this stream has known (revoked ones too: their readings are still held). */
  private deviceIds(): string[] {
    return this.sql
      .exec<{ id: string }>("select id from devices")
      .toArray()
      .map((d) => d.id);
  }

  /** Deletes what Postgres already holds and the horizon no longer needs. Never a pending row. */
  prune(now: number): void {
    // Per device and type, so each delete walks the primary key instead of the whole table.
    for (const device of this.deviceIds())
      for (const type of READING_TYPES)
        this.sql.exec(
          "delete from readings where device_id = ? and type = ? and ts < ? and flushed = 1",
          device,
          type,
          now - DEDUPE_HORIZON_MS,
        );
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
    const sleep = this.deviceIds()
      .flatMap(
        (device) =>
          this.sql
            .exec<{ ts: number; seconds: number; stage: string }>(
              "select ts, value as seconds, stage from readings where device_id = ? and type = 'sleep_stage' and ts >= ?",
              device,
              from,
            )
            .toArray() as SleepPoint[],
      )
      .sort((a, b) => a.ts - b.ts);
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
      ...this.minuteRuleInput(now, MINUTE_HORIZON_MS),
      hrvSdnn: this.minuteSeries("hrv_sdnn", from),
      hrvRmssd: this.minuteSeries("hrv_rmssd", from),
      restingHeartRate: this.minuteSeries("resting_heart_rate", from),
      sleep,
      devices,
    };
  }

  /**
   * What the minute rules read (`detectAcute`: heart rate, steps, SpO2) over the last
   * `horizonMs`; the series only the nightly rules use are left empty, not read.
   */
  minuteRuleInput(now: number, horizonMs: number): RuleInput {
    const from = now - horizonMs;
    return {
      now,
      offsetMin: Number(this.meta("offset_min") ?? 0),
      heartRate: this.minuteSeries("heart_rate", from),
      steps: this.minuteSeries("steps", from, false),
      spo2: this.minuteSeries("spo2", from),
      hrvSdnn: [],
      hrvRmssd: [],
      restingHeartRate: [],
      sleep: [],
      devices: [],
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
