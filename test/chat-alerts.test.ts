import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { alertCareTeam, RegionUnknown, resolveUserRegion } from "../durable-objects/chat-alerts";
import type { ChatRoom } from "../durable-objects/chat-room";
import { roomStub } from "../durable-objects/chat-stub";
import { auditLog, careAlerts, riskEvents } from "../workers/db/schema";
import { userRegionKey } from "../workers/lib/care-data/region";
import { type Config, ConfigSchema } from "../workers/lib/config";
import { createDatabase } from "../workers/lib/db";
import { createLogger } from "../workers/lib/logger";
import { createRedis } from "../workers/lib/redis";
import { createScope, jobAudit } from "../workers/lib/scope";
import { addToCareTeam, type ChatClient, connect, type Frame } from "./chat-helpers";
import { createUser, type TestUser, testConfig } from "./fixtures";
import { call, until } from "./helpers";

/** A system-job scope over `config` (as the room builds one). */
const jobScope = (config: Config) =>
  createScope({ env, config, log: createLogger("error"), audit: jobAudit("test"), redisTimeoutMs: 2000 });

// Imminent: the model is suppressed, so nothing here depends on the offline model's mode.
const CRISIS = "I want to kill myself tonight, I have the pills";
const CLOSED = "127.0.0.1:1";

/** Replaces the bindings a patient's live room sees (fault injection: a dependency down). */
async function roomEnv(user: TestUser, bindings: Env): Promise<void> {
  const stub = env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(user.id));
  await runInDurableObject(stub, (room: ChatRoom) => {
    (room as unknown as { env: Env }).env = bindings;
  });
}

async function inbox(clinician: TestUser): Promise<Array<Record<string, unknown>>> {
  const res = await call("/v1/clinician/alerts", { headers: clinician.auth });
  expect(res.status).toBe(200);
  return ((await res.json()) as { alerts: Array<Record<string, unknown>> }).alerts;
}

async function crisis(client: ChatClient): Promise<Frame> {
  client.send({ type: "message", text: CRISIS, clientId: crypto.randomUUID() });
  return client.waitFor((f) => f.type === "crisis");
}

