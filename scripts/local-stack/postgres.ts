/**
 * Local Postgres backends for Haven's offline stack: one database per residency region.
 *
 * Either three embedded PGlite instances (no install needed), each served over TCP, or three
 * databases on a real Postgres server. The Worker never connects here directly: it goes through
 * the Neon-compatible proxy in `neon-proxy.ts`, which connects to these URLs.
 *
 * Why not `PGLiteSocketServer` from `@electric-sql/pglite-socket` (0.2.x)? It queues single wire
 * messages, not protocol exchanges, so with concurrent clients a Parse from one connection can be
 * followed by another connection's Parse before the first one's Bind arrives (seen when a large
 * Bind spans TCP reads: the big query ran with the other client's statement). It also answers
 * "too many connections" with a raw text line. `servePglite` below keeps PGlite's single backend
 * consistent by giving one connection exclusive use from its first message until the backend
 * reports ReadyForQuery "idle", i.e. for a whole extended-protocol exchange or a whole transaction.
 * Limits that remain because PGlite has exactly one backend session: session state (SET, temp
 * tables, named prepared statements, LISTEN) is shared by all connections, and a connection that
 * sits inside an open transaction blocks every other connection until it commits or disconnects.
 */
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import type { AddressInfo, Socket } from "node:net";
import { createServer } from "node:net";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import { vector } from "@electric-sql/pglite-pgvector";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

/**
 * Extensions every embedded PGlite loads (the local stack and the DR drill alike): pgvector for the
 * companion library's retrieval, btree_gist for the sessions' no-double-booking exclusion constraint.
 */
export const PGLITE_EXTENSIONS = { vector, btree_gist };

/** A data-residency region; each has its own database so data never crosses regions. */
export type Region = "us" | "eu" | "apac";

/** All regions, in a fixed order. */
export const REGIONS: readonly Region[] = ["us", "eu", "apac"];

/** Running backing databases, one per region. */
export interface PostgresBackend {
  /** Direct TCP connection strings, one per region. Always carry a password: the Neon driver wants one; trust auth and PGlite ignore it. */
  urls: Record<Region, string>;
  kind: "pglite" | "postgres";
  close(): Promise<void>;
}

/** Options for {@link startPostgres}. */
export interface StartPostgresOptions {
  /** A real server: databases `${dbPrefix}_us|_eu|_apac` are created on it. Unset: embedded PGlite. */
  databaseUrl?: string;
  /** Database name prefix, e.g. "haven" for dev and "haven_test" for tests. */
  dbPrefix: string;
  /** PGlite only: persist under `${dataDir}/${region}`; unset keeps the data in memory. */
  dataDir?: string;
  /** Drop and recreate the databases (real server) or wipe the data directories (PGlite). */
  fresh?: boolean;
  /** Interface the PGlite TCP servers listen on; default 127.0.0.1. */
  host?: string;
}

const MAX_CONNECTIONS = 100;
const LOCK_WAIT_WARN_MS = 10_000;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const MAX_MESSAGE = 1 << 30;

function logJson(fields: Record<string, string | number>): void {
  console.error(JSON.stringify({ component: "local-postgres", ...fields }));
}

function typedMessage(type: string, body: Buffer): Uint8Array {
  const msg = Buffer.alloc(5 + body.length);
  msg.write(type, 0);
  msg.writeInt32BE(4 + body.length, 1);
  body.copy(msg, 5);
  return new Uint8Array(msg);
}

