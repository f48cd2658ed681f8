/**
 * `npm run soak`: a bounded, loopback-only soak of the dev stack. Starts `scripts/dev.ts --env
 * bench` (fresh databases, raised rate limit), signs up patients, opens `--clients` chat
 * WebSockets spread over them (several sockets per patient room, like a patient with phone and
 * laptop open), and for `--minutes` each client sends a message every `--send-every` seconds and
 * pings in between. Every `--sample` seconds it prints the resident memory of each process of
 * the stack (workerd, wrangler, the local stack), the acknowledgement latency (message → ack
 * frame, p50/p99) and the error counts; at the end, the memory trend of each process.
 *
 * Beside them, `--devices` simulated wearables (created through the dev-only device route) each
 * post a batch of readings (heart rate every 5 s, steps) to `/v1/telemetry` every
 * `--device-every` seconds with an Idempotency-Key, resending on 503 after Retry-After as a device
 * should; their acceptance latency (p50/p99) and errors are printed with the chat figures.
 *
 *   npm run soak                                   1,000 clients, 500 devices, 10 minutes (not CI)
 *   npm run soak -- --clients 200 --devices 50 --minutes 1      a short proof run
 *   npm run soak -- --port 8860                    dev stack on 8860, its local stack on 8861–8863
 *                                                  (default: free ports the OS hands out)
 */

import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { login } from "../bench/account.ts";
import { freePort, root } from "../bench/stack.ts";
import { bytesUnder, findInspector, residentByMapping, retainedHeap } from "./soak-heap.ts";
import { startSoakStack } from "./soak-stack.ts";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "1000" },
    minutes: { type: "string", default: "10" },
    "per-patient": { type: "string", default: "5" },
    "send-every": { type: "string", default: "60" },
    burst: { type: "boolean", default: false },
    sample: { type: "string", default: "30" },
    devices: { type: "string", default: "500" },
    "idle-minutes": { type: "string", default: "2" },
    "device-every": { type: "string", default: "60" },
    port: { type: "string" },
  },
});
const DEVICES = Number(values.devices);
const VARS_FILE = join(root, ".data", "soak", "dev.bench.vars");
const DEVICE_EVERY_MS = Number(values["device-every"]) * 1000;
const CLIENTS = Number(values.clients);
const DURATION_MS = Number(values.minutes) * 60_000;
const PER_PATIENT = Math.max(1, Number(values["per-patient"]));
const SEND_EVERY_MS = Number(values["send-every"]) * 1000;
const SAMPLE_MS = Number(values.sample) * 1000;
const IDLE_MS = Number(values["idle-minutes"]) * 60_000;

/** Processes of the dev stack: the process group of `dev.ts --port <port>`, with their RSS. */
function stackProcesses(port: string): Array<{
  pid: number;
  name: string;
  rssKb: number;
  anonKb: number;
  fileKb: number;
  shmemKb: number;
  inspected: boolean;
}> {
  const procs: Array<{ pid: number; pgrp: number; cmd: string }> = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      procs.push({ pid: Number(entry), pgrp, cmd });
    } catch {
      // exited meanwhile
    }
  }
  const leader = procs.find((p) => p.cmd.includes("scripts/dev.ts") && p.cmd.includes(`--port ${port}`));
  if (!leader) return [];
  return procs
    .filter((p) => p.pgrp === leader.pgrp)
    .map((p) => {
      const status = readFileSync(`/proc/${p.pid}/status`, "utf8");
      const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      const rssKb = kb("VmRSS");
      const name = p.cmd.includes("workerd")
        ? "workerd"
        : p.cmd.includes("wrangler")
          ? "wrangler"
          : p.cmd.includes("serve.ts") || p.cmd.includes("local-stack")
            ? "local-stack"
            : p.cmd.includes("dev.ts")
              ? "dev.ts+stack"
              : (p.cmd.split(" ")[0]?.split("/").pop() ?? "?");
      // The workerd that runs the Worker and its Durable Objects is the one wrangler gives an inspector.
      return {
        pid: p.pid,
        name,
        rssKb,
        // RSS split as the kernel counts it: anonymous (malloc, V8), file-backed, shared memory.
        anonKb: kb("RssAnon"),
        fileKb: kb("RssFile"),
        shmemKb: kb("RssShmem"),
        inspected: p.cmd.includes("--inspector-addr"),
      };
    })
    .filter((p) => p.rssKb > 0);
}

