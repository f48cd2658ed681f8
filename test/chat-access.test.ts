import { env, exports } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, consents } from "../workers/db/schema";
import { createDatabase } from "../workers/lib/db";
import { POLICY_VERSION } from "../workers/lib/vocabulary";
import { addToCareTeam, ChatClient, connect } from "./chat-helpers";
import { createUser, testConfig } from "./fixtures";
import { call, problem } from "./helpers";

// No test here makes the companion answer (the model's mode is switched in chat.test.ts).

async function ticket(auth: { authorization: string }, path = "/v1/chat/tickets"): Promise<Response> {
  return call(path, { method: "POST", headers: auth });
}

function upgrade(url: string, headers: Record<string, string> = {}) {
  return exports.default.fetch(
    new Request(`http://haven.test${url}`, { headers: { upgrade: "websocket", ...headers } }),
  );
}

describe("chat tickets and the WebSocket upgrade", () => {
  it("a ticket is single-use, hashed at rest, and required", async () => {
    const patient = await createUser("patient");
    const res = await ticket(patient.auth);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { ticket: string; url: string; expiresIn: number };
    expect(body.expiresIn).toBe(60);
    expect(body.url).not.toContain(patient.token);
    const first = await upgrade(body.url);
    expect(first.status).toBe(101);
    first.webSocket?.accept();
    first.webSocket?.close(1000, "done");
    expect((await upgrade(body.url)).status).toBe(401);
    expect((await upgrade("/v1/chat/ws")).status).toBe(401);
    expect((await upgrade("/v1/chat/ws?ticket=forged")).status).toBe(401);
  });

  it("tickets need authentication", async () => {
    const res = await call("/v1/chat/tickets", { method: "POST" });
    expect(res.status).toBe(401);
    expect((await problem(res)).code).toBe("unauthorized");
  });

  it("another signed-in user presenting someone's ticket gets 404", async () => {
    const [a, b] = [await createUser("patient"), await createUser("patient")];
    const { url } = (await (await ticket(a.auth)).json()) as { url: string };
    expect((await upgrade(url, b.auth)).status).toBe(404);
  });

  it("cookie sockets are refused from a foreign origin", async () => {
    const patient = await createUser("patient");
    const res = await upgrade("/v1/chat/ws", {
      cookie: `haven_at=${patient.token}`,
      origin: "https://evil.example",
    });
    expect(res.status).toBe(401);
  });
});

describe("joining a patient's room", () => {
  it("who may get a join ticket: care-team clinician 201; others 404", async () => {
    const patient = await createUser("patient");
    const onTeam = await createUser("clinician");
    const offTeam = await createUser("clinician");
    const otherPatient = await createUser("patient");
    const admin = await createUser("admin");
    await addToCareTeam(patient, onTeam);
    const path = `/v1/patients/${patient.id}/chat/tickets`;
    expect((await ticket(onTeam.auth, path)).status).toBe(201);
    expect((await ticket(offTeam.auth, path)).status).toBe(404);
    expect((await ticket(otherPatient.auth, path)).status).toBe(404);
    expect((await ticket(patient.auth, path)).status).toBe(404);
    expect((await ticket(admin.auth, path)).status).toBe(404);
    expect((await ticket(onTeam.auth, `/v1/patients/${crypto.randomUUID()}/chat/tickets`)).status).toBe(404);
    const rows = await createDatabase(testConfig(), "us")
      .select({ outcome: auditLog.outcome, actor: auditLog.actorId })
      .from(auditLog)
      .where(and(eq(auditLog.patientId, patient.id), eq(auditLog.action, "chat.join")));
    expect(rows).toEqual(
      expect.arrayContaining([
        { outcome: "success", actor: onTeam.id },
        { outcome: "denied", actor: offTeam.id },
      ]),
    );
  });

  it("the patient sees the clinician join and their messages; history is 404 for outsiders", async () => {
    const patient = await createUser("patient");
    const clinician = await createUser("clinician");
    const outsider = await createUser("clinician");
    await addToCareTeam(patient, clinician);
    const mine: ChatClient = await connect(patient);
    const theirs = await connect(clinician, { patientId: patient.id });
    const joined = await mine.waitFor((f) => f.type === "clinician_joined");
    expect(joined).toMatchObject({ clinicianId: clinician.id, seq: 1 });
    theirs.send({ type: "message", text: "Hi, I'm here with you.", clientId: "k1" });
    const msg = await mine.waitFor((f) => f.type === "message");
    expect(msg).toMatchObject({
      role: "clinician",
      authorId: clinician.id,
      text: "Hi, I'm here with you.",
      seq: 2,
    });
    expect(mine.frames.some((f) => f.type === "token")).toBe(false);
    mine.close();
    theirs.close();
    expect((await call(`/v1/patients/${patient.id}/chat/history`, { headers: outsider.auth })).status).toBe(
      404,
    );
    expect((await call(`/v1/patients/${patient.id}/chat/history`, { headers: clinician.auth })).status).toBe(
      200,
    );
  });
});

