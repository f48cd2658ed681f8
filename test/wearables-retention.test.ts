import { env } from "cloudflare:workers";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { telemetryHour, telemetryMinute, telemetryReadings } from "../workers/db/schema";
import { telemetryRetention } from "../workers/features/wearables/retention";
import { createDatabase } from "../workers/lib/db";
import { createUser, testConfig } from "./fixtures";

const DAY = 86_400_000;

describe("telemetry retention (the daily cron job)", () => {
  it("drops raw readings and minute rollups past 13 months, hourly rollups past 7 years, keeps the rest; makes partitions ahead", async () => {
    const p = await createUser("patient");
    const db = createDatabase(testConfig(), p.region);
    const device = crypto.randomUUID();
    const now = Date.now();
    const at = (ago: number) => new Date(now - ago);
    await db.insert(telemetryReadings).values([
      { userId: p.id, deviceId: device, type: "heart_rate", ts: at(420 * DAY), value: 60 },
      { userId: p.id, deviceId: device, type: "heart_rate", ts: at(5 * DAY), value: 61 },
    ]);
    const rollup = (ago: number) => ({
      userId: p.id,
      type: "heart_rate",
      bucket: at(ago),
      n: 1,
      sum: 60,
      min: 60,
      max: 60,
    });
    await db.insert(telemetryMinute).values([rollup(420 * DAY), rollup(5 * DAY)]);
    await db.insert(telemetryHour).values([rollup(8 * 366 * DAY), rollup(420 * DAY)]);
    await telemetryRetention(env);
    const raw = await db
      .select({ ts: telemetryReadings.ts })
      .from(telemetryReadings)
      .where(eq(telemetryReadings.userId, p.id));
    expect(raw.map((r) => Math.round((now - r.ts.getTime()) / DAY))).toEqual([5]);
    const minute = await db
      .select({ b: telemetryMinute.bucket })
      .from(telemetryMinute)
      .where(eq(telemetryMinute.userId, p.id));
    expect(minute.map((r) => Math.round((now - r.b.getTime()) / DAY))).toEqual([5]);
    const hour = await db
      .select({ b: telemetryHour.bucket })
      .from(telemetryHour)
      .where(eq(telemetryHour.userId, p.id));
    expect(hour.map((r) => Math.round((now - r.b.getTime()) / DAY))).toEqual([420]);
    // Partitions exist for the coming months (an insert three months ahead lands in its month).
    const ahead = new Date(now + 80 * DAY);
    const name = `telemetry_readings_${ahead.getUTCFullYear()}${String(ahead.getUTCMonth() + 1).padStart(2, "0")}`;
    const [found] = await db
      .execute<{ ok: boolean }>(sql`select to_regclass(${name}) is not null as ok`)
      .then((r) => r.rows);
    expect(found?.ok).toBe(true);
  });
});
