/**
 * `npm run dev` as its users run it (top-level wrangler.toml: local vars, ACCESS_LOG, the dev
 * proxy, wrangler's Node process, the inspector that carries console output), measured on
 * `/health` with its whole process tree's CPU from /proc, to compare with the production bundle.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../stack.ts";

/** pid and all its descendants, now. */
export function tree(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // exited
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [c, p] of parent) if (p === out[i]) out.push(c);
  return out;
}

export interface DevRun {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startDev(root: string, dataDir: string): Promise<DevRun> {
  const port = await freePort();
  const ports = [await freePort(), await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      "--experimental-strip-types",
      join(root, "scripts", "dev.ts"),
      "--port",
      String(port),
      "--neon-port",
      String(ports[0]),
      "--upstash-port",
      String(ports[1]),
      "--openai-port",
      String(ports[2]),
      "--data-dir",
      dataDir,
    ],
    {
      cwd: root,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, DATABASE_URL: "", REDIS_URL: "" },
    },
  );
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    out = (out + d).slice(-4000);
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    out = (out + d).slice(-4000);
  });
  const stop = async () => {
    try {
      process.kill(-(child.pid as number), "SIGINT");
    } catch {
      // gone
    }
    await new Promise((r) => setTimeout(r, 3000));
    try {
      process.kill(-(child.pid as number), "SIGKILL");
    } catch {
      // gone
    }
  };
  const deadline = Date.now() + 120_000;
  while (!out.includes("Press Ctrl-C to stop everything.")) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`npm run dev did not come up: ${out.slice(-1500)}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url: `http://127.0.0.1:${port}`, pid: child.pid as number, stop };
}
