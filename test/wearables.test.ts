import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { WearableStream } from "../durable-objects/wearable-stream";
import { careAlerts, consents, notifications, riskEvents } from "../workers/db/schema";
import { createDatabase } from "../workers/lib/db";
import { drain } from "../workers/lib/metrics/recorder";
import { addToCareTeam } from "./chat-helpers";
import { createUser, testConfig } from "./fixtures";
import { call, problem } from "./helpers";
import {
  dbDown,
  heartRates,
  landed,
  post,
  refOf,
  registerDevice,
  streamEnv,
  streamOf,
} from "./wearables-helpers";

const iso = (ms: number, offset = "+00:00") => new Date(ms).toISOString().replace("Z", offset);
const MIN = 60_000;

describe("POST /v1/telemetry: validation edges", () => {
  it("refuses each bad reading with its index and reason, and stores the rest", async () => {
    const p = await createUser("patient");
    const { token } = await registerDevice(p);
    const now = Date.now();
    const res = await post(token, [
      { type: "heart_rate", ts: iso(now - MIN), value: 20 }, // 0 ok (lower edge)
      { type: "heart_rate", ts: iso(now - MIN + 1000), value: 250 }, // 1 ok (upper edge)
      { type: "heart_rate", ts: iso(now - MIN + 2000), value: 19 }, // 2 out of range
      { type: "heart_rate", ts: iso(now - MIN + 3000), value: 251 }, // 3 out of range
      { type: "spo2", ts: iso(now - MIN), value: 101, unit: "%" }, // 4 out of range
      { type: "spo2", ts: iso(now - MIN), value: 0.97, unit: "ratio" }, // 5 unit
      { type: "heart_rate", ts: iso(now + 6 * MIN), value: 70 }, // 6 future
      { type: "heart_rate", ts: iso(now + 4 * MIN), value: 70 }, // 7 ok (clock skew)
      { type: "heart_rate", ts: iso(now - 31 * 24 * 60 * MIN), value: 70 }, // 8 too late
      { type: "heart_rate", ts: iso(now - 29 * 24 * 60 * MIN, "+02:00"), value: 70 }, // 9 ok (late)
      { type: "heart_rate", ts: "2026-11-30T10:00:00", value: 70 }, // 10 no offset
      { type: "sleep_stage", ts: iso(now - 60 * MIN), value: 30, unit: "min" }, // 11 no stage
      { type: "sleep_stage", ts: iso(now - 60 * MIN), value: 30, unit: "min", stage: "deep" }, // 12 ok
      { type: "mood", ts: iso(now - MIN), value: 3 }, // 13 unknown type
      { type: "steps", ts: iso(now - MIN), value: 10.5 }, // 14 not whole
      { type: "skin_temperature", ts: iso(now - MIN), value: 93.2, unit: "[degF]" }, // 15 ok (34 °C)
    ]);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      accepted: number;
      duplicates: number;
      rejected: { index: number; reason: string }[];
    };
    expect(body.accepted).toBe(6);
    expect(body.duplicates).toBe(0);
    expect(body.rejected.map((r) => r.index)).toEqual([2, 3, 4, 5, 6, 8, 10, 11, 13, 14]);
    expect(body.rejected.map((r) => r.reason.split(":")[0])).toEqual([
      "out_of_range",
      "out_of_range",
      "out_of_range",
      "unit",
      "future",
      "too_late",
      "invalid",
      "invalid",
      "invalid",
      "invalid",
    ]);
    expect(JSON.stringify(body.rejected)).not.toContain("251");
  });

  it("a batch with nothing valid is 422; too many readings 422; too large 413; no token 401", async () => {
    const p = await createUser("patient");
    const { token } = await registerDevice(p);
    const bad = await post(token, [{ type: "heart_rate", ts: iso(Date.now()), value: 500 }]);
    expect(bad.status).toBe(422);
    const doc = await problem(bad);
    expect(doc.rejected).toEqual([{ index: 0, reason: expect.stringMatching(/^out_of_range/) }]);
    expect((await post(token, heartRates(1001))).status).toBe(422);
    const big = await post(token, [
      { type: "heart_rate", ts: iso(Date.now()), value: 60, pad: "x".repeat(300_000) },
    ]);
    expect(big.status).toBe(413);
    const anonymous = await call("/v1/telemetry", {
      method: "POST",
      body: JSON.stringify({ readings: heartRates(1) }),
    });
    expect(anonymous.status).toBe(401);
    await problem(anonymous);
  });
});

