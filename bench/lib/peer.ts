/**
 * The conventional stack (`../shared/peer`: FastAPI + uvicorn + asyncpg on the same Postgres),
 * started in the same bench run as Haven so the two are compared on the same machine at the same
 * moment. Debian packages only; when they are missing the bench says how to install them and goes on.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import pg from "pg";

export const PEER_INSTALL =
  "apt-get install -y python3-fastapi python3-uvicorn python3-asyncpg python3-uvloop wrk";

export interface Peer {
  url: string;
  pid: number;
  database: string;
  /** users.txt for get.lua: ids that each have 100 readings. */
  usersFile: string;
  getLua: string;
  postLua: string;
  bodyFile: string;
  stop(): Promise<void>;
}

export function peerDir(root: string): string | undefined {
  const candidates = [process.env.PEER_DIR, resolve(root, "../shared/peer"), "/work/shared/peer"];
  return candidates.find((d): d is string => Boolean(d && existsSync(join(d, "py", "tele_app.py"))));
}

export function peerMissing(): string | undefined {
  const r = spawnSync("/usr/bin/python3", ["-c", "import fastapi, asyncpg, uvicorn"], { encoding: "utf8" });
  if (r.error) return "no /usr/bin/python3";
  return r.status === 0 ? undefined : (r.stderr.trim().split("\n").pop() ?? "import failed");
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates `<prefix>_peer` afresh, loads the peer's schema and 200 users × 100 readings. */
async function prepareDatabase(adminUrl: string, name: string, dir: string, tmp: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const dsn = withDatabase(adminUrl, name);
  const db = new pg.Client({ connectionString: dsn });
  await db.connect();
  try {
    await db.query(readFileSync(join(dir, "schema.sql"), "utf8"));
    const { rows } = await db.query<{ id: string }>(
      "SELECT gen_random_uuid()::text AS id FROM generate_series(1, 200)",
    );
    const ids = rows.map((r) => r.id);
    await db.query(
      `INSERT INTO telemetry (user_id, ts, type, value)
       SELECT u::uuid, now() - (i || ' minutes')::interval, 1 + i % 4, random() * 100
       FROM unnest($1::text[]) AS u, generate_series(1, 100) AS i`,
      [ids],
    );
    await db.query("ANALYZE telemetry");
    const usersFile = join(tmp, "peer-users.txt");
    writeFileSync(usersFile, `${ids.join("\n")}\n`);
    return usersFile;
  } finally {
    await db.end();
  }
}

export async function startPeer(opts: {
  root: string;
  adminUrl: string;
  prefix: string;
  port: number;
  tmp: string;
}): Promise<Peer> {
  const dir = peerDir(opts.root);
  if (!dir) throw new Error("the peer (../shared/peer) was not found; set PEER_DIR");
  const database = `${opts.prefix}_peer`;
  const usersFile = await prepareDatabase(opts.adminUrl, database, dir, opts.tmp);
  const child: ChildProcess = spawn(
    "/usr/bin/python3",
    [
      "-m",
      "uvicorn",
      "tele_app:app",
      "--host",
      "127.0.0.1",
      "--port",
      String(opts.port),
      "--workers",
      "1",
      "--no-access-log",
      "--log-level",
      "warning",
    ],
    {
      cwd: join(dir, "py"),
      stdio: ["ignore", "ignore", "pipe"],
      env: {
        ...process.env,
        PYTHONDONTWRITEBYTECODE: "1",
        DSN: withDatabase(opts.adminUrl, database).replace(/^postgres:/, "postgresql:"),
        INSERT_MODE: "executemany",
      },
    },
  );
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`uvicorn exited: ${stderr.slice(-500)}`);
    try {
      const res = await fetch(`${url}/`);
      if (res.ok) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) throw new Error(`uvicorn not up after 30 s: ${stderr.slice(-500)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid as number,
    database,
    usersFile,
    getLua: join(dir, "get.lua"),
    postLua: join(dir, "post.lua"),
    bodyFile: join(dir, "body100.json"),
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 300));
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}
