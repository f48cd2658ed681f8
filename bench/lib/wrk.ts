/**
 * Runs wrk (Debian package `wrk`) and parses its summary. wrk runs under a `bash -c` wrapper that
 * prints its own /proc stat after wrk exits: the wrapper's cutime/cstime are then exactly wrk's
 * user and system CPU, so the load generator's cost is reported like every other process's.
 */
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseStat } from "./proc.ts";

export interface WrkRequest {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  /** Path of a file holding the request body (POST). */
  bodyFile?: string;
  /** A wrk Lua script that builds requests itself (the peer's get.lua/post.lua); env passed through. */
  script?: string;
  env?: Record<string, string>;
}

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  /** Responses outside 2xx/3xx plus socket errors. */
  failures: number;
  /** CPU of wrk itself (ms). */
  cpuMs: number;
}

export function wrkAvailable(): boolean {
  return spawnSync("wrk", ["--version"], { stdio: "ignore" }).error === undefined;
}

const ms = (value: string, unit: string) =>
  Number(value) * (unit === "us" ? 0.001 : unit === "ms" ? 1 : unit === "s" ? 1000 : 60_000);

export function parseWrk(out: string): Omit<WrkResult, "cpuMs"> {
  const total = /(\d+) requests in ([\d.]+)(ms|s|m)/.exec(out);
  const requests = Number(total?.[1] ?? 0);
  const seconds = total ? ms(total[2] ?? "0", total[3] ?? "s") / 1000 : Number.NaN;
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)`, "m").exec(out);
    return m ? ms(m[1] ?? "0", m[2] ?? "ms") : Number.NaN;
  };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50: pct("50"),
    p99: pct("99"),
    failures: non2xx + socketErrors,
  };
}

/** A Lua script for a fixed method/body request (wrk's -H covers headers). */
function luaFor(req: WrkRequest, dir: string): string | undefined {
  if (req.script) return req.script;
  if (!req.bodyFile && (req.method ?? "GET") === "GET") return undefined;
  const file = join(dir, `wrk-${Math.random().toString(36).slice(2)}.lua`);
  const body = req.bodyFile
    ? `local f = assert(io.open(${JSON.stringify(req.bodyFile)}, "rb")); wrk.body = f:read("*a"); f:close()\n`
    : "";
  writeFileSync(file, `wrk.method = "${req.method ?? "GET"}"\n${body}`);
  return file;
}

export function runWrk(
  req: WrkRequest,
  opts: { connections: number; threads: number; seconds: number; tmpDir: string },
): Promise<WrkResult> {
  const args = [
    `-t${opts.threads}`,
    `-c${opts.connections}`,
    `-d${Math.max(1, Math.round(opts.seconds))}s`,
    "--latency",
    "--timeout",
    "10s",
  ];
  for (const [k, v] of Object.entries(req.headers ?? {})) args.push("-H", `${k}: ${v}`);
  const script = luaFor(req, opts.tmpDir);
  if (script) args.push("-s", script);
  args.push(req.url);
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", 'wrk "$@"; echo "__STAT__ $(cat /proc/$$/stat)"', "wrk", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...req.env },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("error", reject);
    child.on("exit", () => {
      const statLine = /__STAT__ (.*)/.exec(out)?.[1];
      const parsed = parseWrk(out);
      if (!parsed.requests && !/requests in/.test(out))
        return reject(new Error(`wrk failed:\n${out.slice(0, 800)}`));
      const t = statLine ? parseStat(statLine) : undefined;
      resolve({ ...parsed, cpuMs: t ? t.childUser + t.childSystem : Number.NaN });
    });
  });
}
