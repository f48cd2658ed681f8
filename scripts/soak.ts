/**
 * `npm run soak`: a bounded, loopback-only soak of the dev stack. Starts `scripts/dev.ts --env
 * bench` (fresh databases, raised rate limit), signs up patients, opens `--clients` chat
 * WebSockets spread over them (several sockets per patient room, like a patient with phone and
 * laptop open), and for `--minutes` each client sends a message every `--send-every` seconds and
 * pings in between. Every `--sample` seconds it prints the resident memory of each process of
 * the stack (workerd, wrangler, the local stack), the acknowledgement latency (message → ack
 * frame, p50/p99) and the error counts; at the end, the memory trend of each process.
 *
 *   npm run soak                                   1,000 clients, 10 minutes (on demand, not CI)
 *   npm run soak -- --clients 200 --minutes 1      a short proof run
 *
 * Simulated wearable devices are not part of it yet (no telemetry route exists to drive).
 */

import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import WebSocket from "ws";
import { login } from "../bench/account.ts";
import { root, startDevStack } from "../bench/stack.ts";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "1000" },
    minutes: { type: "string", default: "10" },
    "per-patient": { type: "string", default: "5" },
    "send-every": { type: "string", default: "60" },
    sample: { type: "string", default: "30" },
  },
});
const CLIENTS = Number(values.clients);
const DURATION_MS = Number(values.minutes) * 60_000;
const PER_PATIENT = Math.max(1, Number(values["per-patient"]));
const SEND_EVERY_MS = Number(values["send-every"]) * 1000;
const SAMPLE_MS = Number(values.sample) * 1000;

/** Processes of the dev stack: the process group of `dev.ts --port <port>`, with their RSS. */
function stackProcesses(port: string): Array<{ pid: number; name: string; rssKb: number }> {
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
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const name = p.cmd.includes("workerd")
        ? "workerd"
        : p.cmd.includes("wrangler")
          ? "wrangler"
          : p.cmd.includes("serve.ts") || p.cmd.includes("local-stack")
            ? "local-stack"
            : p.cmd.includes("dev.ts")
              ? "dev.ts+stack"
              : (p.cmd.split(" ")[0]?.split("/").pop() ?? "?");
      return { pid: p.pid, name, rssKb };
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
  const signup = await post("/v1/auth/signup", {
    ...creds,
    displayName: "Soak Patient",
    region: "us",
    consents: { healthData: true, aiCompanion: true },
  });
  if (!signup.ok) throw new Error(`signup answered ${signup.status}`);
  const vars = readVars(join(root, ".data", "dev.bench.vars"));
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

interface Client {
  ws: WebSocket;
  pending: Map<string, number>;
  open: boolean;
}

async function main() {
  console.log(`soak: ${CLIENTS} clients, ${values.minutes} min, ${PER_PATIENT} sockets per patient`);
  const stack = await startDevStack();
  const port = new URL(stack.url).port;
  const errors: Record<string, number> = {};
  const err = (k: string) => {
    errors[k] = (errors[k] ?? 0) + 1;
  };
  const acks: number[] = [];
  const clients: Client[] = [];
  const memory = new Map<string, number[]>();
  try {
    const patients = Math.ceil(CLIENTS / PER_PATIENT);
    const tokens: string[] = [];
    for (let i = 0; i < patients; i++) {
      tokens.push(await login(stack.url, await signupPatient(stack.url)));
    }
    console.log(`soak: ${patients} patients signed up`);

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
        } else if (f.type === "error") err(`frame_${f.code ?? "error"}`);
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
      const offset = (i * SEND_EVERY_MS) / clients.length;
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
        c.ws.send(
          JSON.stringify({ type: "message", text: `soak message ${n}: how are you today?`, clientId }),
        );
      };
      const first = setTimeout(send, offset);
      const every = setInterval(send, SEND_EVERY_MS);
      const ping = setInterval(() => c.open && c.ws.send('{"type":"ping"}'), 10_000);
      return () => {
        clearTimeout(first);
        clearInterval(every);
        clearInterval(ping);
      };
    });

    const sample = () => {
      const procs = stackProcesses(port);
      const line = procs.map((p) => `${p.name}:${p.pid} ${(p.rssKb / 1024).toFixed(0)} MB`).join("  ");
      for (const p of procs)
        memory.set(`${p.name}:${p.pid}`, [...(memory.get(`${p.name}:${p.pid}`) ?? []), p.rssKb]);
      const window = acks.splice(0);
      const open = clients.filter((c) => c.open).length;
      console.log(
        `t+${Math.round((Date.now() - started) / 1000)}s  open ${open}  acks ${window.length}  ack p50 ${pct(window, 50).toFixed(1)} ms p99 ${pct(window, 99).toFixed(1)} ms  errors ${JSON.stringify(errors)}\n    ${line}`,
      );
      return window;
    };
    const all: number[] = [];
    sample();
    while (Date.now() - started < DURATION_MS) {
      await new Promise((r) => setTimeout(r, Math.min(SAMPLE_MS, DURATION_MS - (Date.now() - started))));
      all.push(...sample());
    }
    for (const stop of timers) stop();
    await new Promise((r) => setTimeout(r, 3000));
    all.push(...sample());
    console.log("\nsoak summary");
    console.log(`  acks ${all.length}  p50 ${pct(all, 50).toFixed(1)} ms  p99 ${pct(all, 99).toFixed(1)} ms`);
    console.log(`  errors ${JSON.stringify(errors)}`);
    for (const [proc, series] of memory) {
      const first = (series[1] ?? series[0] ?? 0) / 1024;
      const last = (series.at(-1) ?? 0) / 1024;
      const peak = Math.max(...series) / 1024;
      console.log(
        `  ${proc.padEnd(22)} RSS after connect ${first.toFixed(0)} MB → end ${last.toFixed(0)} MB (peak ${peak.toFixed(0)} MB, ${(last - first >= 0 ? "+" : "") + (last - first).toFixed(0)} MB)`,
      );
    }
  } finally {
    for (const c of clients) c.ws.terminate();
    await stack.stop();
  }
}

main().catch((e: unknown) => {
  console.error(`soak failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