function readVars(file: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) vars[line.slice(0, i)] = JSON.parse(line.slice(i + 1)) as string;
  }
  return vars;
}

/** Signs up and verifies a patient through the API and the dev mailbox (tokens are `region.secret`). */
async function signupPatient(baseUrl: string): Promise<{ email: string; password: string }> {
  const creds = {
    email: `soak-${randomBytes(6).toString("hex")}@soak.haven.local`,
    password: `Quiet-river-${randomBytes(9).toString("base64url")}`,
  };
  const post = (path: string, body: unknown) =>
    fetch(`${baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  let signup = await post("/v1/auth/signup", {
    ...creds,
    displayName: "Soak Patient",
    region: "us",
    consents: { healthData: true, aiCompanion: true },
  });
  // A 503 is retried after Retry-After, as a client should (three times at most).
  for (let attempt = 0; signup.status === 503 && attempt < 3; attempt++) {
    const code = ((await signup.json().catch(() => ({}))) as { code?: string }).code;
    console.log(`soak: signup answered 503 ${code ?? ""}, retrying`);
    await new Promise((r) => setTimeout(r, Number(signup.headers.get("retry-after") ?? 1) * 1000));
    signup = await post("/v1/auth/signup", {
      ...creds,
      displayName: "Soak Patient",
      region: "us",
      consents: { healthData: true, aiCompanion: true },
    });
  }
  if (!signup.ok) throw new Error(`signup answered ${signup.status}`);
  const vars = readVars(VARS_FILE);
  for (let attempt = 0; attempt < 40; attempt++) {
    const res = await fetch(vars.UPSTASH_REDIS_REST_URL ?? "", {
      method: "POST",
      headers: {
        authorization: `Bearer ${vars.UPSTASH_REDIS_REST_TOKEN}`,
        "content-type": "application/json",
      },
      body: JSON.stringify(["LRANGE", "devmail:inbox", "0", "99"]),
    });
    const { result } = (await res.json()) as { result?: unknown[] };
    const mail = (result ?? []).map(String).find((m) => m.includes(creds.email));
    const token = mail ? /verify-email\?token=([A-Za-z0-9._-]+)/.exec(mail)?.[1] : undefined;
    if (token) {
      const verify = await post("/v1/auth/verify-email", { token });
      if (!verify.ok) throw new Error(`verify-email answered ${verify.status}`);
      return creds;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("no verification mail");
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
};

interface DeviceStats {
  sent: number;
  accepted: number;
  duplicates: number;
  unavailable: number;
  errors: Record<string, number>;
  latencies: number[];
}

/** Simulated wearables through the dev-only route (`DEV_SEED_TOKEN`): their bearer tokens. */
async function createDevices(baseUrl: string, count: number): Promise<string[]> {
  if (count <= 0) return [];
  const seed = readVars(VARS_FILE).DEV_SEED_TOKEN ?? "";
  const tokens: string[] = [];
  // The dev route creates at most 200 per call (the first of each call for the demo patient).
  while (tokens.length < count) {
    const res = await fetch(
      `${baseUrl}/__dev/wearables/devices?count=${Math.min(100, count - tokens.length)}`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${seed}` },
      },
    );
    if (!res.ok) throw new Error(`could not create simulated devices (${res.status}: ${await res.text()})`);
    const { devices } = (await res.json()) as { devices: { token: string }[] };
    tokens.push(...devices.map((d) => d.token));
  }
  return tokens.slice(0, count);
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");

/** Heart rate every 5 s and one steps count for the interval (a wearable's periodic sync). */
function readingsBetween(device: number, from: number, to: number) {
  const readings: Array<{ type: string; ts: string; value: number; unit: string }> = [];
  for (let t = Math.ceil(from / 5000) * 5000; t < to; t += 5000) {
    const hr = 60 + (device % 15) + Math.round(6 * Math.sin(t / 600_000));
    readings.push({ type: "heart_rate", ts: rfc3339(t), value: hr, unit: "bpm" });
  }
  readings.push({ type: "steps", ts: rfc3339(from), value: (device * 13 + to) % 90, unit: "steps" });
  return readings;
}