describe("care-team alerts cannot be lost", () => {
  it("an EU clinician whose directory entry is missing is found in the EU database and alerted", async () => {
    const patient = await createUser("patient", "us");
    const clinician = await createUser("clinician", "eu");
    await addToCareTeam(patient, clinician);
    const dashboard = await connect(clinician);
    await createRedis(testConfig()).del(userRegionKey(clinician.id));
    const client = await connect(patient);
    const frame = await crisis(client);
    expect(frame.careTeamAlerted).toBe("pending");
    const alert = await dashboard.waitFor((f) => f.type === "crisis_alert", 10_000);
    expect(alert).toMatchObject({ patientId: patient.id, severity: frame.severity });
    const status = await client.waitFor((f) => f.type === "crisis_status");
    expect(status).toMatchObject({ about: frame.about, careTeamAlerted: true });
    // The directory was repaired with the region found, not a guess.
    expect(await createRedis(testConfig()).get(userRegionKey(clinician.id))).toBe("eu");
    const rows = await inbox(clinician);
    expect(rows).toMatchObject([{ id: alert.alertId, patientId: patient.id, acknowledgedAt: null }]);
    client.close();
    dashboard.close();
  });

  it("with Redis unreachable, the region comes from the databases and every team member is alerted", async () => {
    const patient = await createUser("patient", "apac");
    const clinician = await createUser("clinician", "eu");
    const colleague = await createUser("clinician", "apac");
    await addToCareTeam(patient, clinician);
    await addToCareTeam(patient, colleague);
    const dashboard = await connect(clinician);
    const second = await connect(colleague);
    const client = await connect(patient);
    await roomEnv(patient, { ...env, UPSTASH_REDIS_REST_URL: `http://${CLOSED}` } as Env);
    await crisis(client);
    const alert = await dashboard.waitFor((f) => f.type === "crisis_alert", 10_000);
    expect(alert.patientId).toBe(patient.id);
    expect((await second.waitFor((f) => f.type === "crisis_alert", 10_000)).patientId).toBe(patient.id);
    second.close();
    const down = ConfigSchema.parse({ ...env, UPSTASH_REDIS_REST_URL: `http://${CLOSED}` });
    expect(await resolveUserRegion(jobScope(down), clinician.id)).toBe("eu");
    await roomEnv(patient, env);
    client.close();
    dashboard.close();
  });

  it("never guesses: a region that cannot be known is an error to retry, an unknown user is null", async () => {
    const clinician = await createUser("clinician", "eu");
    await createRedis(testConfig()).del(userRegionKey(clinician.id));
    const allDown = ConfigSchema.parse({
      ...env,
      UPSTASH_REDIS_REST_URL: `http://${CLOSED}`,
      DATABASE_URL_EU: `postgres://postgres:local@${CLOSED}/down`,
    });
    await expect(resolveUserRegion(jobScope(allDown), clinician.id)).rejects.toThrow(RegionUnknown);
    expect(await resolveUserRegion(jobScope(testConfig()), crypto.randomUUID())).toBeNull();
  });

  it("an EU clinician's room is in the EU jurisdiction outside local mode", () => {
    const calls: string[] = [];
    const ns = {
      jurisdiction: (j: string) => {
        calls.push(j);
        return ns;
      },
      idFromName: (n: string) => n,
      get: (id: string) => ({ id }),
    };
    const fake = (environment: string) => ({ ENVIRONMENT: environment, CHAT_ROOM: ns }) as unknown as Env;
    roomStub(fake("production"), "a", "eu");
    roomStub(fake("production"), "b", "us");
    roomStub(fake("local"), "c", "eu");
    expect(calls).toEqual(["eu"]);
  });

  it("an alert raised outside the chat (a note, a screener) that Postgres cannot record is kept by the patient's room and recorded later", async () => {
    const patient = await createUser("patient", "us");
    const clinician = await createUser("clinician", "us");
    await addToCareTeam(patient, clinician);
    const dashboard = await connect(clinician);
    const down = ConfigSchema.parse({ ...env, DATABASE_URL_US: `postgres://postgres:local@${CLOSED}/down` });
    const seq = -1 - Math.floor(Math.random() * 1_000_000_000);
    const room = { ownerId: patient.id, region: "us" as const };
    // The Worker's write fails; the room (with the real Postgres) takes the alert instead.
    expect(
      await alertCareTeam({ env, config: down, log: createLogger("error") }, room, seq, "imminent", "note"),
    ).toBe(0);
    const rows = await until(async () => {
      const found = await createDatabase(testConfig(), "us")
        .select()
        .from(careAlerts)
        .where(and(eq(careAlerts.patientId, patient.id), eq(careAlerts.seq, seq)));
      return found.length > 0 ? found : undefined;
    }, 15_000);
    expect(rows).toMatchObject([{ clinicianId: clinician.id, severity: "imminent" }]);
    expect(await dashboard.waitFor((f) => f.type === "crisis_alert", 15_000)).toMatchObject({
      patientId: patient.id,
      severity: "imminent",
    });
    dashboard.close();
  });

  it("a failed live push is retried until it is delivered, once", async () => {
    const patient = await createUser("patient", "us");
    const clinician = await createUser("clinician", "us");
    await addToCareTeam(patient, clinician);
    const dashboard = await connect(clinician);
    const client = await connect(patient);
    const real = env.CHAT_ROOM;
    let attempts = 0;
    const flaky = {
      idFromName: (name: string) => real.idFromName(name),
      jurisdiction: () => flaky,
      get: (id: DurableObjectId) => {
        const stub = real.get(id);
        return {
          pushAlert: (room: unknown, alert: unknown) => {
            attempts++;
            if (attempts === 1) throw new Error("push failed");
            return stub.pushAlert(room, alert);
          },
        };
      },
    };
    await roomEnv(patient, { ...env, CHAT_ROOM: flaky } as unknown as Env);
    await crisis(client);
    const alert = await dashboard.waitFor((f) => f.type === "crisis_alert", 15_000);
    expect(alert.patientId).toBe(patient.id);
    expect(attempts).toBe(2);
    await new Promise((r) => setTimeout(r, 1500));
    expect(dashboard.frames.filter((f) => f.type === "crisis_alert")).toHaveLength(1);
    await roomEnv(patient, env);
    client.close();
    dashboard.close();
  });

  it("a crisis while Postgres is down reaches the clinician after it returns (and an eviction); the event lands once", async () => {
    const patient = await createUser("patient", "us");
    const clinician = await createUser("clinician", "us");
    await addToCareTeam(patient, clinician);
    const dashboard = await connect(clinician);
    const client = await connect(patient);
    await roomEnv(patient, { ...env, DATABASE_URL_US: `postgres://postgres:local@${CLOSED}/down` } as Env);
    const frame = await crisis(client);
    expect(frame.careTeamAlerted).toBe("pending");
    expect(frame.resources).toBeTruthy();
    await new Promise((r) => setTimeout(r, 2500));
    const db = createDatabase(testConfig(), "us");
    const risks = () => db.select().from(riskEvents).where(eq(riskEvents.userId, patient.id));
    expect(await risks()).toEqual([]);
    expect(await inbox(clinician)).toEqual([]);
    expect(dashboard.frames.some((f) => f.type === "crisis_alert")).toBe(false);

    // Postgres returns; the room is evicted too (which also drops the injected bindings): the
    // pending alert and the crisis event survive in its SQLite and go out from its alarm.
    await evictDurableObject(env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(patient.id)));
    const alert = await dashboard.waitFor((f) => f.type === "crisis_alert", 20_000);
    expect(alert.patientId).toBe(patient.id);
    const status = await client.waitFor((f) => f.type === "crisis_status", 10_000);
    expect(status.careTeamAlerted).toBe(true);
    expect((await inbox(clinician)).map((a) => a.patientId)).toEqual([patient.id]);
    await until(async () => ((await risks()).length > 0 ? true : undefined));
    await roomStub(env, patient.id, "us").flushNow({ ownerId: patient.id, region: "us" });
    expect(await risks()).toHaveLength(1);
    client.close();
    dashboard.close();
  });

  it("the clinician acknowledges an alert: who and when are kept, audited in the patient's region", async () => {
    const patient = await createUser("patient", "eu");
    const clinician = await createUser("clinician", "us");
    const other = await createUser("clinician", "us");
    await addToCareTeam(patient, clinician);
    const client = await connect(patient);
    await crisis(client);
    const [alert] = await until(async () => {
      const rows = await inbox(clinician);
      return rows.length ? rows : undefined;
    });
    const id = String(alert?.id);
    const ack = (path: string, user: TestUser) => call(path, { method: "POST", headers: user.auth });
    expect((await ack(`/v1/clinician/alerts/${id}/acknowledge`, other)).status).toBe(404);
    const res = await ack(`/v1/clinician/alerts/${id}/acknowledge`, clinician);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id, acknowledgedBy: clinician.id, patientId: patient.id });
    expect(typeof body.acknowledgedAt).toBe("string");
    expect(await inbox(clinician)).toEqual([]);
    const [row] = await createDatabase(testConfig(), "eu")
      .select()
      .from(careAlerts)
      .where(eq(careAlerts.id, id));
    expect(row?.acknowledgedBy).toBe(clinician.id);
    const audits = await createDatabase(testConfig(), "eu")
      .select({ actorId: auditLog.actorId, outcome: auditLog.outcome })
      .from(auditLog)
      .where(and(eq(auditLog.patientId, patient.id), eq(auditLog.action, "care_alert.acknowledge")));
    expect(audits).toEqual(
      expect.arrayContaining([
        { actorId: other.id, outcome: "denied" },
        { actorId: clinician.id, outcome: "success" },
      ]),
    );
    expect((await call("/v1/clinician/alerts", { headers: patient.auth })).status).toBe(404);
    client.close();
  });
});
