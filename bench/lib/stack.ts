/**
 * The local stand-ins for the cloud services, each in a process of its own so /proc can tell their
 * CPU apart: a private redis-server (when the binary exists), Postgres (the DATABASE_URL server,
 * else the default local one, else embedded PGlite inside the stand-ins process), and
 * scripts/local-stack/serve.ts (Neon HTTP endpoint, Upstash REST endpoint, offline OpenAI).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import pg from "pg";
import { freePort } from "../stack.ts";

export interface Services {
  bindings: Record<string, string>;
  standInsPid: number;
  redisPid: number | undefined;
  /** Postgres server URL (its `postgres` database), or undefined when PGlite runs in the stand-ins. */
  postgresUrl: string | undefined;
  prefix: string;
  neonCounters: string;
  upstashCounters: string;
  describe: string[];
  stop(): Promise<void>;
}

async function reachable(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

async function startRedis(): Promise<{ url: string; child: ChildProcess } | undefined> {
  if (spawnSync("redis-server", ["--version"], { stdio: "ignore" }).error) return undefined;
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 50; i++) {
    const r = spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" });
    if (r.stdout?.trim() === "PONG") return { url: `redis://127.0.0.1:${port}/0`, child };
    await new Promise((res) => setTimeout(res, 100));
  }
  child.kill("SIGKILL");
  return undefined;
}

export async function startServices(root: string): Promise<Services> {
  const prefix = process.env.HAVEN_DB_PREFIX || "haven_bench";
  const candidate = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const postgresUrl = (await reachable(candidate)) ? candidate : undefined;
  const redis = process.env.REDIS_URL ? undefined : await startRedis();
  const redisUrl = process.env.REDIS_URL || redis?.url;
  const child = spawn(
    process.execPath,
    ["--experimental-strip-types", join(root, "scripts", "local-stack", "serve.ts"), "--mode", "bench"],
    {
      cwd: root,
      stdio: ["pipe", "pipe", "inherit"],
      env: {
        ...process.env,
        HAVEN_DB_PREFIX: prefix,
        DATABASE_URL: postgresUrl ?? "",
        REDIS_URL: redisUrl ?? "",
      },
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`local stack exited (${code})`)));
  });
  const ready = JSON.parse(line) as { bindings: Record<string, string>; summary: string[] };
  const b = ready.bindings;
  return {
    bindings: b,
    standInsPid: child.pid as number,
    redisPid: redis?.child.pid,
    postgresUrl,
    prefix,
    neonCounters: (b.NEON_LOCAL_FETCH_ENDPOINT ?? "").replace(/\/sql$/, "/__counters"),
    upstashCounters: `${b.UPSTASH_REDIS_REST_URL}/__counters`,
    describe: [
      postgresUrl
        ? `Postgres: server at ${new URL(postgresUrl).host}, databases ${prefix}_us/_eu/_apac (backends measured by pid)`
        : "Postgres: embedded PGlite INSIDE the stand-ins process (its CPU is in that row)",
      redis
        ? "Redis: private redis-server started by the bench"
        : redisUrl
          ? "Redis: REDIS_URL server (shared: its CPU is not attributed)"
          : "Redis: embedded store INSIDE the stand-ins process",
      ...ready.summary,
    ],
    stop: async () => {
      child.stdin?.end();
      child.kill("SIGTERM");
      redis?.child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

/** Pids of the Postgres backends serving the given databases (they live as long as their pool connections). */
export async function backendPids(postgresUrl: string, databases: string[]): Promise<number[]> {
  const c = new pg.Client({ connectionString: postgresUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = ANY($1::text[])",
      [databases],
    );
    return rows.map((r) => r.pid);
  } finally {
    await c.end();
  }
}

export async function counters(url: string): Promise<Record<string, number>> {
  const res = await fetch(url);
  return (await res.json()) as Record<string, number>;
}