describe("idempotent, late and out of order", () => {
  it("a resend changes nothing; an Idempotency-Key replays the same answer; Postgres holds each reading once", async () => {
    const p = await createUser("patient");
    const { token } = await registerDevice(p);
    const batch = heartRates(100);
    const first = (await (await post(token, batch)).json()) as { accepted: number; duplicates: number };
    expect(first).toMatchObject({ accepted: 100, duplicates: 0 });
    // Redelivery in another order, plus 20 new readings in between, some days late.
    const late = heartRates(20, Date.now() - 3 * 24 * 3600_000);
    const shuffled = [...batch.slice(50), ...late, ...batch.slice(0, 50)].reverse();
    const again = (await (await post(token, shuffled)).json()) as { accepted: number; duplicates: number };
    expect(again).toMatchObject({ accepted: 20, duplicates: 100 });
    const keyed = heartRates(10, Date.now() - 10 * MIN);
    const k1 = await post(token, keyed, { "idempotency-key": "batch-42" });
    const k2 = await post(token, keyed, { "idempotency-key": "batch-42" });
    expect(await k1.json()).toEqual({ accepted: 10, duplicates: 0, rejected: [] });
    expect(k2.headers.get("idempotent-replayed")).toBe("true");
    expect(await k2.json()).toEqual({ accepted: 10, duplicates: 0, rejected: [] });
    expect(await streamOf(p).flushNow(refOf(p))).toMatchObject({ ok: true });
    expect(await landed(p)).toEqual({ rows: 130, rolled: 130 });
    // Flushing again (an answer lost) lands nothing twice.
    await runInDurableObject(streamOf(p), (_s, state) => {
      state.storage.sql.exec("update readings set flushed = 0");
    });
    expect(await streamOf(p).flushNow(refOf(p))).toEqual({ ok: true, flushed: 130 });
    expect(await landed(p)).toEqual({ rows: 130, rolled: 130 });
  });
});

describe("device tokens are scoped and revocable", () => {
  it("A's token cannot post for B; a forged or revoked token is 401", async () => {
    const [a, b] = await Promise.all([createUser("patient"), createUser("patient")]);
    const devA = await registerDevice(a);
    await registerDevice(b);
    expect((await post(devA.token, heartRates(5))).status).toBe(200);
    // Same secret, B's id in the prefix: B's stream does not know this token.
    const forged = devA.token.replace(a.id.replaceAll("-", ""), b.id.replaceAll("-", ""));
    expect((await post(forged, heartRates(5))).status).toBe(401);
    const wrongSecret = `${devA.token.slice(0, -1)}${devA.token.endsWith("0") ? "1" : "0"}`;
    expect((await post(wrongSecret, heartRates(5))).status).toBe(401);
    await streamOf(a).flushNow(refOf(a));
    await streamOf(b).flushNow(refOf(b));
    expect((await landed(a)).rows).toBe(5);
    expect((await landed(b)).rows).toBe(0);
    const revoke = await call(`/v1/me/devices/${devA.deviceId}`, { method: "DELETE", headers: a.auth });
    expect(revoke.status).toBe(200);
    const list = (await revoke.json()) as { devices: { id: string; revokedAt: string | null }[] };
    expect(list.devices[0]?.revokedAt).not.toBeNull();
    expect((await post(devA.token, heartRates(5, Date.now() - 5 * MIN))).status).toBe(401);
    // B cannot revoke A's device (404, not 403).
    expect(
      (await call(`/v1/me/devices/${devA.deviceId}`, { method: "DELETE", headers: b.auth })).status,
    ).toBe(404);
  });
});

describe("consent", () => {
  it("without health-data consent: 403 naming it, and nothing stored", async () => {
    const p = await createUser("patient");
    const { token } = await registerDevice(p);
    const withdraw = await call("/v1/me/consents/health_data/withdraw", { method: "POST", headers: p.auth });
    expect(withdraw.status).toBeLessThan(300);
    const res = await post(token, heartRates(10));
    expect(res.status).toBe(403);
    expect((await problem(res)).consent).toBe("health_data");
    expect(await streamOf(p).status(refOf(p))).toMatchObject({ pending: 0 });
    await streamOf(p).flushNow(refOf(p));
    expect((await landed(p)).rows).toBe(0);
    const noConsent = await createUser("patient", "us", { consents: false });
    const reg = await call("/v1/me/devices", {
      method: "POST",
      headers: { ...noConsent.auth, "content-type": "application/json" },
      body: JSON.stringify({ kind: "ring", vendor: "Acme", model: "R1" }),
    });
    expect(reg.status).toBe(403);
  });
});