/** Serves one PGlite instance over the Postgres wire protocol, serialising whole exchanges (see file comment). */
async function servePglite(db: PGlite, host: string): Promise<{ port: number; close(): Promise<void> }> {
  type Waiter = { conn: Socket; wake: (granted: boolean) => void };
  let owner: Socket | null = null;
  const waiters: Waiter[] = [];
  const sockets = new Set<Socket>(); // every open socket, to destroy on close
  let accepted = 0;

  const acquire = (conn: Socket): Promise<boolean> => {
    if (owner === conn) return Promise.resolve(true);
    if (owner === null) {
      owner = conn;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const warn = () => logJson({ level: "warn", event: "lock_wait", ms: LOCK_WAIT_WARN_MS });
      const timer = setTimeout(warn, LOCK_WAIT_WARN_MS);
      const wake = (granted: boolean): void => {
        clearTimeout(timer);
        resolve(granted);
      };
      waiters.push({ conn, wake });
    });
  };
  const release = (conn: Socket): void => {
    if (owner !== conn) return;
    const next = waiters.shift();
    owner = next ? next.conn : null;
    next?.wake(true);
  };
  const run = async (msg: Uint8Array, onData: (d: Uint8Array) => void): Promise<void> => {
    await db.runExclusive(() => db.execProtocolRawStream(msg, { onRawData: onData }));
  };

  const handle = (conn: Socket): void => {
    sockets.add(conn);
    conn.on("error", () => undefined); // 'close' follows; resets are normal client behaviour
    if (accepted >= MAX_CONNECTIONS) {
      conn.on("close", () => sockets.delete(conn));
      conn.end(
        typedMessage("E", Buffer.from("SFATAL\0VFATAL\0C53300\0Msorry, too many clients already\0\0")),
      );
      return;
    }
    accepted++;
    conn.setNoDelay(true);
    let buf: Buffer = Buffer.alloc(0);
    let started = false;
    let closed = false;
    let idle = true; // last exchange ended with ReadyForQuery 'I'
    let chain = Promise.resolve();

    const exec = async (msg: Uint8Array): Promise<void> => {
      if (!(await acquire(conn)) || closed) return;
      let tail: Buffer = Buffer.alloc(0);
      await run(msg, (d) => {
        if (!conn.destroyed) conn.write(Buffer.from(d));
        tail = Buffer.concat([tail, d]).subarray(-6);
      });
      // ReadyForQuery is 'Z', length 5, status: I (idle), T (in transaction), E (failed transaction).
      idle = tail.length === 6 && tail[0] === 0x5a && tail.readInt32BE(1) === 5 && tail[5] === 0x49;
      if (idle) release(conn);
    };
    const pump = async (): Promise<void> => {
      while (!closed) {
        if (buf.length < (started ? 5 : 8)) return;
        const len = started ? buf.readInt32BE(1) + 1 : buf.readInt32BE(0);
        if (len < 4 || len > MAX_MESSAGE) return void conn.destroy();
        if (buf.length < len) return;
        const msg = buf.subarray(0, len);
        buf = buf.subarray(len);
        if (!started) {
          const code = msg.readInt32BE(4);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) conn.write("N");
          else if (code === CANCEL_REQUEST) return void conn.end();
          else {
            started = true;
            await exec(new Uint8Array(msg));
          }
        } else if (msg[0] === 0x58) {
          return void conn.end(); // Terminate: never forwarded, PGlite's single backend must live on
        } else {
          await exec(new Uint8Array(msg));
        }
      }
    };
    const cleanup = async (): Promise<void> => {
      if (owner === conn && !idle) {
        const discard = (): void => undefined;
        await run(typedMessage("S", Buffer.alloc(0)), discard); // end an unfinished extended-protocol exchange
        if (db.isInTransaction()) await run(typedMessage("Q", Buffer.from("ROLLBACK\0")), discard);
      }
      release(conn);
    };

    conn.on("data", (d: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      chain = chain.then(pump).catch((err: NodeJS.ErrnoException) => {
        logJson({ level: "error", event: "pglite_exec_failed", code: err.code ?? err.name });
        conn.destroy();
      });
    });
    conn.on("close", () => {
      closed = true;
      accepted--;
      sockets.delete(conn);
      const i = waiters.findIndex((w) => w.conn === conn);
      if (i >= 0) waiters.splice(i, 1)[0]?.wake(false);
      chain = chain.then(cleanup).catch(() => release(conn));
    });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      const closedServer = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closedServer;
      await db.close();
    },
  };
}

