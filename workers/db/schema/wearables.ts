import {
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * A patient's registered wearable. The device token is shown once; only its SHA-256 is kept
 * (`token_hash`). `scopes` is what the token may do (only `telemetry:write` today). Revoked
 * devices keep their row (their readings stay attributable) with `revoked_at` set.
 */
export const wearableDevices = pgTable(
  "wearable_devices",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    vendor: text("vendor").notNull(),
    model: text("model").notNull(),
    tokenHash: text("token_hash").notNull(),
    scopes: text("scopes").array().notNull(),
    /** How it was paired: typed in the web app, or the RFC 8628 device authorization grant. */
    pairedVia: text("paired_via", { enum: ["web", "device_code"] }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("wearable_devices_token_idx").on(t.tokenHash),
    index("wearable_devices_user_idx").on(t.userId),
  ],
);

/**
 * Raw telemetry, one row per reading, partitioned by month on `ts` (the partitioning is in the
 * custom migration `wearables_partitions`; drizzle sees an ordinary table). The natural key
 * (device, type, ts) makes every redelivery a no-op. Values are in the type's canonical unit
 * (bpm, ms, count, %, breaths/min, °C; sleep stages: seconds with `stage`).
 */
export const telemetryReadings = pgTable(
  "telemetry_readings",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    deviceId: uuid("device_id").notNull(),
    type: text("type").notNull(),
    ts: timestamp("ts", { withTimezone: true }).notNull(),
    value: doublePrecision("value").notNull(),
    stage: text("stage"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: "telemetry_readings_pk", columns: [t.deviceId, t.type, t.ts] }),
    index("telemetry_readings_user_time_idx").on(t.userId, t.type, t.ts),
  ],
);

const rollupColumns = () => ({
  userId: uuid("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  type: text("type").notNull(),
  bucket: timestamp("bucket", { withTimezone: true }).notNull(),
  n: integer("n").notNull(),
  sum: doublePrecision("sum").notNull(),
  min: doublePrecision("min").notNull(),
  max: doublePrecision("max").notNull(),
});

/** One-minute rollups (chart resolution for a day), kept as long as the raw readings. */
export const telemetryMinute = pgTable("telemetry_minute", rollupColumns(), (t) => [
  primaryKey({ name: "telemetry_minute_pk", columns: [t.userId, t.type, t.bucket] }),
]);

/** One-hour rollups (chart resolution for weeks and years), kept 7 years. */
export const telemetryHour = pgTable("telemetry_hour", rollupColumns(), (t) => [
  primaryKey({ name: "telemetry_hour_pk", columns: [t.userId, t.type, t.bucket] }),
]);
