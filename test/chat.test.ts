import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FALLBACK_REPLY } from "../durable-objects/chat-companion";
import { SAFE_REPLACEMENT } from "../durable-objects/chat-safety";
import { auditLog, chatMessages, consents, notifications, riskEvents, users } from "../workers/db/schema";
import { CHECK_IN_TEXT } from "../workers/features/safety/check-in";
import { modelRiskCheck } from "../workers/features/safety/model-check";
import { ConfigSchema } from "../workers/lib/config";
import { createDatabase } from "../workers/lib/db";
import { createOpenAI } from "../workers/lib/openai";
import {
  addToCareTeam,
  connect,
  type Frame,
  modelMode,
  modelRequests,
  riskMode,
  say,
  sendOverHttp,
  watchedPatient,
} from "./chat-helpers";
import { createUser, testConfig } from "./fixtures";
import { call, problem, until } from "./helpers";

const CRISIS = "I want to kill myself tonight, I have the pills";
const seqs = (frames: Frame[]) =>
  frames.filter((f) => typeof f.seq === "number" && f.type !== "ack").map((f) => f.seq);

// The offline model's mode is global: every test that calls the model lives here; tests in a file run in order.
describe("companion chat", () => {
  beforeAll(() => modelMode("reset"));
  afterAll(() => modelMode("reset"));

  it("streams a reply token by token through the openai client, then a sequenced final reply", async () => {
    const patient = await createUser("patient");
    const client = await connect(patient);
    const { ack, reply } = await say(client, "I have been feeling anxious about work");
    const tokens = client.frames.filter((f) => f.type === "token" && f.replyTo === ack.seq);
    expect(tokens.length).toBeGreaterThan(3);
    expect(tokens.map((t) => t.delta).join("")).toBe(reply.text);
    expect(reply.seq).toBe(Number(ack.seq) + 1);
    expect(client.frames.indexOf(tokens[0] as Frame)).toBeLessThan(client.frames.indexOf(reply));
    client.close();
  });

  it("replays exactly the missed events after a reconnect", async () => {
    const patient = await createUser("patient");
    const first = await connect(patient);
    await say(first, "first message");
    first.close();
    const writer = await connect(patient, { lastSeq: 2 });
    await say(writer, "second message");
    await say(writer, "third message");
    writer.close();
    const resumed = await connect(patient, { lastSeq: 3 });
    await resumed.waitFor((f) => f.seq === 6);
    await new Promise((r) => setTimeout(r, 200));
    expect(seqs(resumed.frames)).toEqual([4, 5, 6]);
    const fresh = await connect(patient, { lastSeq: 0 });
    await fresh.waitFor((f) => f.seq === 6);
    expect(seqs(fresh.frames)).toEqual([1, 2, 3, 4, 5, 6]);
    resumed.close();
    fresh.close();
  });

  it("keeps sockets and sequence across Durable Object eviction (hibernation)", async () => {
    const patient = await createUser("patient");
    const client = await connect(patient);
    await say(client, "before eviction");
    await evictDurableObject(env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(patient.id)));
    const { ack, reply } = await say(client, "after eviction");
    expect(ack.seq).toBe(3);
    expect(reply.seq).toBe(4);
    client.close();
  });

  it("persists history encrypted in regional Postgres, readable by the patient", async () => {
    const patient = await createUser("patient", "eu");
    const client = await connect(patient);
    await say(client, "remember this sentence please");
    client.close();
    const res = await call("/v1/chat/history", { headers: patient.auth });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { messages: Array<{ seq: number; role: string; text: string }> };
    expect(body.messages.map((m) => [m.seq, m.role])).toEqual([
      [1, "user"],
      [2, "assistant"],
    ]);
    expect(body.messages[0]?.text).toBe("remember this sentence please");
    const rows = await createDatabase(testConfig(), "eu")
      .select()
      .from(chatMessages)
      .where(eq(chatMessages.userId, patient.id));
    expect(rows).toHaveLength(2);
    expect(rows.some((r) => r.contentEnc.includes("remember"))).toBe(false);
  });

  it("crisis: resources before any model output, no model call, risk event, live clinician alert", async () => {
    await modelMode("reset");
    const { patient, clinician, dashboard, client } = await watchedPatient();
    const sent = Date.now();
    client.send({ type: "message", text: CRISIS, clientId: "c1" });
    const crisis = await client.waitFor((f) => f.type === "crisis");
    expect(crisis.severity).toBe("imminent");
    expect(crisis.about).toBe(1);
    expect(JSON.stringify(crisis.resources)).toMatch(/988|911/);
    const alert = await dashboard.waitFor((f) => f.type === "crisis_alert", 1000);
    expect(Date.now() - sent).toBeLessThan(1000);
    expect(alert).toMatchObject({ patientId: patient.id, severity: crisis.severity });
    expect(Object.keys(alert).sort()).toEqual(["alertId", "at", "patientId", "seq", "severity", "type"]);
    const db = createDatabase(testConfig(), "us");
    const risk = await until(
      async () => (await db.select().from(riskEvents).where(eq(riskEvents.userId, patient.id)))[0],
    );
    expect(risk).toMatchObject({ seq: 1, severity: crisis.severity });
    expect(risk.ruleIds).toEqual(crisis.rules);
    expect(Object.keys(risk).sort()).toEqual([
      "categories",
      "createdAt",
      "id",
      "ruleIds",
      "seq",
      "severity",
      "source",
      "userId",
    ]);
    const queued = await db
      .select()
      .from(notifications)
      .where(and(eq(notifications.patientId, patient.id)));
    expect(queued).toMatchObject([{ recipientId: clinician.id, status: "pending", kind: "crisis_alert" }]);
    if (crisis.severity === "imminent" || crisis.severity === "high") {
      await new Promise((r) => setTimeout(r, 300));
      expect(client.frames.some((f) => f.type === "token" || f.type === "assistant")).toBe(false);
      expect(await modelRequests()).toBe(0);
    }
    client.close();
    dashboard.close();
  });

  it("model errors end in a short safe message, not a hang", async () => {
    await modelMode({ kind: "error", status: 500 });
    const client = await connect(await createUser("patient"));
    const { reply } = await say(client, "hello there");
    expect(reply).toMatchObject({ text: FALLBACK_REPLY, outcome: "error" });
    client.close();
    await modelMode("reset");
  });

  it("a model slower than the first-token timeout ends in the safe message", async () => {
    await modelMode({ kind: "slow", firstTokenDelayMs: 20_000 });
    const client = await connect(await createUser("patient"));
    const started = Date.now();
    const { reply } = await say(client, "are you there?");
    expect(reply).toMatchObject({ text: FALLBACK_REPLY, outcome: "timeout" });
    expect(Date.now() - started).toBeLessThan(12_000);
    client.close();
    await modelMode("reset");
  });

  it("offers the C-SSRS screener for non-imminent risk, never during imminent risk", async () => {
    const patient = await createUser("patient");
    const client = await connect(patient);
    client.send({
      type: "message",
      text: "Lately I wish I could just disappear and not wake up",
      clientId: "p1",
    });
    const crisis = await client.waitFor((f) => f.type === "crisis");
    expect(crisis.severity).not.toBe("imminent");
    const offer = await client.waitFor((f) => f.type === "screener_offer");
    expect(offer).toMatchObject({ instrument: "c-ssrs", about: crisis.about });
    client.send({ type: "message", text: CRISIS, clientId: "p2" });
    const urgent = await client.waitFor((f) => f.type === "crisis" && f.severity === "imminent");
    await new Promise((r) => setTimeout(r, 300));
    expect(client.frames.filter((f) => f.type === "screener_offer" && f.about === urgent.about)).toEqual([]);
    client.close();
  });

  it("unsafe model output is never released; the reply becomes the safe replacement", async () => {
    await modelMode({ kind: "unsafe" });
    const client = await connect(await createUser("patient"));
    const { reply } = await say(client, "tell me something");
    expect(reply).toMatchObject({ text: SAFE_REPLACEMENT, outcome: "unsafe" });
    const leaked = client.frames
      .filter((f) => f.type === "token")
      .map((f) => f.delta)
      .join("");
    expect(leaked).not.toMatch(/pills/);
    client.close();
    await modelMode("reset");
  });

  it("HTTP fallback: POST streams the turn as SSE; GET /stream replays after a seq", async () => {
    const patient = await createUser("patient");
    const { res, frames } = await sendOverHttp(patient, { text: "no websockets here", clientId: "h1" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = await frames();
    expect(events[0]).toMatchObject({ type: "ack", clientId: "h1", seq: 1 });
    expect(events.some((e) => e.type === "token")).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: "assistant", seq: 2, outcome: "ok" });
    const replay = await (await call("/v1/chat/stream?after=1", { headers: patient.auth })).text();
    expect(replay).toContain("id: 2\n");
    expect(replay).not.toContain("id: 1\n");
  });

  it("over-limit messages: 422 over HTTP, an error frame over WebSocket", async () => {
    const patient = await createUser("patient");
    const long = "a".repeat(4001);
    const res = await call("/v1/chat/messages", {
      method: "POST",
      headers: { ...patient.auth, "content-type": "application/json" },
      body: JSON.stringify({ text: long }),
    });
    expect(res.status).toBe(422);
    expect(await res.text()).not.toContain("aaaa");
    const client = await connect(patient);
    client.send({ type: "message", text: long, clientId: "x" });
    expect(await client.waitFor((f) => f.type === "error")).toMatchObject({
      code: "too_long",
      clientId: "x",
    });
    client.send({ type: "nonsense" });
    expect(await client.waitFor((f) => f.type === "error" && f.code === "invalid_frame")).toBeTruthy();
    client.close();
  });

  it("care team sees crisis windows by default and everything once the patient shares", async () => {
    const patient = await createUser("patient");
    const clinician = await createUser("clinician");
    await addToCareTeam(patient, clinician);
    const client = await connect(patient);
    for (let i = 0; i < 4; i++) await say(client, `ordinary message ${i}`); // seqs 1..8
    client.send({ type: "message", text: CRISIS, clientId: "c" }); // seq 9 + crisis events
    await client.waitFor((f) => f.type === "crisis");
    client.close();
    const read = async () => {
      const res = await call(`/v1/patients/${patient.id}/chat/history`, { headers: clinician.auth });
      expect(res.status).toBe(200);
      return (await res.json()) as { messages: Array<{ seq: number }>; sharing: string };
    };
    const limited = await read();
    expect(limited.sharing).toBe("crisis_only");
    expect(limited.messages.map((m) => m.seq)).toEqual([6, 7, 8, 9]);
    const put = await call("/v1/chat/sharing", {
      method: "PUT",
      headers: { ...patient.auth, "content-type": "application/json" },
      body: JSON.stringify({ full: true }),
    });
    expect(put.status).toBe(200);
    const full = await read();
    expect(full.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("check-in tier: an ambiguous message gets the direct question and no model call; a yes is risk", async () => {
    await modelMode("reset");
    const client = await connect(await createUser("patient"));
    client.send({ type: "message", text: "i can't do this anymore", clientId: "k1" });
    const ack = await client.waitFor((f) => f.type === "ack" && f.clientId === "k1");
    const question = await client.waitFor((f) => f.type === "check_in");
    expect(question).toMatchObject({ about: ack.seq, text: CHECK_IN_TEXT });
    expect(question.fired).toEqual(expect.arrayContaining([expect.stringMatching(/^l[12]:/)]));
    await new Promise((r) => setTimeout(r, 300));
    expect(client.frames.some((f) => f.type === "crisis" || f.type === "assistant")).toBe(false);
    expect(await modelRequests()).toBe(0);
    const { reply } = await say(client, "no, not like that. just tired of work");
    expect(reply.outcome).toBe("ok");
    expect(client.frames.some((f) => f.type === "crisis")).toBe(false);
    const from = client.frames.length;
    client.send({ type: "message", text: "what's the point", clientId: "k3" });
    await client.waitFor((f) => f.type === "check_in", 20_000, from);
    client.send({ type: "message", text: "yeah sometimes", clientId: "k4" });
    const crisis = await client.waitFor((f) => f.type === "crisis", 20_000, from);
    expect(crisis).toMatchObject({ severity: "elevated", categories: ["suicidal_ideation_passive"] });
    expect(crisis.rules).toContain("conv:check_in_yes");
    client.close();
  });

  it("check-in over HTTP: the SSE turn carries the question and ends", async () => {
    const patient = await createUser("patient");
    const { res, frames } = await sendOverHttp(patient, { text: "i can't do this anymore", clientId: "h-k" });
    expect(res.status).toBe(200);
    const events = await frames();
    expect(events.map((e) => e.type)).toEqual(["ack", "message", "check_in"]);
    expect(events[2]).toMatchObject({ about: 1, text: CHECK_IN_TEXT });
  });

  it("layer 3 (model classifier) raises risk the edge layers missed and withholds the reply", async () => {
    await modelMode("reset");
    await riskMode({ kind: "flag" });
    const client = await connect(await createUser("patient"));
    client.send({ type: "message", text: "tell me about your day", clientId: "l3" });
    const crisis = await client.waitFor((f) => f.type === "crisis");
    expect(crisis.rules).toContain("l3:high");
    const reply = await client.waitFor((f) => f.type === "assistant");
    expect(reply.outcome).toBe("withheld");
    expect(client.frames.some((f) => f.type === "token")).toBe(false);
    expect(client.frames.indexOf(crisis)).toBeLessThan(client.frames.indexOf(reply));
    client.close();
    await riskMode({ kind: "normal" });
  });

  it("layer 3 down, slow or malformed never blocks the chat: the reply is released", async () => {
    for (const mode of [{ kind: "hang" }, { kind: "malformed" }, { kind: "error", status: 503 }]) {
      await riskMode(mode);
      const client = await connect(await createUser("patient"));
      const started = Date.now();
      const { reply } = await say(client, "I planted tomatoes today");
      expect(reply.outcome, mode.kind).toBe("ok");
      expect(Date.now() - started).toBeLessThan(6000);
      expect(client.frames.some((f) => f.type === "crisis")).toBe(false);
      client.close();
    }
    await riskMode({ kind: "normal" });
  });

  it("layer 3 plumbing: verdict, timeout, malformed output and errors through the real client", async () => {
    const config = ConfigSchema.parse(env);
    const client = createOpenAI(config, { timeoutMs: 2000 });
    const ask = (text: string, timeoutMs = 1500) =>
      modelRiskCheck(client, config.OPENAI_MODEL, text, ["earlier turn"], { timeoutMs });
    await riskMode({ kind: "normal" });
    expect(await ask("I am going to kill myself")).toMatchObject({ ok: true, tier: "high" });
    expect(await ask("I planted tomatoes")).toMatchObject({ ok: true, tier: "none", categories: [] });
    await riskMode({ kind: "malformed" });
    expect(await ask("I am going to kill myself")).toMatchObject({ ok: false, reason: "malformed" });
    await riskMode({ kind: "error", status: 500 });
    expect(await ask("I am going to kill myself")).toMatchObject({ ok: false, reason: "error" });
    await riskMode({ kind: "slow", delayMs: 3000 });
    const slow = await ask("I am going to kill myself", 300);
    expect(slow).toMatchObject({ ok: false, reason: "timeout" });
    expect(slow.ms).toBeLessThan(1500);
    await riskMode({ kind: "normal" });
  });

  it("consent withdrawal stops companion replies over HTTP and an open socket; re-granting restores", async () => {
    await modelMode("reset");
    const patient = await createUser("patient");
    const client = await connect(patient);
    const closed = new Promise<number>((resolve) =>
      client.ws.addEventListener("close", (e) => resolve(e.code)),
    );
    await say(client, "hello before withdrawing");
    const modelCalls = await modelRequests();
    const post = (path: string) => call(path, { method: "POST", headers: patient.auth });
    expect((await post("/v1/me/consents/ai_companion/withdraw")).status).toBe(200);

    const from = client.frames.length;
    client.send({ type: "message", text: "are you still there", clientId: "after-withdrawal" });
    const refused = await client.waitFor((f) => f.type === "error", 5000, from);
    expect(refused).toMatchObject({ code: "consent_required", clientId: "after-withdrawal" });
    expect(await closed).toBe(4403);
    const send = await call("/v1/chat/messages", {
      method: "POST",
      headers: { ...patient.auth, "content-type": "application/json" },
      body: JSON.stringify({ text: "and over HTTP?" }),
    });
    expect(send.status).toBe(403);
    expect((await problem(send)).consent).toBe("ai_companion");
    expect((await post("/v1/chat/tickets")).status).toBe(403);
    await new Promise((r) => setTimeout(r, 300));
    expect(await modelRequests()).toBe(modelCalls);
    expect(await env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(patient.id)).lastSeq()).toBe(2);

    expect((await post("/v1/me/consents/ai_companion/grant")).status).toBe(200);
    const again = await connect(patient, { lastSeq: 2 });
    const { reply } = await say(again, "I turned it back on");
    expect(reply.outcome).toBe("ok");
    expect(await modelRequests()).toBe(modelCalls + 1);
    again.close();
  });

  it("without consent a crisis message still gets the crisis response and alert; its text is not kept", async () => {
    await modelMode("reset");
    const { patient, dashboard, client } = await watchedPatient();
    const post = (path: string) => call(path, { method: "POST", headers: patient.auth });
    expect((await post("/v1/me/consents/ai_companion/withdraw")).status).toBe(200);
    client.send({ type: "message", text: CRISIS, clientId: "no-consent" });
    const crisis = await client.waitFor((f) => f.type === "crisis");
    expect(crisis.severity).toBe("imminent");
    expect(await client.waitFor((f) => f.type === "error")).toMatchObject({ code: "consent_required" });
    expect(await dashboard.waitFor((f) => f.type === "crisis_alert", 5000)).toMatchObject({
      patientId: patient.id,
    });
    const send = await call("/v1/chat/messages", {
      method: "POST",
      headers: { ...patient.auth, "content-type": "application/json" },
      body: JSON.stringify({ text: "I'm going to hang myself tonight" }),
    });
    expect(send.status).toBe(403);
    const body = await problem(send);
    expect(body.consent).toBeDefined();
    expect(body.crisis).toMatchObject({ type: "crisis", severity: "imminent" });
    expect(JSON.stringify(body)).not.toContain("hang myself");
    const stub = env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(patient.id));
    const bodies = await runInDurableObject(stub, (_room, state) =>
      state.storage.sql.exec("select body from events").toArray(),
    );
    expect(JSON.stringify(bodies)).not.toContain("kill myself");
    expect(await modelRequests()).toBe(0);
    client.close();
    dashboard.close();
  });

  /** Puts `count` earlier patient messages, sent at `at`, into the room's log (negative seqs: never replayed or flushed). */
  async function seedSentMessages(patientId: string, count: number, at: number) {
    const stub = env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(patientId));
    await runInDurableObject(stub, (_room, state) => {
      for (let i = 1; i <= count; i++) {
        const body = {
          type: "message",
          seq: -i,
          at,
          role: "user",
          authorId: patientId,
          text: "earlier",
          clientId: `seed-${i}`,
          crisis: false,
        };
        state.storage.sql.exec(
          "insert into events (seq, type, author, body, at, sealed, flushed) values (?, 'message', ?, ?, ?, 0, 1)",
          -i,
          patientId,
          JSON.stringify(body),
          at,
        );
      }
    });
  }

  for (const limit of ["rate_limited", "quota_exceeded"] as const) {
    it(`over the limit (${limit}): an ordinary message is refused, a crisis message still gets the crisis response and the alert, with no model call`, async () => {
      await modelMode("reset");
      const { patient, dashboard, client } = await watchedPatient();
      await say(client, "hello"); // the room exists, seqs 1-2
      const now = Date.now();
      const startOfDay = now - (now % 86_400_000);
      // Within the first minute of a UTC day the per-minute limit answers first.
      const expected = limit === "quota_exceeded" && now - startOfDay < 61_000 ? "rate_limited" : limit;
      await seedSentMessages(
        patient.id,
        limit === "rate_limited" ? 20 : 200,
        limit === "rate_limited" ? now : startOfDay,
      );
      const modelCalls = await modelRequests();

      client.send({ type: "message", text: "just an ordinary thought", clientId: "plain" });
      expect(await client.waitFor((f) => f.type === "error" && f.clientId === "plain")).toMatchObject({
        code: expected,
      });

      // Elevated, not suppressing: under the limits the companion would reply; over them it must not.
      const from = client.frames.length;
      client.send({ type: "message", text: "everyone would be better off without me", clientId: "over" });
      const ack = await client.waitFor((f) => f.type === "ack" && f.clientId === "over", 5000, from);
      const crisis = await client.waitFor((f) => f.type === "crisis", 5000, from);
      expect(crisis).toMatchObject({ about: ack.seq, severity: "elevated" });
      expect(await dashboard.waitFor((f) => f.type === "crisis_alert", 5000)).toMatchObject({
        patientId: patient.id,
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(client.frames.slice(from).filter((f) => f.type === "error")).toEqual([]);
      expect(client.frames.slice(from).some((f) => f.type === "token" || f.type === "assistant")).toBe(false);
      expect(await modelRequests()).toBe(modelCalls);

      // Over HTTP too: the message is accepted (200), the crisis response streams back.
      const { res, frames } = await sendOverHttp(patient, { text: CRISIS, clientId: "over-http" });
      expect(res.status).toBe(200);
      expect((await frames()).some((f) => f.type === "crisis" && f.severity === "imminent")).toBe(true);
      client.close();
      dashboard.close();
    });
  }

  it("a crisis in a message refused for its length still gets the crisis response and the alert; its text is not kept", async () => {
    await modelMode("reset");
    const { patient, dashboard, client } = await watchedPatient();
    const filler = "I have been thinking about everything that happened this year. ";
    const long = `${filler.repeat(80)}${CRISIS}`; // over 4,000 characters, the crisis at the end
    client.send({ type: "message", text: long, clientId: "long" });
    expect(await client.waitFor((f) => f.type === "crisis")).toMatchObject({ severity: "imminent" });
    expect(await client.waitFor((f) => f.type === "error")).toMatchObject({
      code: "too_long",
      clientId: "long",
    });
    expect(await dashboard.waitFor((f) => f.type === "crisis_alert", 5000)).toMatchObject({
      patientId: patient.id,
    });

    // Over HTTP: 422 with the crisis response in the problem; past 64,000 characters the end is still read.
    const huge = `${filler.repeat(1500)}${CRISIS}`;
    expect(huge.length).toBeGreaterThan(64_000);
    const res = await call("/v1/chat/messages", {
      method: "POST",
      headers: { ...patient.auth, "content-type": "application/json" },
      body: JSON.stringify({ text: huge }),
    });
    expect(res.status).toBe(422);
    const body = await problem(res);
    expect(body.crisis).toMatchObject({ type: "crisis", severity: "imminent" });
    expect(JSON.stringify(body)).not.toContain("kill myself");
    const stub = env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(patient.id));
    const bodies = await runInDurableObject(stub, (_room, state) =>
      state.storage.sql.exec("select body from events").toArray(),
    );
    expect(JSON.stringify(bodies)).not.toContain("happened this year");
    client.close();
    dashboard.close();
  });

  it("the room re-checks consent itself when no withdrawal reached it", async () => {
    const patient = await createUser("patient");
    const client = await connect(patient);
    await say(client, "first");
    // Withdrawn in Postgres behind the room's back (the push was lost), and the room's answer is stale.
    await createDatabase(testConfig(), "us")
      .update(consents)
      .set({ withdrawnAt: new Date() })
      .where(eq(consents.userId, patient.id));
    await runInDurableObject(env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(patient.id)), (_room, state) => {
      state.storage.sql.exec("update meta set value = '0' where key = 'consent_at'");
    });
    const from = client.frames.length;
    client.send({ type: "message", text: "second", clientId: "stale" });
    expect(await client.waitFor((f) => f.type === "error", 5000, from)).toMatchObject({
      code: "consent_required",
    });
  });

  it("room storage: no plaintext after a flush, summary sealed, replays audited, shredding makes it unreadable", async () => {
    const patient = await createUser("patient");
    const client = await connect(patient);
    await say(client, "marmalade is my secret word");
    for (let i = 0; i < 6; i++) await say(client, `ordinary message ${i}`); // 14 events: the summary rolls
    client.close();
    const ref = { ownerId: patient.id, region: "us" as const };
    const stub = env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(patient.id));
    await until(async () => ((await stub.flushNow(ref)).ok ? true : undefined));
    const raw = await runInDurableObject(stub, (_room, state) => ({
      events: state.storage.sql.exec("select body, sealed from events").toArray(),
      summary: state.storage.sql.exec("select value from meta where key = 'summary'").toArray(),
    }));
    expect(raw.events).toHaveLength(14);
    expect(raw.events.every((r) => r.sealed === 1 && String(r.body).startsWith("enc:v1:"))).toBe(true);
    expect(JSON.stringify(raw)).not.toContain("marmalade");
    expect(raw.summary).toHaveLength(1);
    expect(String(raw.summary[0]?.value)).toMatch(/^enc:/);

    const reader = await connect(patient);
    await reader.waitFor((f) => f.type === "message" && f.text === "marmalade is my secret word");
    reader.close();
    await stub.flushNow(ref);
    const db = createDatabase(testConfig(), "us");
    const replays = await db
      .select({ actor: auditLog.actorId, outcome: auditLog.outcome })
      .from(auditLog)
      .where(and(eq(auditLog.patientId, patient.id), eq(auditLog.action, "chat.replay")));
    expect(replays).toContainEqual({ actor: patient.id, outcome: "success" });

    await db.update(users).set({ dataKeyWrapped: null }).where(eq(users.id, patient.id));
    await evictDurableObject(stub);
    const after = await connect(patient);
    await new Promise((r) => setTimeout(r, 500));
    expect(after.frames.filter((f) => f.type === "message" || f.type === "assistant")).toEqual([]);
    after.close();
  });
});
