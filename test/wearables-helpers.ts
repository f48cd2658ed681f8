import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq, sql } from "drizzle-orm";
import type { WearableStream } from "../durable-objects/wearable-stream";
import { telemetryMinute, telemetryReadings } from "../workers/db/schema";
import { createDatabase } from "../workers/lib/db";
import type { TestUser } from "./fixtures";
import { testConfig } from "./fixtures";
import { call } from "./helpers";

export const CLOSED = "127.0.0.1:1";

export const streamOf = (user: TestUser) => env.WEARABLE_STREAM.get(env.WEARABLE_STREAM.idFromName(user.id));
export const refOf = (user: TestUser) => ({ userId: user.id, region: user.region });

/** Registers a device for `patient` through the API and returns its token. */
export async function registerDevice(patient: TestUser): Promise<{ token: string; deviceId: string }> {
  const res = await call("/v1/me/devices", {
    method: "POST",
    headers: { ...patient.auth, "content-type": "application/json" },
    body: JSON.stringify({ kind: "watch", vendor: "Acme", model: "Pulse 2" }),
  });
  if (res.status !== 201) throw new Error(`register answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { token: string; device: { id: string } };
  return { token: body.token, deviceId: body.device.id };
}

/** Posts readings with a device token. */
export function post(
  token: string,
  readings: unknown[],
  headers: Record<string, string> = {},
  path = "/v1/telemetry",
) {
  return call(path, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    body: JSON.stringify(path.endsWith("omh") ? { data_points: readings } : { readings }),
  });
}

/** `n` heart-rate readings one second apart ending `endMs`, RFC 3339 with an offset. */
export function heartRates(n: number, endMs = Date.now() - 60_000, value = (i: number) => 60 + (i % 30)) {
  return Array.from({ length: n }, (_, i) => ({
    type: "heart_rate",
    ts: new Date(endMs - (n - 1 - i) * 1000).toISOString().replace("Z", "+00:00"),
    value: value(i),
    unit: "bpm",
  }));
}

/** Rows Postgres holds for the user (raw), and the one-minute rollups' total count. */
export async function landed(user: TestUser): Promise<{ rows: number; rolled: number }> {
  const db = createDatabase(testConfig(), user.region);
  const [a] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(telemetryReadings)
    .where(eq(telemetryReadings.userId, user.id));
  const [b] = await db
    .select({ n: sql<number>`coalesce(sum(${telemetryMinute.n}), 0)::int` })
    .from(telemetryMinute)
    .where(and(eq(telemetryMinute.userId, user.id)));
  return { rows: a?.n ?? 0, rolled: b?.n ?? 0 };
}

/** Replaces the bindings the user's stream sees (fault injection: Postgres down) and back. */
export async function streamEnv(user: TestUser, bindings: Env): Promise<void> {
  await runInDurableObject(streamOf(user), (stream: WearableStream) => {
    (stream as unknown as { env: Env }).env = bindings;
  });
}

export const dbDown = (user: TestUser) =>
  ({
    ...env,
    [`DATABASE_URL_${user.region.toUpperCase()}`]: `postgres://postgres:local@${CLOSED}/down`,
  }) as Env;
