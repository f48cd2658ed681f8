/**
 * Smoke test for the offline Neon stack: drives the REAL `@neondatabase/serverless` driver (HTTP
 * `neon()`, drizzle-orm/neon-http and the WebSocket `Pool`) through `neon-proxy.ts` against the
 * databases from `postgres.ts`, asserting on values. Kept as a dev tool for when the driver, PGlite
 * or the proxy is upgraded.
 *
 *   node --experimental-strip-types scripts/local-stack/neon-smoke.ts                  # PGlite
 *   node --experimental-strip-types scripts/local-stack/neon-smoke.ts --database-url postgres://postgres@127.0.0.1:5432/postgres
 */
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { neon, neonConfig, Pool } from "@neondatabase/serverless";
import { count, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-http";
import { integer, pgTable, text } from "drizzle-orm/pg-core";
import pg from "pg";
import ws from "ws";
import { startNeonProxy } from "./neon-proxy.ts";
import { applyMigrations, REGIONS, startPostgres } from "./postgres.ts";

const { values: args } = parseArgs({ options: { "database-url": { type: "string" } } });
const databaseUrl = args["database-url"];
const t0 = Date.now();
let passed = 0;
async function step(name: string, fn: () => Promise<void>): Promise<void> {
  const started = Date.now();
  await fn();
  passed++;
  console.log(`ok ${String(passed).padStart(2)} ${name} (${Date.now() - started} ms)`);
}
/** Awaits a promise that must reject with a NeonDbError / DatabaseError carrying these fields. */
async function rejects(
  p: Promise<unknown>,
  expected: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const err = await p.then(
    () => assert.fail("expected an error"),
    (e: unknown) => e as Record<string, unknown>,
  );
  for (const [k, v] of Object.entries(expected)) {
    if (v instanceof RegExp) assert.match(String(err[k]), v, k);
    else assert.equal(err[k], v, k);
  }
  return err;
}

const backend = await startPostgres({ databaseUrl, dbPrefix: "haven_smoke", fresh: true });
const proxy = await startNeonProxy({});
console.log(`backend=${backend.kind} proxy=${proxy.fetchEndpoint} ws=${proxy.wsProxy}`);
neonConfig.fetchEndpoint = proxy.fetchEndpoint;
neonConfig.wsProxy = proxy.wsProxy;
neonConfig.useSecureWebSocket = false;
neonConfig.pipelineConnect = false;
neonConfig.webSocketConstructor = ws;
const sql = neon(backend.urls.eu);

try {
  await step("tagged template and sql.query", async () => {
    assert.deepEqual(await sql`select ${1}::int + 1 as n`, [{ n: 2 }]);
    assert.deepEqual(await sql.query("select $1::text as t", ["x"]), [{ t: "x" }]);
    await sql.query("create table smoke_items (id int primary key, name text unique)");
  });

  await step("regions are separate databases", async () => {
    const us = neon(backend.urls.us);
    const rows = await us.query("select count(*)::int as c from pg_tables where tablename = 'smoke_items'");
    assert.deepEqual(rows, [{ c: 0 }]);
  });

  await step("transaction batch with options", async () => {
    const [ins, count, level] = await sql.transaction(
      [
        sql`insert into smoke_items values (1, 'a') returning id`,
        sql`select count(*)::int as c from smoke_items`,
        sql`select current_setting('transaction_isolation') as l, current_setting('transaction_read_only') as ro`,
      ],
      { isolationLevel: "Serializable", readOnly: false },
    );
    assert.deepEqual(ins, [{ id: 1 }]);
    assert.deepEqual(count, [{ c: 1 }]);
    assert.deepEqual(level, [{ l: "serializable", ro: "off" }]);
    const [ro] = await sql.transaction([sql`select current_setting('transaction_read_only') as ro`], {
      readOnly: true,
      isolationLevel: "RepeatableRead",
      deferrable: true,
    });
    assert.deepEqual(ro, [{ ro: "on" }]);
    await rejects(sql.transaction([sql`insert into smoke_items values (9, 'z')`], { readOnly: true }), {
      code: "25006",
    });
  });

  await step("failing batch rolls back; error fields", async () => {
    const err = await rejects(
      sql.transaction([
        sql`insert into smoke_items values (2, 'b')`,
        sql`insert into smoke_items values (3, 'a')`,
      ]),
      {
        name: "NeonDbError",
        code: "23505",
        constraint: "smoke_items_name_key",
        table: "smoke_items",
        severity: "ERROR",
      },
    );
    assert.match(String(err.detail), /already exists/);
    assert.deepEqual(await sql`select id from smoke_items order by id`, [{ id: 1 }]);
    await rejects(sql.query("selec 1"), { code: "42601", position: "1" });
    await rejects(sql`select 1/0`, { code: "22012" });
  });

  await step("types round-trip", async () => {
    const when = new Date("2024-02-29T12:34:56.789Z");
    const bytes = Buffer.from([0, 1, 127, 128, 255]);
    const [row] = await sql`select ${when}::timestamptz as ts, ${"12345.678900"}::numeric as num,
      ${JSON.stringify({ a: [1, "two", null], b: { c: true } })}::jsonb as j, ${bytes} as b,
      ${[1, 2, 3]}::int[] as ia, ${["a", 'b "q"', null, "{x,y}"]}::text[] as ta, null::text as n,
      9007199254740993::bigint as big, true as bool, '{{1,2},{3,4}}'::int[] as m`;
    assert.ok(row);
    assert.ok(row.ts instanceof Date && row.ts.getTime() === when.getTime());
    assert.equal(row.num, "12345.678900");
    assert.deepEqual(row.j, { a: [1, "two", null], b: { c: true } });
    assert.ok(Buffer.isBuffer(row.b) && row.b.equals(bytes));
    assert.deepEqual(row.ia, [1, 2, 3]);
    assert.deepEqual(row.ta, ["a", 'b "q"', null, "{x,y}"]);
    assert.equal(row.n, null);
    assert.equal(row.big, "9007199254740993");
    assert.equal(row.bool, true);
    assert.deepEqual(row.m, [
      [1, 2],
      [3, 4],
    ]);
    const unicode = "héllo ✓ 🙂";
    assert.deepEqual(await sql.query("select $1::text as u", [unicode]), [{ u: unicode }]);
  });

  await step("fullResults and arrayMode", async () => {
    assert.deepEqual(await sql.query("select 1 as a, 'x' as b", [], { arrayMode: true }), [[1, "x"]]);
    const full = await sql.query("select 1 as a, 'x' as b", [], { fullResults: true });
    assert.equal(full.command, "SELECT");
    assert.equal(full.rowCount, 1);
    assert.deepEqual(full.rows, [{ a: 1, b: "x" }]);
    assert.deepEqual(
      full.fields.map((f) => [f.name, f.dataTypeID]),
      [
        ["a", 23],
        ["b", 25],
      ],
    );
    const both = await sql.query("update smoke_items set name = name where id = $1", [1], {
      fullResults: true,
      arrayMode: true,
    });
    assert.equal(both.command, "UPDATE");
    assert.equal(both.rowCount, 1);
    assert.equal(both.rowAsArray, true);
  });

  await step("concurrent requests, some with large params", async () => {
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        sql.query(`select $1::int as v, length($2::text) as l, ${i} as k`, [
          i,
          "x".repeat(i % 6 === 0 ? 300_000 : 10),
        ]),
      ),
    );
    for (const [i, rows] of results.entries())
      assert.deepEqual(rows, [{ v: i, l: i % 6 === 0 ? 300_000 : 10, k: i }]);
  });

  await step("non-loopback connection strings refused", async () => {
    await rejects(neon("postgres://u:p@db.example.com/neondb").query("select 1"), { message: /loopback/ });
  });

  await step("drizzle-orm/neon-http insert, select, batch", async () => {
    const notes = pgTable("smoke_notes", { id: integer().primaryKey(), body: text().notNull() });
    await sql.query("create table smoke_notes (id int primary key, body text not null)");
    const db = drizzle({ client: sql });
    assert.deepEqual(await db.insert(notes).values({ id: 1, body: "one" }).returning(), [
      { id: 1, body: "one" },
    ]);
    assert.deepEqual(await db.select().from(notes).where(eq(notes.id, 1)), [{ id: 1, body: "one" }]);
    const [, all, total] = await db.batch([
      db.insert(notes).values({ id: 2, body: "two" }),
      db.select({ id: notes.id }).from(notes).orderBy(notes.id),
      db.select({ n: count() }).from(notes),
    ]);
    assert.deepEqual(all, [{ id: 1 }, { id: 2 }]);
    assert.deepEqual(total, [{ n: 2 }]);
  });

  await step("WebSocket Pool: interactive transaction, rollback, release", async () => {
    const pool = new Pool({ connectionString: backend.urls.eu });
    const client = await pool.connect();
    await client.query("BEGIN");
    await client.query("insert into smoke_items values ($1, $2)", [10, "ws"]);
    assert.equal(
      (await client.query("select count(*)::int as c from smoke_items where id = 10")).rows[0].c,
      1,
    );
    await client.query("ROLLBACK");
    assert.equal((await client.query("select id from smoke_items where id = 10")).rowCount, 0);
    await rejects(client.query("select 1/0"), { code: "22012" });
    const r = await client.query("select $1::jsonb as j, now() as t", [{ k: 1 }]);
    assert.deepEqual(r.rows[0].j, { k: 1 });
    assert.ok(proxy.openTunnels() >= 1);
    client.release();
    await pool.end();
    for (let i = 0; i < 50 && proxy.openTunnels() > 0; i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(proxy.openTunnels(), 0, "proxy TCP side closed after pool.end()");
    assert.deepEqual(await sql`select id from smoke_items where id = 10`, []);
  });

  await step("applyMigrations: missing folder is a no-op, journal applied to every region", async () => {
    const dir = await mkdtemp(join(tmpdir(), "haven-mig-"));
    try {
      await applyMigrations(backend.urls, join(dir, "none"));
      await mkdir(join(dir, "meta"));
      const entry = { idx: 0, version: "7", when: 1_700_000_000_000, tag: "0000_smoke", breakpoints: true };
      await writeFile(
        join(dir, "meta", "_journal.json"),
        JSON.stringify({ version: "7", dialect: "postgresql", entries: [entry] }),
      );
      await writeFile(join(dir, "0000_smoke.sql"), "create table smoke_migrated (id int);");
      await applyMigrations(backend.urls, dir);
      await applyMigrations(backend.urls, dir); // idempotent
      for (const region of REGIONS) {
        const rows = await neon(backend.urls[region]).query("select count(*)::int as c from smoke_migrated");
        assert.deepEqual(rows, [{ c: 0 }]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  if (backend.kind === "postgres" && databaseUrl) {
    await step("real server: databases created, fresh drops them even with open connections", async () => {
      const admin = new pg.Client({ connectionString: databaseUrl });
      await admin.connect();
      const names = await admin.query(
        "select datname from pg_database where datname like 'haven_smoke_%' order by 1",
      );
      assert.deepEqual(
        names.rows.map((r: { datname: string }) => r.datname),
        ["haven_smoke_apac", "haven_smoke_eu", "haven_smoke_us"],
      );
      await admin.end();
      const holder = new pg.Client({ connectionString: backend.urls.us });
      holder.on("error", () => undefined);
      await holder.connect();
      await holder.query("create table smoke_keep (id int)");
      const again = await startPostgres({ databaseUrl, dbPrefix: "haven_smoke", fresh: true });
      const rows = await neon(again.urls.us).query(
        "select count(*)::int as c from pg_tables where tablename = 'smoke_keep'",
      );
      assert.deepEqual(rows, [{ c: 0 }]);
      await holder.end().catch(() => undefined);
    });
  } else {
    await step("PGlite: data directory survives a restart; fresh wipes it", async () => {
      const dir = await mkdtemp(join(tmpdir(), "haven-pglite-"));
      try {
        const first = await startPostgres({ dbPrefix: "haven_smoke", dataDir: dir });
        const c1 = new pg.Client({ connectionString: first.urls.apac });
        await c1.connect();
        await c1.query("create table kept (v text)");
        await c1.query("insert into kept values ('still here')");
        await c1.end();
        await first.close();
        const second = await startPostgres({ dbPrefix: "haven_smoke", dataDir: dir });
        assert.deepEqual(await neon(second.urls.apac).query("select v from kept"), [{ v: "still here" }]);
        await second.close();
        const third = await startPostgres({ dbPrefix: "haven_smoke", dataDir: dir, fresh: true });
        const rows = await neon(third.urls.apac).query(
          "select count(*)::int as c from pg_tables where tablename = 'kept'",
        );
        assert.deepEqual(rows, [{ c: 0 }]);
        await third.close();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
} finally {
  await proxy.close();
  await backend.close();
}
console.log(`all ${passed} checks passed against ${backend.kind} in ${Date.now() - t0} ms`);