describe("durability", () => {
  it("Durable Object eviction mid-stream loses nothing", async () => {
    const p = await createUser("patient");
    const { token } = await registerDevice(p);
    const end = Date.now() - 30 * MIN;
    const all = heartRates(600, end);
    for (let i = 0; i < 6; i++) {
      const res = await post(token, all.slice(i * 100, (i + 1) * 100));
      expect(await res.json()).toMatchObject({ accepted: 100 });
      if (i === 2) await evictDurableObject(streamOf(p));
    }
    await evictDurableObject(streamOf(p));
    expect(await streamOf(p).flushNow(refOf(p))).toMatchObject({ ok: true });
    expect(await landed(p)).toEqual({ rows: 600, rolled: 600 });
  });

  it("Postgres stopped during ingest, then restarted: exact row count", async () => {
    const p = await createUser("patient");
    const { token } = await registerDevice(p);
    const all = heartRates(1000, Date.now() - 40 * MIN);
    expect(await (await post(token, all.slice(0, 300))).json()).toMatchObject({ accepted: 300 });
    await streamEnv(p, dbDown(p)); // Postgres goes away
    for (let i = 3; i < 10; i++) {
      const res = await post(token, all.slice(i * 100, (i + 1) * 100));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ accepted: 100 });
    }
    // Redelivery during the outage: duplicates, not new rows.
    expect(await (await post(token, all.slice(500, 600))).json()).toMatchObject({
      accepted: 0,
      duplicates: 100,
    });
    expect(await streamOf(p).flushNow(refOf(p))).toEqual({ ok: false, flushed: 0 });
    const during = await streamOf(p).status(refOf(p));
    expect(during?.pending).toBeGreaterThanOrEqual(700);
    await streamEnv(p, env); // Postgres is back
    expect(await streamOf(p).flushNow(refOf(p))).toMatchObject({ ok: true });
    expect(await streamOf(p).status(refOf(p))).toMatchObject({ pending: 0 });
    expect(await landed(p)).toEqual({ rows: 1000, rolled: 1000 });
  });

  it("readings stored while a flush waits for Postgres are not marked landed by it: exact row count", async () => {
    const p = await createUser("patient");
    const { token } = await registerDevice(p);
    const all = heartRates(1000, Date.now() - 45 * MIN);
    expect(await (await post(token, all.slice(0, 100))).json()).toMatchObject({ accepted: 100 });
    // The flush awaits Postgres; batches posted meanwhile are stored by the stream in between.
    const flushing = streamOf(p).flushNow(refOf(p));
    const during = await Promise.all(
      Array.from({ length: 9 }, (_, i) => post(token, all.slice((i + 1) * 100, (i + 2) * 100))),
    );
    for (const res of during) expect(await res.json()).toMatchObject({ accepted: 100 });
    expect(await flushing).toMatchObject({ ok: true });
    expect(await streamOf(p).flushNow(refOf(p))).toMatchObject({ ok: true });
    expect(await streamOf(p).status(refOf(p))).toMatchObject({ pending: 0 });
    expect(await landed(p)).toEqual({ rows: 1000, rolled: 1000 });
  });

  it("a stream stored with the old schema (no received time) keeps its pending readings and lands them", async () => {
    const p = await createUser("patient");
    const { token } = await registerDevice(p);
    expect(await (await post(token, heartRates(20, Date.now() - 55 * MIN))).json()).toMatchObject({
      accepted: 20,
    });
    await runInDurableObject(streamOf(p), (_s: WearableStream, state: DurableObjectState) => {
      const sql = state.storage.sql;
      // Schema 1: readings without `received`, its (flushed, ts) and (type, ts) indexes.
      sql.exec(
        `create table old_readings as select device_id, type, ts, value, stage, flushed from readings`,
      );
      sql.exec("drop table readings");
      sql.exec(`create table readings (
        device_id text not null, type text not null, ts integer not null, value real not null,
        stage text, flushed integer not null default 0, primary key (device_id, type, ts)) without rowid`);
      sql.exec("insert into readings select * from old_readings");
      sql.exec("drop table old_readings");
      sql.exec("create index readings_pending on readings (flushed, ts) where flushed = 0");
      sql.exec("create index readings_type_ts on readings (type, ts)");
      sql.exec("delete from meta where key = 'schema'");
    });
    await evictDurableObject(streamOf(p));
    expect(await streamOf(p).status(refOf(p))).toMatchObject({ pending: 20 });
    expect(await (await post(token, heartRates(20, Date.now() - 50 * MIN))).json()).toMatchObject({
      accepted: 20,
    });
    expect(await streamOf(p).flushNow(refOf(p))).toMatchObject({ ok: true, flushed: 40 });
    expect(await landed(p)).toEqual({ rows: 40, rolled: 40 });
    await runInDurableObject(streamOf(p), (_s: WearableStream, state: DurableObjectState) => {
      const indexes = state.storage.sql
        .exec<{ name: string }>(
          "select name from sqlite_master where type = 'index' and tbl_name = 'readings'",
        )
        .toArray()
        .map((r) => r.name);
      expect(indexes).toContain("readings_unflushed");
      expect(indexes).not.toContain("readings_type_ts");
    });
  });

  it("the stream reports the age of its oldest unflushed reading: growing while Postgres is down, 0 once landed", async () => {
    const p = await createUser("patient");
    const { token } = await registerDevice(p);
    await streamEnv(p, dbDown(p));
    await streamOf(p).setConsent(refOf(p), true);
    expect(await (await post(token, heartRates(50, Date.now() - 50 * MIN))).json()).toMatchObject({
      accepted: 50,
    });
    // Reading times are an hour old; the lag is the time since the stream RECEIVED them.
    await new Promise((r) => setTimeout(r, 1100));
    const lag = async () => {
      drain();
      await streamOf(p).flushNow(refOf(p));
      return drain().ops.find((o) => o.key === "telemetry_flush_lag_seconds");
    };
    const down = await lag();
    expect(down?.op).toBe("max");
    expect(down?.value).toBeGreaterThanOrEqual(1);
    expect(down?.value).toBeLessThan(60);
    await streamEnv(p, env);
    expect(await lag()).toMatchObject({ op: "max", value: 0 });
    expect(await landed(p)).toEqual({ rows: 50, rolled: 50 });
  });

  it("past the per-user cap, ingest answers 503 with Retry-After and drops nothing", async () => {
    const p = await createUser("patient");
    const { token } = await registerDevice(p);
    // Consent never read and Postgres down: the stream cannot know, so it answers 503 (stores nothing).
    await streamEnv(p, dbDown(p));
    const unknown = await post(token, heartRates(10, Date.now() - 20 * MIN));
    expect(unknown.status).toBe(503);
    expect(await streamOf(p).status(refOf(p))).toMatchObject({ pending: 0 });
    await streamOf(p).setConsent(refOf(p), true);
    await runInDurableObject(streamOf(p), (s: WearableStream) => {
      (s as unknown as { pendingCap: number }).pendingCap = 150;
    });
    expect((await post(token, heartRates(100, Date.now() - 10 * MIN))).status).toBe(200);
    const over = await post(token, heartRates(100, Date.now() - 5 * MIN));
    expect(over.status).toBe(503);
    expect(over.headers.get("retry-after")).toBe("60");
    await problem(over);
    expect(await streamOf(p).status(refOf(p))).toMatchObject({ pending: 100 });
    await streamEnv(p, env);
  });
});