async function startPglite(opts: StartPostgresOptions): Promise<PostgresBackend> {
  const host = opts.host ?? "127.0.0.1";
  const urlHost = host.includes(":") ? `[${host}]` : host;
  // initdb costs ~4 s of CPU per instance; later new regions load a dump of the first pristine one (~1 s).
  let seed: File | Blob | undefined;
  const started: Array<{ region: Region; served: Awaited<ReturnType<typeof servePglite>> }> = [];
  try {
    for (const region of REGIONS) {
      const dataDir = opts.dataDir ? join(opts.dataDir, region) : undefined;
      if (dataDir && opts.fresh) await rm(dataDir, { recursive: true, force: true });
      if (dataDir) await mkdir(dataDir, { recursive: true });
      const isNew = !dataDir || !existsSync(join(dataDir, "PG_VERSION"));
      const db = await PGlite.create({
        extensions: PGLITE_EXTENSIONS,
        ...(dataDir ? { dataDir } : {}),
        ...(isNew && seed ? { loadDataDir: seed } : {}),
      });
      if (isNew && !seed) seed = await db.dumpDataDir("none");
      started.push({ region, served: await servePglite(db, host) });
    }
  } catch (err) {
    await Promise.all(started.map(({ served }) => served.close()));
    throw err;
  }
  const urls = {} as Record<Region, string>;
  // PGlite has a single database, "postgres"; the startup message's database name is ignored.
  for (const { region, served } of started)
    urls[region] = `postgres://postgres:local@${urlHost}:${served.port}/postgres`;
  return {
    urls,
    kind: "pglite",
    close: async () => {
      await Promise.all(started.map(({ served }) => served.close()));
    },
  };
}

async function startOnServer(databaseUrl: string, opts: StartPostgresOptions): Promise<PostgresBackend> {
  if (!/^[a-z_][a-z0-9_]*$/.test(opts.dbPrefix))
    throw new Error("dbPrefix must be a lower-case SQL identifier");
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const urls = {} as Record<Region, string>;
  try {
    for (const region of REGIONS) {
      const name = `${opts.dbPrefix}_${region}`;
      if (opts.fresh) {
        await admin.query(
          "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
          [name],
        );
        await admin.query(`drop database if exists "${name}"`);
      }
      const exists = await admin.query("select 1 from pg_database where datname = $1", [name]);
      if (exists.rowCount === 0) {
        await admin.query(`create database "${name}"`).catch((err: { code?: string }) => {
          if (err.code !== "42P04") throw err; // created concurrently by another process
        });
      }
      const url = new URL(databaseUrl);
      url.pathname = `/${name}`;
      if (!url.username) url.username = "postgres";
      if (!url.password) url.password = "local";
      urls[region] = url.toString();
    }
  } finally {
    await admin.end();
  }
  return { urls, kind: "postgres", close: async () => undefined };
}

/**
 * Starts (PGlite) or prepares (real server) the three regional databases. A real server is used when
 * `databaseUrl` is given; its URL's database is only used to run CREATE/DROP DATABASE.
 */
export async function startPostgres(opts: StartPostgresOptions): Promise<PostgresBackend> {
  return opts.databaseUrl ? startOnServer(opts.databaseUrl, opts) : startPglite(opts);
}

/**
 * Applies drizzle-kit migrations from `migrationsDir` to every region, so all regions share one
 * schema. Does nothing while no migration has been generated (no `meta/_journal.json`).
 */
export async function applyMigrations(urls: Record<Region, string>, migrationsDir: string): Promise<void> {
  if (!existsSync(join(migrationsDir, "meta", "_journal.json"))) return;
  for (const region of REGIONS) {
    const client = new pg.Client({ connectionString: urls[region] });
    await client.connect();
    try {
      await migrate(drizzle({ client }), { migrationsFolder: migrationsDir });
    } finally {
      await client.end();
    }
  }
}