describe("denials are audited in the patient's region", () => {
  it("an EU patient's chat denials are in the EU log and in the patient's access report", async () => {
    const patient = await createUser("patient", "eu");
    const offTeam = await createUser("clinician", "us");
    const other = await createUser("clinician", "apac");
    expect((await ticket(offTeam.auth, `/v1/patients/${patient.id}/chat/tickets`)).status).toBe(404);
    expect((await call(`/v1/patients/${patient.id}/chat/history`, { headers: other.auth })).status).toBe(404);
    const rows = await createDatabase(testConfig(), "eu")
      .select({ actor: auditLog.actorId, action: auditLog.action, outcome: auditLog.outcome })
      .from(auditLog)
      .where(eq(auditLog.patientId, patient.id));
    expect(rows).toEqual(
      expect.arrayContaining([
        { actor: offTeam.id, action: "chat.join", outcome: "denied" },
        { actor: other.id, action: "chat.history.read", outcome: "denied" },
      ]),
    );
    const report = await call("/v1/me/access-report", { headers: patient.auth });
    expect(report.status).toBe(200);
    const { entries } = (await report.json()) as { entries: Array<Record<string, unknown>> };
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actorId: offTeam.id, action: "chat.join", outcome: "denied" }),
        expect.objectContaining({ actorId: other.id, action: "chat.history.read", outcome: "denied" }),
      ]),
    );
  });
});

describe("chat needs consent", () => {
  it("without companion consent: 403 problem for tickets and HTTP sends, nothing stored", async () => {
    const patient = await createUser("patient", "us", { consents: false });
    const res = await ticket(patient.auth);
    expect(res.status).toBe(403);
    const body = await problem(res);
    expect(body.consent).toBe("health_data");
    expect(String(body.detail)).toContain("/account");
    await createDatabase(testConfig(), "us")
      .insert(consents)
      .values({ userId: patient.id, kind: "health_data", policyVersion: POLICY_VERSION });
    const send = await call("/v1/chat/messages", {
      method: "POST",
      headers: { ...patient.auth, "content-type": "application/json" },
      body: JSON.stringify({ text: "hello there" }),
    });
    expect(send.status).toBe(403);
    expect((await problem(send)).consent).toBe("ai_companion");
    const room = env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(patient.id));
    expect(await room.lastSeq()).toBe(0);
  });

  it("a cookie socket without consent opens, but its messages are refused and it is closed", async () => {
    const patient = await createUser("patient", "us", { consents: false });
    const res = await upgrade("/v1/chat/ws", {
      cookie: `haven_at=${patient.token}`,
      origin: "http://haven.test",
    });
    expect(res.status).toBe(101);
    const ws = res.webSocket as WebSocket;
    ws.accept();
    const client = new ChatClient(ws);
    const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve(e.code)));
    await client.waitFor((f) => f.type === "welcome");
    client.send({ type: "hello", lastSeq: 0 });
    client.send({ type: "message", text: "hello", clientId: "no-consent" });
    const err = await client.waitFor((f) => f.type === "error");
    expect(err).toMatchObject({ code: "consent_required", clientId: "no-consent" });
    expect(await closed).toBe(4403);
    expect(await env.CHAT_ROOM.get(env.CHAT_ROOM.idFromName(patient.id)).lastSeq()).toBe(0);
  });
});