/** SpO2 one reading a minute from `start`, under 90 % for 6 minutes in the middle. */
const lowSpo2Minutes = (start: number) =>
  [96, 88, 87, 86, 87, 88, 87, 95].map((value, i) => ({
    type: "spo2",
    ts: iso(start + i * MIN),
    value,
    unit: "%",
  }));

describe("an anomaly reaches the risk timeline, the care team and the notification queue", () => {
  it("SpO2 under 90 % for 6 minutes: one risk event, one inbox row, one notification; silent on repeat", async () => {
    const p = await createUser("patient");
    const clinician = await createUser("clinician");
    await addToCareTeam(p, clinician);
    const { token } = await registerDevice(p);
    const spo2 = lowSpo2Minutes(Date.now() - 20 * MIN);
    expect(await (await post(token, spo2)).json()).toMatchObject({ accepted: 8 });
    await streamOf(p).flushNow(refOf(p));
    await streamOf(p).evaluateNow(refOf(p));
    await streamOf(p).evaluateNow(refOf(p)); // the same episode again: no second alert
    const db = createDatabase(testConfig(), p.region);
    const risks = await db.select().from(riskEvents).where(eq(riskEvents.userId, p.id));
    expect(risks.map((r) => [r.source, r.severity, r.ruleIds])).toEqual([
      ["wearable", "elevated", ["wearable.spo2_low", "type.spo2"]],
    ]);
    const inbox = await db.select().from(careAlerts).where(eq(careAlerts.patientId, p.id));
    expect(inbox.map((a) => [a.clinicianId, a.severity, a.seq])).toEqual([
      [clinician.id, "wearable", risks[0]?.seq],
    ]);
    const queued = await db
      .select()
      .from(notifications)
      .where(and(eq(notifications.patientId, p.id), eq(notifications.kind, "wearable_anomaly")));
    expect(queued.map((n) => [n.recipientId, n.status])).toEqual([[clinician.id, "pending"]]);
    const alerts = await call("/v1/clinician/alerts", { headers: clinician.auth });
    const listed = (await alerts.json()) as { alerts: { patientId: string; severity: string }[] };
    expect(listed.alerts.filter((a) => a.patientId === p.id).map((a) => a.severity)).toEqual(["wearable"]);
    const mine = (await (
      await call(`/v1/patients/${p.id}/wearables/anomalies`, { headers: p.auth })
    ).json()) as {
      anomalies: { ruleIds: string[] }[];
    };
    expect(mine.anomalies.map((a) => a.ruleIds[0])).toEqual(["wearable.spo2_low"]);
  });

  it("the minute pass reads only the last day, with the baseline of the hourly run, and still fires", async () => {
    const p = await createUser("patient");
    const { token } = await registerDevice(p);
    // Heart rate every 5 minutes over the last 3 days: most of it older than the minute pass reads.
    const old = Array.from({ length: 864 }, (_, i) => ({
      type: "heart_rate",
      ts: iso(Date.now() - 72 * 3600_000 + i * 5 * MIN),
      value: 60 + (i % 7),
      unit: "bpm",
    }));
    expect(await (await post(token, old)).json()).toMatchObject({ accepted: 864 });
    // The first evaluation has no cached baseline: a full one, over all of it.
    await streamOf(p).evaluateNow(refOf(p), Date.now(), "alarm");
    const first = (await streamOf(p).status(refOf(p)))?.lastEvaluation;
    expect(first).toEqual({ kind: "full", minutes: 864 });
    const spo2 = lowSpo2Minutes(Date.now() - 20 * MIN);
    await post(token, spo2);
    await streamOf(p).evaluateNow(refOf(p), Date.now() + 61_000, "alarm");
    const status = await streamOf(p).status(refOf(p));
    // 25 h of 5-minute heart rate (≈ 300 points) + 8 SpO2 minutes, not 864 + 8.
    expect(status?.lastEvaluation?.kind).toBe("acute");
    expect(status?.lastEvaluation?.minutes).toBeGreaterThan(290);
    expect(status?.lastEvaluation?.minutes).toBeLessThan(320);
    expect(status?.anomalies.map((a) => a.rule)).toEqual(["spo2_low"]);
    await streamOf(p).flushNow(refOf(p));
  });

  it("normal SpO2 raises nothing", async () => {
    const p = await createUser("patient");
    const { token } = await registerDevice(p);
    const start = Date.now() - 20 * MIN;
    const spo2 = Array.from({ length: 10 }, (_, i) => ({
      type: "spo2",
      ts: iso(start + i * MIN),
      value: 95,
      unit: "%",
    }));
    await post(token, spo2);
    await streamOf(p).evaluateNow(refOf(p));
    const rows = await createDatabase(testConfig(), p.region)
      .select()
      .from(riskEvents)
      .where(eq(riskEvents.userId, p.id));
    expect(rows).toEqual([]);
  });
});

describe("consent withdrawal reaches the stream at once", () => {
  it("the grant is re-read: a withdrawn consent row refuses the next post after the stream is told", async () => {
    const p = await createUser("patient");
    const { token } = await registerDevice(p);
    expect((await post(token, heartRates(3))).status).toBe(200);
    await createDatabase(testConfig(), p.region).delete(consents).where(eq(consents.userId, p.id));
    await streamOf(p).setConsent(refOf(p), false);
    expect((await post(token, heartRates(3, Date.now() - 5 * MIN))).status).toBe(403);
  });
});