/** One device sync: resent (same Idempotency-Key) after Retry-After on 503, at most 3 times. */
async function postReadings(
  token: string,
  readings: ReturnType<typeof readingsBetween>,
  key: string,
  stats: DeviceStats,
  attempt = 0,
): Promise<void> {
  if (attempt === 0) stats.sent += readings.length;
  const t0 = performance.now();
  try {
    const res = await fetch(`${baseUrlOf.url}/v1/telemetry`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "idempotency-key": key,
      },
      body: JSON.stringify({ readings }),
      signal: AbortSignal.timeout(30_000),
    });
    stats.latencies.push(performance.now() - t0);
    if (res.status === 503 && attempt < 3) {
      stats.unavailable++;
      await res.body?.cancel();
      const wait = Math.min(10, Number(res.headers.get("retry-after") ?? 1)) * 1000;
      await new Promise((r) => setTimeout(r, wait));
      return postReadings(token, readings, key, stats, attempt + 1);
    }
    if (!res.ok) {
      stats.errors[`http_${res.status}`] = (stats.errors[`http_${res.status}`] ?? 0) + 1;
      await res.body?.cancel();
      return;
    }
    const body = (await res.json()) as { accepted: number; duplicates: number };
    stats.accepted += body.accepted;
    stats.duplicates += body.duplicates;
  } catch (e) {
    const name = e instanceof Error ? e.name : "error";
    stats.errors[name] = (stats.errors[name] ?? 0) + 1;
  }
}

/** The running stack's URL, for the device loop. */
const baseUrlOf = { url: "" };

interface Client {
  ws: WebSocket;
  pending: Map<string, number>;
  open: boolean;
}

