/**
 * Starts `serve.ts` in a child Node process and resolves with what it printed once ready.
 * Shared by the vitest globalSetup and the benches.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface SpawnedStack {
  bindings: Record<string, string>;
  summary: string[];
  openaiControlUrl: string;
  stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

export async function spawnLocalStack(mode: "test" | "bench", timeoutMs = 120_000): Promise<SpawnedStack> {
  const child = spawn(
    process.execPath,
    ["--experimental-strip-types", "--no-warnings", join(here, "serve.ts"), "--mode", mode],
    {
      stdio: ["pipe", "pipe", "inherit"],
      env: process.env,
    },
  );
  const lines = createInterface({ input: child.stdout });
  const ready = await new Promise<Omit<SpawnedStack, "stop">>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("local stack did not start in time")), timeoutMs);
    child.on("exit", (code) => reject(new Error(`local stack exited with code ${code}`)));
    lines.on("line", (line) => {
      if (!line.startsWith("{")) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as Omit<SpawnedStack, "stop">);
    });
  });
  return {
    ...ready,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
  };
}
