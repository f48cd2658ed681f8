import { DurableObject } from "cloudflare:workers";
import { z } from "zod";

/**
 * The signalling room of one video visit (named by the session id). Media flows peer-to-peer over
 * WebRTC; this object only relays SDP and ICE between the session's patient and clinician, keeps
 * the waiting room (the patient waits until the clinician admits them) and tells each side when
 * to (re)negotiate. WebSocket Hibernation: per-socket identity lives in the socket's attachment,
 * the admit decision in storage, so nothing is lost when the object sleeps. The Worker decides who
 * may connect (a single-use ticket for this session's patient or clinician) and forwards only
 * then, naming the actor in `x-visit-*` headers.
 *
 * Server → client frames: `state` (your role, admitted, peer present), `waiting` / `patient-waiting`,
 * `ready` (both present and admitted: the clinician offers, the patient answers), `signal`,
 * `peer-media` (camera/microphone toggles), `peer-left`, `error`.
 */

const Role = z.enum(["patient", "clinician"]);
type Role = z.infer<typeof Role>;

const Attachment = z.object({ userId: z.string().uuid(), role: Role });
type Attachment = z.infer<typeof Attachment>;

/** Client → server frames. SDP and candidates are opaque here (bounded in size), never logged. */
export const VisitFrame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("admit") }),
  z.object({
    type: z.literal("signal"),
    data: z.union([
      z.object({ sdp: z.object({ type: z.enum(["offer", "answer"]), sdp: z.string().max(100_000) }) }),
      z.object({
        candidate: z
          .object({
            candidate: z.string().max(2000),
            sdpMid: z.string().max(64).nullable().optional(),
            sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
            usernameFragment: z.string().max(256).nullable().optional(),
          })
          .nullable(),
      }),
    ]),
  }),
  z.object({ type: z.literal("media"), audio: z.boolean(), video: z.boolean() }),
  // Recording state for the other side's screen; consent itself is enforced by the API.
  z.object({
    type: z.literal("recording"),
    state: z.enum(["consent", "withdrawn", "started", "stopped"]),
    recordingId: z.string().uuid().optional(),
  }),
  z.object({ type: z.literal("leave") }),
]);

const ADMITTED = "admitted";

export class VisitRoom extends DurableObject<Env> {
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket")
      return new Response("expected a WebSocket upgrade", { status: 400 });
    const who = Attachment.safeParse({
      userId: request.headers.get("x-visit-user"),
      role: request.headers.get("x-visit-role"),
    });
    if (!who.success) return new Response("no actor", { status: 400 });
    // Reconnect: a new socket of the same role replaces the old one.
    for (const old of this.sockets(who.data.role)) old.close(4001, "replaced by a newer connection");
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [who.data.role]);
    server.serializeAttachment(who.data);
    await this.announce(server, who.data);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const me = this.identity(ws);
    if (!me) return ws.close(4400, "unknown socket");
    let json: unknown;
    try {
      json = JSON.parse(typeof raw === "string" ? raw : new TextDecoder().decode(raw));
    } catch {
      return this.send(ws, { type: "error", code: "malformed" });
    }
    const parsed = VisitFrame.safeParse(json);
    if (!parsed.success) return this.send(ws, { type: "error", code: "invalid_frame" });
    const frame = parsed.data;
    const admitted = (await this.ctx.storage.get<boolean>(ADMITTED)) === true;
    const peerRole: Role = me.role === "patient" ? "clinician" : "patient";
    switch (frame.type) {
      case "admit":
        if (me.role !== "clinician") return this.send(ws, { type: "error", code: "not_allowed" });
        await this.ctx.storage.put(ADMITTED, true);
        for (const s of this.sockets("patient")) this.send(s, { type: "admitted" });
        return this.readyIfBoth();
      case "signal":
      case "media":
      case "recording":
        if (!admitted) return this.send(ws, { type: "error", code: "not_admitted" });
        for (const s of this.sockets(peerRole))
          this.send(
            s,
            frame.type === "signal"
              ? frame
              : frame.type === "media"
                ? { type: "peer-media", audio: frame.audio, video: frame.video }
                : { type: "peer-recording", state: frame.state, recordingId: frame.recordingId },
          );
        return;
      case "leave":
        ws.close(1000, "left");
        for (const s of this.sockets(peerRole)) this.send(s, { type: "peer-left" });
        return;
    }
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    const me = this.identity(ws);
    if (!me) return;
    const peerRole: Role = me.role === "patient" ? "clinician" : "patient";
    // Only when no newer socket of the same role replaced this one.
    if (this.sockets(me.role).filter((s) => s !== ws).length === 0)
      for (const s of this.sockets(peerRole)) this.send(s, { type: "peer-left" });
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.webSocketClose(ws);
  }

  private async announce(ws: WebSocket, me: Attachment): Promise<void> {
    const admitted = (await this.ctx.storage.get<boolean>(ADMITTED)) === true;
    const peerRole: Role = me.role === "patient" ? "clinician" : "patient";
    const peer = this.sockets(peerRole).length > 0;
    this.send(ws, { type: "state", role: me.role, admitted, peer });
    if (me.role === "patient" && !admitted) {
      this.send(ws, { type: "waiting" });
      for (const s of this.sockets("clinician")) this.send(s, { type: "patient-waiting" });
    }
    if (me.role === "clinician" && !admitted && this.sockets("patient").length > 0)
      this.send(ws, { type: "patient-waiting" });
    if (admitted) this.readyIfBoth();
  }

  /** Both present and admitted: each side starts a fresh peer connection; the clinician offers. */
  private readyIfBoth(): void {
    const patient = this.sockets("patient");
    const clinician = this.sockets("clinician");
    if (patient.length === 0 || clinician.length === 0) return;
    for (const s of patient) this.send(s, { type: "ready", offerer: false });
    for (const s of clinician) this.send(s, { type: "ready", offerer: true });
  }

  private sockets(role: Role): WebSocket[] {
    return this.ctx.getWebSockets(role).filter((s) => s.readyState === WebSocket.OPEN);
  }

  private identity(ws: WebSocket): Attachment | null {
    const parsed = Attachment.safeParse(ws.deserializeAttachment());
    return parsed.success ? parsed.data : null;
  }

  private send(ws: WebSocket, frame: unknown): void {
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      // a socket closing under us: its close handler tells the peer
    }
  }
}
