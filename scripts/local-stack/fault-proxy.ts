/**
 * A controllable TCP proxy for the fault suite: put in front of the local Neon endpoint, the
 * Upstash endpoint or the model server, it passes traffic through or misbehaves on command:
 *
 * - `pass`    forward both ways
 * - `refuse`  stop listening (connect gets ECONNREFUSED), listen again on the same port later
 * - `hang`    accept and read, never forward or answer
 * - `slow`    forward, but hold each chunk of the answer for `delayMs`
 * - `lag`     forward, every chunk of the answer `delayMs` late (latency, not a slower stream)
 * - `drop`    forward the request, then close the connection before any of the answer
 * - `cut`     forward the request and the first `bytes` of the answer, then close (mid-response)
 *
 * With `match` set, only a request whose bytes contain that text misbehaves (from the chunk that
 * completes the match on; `refuse` then resets that connection without forwarding the chunk);
 * everything else passes — e.g. `{"mode":"drop","match":"[\"set\",\"denylist:"}` loses the
 * answer of one Redis write while reads keep working.
 *
 * Changing mode closes every open connection, so pooled keep-alive sockets cannot carry on in
 * the old mode. Loopback only.
 */
import { createServer, type Server, Socket } from "node:net";

export type FaultMode = "pass" | "refuse" | "hang" | "slow" | "lag" | "drop" | "cut";
export const FAULT_MODES: readonly FaultMode[] = ["pass", "refuse", "hang", "slow", "lag", "drop", "cut"];

export interface FaultSettings {
  mode: FaultMode;
  delayMs: number;
  bytes: number;
  /** When non-empty, only requests containing this text are faulted. */
  match: string;
}

export interface FaultProxy {
  readonly port: number;
  readonly settings: FaultSettings;
  set(settings: Partial<FaultSettings>): Promise<void>;
  /** Requests (connections) seen since start, to check what reached the dependency. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }, host = "127.0.0.1") {
  const sockets = new Set<Socket>();
  let settings: FaultSettings = { mode: "pass", delayMs: 2000, bytes: 10, match: "" };
  let connections = 0;
  let server: Server | null = null;
  let port = 0;

  const onConnection = (client: Socket) => {
    connections += 1;
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => undefined);
    const match = settings.match;
    let mode: FaultMode = match ? "pass" : settings.mode;
    let tail = "";
    if (mode === "hang") {
      client.resume();
      return;
    }
    const upstream = new Socket();
    sockets.add(upstream);
    upstream.on("close", () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.connect(target.port, target.host);
    client.on("data", (chunk: Buffer) => {
      if (match && mode === "pass") {
        const seen = tail + chunk.toString("latin1");
        tail = seen.slice(-match.length);
        if (seen.includes(match)) mode = settings.mode;
        if (mode === "hang") return;
        if (mode === "refuse") {
          client.destroy();
          upstream.destroy();
          return;
        }
      }
      if (mode !== "hang") upstream.write(chunk);
    });
    let sent = 0;
    upstream.on("data", (chunk: Buffer) => {
      if (mode === "drop") {
        client.destroy();
        upstream.destroy();
      } else if (mode === "cut") {
        const room = Math.max(0, settings.bytes - sent);
        if (room > 0) client.write(chunk.subarray(0, room));
        sent += Math.min(room, chunk.length);
        if (sent >= settings.bytes) {
          client.end(() => client.destroy());
          upstream.destroy();
        }
      } else if (mode === "lag") {
        setTimeout(() => client.write(chunk), settings.delayMs);
      } else if (mode === "slow") {
        upstream.pause();
        setTimeout(() => {
          client.write(chunk);
          upstream.resume();
        }, settings.delayMs);
      } else {
        client.write(chunk);
      }
    });
  };

  const listen = (p: number) =>
    new Promise<void>((resolve, reject) => {
      const s = createServer(onConnection);
      s.once("error", reject);
      s.listen(p, host, () => {
        server = s;
        const address = s.address();
        port = typeof address === "object" && address ? address.port : p;
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server = null;
    });

  await listen(0);

  const proxy: FaultProxy = {
    get port() {
      return port;
    },
    get settings() {
      return settings;
    },
    get connections() {
      return connections;
    },
    async set(next) {
      settings = { ...settings, ...next };
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (settings.mode === "refuse" && !settings.match) await stopListening();
      else if (!server) await listen(port);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await stopListening();
    },
  };
  return proxy;
}
