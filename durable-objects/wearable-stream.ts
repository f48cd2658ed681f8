import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { storedRows } from "./storage-rows";

/** One telemetry reading. `ts` is the device's epoch milliseconds. */
export const Reading = z.object({
  metric: z.enum(["heart_rate", "hrv", "steps", "sleep_minutes", "skin_temp"]),
  value: z.number().finite(),
  ts: z.number().int().positive(),
});
export const ReadingBatch = z.array(Reading).min(1).max(500);

/**
 * Per-user wearable stream state. SQLite-backed: a batch is written to `ctx.storage` before the
 * call returns, so an accepted reading is never lost; a later feature flushes to Postgres from
 * `alarm()` and detects anomalies against the person's own baseline.
 */
export class WearableStream extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.ctx.storage.sql.exec(
        `create table if not exists readings (
           id integer primary key autoincrement,
           metric text not null,
           value real not null,
           ts integer not null,
           flushed integer not null default 0
         )`,
      );
    });
  }

  /** Stores a validated batch atomically and returns how many readings are pending flush. */
  async ingest(
    batch: unknown,
  ): Promise<{ ok: true; accepted: number; pending: number } | { ok: false; error: "invalid_input" }> {
    const parsed = ReadingBatch.safeParse(batch);
    if (!parsed.success) return { ok: false, error: "invalid_input" };
    const readings = parsed.data;
    this.ctx.storage.transactionSync(() => {
      for (const r of readings) {
        this.ctx.storage.sql.exec(
          "insert into readings (metric, value, ts) values (?, ?, ?)",
          r.metric,
          r.value,
          r.ts,
        );
      }
    });
    return { ok: true, accepted: readings.length, pending: this.pending() };
  }

  /** Erasure (GDPR Art. 17): deletes every stored reading and the alarm. */
  async erase(): Promise<{ ok: true }> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    return { ok: true };
  }

  /** Rows stored in this object's SQLite (every table): the erasure job's raw read-back. */
  async storedRows(): Promise<number> {
    return storedRows(this.ctx.storage.sql);
  }

  /** Per-metric count and mean of what has been received, for dashboards. */
  async summary(): Promise<Array<{ metric: string; count: number; mean: number }>> {
    return this.ctx.storage.sql
      .exec<{ metric: string; count: number; mean: number }>(
        "select metric, count(*) as count, avg(value) as mean from readings group by metric order by metric",
      )
      .toArray();
  }

  private pending(): number {
    return this.ctx.storage.sql
      .exec<{ n: number }>("select count(*) as n from readings where flushed = 0")
      .one().n;
  }
}
