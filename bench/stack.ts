/**
 * Starts the same stack `npm run dev` starts (`scripts/dev.ts --env bench`: fresh databases, the
 * raised rate limit of `[env.bench]`) in its own process group, and stops the whole group.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface DevStack {
  url: string;
  /** Everything dev.ts printed on stdout (demo credentials included). */
  output(): string;
  stop(): Promise<void>;
}

/** A port the OS just handed out on loopback (closed again, so dev.ts can bind it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no free port"))));
    });
  });
}

export const READY_LINE = "Press Ctrl-C to stop everything.";

export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || exited(child)) return;
  try {
    process.kill(-child.pid, signal); // the whole group: dev.ts, wrangler, workerd, esbuild
  } catch {
    // already gone
  }
}

export function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Kills `child`'s process group if this process exits first, and returns the orderly stop:
 * SIGINT, then SIGKILL if it lingers (dev.ts exits before its children finish, so the group is
 * killed once more after a moment).
 */
export function groupStopper(child: ChildProcess): () => Promise<void> {
  const onExit = () => signalGroup(child, "SIGKILL");
  process.once("exit", onExit);
  return async () => {
    signalGroup(child, "SIGINT");
    if (!(await waitExit(child, 15_000))) {
      signalGroup(child, "SIGKILL");
      await waitExit(child, 5_000);
    }
    await new Promise((r) => setTimeout(r, 500));
    signalGroup(child, "SIGKILL");
    process.removeListener("exit", onExit);
  };
}

/**
 * Spawns dev.ts, waits until it printed its banner (after /ready and the demo seed), then checks
 * /ready once more. Rejects (after stopping the group) if dev.ts exits or takes over `timeoutMs`.
 */
export async function startDevStack(timeoutMs = 120_000): Promise<DevStack> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [
      "--experimental-strip-types",
      join(root, "scripts", "dev.ts"),
      "--env",
      "bench",
      "--port",
      String(port),
      "--quiet",
    ],
    { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const stop = groupStopper(child);

  try {
    const deadline = Date.now() + timeoutMs;
    while (!stdout.includes(READY_LINE)) {
      if (exited(child)) throw new Error(`dev.ts exited (${child.exitCode ?? child.signalCode}):\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`dev.ts not ready after ${timeoutMs / 1000}s:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const ready = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(10_000) });
    if (!ready.ok) throw new Error(`/ready answered ${ready.status}`);
    await ready.body?.cancel();
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, output: () => stdout, stop };
}

/** Demo patient credentials from the seed banner ("patient  <email>  password <pw>"), if printed. */
export function seededPatient(output: string): { email: string; password: string } | undefined {
  const m = /^\s*patient\s+(\S+@\S+)\s+password\s+(\S+)/m.exec(output);
  return m?.[1] && m[2] ? { email: m[1], password: m[2] } : undefined;
}
