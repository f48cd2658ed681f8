/**
 * The soak's dev stack: `scripts/dev.ts --env bench` in its own process group, on the ports given
 * (the Worker on `port`, Neon/Upstash/model endpoints on the next three) or on free ones, with a
 * fresh data folder (`.data/soak`: databases and Durable Object state), stopped as one group.
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { exited, groupStopper, READY_LINE } from "../bench/stack.ts";

export interface SoakStack {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startSoakStack(
  root: string,
  port: number,
  stackPorts: { neon: number; upstash: number; openai: number } | undefined,
  timeoutMs = 180_000,
): Promise<SoakStack> {
  const dataDir = join(root, ".data", "soak");
  rmSync(dataDir, { recursive: true, force: true });
  const args = [
    "--experimental-strip-types",
    join(root, "scripts", "dev.ts"),
    "--env",
    "bench",
    "--port",
    String(port),
    "--data-dir",
    dataDir,
    "--quiet",
  ];
  if (stackPorts)
    args.push(
      "--neon-port",
      String(stackPorts.neon),
      "--upstash-port",
      String(stackPorts.upstash),
      "--openai-port",
      String(stackPorts.openai),
    );
  const child = spawn(process.execPath, args, {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr = (stderr + d).slice(-20_000);
  });
  const stop = groupStopper(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + timeoutMs;
    while (!stdout.includes(READY_LINE)) {
      if (exited(child)) throw new Error(`dev.ts exited (${child.exitCode ?? child.signalCode}):\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`dev.ts not ready after ${timeoutMs / 1000}s:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, dataDir, stop };
}
