import { env, exports } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { inject } from "vitest";
import { careTeam } from "../workers/db/schema";
import { createDatabase } from "../workers/lib/db";
import type { Region } from "../workers/lib/vocabulary";
import { createUser, type TestUser, testConfig } from "./fixtures";
import { call } from "./helpers";

export type Frame = Record<string, unknown> & { type: string };

/** A test WebSocket client that records every frame and lets a test wait for one. */
export class ChatClient {
  readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      this.frames.push(JSON.parse(String(e.data)) as Frame);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Resolves with the first recorded frame (from index `from`) matching `pred`. */
  async waitFor(pred: (f: Frame) => boolean, timeoutMs = 20_000, from = 0): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.frames.slice(from).find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting; saw ${this.frames.map((f) => f.type).join(",")}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close(1000, "done");
  }
}

/** Issues a ticket (own room, or a patient's room for a clinician) and opens the socket with it. */
export async function connect(
  user: TestUser,
  opts: { patientId?: string; lastSeq?: number } = {},
): Promise<ChatClient> {
  const path = opts.patientId ? `/v1/patients/${opts.patientId}/chat/tickets` : "/v1/chat/tickets";
  const res = await call(path, { method: "POST", headers: user.auth });
  if (res.status !== 201) throw new Error(`ticket ${res.status}`);
  const { url } = (await res.json()) as { url: string };
  const up = await exports.default.fetch(
    new Request(`http://haven.test${url}`, { headers: { upgrade: "websocket" } }),
  );
  if (!up.webSocket) throw new Error(`upgrade ${up.status}`);
  up.webSocket.accept();
  const client = new ChatClient(up.webSocket);
  await client.waitFor((f) => f.type === "welcome");
  client.send({ type: "hello", lastSeq: opts.lastSeq ?? 0 });
  return client;
}

/** Sends a message over the HTTP fallback: the response and a reader for its SSE frames. */
export async function sendOverHttp(
  user: TestUser,
  body: Record<string, unknown>,
): Promise<{ res: Response; frames: () => Promise<Frame[]> }> {
  const res = await call("/v1/chat/messages", {
    method: "POST",
    headers: { ...user.auth, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const frames = async () =>
    (await res.text())
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => JSON.parse(l.slice(6)) as Frame);
  return { res, frames };
}

/** Sends a message and waits for the companion's final reply to it. */
export async function say(client: ChatClient, text: string): Promise<{ ack: Frame; reply: Frame }> {
  const clientId = crypto.randomUUID();
  const from = client.frames.length;
  client.send({ type: "message", text, clientId });
  const ack = await client.waitFor((f) => f.type === "ack" && f.clientId === clientId, 20_000, from);
  const reply = await client.waitFor((f) => f.type === "assistant" && f.replyTo === ack.seq, 25_000, from);
  return { ack, reply };
}

export async function addToCareTeam(patient: TestUser, clinician: TestUser, region: Region = patient.region) {
  await createDatabase(testConfig(), region)
    .insert(careTeam)
    .values({ patientId: patient.id, clinicianId: clinician.id, status: "active", createdBy: patient.id });
}

/**
 * A patient with one clinician on their care team, the clinician's dashboard socket (where crisis
 * alerts arrive live) and the patient's own chat socket.
 */
export async function watchedPatient(): Promise<{
  patient: TestUser;
  clinician: TestUser;
  dashboard: ChatClient;
  client: ChatClient;
}> {
  const patient = await createUser("patient");
  const clinician = await createUser("clinician");
  await addToCareTeam(patient, clinician);
  const dashboard = await connect(clinician);
  const client = await connect(patient);
  return { patient, clinician, dashboard, client };
}

export { eq };

const controlUrl = () => inject("openaiControlUrl");
const controlHeaders = () => ({
  authorization: `Bearer ${env.OPENAI_API_KEY}`,
  "content-type": "application/json",
});

/** Switches the offline model's global mode (keep all switches in one sequential file). */
export async function modelMode(mode: Record<string, unknown> | "reset"): Promise<void> {
  const body = mode === "reset" ? { reset: true } : { mode };
  const res = await fetch(controlUrl(), {
    method: "POST",
    headers: controlHeaders(),
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`control ${res.status}`);
}

/** Switches the offline model's safety-classifier (layer 3) behaviour; "reset" also resets replies. */
export async function riskMode(mode: Record<string, unknown>): Promise<void> {
  const res = await fetch(controlUrl(), {
    method: "POST",
    headers: controlHeaders(),
    body: JSON.stringify({ riskMode: mode }),
  });
  if (!res.ok) throw new Error(`control ${res.status}`);
}

/** How many chat completion requests the offline model has seen since the last reset. */
export async function modelRequests(): Promise<number> {
  const res = await fetch(`${controlUrl()}/requests`, { headers: controlHeaders() });
  const { requests } = (await res.json()) as { requests: Array<{ path: string; purpose?: string }> };
  return requests.filter((r) => r.path === "/v1/chat/completions" && r.purpose !== "risk").length;
}