/** Least-squares slope of y over x (per minute when x is minutes); NaN with fewer than 3 points. */
function slope(points: Array<[number, number]>): number {
  if (points.length < 3) return Number.NaN;
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

async function main() {
  console.log(
    `soak: ${CLIENTS} clients, ${DEVICES} devices, ${values.minutes} min, ${PER_PATIENT} sockets per patient`,
  );
  // Each patient may send DAILY_QUOTA messages a UTC day (durable-objects/chat-protocol.ts, which
  // this script's node16 build cannot import); past that every ordinary message is refused.
  const DAILY_QUOTA = 200;
  const quotaMinutes = DAILY_QUOTA / (PER_PATIENT * (60_000 / SEND_EVERY_MS));
  if (quotaMinutes < Number(values.minutes))
    console.log(
      `soak: note: the daily quota (${DAILY_QUOTA} messages per patient) is reached after ${quotaMinutes.toFixed(0)} minutes; use fewer --per-patient or a longer --send-every for a longer chat load`,
    );
  const base = values.port ? Number(values.port) : await freePort();
  const stack = await startSoakStack(
    root,
    base,
    values.port ? { neon: base + 1, upstash: base + 2, openai: base + 3 } : undefined,
  );
  // Ctrl-C stops the dev stack too (it runs in its own process group and would outlive us).
  process.once("SIGINT", () => {
    console.log("\nsoak: interrupted; stopping the dev stack");
    void stack.stop().finally(() => process.exit(130));
  });
  const port = String(stack.port);
  baseUrlOf.url = stack.url;
  const errors: Record<string, number> = {};
  const err = (k: string) => {
    errors[k] = (errors[k] ?? 0) + 1;
  };
  const acks: number[] = [];
  let sent = 0;
  const deviceStats: DeviceStats = {
    sent: 0,
    accepted: 0,
    duplicates: 0,
    unavailable: 0,
    errors: {},
    latencies: [],
  };
  const deviceLatencies: number[] = [];
  const clients: Client[] = [];
  const memory = new Map<string, Array<{ t: number; kb: number; phase: "load" | "idle" }>>();
  const inside: Array<{
    t: number;
    phase: "load" | "idle";
    heapMb: number;
    heapTotalMb: number;
    backingMb: number;
    anonMb: number;
    doMb: number;
  }> = [];
  const mb = (kb: number | undefined) => `${((kb ?? 0) / 1024).toFixed(0)} MB`;
  const byMapping = (pid: number) =>
    Object.entries(residentByMapping(pid))
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${mb(v)}`)
      .join(", ");
  try {
    const patients = Math.ceil(CLIENTS / PER_PATIENT);
    const tokens: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < patients) {
          next++;
          tokens.push(await login(stack.url, await signupPatient(stack.url)));
        }
      }),
    );
    console.log(`soak: ${patients} patients signed up`);
    const fleet = await createDevices(stack.url, DEVICES);
    console.log(`soak: ${fleet.length} devices created`);

    const wsBase = stack.url.replace(/^http/, "ws");
    for (let i = 0; i < CLIENTS; i++) {
      const token = tokens[i % patients] as string;
      const res = await fetch(`${stack.url}/v1/chat/tickets`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 201) {
        err(`ticket_${res.status}`);
        await res.body?.cancel();
        continue;
      }
      const { url } = (await res.json()) as { url: string };
      const ws = new WebSocket(`${wsBase}${url}`);
      const client: Client = { ws, pending: new Map(), open: false };
      ws.on("open", () => {
        client.open = true;
        ws.send(JSON.stringify({ type: "hello", lastSeq: 0 }));
      });
      ws.on("message", (data) => {
        const f = JSON.parse(String(data)) as { type: string; clientId?: string; code?: string };
        if (f.type === "ack" && f.clientId) {
          const t0 = client.pending.get(f.clientId);
          if (t0 !== undefined) {
            acks.push(performance.now() - t0);
            client.pending.delete(f.clientId);
          }
        } else if (f.type === "error") {
          // A refusal answers the message: it is an error, not also an ack timeout.
          if (f.clientId) client.pending.delete(f.clientId);
          err(`frame_${f.code ?? "error"}`);
        }
      });
      ws.on("error", () => err("socket_error"));
      ws.on("close", (code) => {
        if (client.open) err(`closed_${code}`);
        client.open = false;
      });
      clients.push(client);
    }
    await new Promise((r) => setTimeout(r, 2000));
    console.log(`soak: ${clients.filter((c) => c.open).length} sockets open`);

    const started = Date.now();
    const timers = clients.map((c, i) => {
      const offset = values.burst ? 0 : (i * SEND_EVERY_MS) / clients.length;
      let n = 0;
      const send = () => {
        if (!c.open) return;
        for (const [id, t0] of c.pending) {
          if (performance.now() - t0 > 30_000) {
            err("ack_timeout");
            c.pending.delete(id);
          }
        }
        const clientId = `s${i}-${n++}`;
        c.pending.set(clientId, performance.now());
        sent++;
        c.ws.send(
          JSON.stringify({ type: "message", text: `soak message ${n}: how are you today?`, clientId }),
        );
      };
      // Each client keeps its own phase: the interval starts at its offset, so sends stay spread
      // over the period (started at t=0, every client sent in the same second from the 2nd minute).
      let every: ReturnType<typeof setInterval> | undefined;
      const first = setTimeout(() => {
        send();
        every = setInterval(send, SEND_EVERY_MS);
      }, offset);
      const ping = setInterval(() => c.open && c.ws.send('{"type":"ping"}'), 10_000);
      return () => {
        clearTimeout(first);
        clearInterval(every);
        clearInterval(ping);
      };
    });

    const deviceTimers = fleet.map((token, i) => {
      const offset = (i * DEVICE_EVERY_MS) / Math.max(1, fleet.length);
      let last = Date.now();
      const post = () => {
        const now = Date.now();
        void postReadings(token, readingsBetween(i, last, now), `soak-${i}-${now}`, deviceStats);
        last = now;
      };
      let every: ReturnType<typeof setInterval> | undefined;
      const first = setTimeout(() => {
        post();
        every = setInterval(post, DEVICE_EVERY_MS);
      }, offset);
      return () => {
        clearTimeout(first);
        clearInterval(every);
      };
    });

    const doDir = join(stack.dataDir, "wrangler", "v3", "do");
    const inspected = stackProcesses(port).find((p) => p.inspected);
    const inspector = inspected ? await findInspector(inspected.pid) : undefined;
    if (!inspector) console.log("soak: no inspector found on workerd; the JS heap is not sampled");
    const sample = async (phase: "load" | "idle") => {
      const procs = stackProcesses(port);
      const t = (Date.now() - started) / 60_000;
      const line = procs.map((p) => `${p.name}:${p.pid} ${(p.rssKb / 1024).toFixed(0)} MB`).join("  ");
      for (const p of procs) {
        const key = `${p.name}:${p.pid}${p.inspected ? " (DOs)" : ""}`;
        memory.set(key, [...(memory.get(key) ?? []), { t, kb: p.rssKb, phase }]);
      }
      const usage = inspector ? await retainedHeap(inspector) : undefined;
      const retained = usage?.usedSize;
      const disk = bytesUnder(doDir);
      const dos = procs.find((p) => p.inspected);
      inside.push({
        t,
        phase,
        heapMb: retained === undefined ? Number.NaN : retained / 2 ** 20,
        heapTotalMb: usage === undefined ? Number.NaN : usage.totalSize / 2 ** 20,
        backingMb: usage?.backingStorageSize === undefined ? Number.NaN : usage.backingStorageSize / 2 ** 20,
        anonMb: dos ? dos.anonKb / 1024 : Number.NaN,
        doMb: disk.bytes / 2 ** 20,
      });
      const window = acks.splice(0);
      const posts = deviceStats.latencies.splice(0);
      deviceLatencies.push(...posts);
      const open = clients.filter((c) => c.open).length;
      console.log(
        `t+${Math.round((Date.now() - started) / 1000)}s  open ${open}  acks ${window.length}  ack p50 ${pct(window, 50).toFixed(1)} ms p99 ${pct(window, 99).toFixed(1)} ms  errors ${JSON.stringify(errors)}\n    devices: posts ${posts.length}  p50 ${pct(posts, 50).toFixed(1)} ms p99 ${pct(posts, 99).toFixed(1)} ms  readings accepted ${deviceStats.accepted}  503s ${deviceStats.unavailable}  errors ${JSON.stringify(deviceStats.errors)}\n    load ${loadavg()
          .map((l) => l.toFixed(2))
          .join(
            " ",
          )}  ${line}\n    inside workerd: JS heap after GC ${retained === undefined ? "n/a" : `${(retained / 2 ** 20).toFixed(1)} MB (reserved ${((usage?.totalSize ?? 0) / 2 ** 20).toFixed(1)} MB, array buffers ${usage?.backingStorageSize === undefined ? "n/a" : `${(usage.backingStorageSize / 2 ** 20).toFixed(1)} MB`})`}  Durable Object storage on disk ${(disk.bytes / 2 ** 20).toFixed(0)} MB in ${disk.files} databases${dos ? `\n    DOs' workerd RSS: anonymous ${mb(dos.anonKb)}, file ${mb(dos.fileKb)}, shared ${mb(dos.shmemKb)}` : ""}`,
      );
      return window;
    };
    const all: number[] = [];
    all.push(...(await sample("load")));
    if (inspected) console.log(`    DOs' workerd resident by mapping: ${byMapping(inspected.pid)}`);
    while (Date.now() - started < DURATION_MS) {
      await new Promise((r) => setTimeout(r, Math.min(SAMPLE_MS, DURATION_MS - (Date.now() - started))));
      all.push(...(await sample("load")));
    }
    for (const stop of timers) stop();
    for (const stop of deviceTimers) stop();
    // In-flight messages get up to 30 s (the client's own ack timeout) to be acknowledged.
    for (let waited = 0; waited < 30_000 && clients.some((c) => c.open && c.pending.size > 0); waited += 500)
      await new Promise((r) => setTimeout(r, 500));
    all.push(...(await sample("idle")));
    if (inspected) console.log(`    DOs' workerd resident by mapping: ${byMapping(inspected.pid)}`);
    // Idle tail: sockets stay open, nothing is sent. Memory that keeps rising here is not load.
    if (IDLE_MS > 0)
      console.log(`soak: load stopped; ${values["idle-minutes"]} idle minutes with the sockets open`);
    const idleEnd = Date.now() + IDLE_MS;
    while (Date.now() < idleEnd) {
      await new Promise((r) => setTimeout(r, Math.min(SAMPLE_MS, idleEnd - Date.now())));
      await sample("idle");
    }
    // After the idle tail (right after the end of the load it was printed already).
    if (inspected && IDLE_MS > 0)
      console.log(`    DOs' workerd resident by mapping: ${byMapping(inspected.pid)}`);
    console.log("\nsoak summary");
    const unacked = clients.reduce((n, c) => n + c.pending.size, 0);
    console.log(
      `  chat: sent ${sent}, acknowledged ${all.length}, unacknowledged ${unacked} (timed out earlier: ${errors.ack_timeout ?? 0})  p50 ${pct(all, 50).toFixed(1)} ms  p99 ${pct(all, 99).toFixed(1)} ms`,
    );
    console.log(`  errors ${JSON.stringify(errors)}`);
    console.log(
      `  devices: ${fleet.length}, posts ${deviceLatencies.length}  p50 ${pct(deviceLatencies, 50).toFixed(1)} ms  p99 ${pct(deviceLatencies, 99).toFixed(1)} ms  readings sent ${deviceStats.sent}, accepted ${deviceStats.accepted}, duplicates ${deviceStats.duplicates}  503s ${deviceStats.unavailable}  errors ${JSON.stringify(deviceStats.errors)}`,
    );
    const fmt = (n: number) => `${n >= 0 ? "+" : ""}${n.toFixed(1)}`;
    console.log("  memory (slopes by least squares, MB/min: over the last half of the load, and idle)");
    for (const [proc, series] of memory) {
      const load = series.filter((s) => s.phase === "load");
      const first = (load[1] ?? load[0])?.kb ?? 0;
      const last = series.at(-1)?.kb ?? 0;
      const peak = Math.max(...series.map((s) => s.kb));
      const lateLoad = slope(load.slice(Math.floor(load.length / 2)).map((s) => [s.t, s.kb / 1024]));
      const idle = slope(series.filter((s) => s.phase === "idle").map((s) => [s.t, s.kb / 1024]));
      console.log(
        `  ${proc.padEnd(22)} RSS after connect ${(first / 1024).toFixed(0)} MB → end ${(last / 1024).toFixed(0)} MB (peak ${(peak / 1024).toFixed(0)} MB)  slope late load ${fmt(lateLoad)}  idle ${fmt(idle)}`,
      );
    }
    const heapLoad = inside.filter((s) => s.phase === "load" && !Number.isNaN(s.heapMb));
    if (heapLoad.length > 0) {
      console.log(
        `  JS heap after GC (Worker + Durable Objects isolate) ${heapLoad[0]?.heapMb.toFixed(1)} → ${inside.at(-1)?.heapMb.toFixed(1)} MB (max ${Math.max(...inside.map((s) => s.heapMb).filter((m) => !Number.isNaN(m))).toFixed(1)})  slope late load ${fmt(slope(heapLoad.slice(Math.floor(heapLoad.length / 2)).map((s) => [s.t, s.heapMb])))}`,
      );
    }
    const lateHalf = <T>(xs: T[]) => xs.slice(Math.floor(xs.length / 2));
    const loadInside = inside.filter((s) => s.phase === "load");
    const series = (pick: (s: (typeof inside)[number]) => number) =>
      lateHalf(loadInside.filter((s) => !Number.isNaN(pick(s)))).map((s): [number, number] => [s.t, pick(s)]);
    console.log(
      `  DOs' workerd, slope late load (MB/min): anonymous RSS ${fmt(slope(series((s) => s.anonMb)))}  V8 reserved ${fmt(slope(series((s) => s.heapTotalMb)))}  array buffers ${fmt(slope(series((s) => s.backingMb)))}`,
    );
    console.log(
      `  Durable Object storage on disk ${inside[0]?.doMb.toFixed(0)} → ${inside.at(-1)?.doMb.toFixed(0)} MB`,
    );
  } finally {
    for (const c of clients) c.ws.terminate();
    await stack.stop();
  }
}

main().catch((e: unknown) => {
  console.error(`soak failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
