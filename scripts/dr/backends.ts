/**
 * The two database kinds the DR drill runs against, behind one small interface: embedded PGlite
 * (backup = `dumpDataDir`, a consistent tarball of the data directory; restore = a new instance
 * loaded from it) and a real Postgres server (backup = `pg_dump -Fc` of an exported snapshot;
 * restore = `pg_restore` into a fresh database). Both apply the same drizzle migrations.
 */

import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzleNode } from "drizzle-orm/node-postgres";
import { migrate as migrateNode } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzleLite } from "drizzle-orm/pglite";
import { migrate as migrateLite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { PGLITE_EXTENSIONS } from "../local-stack/postgres.ts";

const run = promisify(execFile);
export const MIGRATIONS = new URL("../../migrations", import.meta.url).pathname;

export interface Db {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface Checksums {
  [table: string]: { rows: number; md5: string };
}

/** Per-table row count and md5 over every row's text, in one snapshot (the caller's transaction). */
export async function checksums(db: Db): Promise<Checksums> {
  const tables = await db.query<{ t: string }>(
    "select tablename as t from pg_tables where schemaname = 'public' order by tablename",
  );
  const out: Checksums = {};
  for (const { t } of tables) {
    const [r] = await db.query<{ n: string; h: string }>(
      `select count(*)::text as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from "${t}" x`,
    );
    out[t] = { rows: Number(r?.n ?? 0), md5: r?.h ?? "" };
  }
  return out;
}

/** One regional database that can be backed up, lost and restored. */
export interface Region {
  name: string;
  db: Db;
  /** Takes a backup; returns the checksums of exactly what the backup holds and its snapshot time. */
  backup(pause: () => Promise<() => void>): Promise<{ at: number; sums: Checksums }>;
  /** Destroys the primary. */
  lose(): Promise<void>;
  /** Restores the backup into a fresh database and returns it (re-pointing is the caller's). */
  restore(): Promise<Db>;
  cleanup(): Promise<void>;
}

function liteDb(lite: PGlite): Db {
  return {
    query: async <T>(sql: string, params: unknown[] = []) => (await lite.query<T>(sql, params)).rows,
    close: () => lite.close(),
  };
}

export async function embeddedRegion(name: string): Promise<Region> {
  let lite = new PGlite({ extensions: PGLITE_EXTENSIONS });
  await migrateLite(drizzleLite({ client: lite }), { migrationsFolder: MIGRATIONS });
  let dump: Blob | null = null;
  const region: Region = {
    name,
    db: liteDb(lite),
    async backup(pause) {
      // PGlite runs one statement at a time: with the writer paused, the dump and the checksums
      // see the same state.
      const resume = await pause();
      try {
        const sums = await checksums(region.db);
        const at = Date.now();
        dump = await lite.dumpDataDir("gzip");
        return { at, sums };
      } finally {
        resume();
      }
    },
    async lose() {
      await lite.close();
    },
    async restore() {
      if (!dump) throw new Error("no backup");
      lite = new PGlite({ loadDataDir: dump, extensions: PGLITE_EXTENSIONS });
      await lite.waitReady;
      region.db = liteDb(lite);
      return region.db;
    },
    async cleanup() {
      if (!lite.closed) await lite.close();
    },
  };
  return region;
}

function pgDb(url: string): Db {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on("error", () => undefined);
  return {
    query: async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[],
    close: () => pool.end(),
  };
}

function dbUrl(server: string, name: string) {
  const u = new URL(server);
  u.pathname = `/${name}`;
  if (!u.username) u.username = "postgres";
  return u.toString();
}

export async function serverRegion(server: string, prefix: string, name: string): Promise<Region> {
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  const primary = `${prefix}_${name}`;
  const restored = `${prefix}_${name}_restored`;
  const drop = async (db: string) => {
    await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1", [db]);
    await admin.query(`drop database if exists "${db}"`);
  };
  await drop(primary);
  await drop(restored);
  await admin.query(`create database "${primary}"`);
  const client = new pg.Client({ connectionString: dbUrl(server, primary) });
  await client.connect();
  await migrateNode(drizzleNode({ client }), { migrationsFolder: MIGRATIONS });
  await client.end();
  const dir = await mkdtemp(join(tmpdir(), "haven-drill-"));
  const file = join(dir, `${name}.dump`);
  const region: Region = {
    name,
    db: pgDb(dbUrl(server, primary)),
    async backup() {
      // Export a snapshot, checksum inside it, and dump exactly that snapshot while writes go on.
      const snap = new pg.Client({ connectionString: dbUrl(server, primary) });
      await snap.connect();
      try {
        await snap.query("begin transaction isolation level repeatable read read only");
        const [{ id }] = (await snap.query<{ id: string }>("select pg_export_snapshot() as id")).rows as [
          { id: string },
        ];
        const at = Date.now();
        const sums = await checksums({
          query: async (s, p) => (await snap.query(s, p)).rows as never,
          close: async () => {},
        });
        await run("pg_dump", ["-Fc", `--snapshot=${id}`, "-f", file, dbUrl(server, primary)]);
        return { at, sums };
      } finally {
        await snap.query("rollback").catch(() => undefined);
        await snap.end();
      }
    },
    async lose() {
      await region.db.close();
      await drop(primary);
    },
    async restore() {
      await admin.query(`create database "${restored}"`);
      await run("pg_restore", ["--no-owner", "-d", dbUrl(server, restored), file]);
      region.db = pgDb(dbUrl(server, restored));
      return region.db;
    },
    async cleanup() {
      await region.db.close().catch(() => undefined);
      await drop(restored).catch(() => undefined);
      await admin.end();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return region;
}
