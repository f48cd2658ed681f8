import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ChatClient } from "./chat-helpers";
import { createUser, type TestUser } from "./fixtures";
import { api, matrixSession, practice } from "./sessions-helpers";

async function ticket(user: TestUser, sessionId: string) {
  return api(user, "POST", `/v1/therapy-sessions/${sessionId}/visit/tickets`);
}

async function open(sessionId: string, t: string): Promise<ChatClient | number> {
  const up = await exports.default.fetch(
    new Request(`http://haven.test/v1/therapy-sessions/${sessionId}/visit/ws?ticket=${t}`, {
      headers: { upgrade: "websocket" },
    }),
  );
  if (!up.webSocket) return up.status;
  up.webSocket.accept();
  return new ChatClient(up.webSocket);
}

async function join(user: TestUser, sessionId: string): Promise<ChatClient> {
  const t = await ticket(user, sessionId);
  if (t.status !== 201) throw new Error(`ticket ${t.status}`);
  const c = await open(sessionId, String(t.body.ticket));
  if (typeof c === "number") throw new Error(`upgrade ${c}`);
  return c;
}

describe("video visit signalling", () => {
  it("waiting room, admit, ready (clinician offers), relay, toggles, peer-left", async () => {
    const { clinician, patients } = await practice();
    const patient = patients[0]!;
    const id = await matrixSession(patient, clinician);
    const p = await join(patient, id);
    await p.waitFor((f) => f.type === "waiting");
    p.send({ type: "signal", data: { sdp: { type: "offer", sdp: "v=0" } } });
    expect((await p.waitFor((f) => f.type === "error")).code).toBe("not_admitted");
    const c = await join(clinician, id);
    await c.waitFor((f) => f.type === "patient-waiting");
    p.send({ type: "admit" });
    expect((await p.waitFor((f) => f.type === "error" && f.code === "not_allowed")).code).toBe("not_allowed");
    c.send({ type: "admit" });
    await p.waitFor((f) => f.type === "admitted");
    expect((await c.waitFor((f) => f.type === "ready")).offerer).toBe(true);
    expect((await p.waitFor((f) => f.type === "ready")).offerer).toBe(false);
    c.send({ type: "signal", data: { sdp: { type: "offer", sdp: "v=0 offer" } } });
    const relayed = await p.waitFor((f) => f.type === "signal");
    expect(relayed.data).toEqual({ sdp: { type: "offer", sdp: "v=0 offer" } });
    p.send({ type: "media", audio: false, video: true });
    expect(await c.waitFor((f) => f.type === "peer-media")).toMatchObject({ audio: false, video: true });
    p.send({ type: "bogus" });
    expect((await p.waitFor((f) => f.type === "error" && f.code === "invalid_frame")).code).toBe(
      "invalid_frame",
    );
    // Reconnect: a new patient socket replaces the old one and both are told to renegotiate.
    const before = c.frames.filter((f) => f.type === "ready").length;
    const p2 = await join(patient, id);
    await p2.waitFor((f) => f.type === "ready");
    await c.waitFor(() => c.frames.filter((f) => f.type === "ready").length > before);
    p2.send({ type: "leave" });
    await c.waitFor((f) => f.type === "peer-left");
    c.close();
  });

  it("tickets: the wrong patient gets 404, a ticket works once and only for its session", async () => {
    const { clinician, patients } = await practice();
    const patient = patients[0]!;
    const id = await matrixSession(patient, clinician);
    const other = await createUser("patient", "eu");
    expect((await ticket(other, id)).status).toBe(404);
    const offTeam = await createUser("clinician", "us");
    expect((await ticket(offTeam, id)).status).toBe(404);
    const t = String((await ticket(patient, id)).body.ticket);
    const otherSession = await matrixSession(patient, clinician);
    expect(await open(otherSession, t)).toBe(404);
    const t2 = String((await ticket(patient, id)).body.ticket);
    const first = await open(id, t2);
    expect(typeof first).not.toBe("number");
    expect(await open(id, t2)).toBe(401);
    (first as ChatClient).close();
  });

  it("the room is closed long before the start and for cancelled sessions", async () => {
    const { clinician, patients } = await practice();
    const patient = patients[0]!;
    const start = new Date(Date.now() + 3 * 86_400_000);
    start.setUTCMinutes(0, 0, 0);
    const later = await api(patient, "POST", "/v1/therapy-sessions", {
      clinicianId: clinician.id,
      sessionType: "follow-up",
      start: start.toISOString(),
    });
    expect(later.status).toBe(201);
    const early = await ticket(patient, String(later.body.id));
    expect(early.status).toBe(409);
  });
});
