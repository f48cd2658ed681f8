/**
 * The REAL `@neondatabase/serverless` driver and drizzle, built by the app's own factories, running
 * in workerd against the local Neon-compatible endpoint (HTTP) and WebSocket proxy (Pool).
 */
import { env } from "cloudflare:test";
import { DrizzleQueryError, sql as drizzleSql, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "../../workers/db/schema";
import { ConfigSchema } from "../../workers/lib/config";
import { createDatabase, withInteractiveTransaction } from "../../workers/lib/db";
import type { Region } from "../../workers/lib/vocabulary";

const config = ConfigSchema.parse(env);
const sqlFor = (region: Region) => createDatabase(config, region).$client;

/** A users row with unique id and email hash, so tests never collide across runs or files. */
function newUser(region: Region = "eu") {
  const id = crypto.randomUUID();
  return {
    id,
    emailHash: `hash-${id}`,
    emailEnc: `enc-${crypto.randomUUID()}@example.test`,
    displayName: "Test Person",
    role: "patient" as const,
    region,
  };
}

/** Awaits a promise that must reject, returning the error as a record of its fields. */
async function rejection(p: Promise<unknown>): Promise<Record<string, unknown>> {
  return p.then(
    () => {
      throw new Error("expected the promise to reject");
    },
    (e: unknown) => e as Record<string, unknown>,
  );
}

describe("neon() over HTTP", () => {
  const sql = sqlFor("eu");

  it("tagged templates bind parameters", async () => {
    expect(await sql`select ${1}::int as n`).toEqual([{ n: 1 }]);
    expect(await sql`select ${41}::int + 1 as n, ${"it's"}::text as t`).toEqual([{ n: 42, t: "it's" }]);
  });

  it("sql.query(text, params)", async () => {
    expect(await sql.query("select $1::text as a, $2::int * 2 as b", ["x", 21])).toEqual([{ a: "x", b: 42 }]);
    expect(await sql.query("select 'héllo ✓ 🙂'::text as u")).toEqual([{ u: "héllo ✓ 🙂" }]);
  });

  it("sql.transaction([...]) commits every statement together", async () => {
    const a = newUser();
    const b = newUser();
    const [insA, insB, count] = await sql.transaction([
      sql`insert into users (id, email_hash, email_enc, display_name, role, region)
          values (${a.id}, ${a.emailHash}, ${a.emailEnc}, ${a.displayName}, 'patient', 'eu') returning id`,
      sql`insert into users (id, email_hash, email_enc, display_name, role, region)
          values (${b.id}, ${b.emailHash}, ${b.emailEnc}, 'B', 'clinician', 'eu') returning id, role`,
      sql`select count(*)::int as c from users where id in (${a.id}, ${b.id})`,
    ]);
    expect(insA).toEqual([{ id: a.id }]);
    expect(insB).toEqual([{ id: b.id, role: "clinician" }]);
    expect(count).toEqual([{ c: 2 }]);
    const after =
      await sql`select id from users where id = any(${[a.id, b.id]}::uuid[]) order by display_name`;
    expect(after).toEqual([{ id: b.id }, { id: a.id }]);
  });

  it("sql.transaction([...]) rolls back entirely when a later statement fails", async () => {
    const a = newUser();
    const dup = newUser();
    const err = await rejection(
      sql.transaction([
        sql`insert into users (id, email_hash, email_enc, display_name, role, region)
            values (${a.id}, ${a.emailHash}, ${a.emailEnc}, 'A', 'patient', 'eu')`,
        // Same email_hash as the first insert: unique violation on the second statement.
        sql`insert into users (id, email_hash, email_enc, display_name, role, region)
            values (${dup.id}, ${a.emailHash}, ${dup.emailEnc}, 'Dup', 'patient', 'eu')`,
      ]),
    );
    expect(err.code).toBe("23505");
    expect(await sql`select id from users where id = any(${[a.id, dup.id]}::uuid[])`).toEqual([]);
    expect(await sql`select count(*)::int as c from users where email_hash = ${a.emailHash}`).toEqual([
      { c: 0 },
    ]);
  });

  it("unique violation surfaces SQLSTATE 23505 with constraint and table", async () => {
    const u = newUser();
    const insert = (id: string) =>
      sql.query(
        "insert into users (id, email_hash, email_enc, display_name, role, region) values ($1, $2, $3, 'U', 'patient', 'eu')",
        [id, u.emailHash, u.emailEnc],
      );
    expect(await insert(u.id)).toEqual([]);
    const err = await rejection(insert(crypto.randomUUID()));
    expect(err.name).toBe("NeonDbError");
    expect(err.code).toBe("23505");
    expect(err.constraint).toBe("users_email_hash_unique");
    expect(err.table).toBe("users");
    expect(err.severity).toBe("ERROR");
    expect(String(err.detail)).toMatch(/already exists/);
  });

  it("syntax error surfaces SQLSTATE 42601 with a position", async () => {
    const err = await rejection(sql.query("select 1 frm users where"));
    expect(err.code).toBe("42601");
    expect(Number(err.position)).toBeGreaterThan(0);
    const at = await rejection(sql.query("selec 1"));
    expect(at).toMatchObject({ code: "42601", position: "1" });
    expect((await rejection(sql`select 1/0`)).code).toBe("22012");
  });

  it("round-trips timestamptz, numeric, jsonb, bytea, int[], text[] and null", async () => {
    const when = new Date("2024-02-29T12:34:56.789Z");
    const doc = { a: [1, "two", null], b: { c: true, u: "héllo ✓" } };
    const bytes = new Uint8Array([0, 1, 127, 128, 255]);
    const [row] = await sql`select ${when}::timestamptz as ts, ${"12345.678900"}::numeric as num,
      ${JSON.stringify(doc)}::jsonb as j, ${bytes}::bytea as b, '\\x00ff10'::bytea as lit,
      ${[1, 2, 3]}::int[] as ia, ${["a", 'b "q"', null, "{x,y}", "é ✓"]}::text[] as ta,
      ${null}::text as n, null::int as n2, 0.1::numeric + 0.2::numeric as sum`;
    expect(row).toBeDefined();
    // drizzle-orm/neon-http installs global pass-through parsers for timestamp/date types (it maps
    // them itself), so the raw client of an app database returns Postgres text for timestamptz.
    expect(row!.ts).toBe("2024-02-29 12:34:56.789+00");
    expect(new Date(row!.ts as string).toISOString()).toBe(when.toISOString());
    expect(row!.num).toBe("12345.678900");
    expect(row!.sum).toBe("0.3");
    expect(row!.j).toEqual(doc);
    expect(row!.b).toBeInstanceOf(Uint8Array);
    expect([...(row!.b as Uint8Array)]).toEqual([0, 1, 127, 128, 255]);
    expect([...(row!.lit as Uint8Array)]).toEqual([0, 255, 16]);
    expect(row!.ia).toEqual([1, 2, 3]);
    expect(row!.ta).toEqual(["a", 'b "q"', null, "{x,y}", "é ✓"]);
    expect(row!.n).toBeNull();
    expect(row!.n2).toBeNull();
  });

  it("arrayMode and fullResults", async () => {
    expect(await sql.query("select 1 as a, 'x' as b", [], { arrayMode: true })).toEqual([[1, "x"]]);
    const full = await sql.query("select $1::int as a, 'x'::text as b", [7], { fullResults: true });
    expect(full.command).toBe("SELECT");
    expect(full.rowCount).toBe(1);
    expect(full.rows).toEqual([{ a: 7, b: "x" }]);
    expect(full.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
      ["a", 23],
      ["b", 25],
    ]);
    const u = newUser();
    await sql`insert into users (id, email_hash, email_enc, display_name, role, region)
      values (${u.id}, ${u.emailHash}, ${u.emailEnc}, 'Before', 'patient', 'eu')`;
    const both = await sql.query(
      "update users set display_name = 'After' where id = $1 returning display_name",
      [u.id],
      { fullResults: true, arrayMode: true },
    );
    expect(both.command).toBe("UPDATE");
    expect(both.rowCount).toBe(1);
    expect(both.rowAsArray).toBe(true);
    expect(both.rows).toEqual([["After"]]);
  });

  it("regions are separate databases", async () => {
    const u = newUser("apac");
    await createDatabase(config, "apac").insert(users).values(u);
    expect(await sqlFor("apac")`select id from users where id = ${u.id}`).toEqual([{ id: u.id }]);
    expect(await sqlFor("us")`select id from users where id = ${u.id}`).toEqual([]);
    expect(await sqlFor("eu")`select id from users where id = ${u.id}`).toEqual([]);
  });
});

describe("drizzle over neon-http", () => {
  const db = createDatabase(config, "eu");

  it("inserts and selects users", async () => {
    const u = newUser();
    const inserted = await db
      .insert(users)
      .values(u)
      .returning({ id: users.id, role: users.role, createdAt: users.createdAt });
    expect(inserted).toHaveLength(1);
    expect(inserted[0]!.id).toBe(u.id);
    expect(inserted[0]!.role).toBe("patient");
    expect(inserted[0]!.createdAt).toBeInstanceOf(Date);
    const [row] = await db.select().from(users).where(eq(users.id, u.id));
    expect(row).toMatchObject({
      id: u.id,
      emailHash: u.emailHash,
      emailEnc: u.emailEnc,
      displayName: "Test Person",
      role: "patient",
      region: "eu",
      passwordHash: null,
      mfaEnabledAt: null,
    });
    const found = await db.query.users.findFirst({ where: eq(users.emailHash, u.emailHash) });
    expect(found?.id).toBe(u.id);
    // timestamptz columns come back as Date through drizzle, to the millisecond.
    const verifiedAt = new Date("2025-06-30T23:59:59.123Z");
    const [updated] = await db
      .update(users)
      .set({ emailVerifiedAt: verifiedAt })
      .where(eq(users.id, u.id))
      .returning({ emailVerifiedAt: users.emailVerifiedAt });
    expect(updated!.emailVerifiedAt).toBeInstanceOf(Date);
    expect(updated!.emailVerifiedAt!.toISOString()).toBe(verifiedAt.toISOString());
  });

  it("db.batch([...]) runs statements in one transaction with typed results", async () => {
    const a = newUser();
    const b = newUser();
    const [insA, insB, selected, updated] = await db.batch([
      db.insert(users).values(a).returning({ id: users.id }),
      db.insert(users).values(b).returning({ id: users.id }),
      db
        .select({ id: users.id })
        .from(users)
        .where(inArray(users.id, [a.id, b.id])),
      db.update(users).set({ displayName: "Renamed" }).where(eq(users.id, b.id)).returning({
        name: users.displayName,
      }),
    ]);
    expect(insA).toEqual([{ id: a.id }]);
    expect(insB).toEqual([{ id: b.id }]);
    expect(selected.map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
    expect(updated).toEqual([{ name: "Renamed" }]);

    // A failing batch leaves nothing behind.
    const c = newUser();
    const err = await rejection(
      db.batch([
        db.insert(users).values(c),
        db.insert(users).values({ ...newUser(), emailHash: c.emailHash }),
      ]),
    );
    // db.batch is one HTTP transaction: the driver's NeonDbError surfaces unwrapped.
    expect(err).toMatchObject({ name: "NeonDbError", code: "23505", constraint: "users_email_hash_unique" });
    expect(await db.select().from(users).where(eq(users.id, c.id))).toEqual([]);
  });
});

describe("withInteractiveTransaction (WebSocket Pool)", () => {
  const db = createDatabase(config, "eu");

  it("commits: the row is visible over HTTP afterwards", async () => {
    const u = newUser();
    const result = await withInteractiveTransaction(config, "eu", async (tx) => {
      await tx.insert(users).values(u);
      // Read-then-write inside the same transaction.
      const [seen] = await tx.select({ name: users.displayName }).from(users).where(eq(users.id, u.id));
      await tx
        .update(users)
        .set({ displayName: `${seen?.name} (confirmed)` })
        .where(eq(users.id, u.id));
      return seen?.name;
    });
    expect(result).toBe("Test Person");
    const rows = await db.select({ name: users.displayName }).from(users).where(eq(users.id, u.id));
    expect(rows).toEqual([{ name: "Test Person (confirmed)" }]);
  });

  it("rolls back when the callback throws: nothing persists", async () => {
    const u = newUser();
    const boom = new Error("abort on purpose");
    let seenInside: unknown;
    await expect(
      withInteractiveTransaction(config, "eu", async (tx) => {
        await tx.insert(users).values(u);
        seenInside = (await tx.select({ id: users.id }).from(users).where(eq(users.id, u.id))).length;
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(seenInside).toBe(1);
    expect(await db.select().from(users).where(eq(users.id, u.id))).toEqual([]);
  });

  it("a database error inside rolls back and surfaces SQLSTATE", async () => {
    const u = newUser();
    const err = await rejection(
      withInteractiveTransaction(config, "eu", async (tx) => {
        await tx.insert(users).values(u);
        await tx.insert(users).values({ ...newUser(), emailHash: u.emailHash });
      }),
    );
    // drizzle wraps the driver's error; the SQLSTATE is on its cause.
    expect(err).toBeInstanceOf(DrizzleQueryError);
    expect(err.cause).toMatchObject({ code: "23505", constraint: "users_email_hash_unique" });
    expect(await db.select().from(users).where(eq(users.id, u.id))).toEqual([]);
  });
});

describe("audit_log guarantees (migrations/0001_audit_chain.sql)", () => {
  // apac: these checks toggle a trigger, so they stay off the region most other tests use.
  const sql = sqlFor("apac");
  const insertAudit = (action: string, requestId: string) =>
    sql`insert into audit_log (action, resource_type, resource_id, outcome, request_id, ip, user_agent)
        values (${action}, 'test', ${crypto.randomUUID()}, 'success', ${requestId}, '192.0.2.1', 'vitest')
        returning id, prev_hash, hash`;

  it("chains inserted rows and the chain verifies", async () => {
    const requestId = crypto.randomUUID();
    const [first] = await insertAudit("test.first", requestId);
    const [second] = await insertAudit("test.second", requestId);
    expect(Number(second!.id)).toBeGreaterThan(Number(first!.id));
    expect(first!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(second!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(second!.hash).not.toBe(first!.hash);
    const rows =
      await sql`select action, prev_hash, hash from audit_log where request_id = ${requestId} order by id`;
    expect(rows.map((r) => r.action)).toEqual(["test.first", "test.second"]);
    expect(await sql`select * from audit_verify_chain()`).toEqual([]);
  });

  it("is append-only: UPDATE, DELETE and TRUNCATE fail with 42501", async () => {
    const requestId = crypto.randomUUID();
    const [row] = await insertAudit("test.append_only", requestId);
    const update = await rejection(sql`update audit_log set action = 'tampered' where id = ${row!.id}`);
    expect(update.code).toBe("42501");
    expect(String(update.message)).toMatch(/append-only/);
    expect((await rejection(sql`delete from audit_log where id = ${row!.id}`)).code).toBe("42501");
    expect((await rejection(sql`truncate audit_log`)).code).toBe("42501");
    expect(await sql`select action from audit_log where id = ${row!.id}`).toEqual([
      { action: "test.append_only" },
    ]);
  });

  it("audit_verify_chain() reports an edited row", async () => {
    const requestId = crypto.randomUUID();
    await insertAudit("test.chain_a", requestId);
    const [victim] = await insertAudit("test.chain_b", requestId);
    await insertAudit("test.chain_c", requestId);
    const id = String(victim!.id);
    // One transaction: other connections never see the trigger disabled or the chain broken, and
    // the row is restored before the trigger is re-enabled, so the database is left as it was.
    const [, edited, broken, , intact, , enabled] = await sql.transaction([
      sql`alter table audit_log disable trigger audit_log_no_update`,
      sql`update audit_log set action = 'tampered' where id = ${id} returning action`,
      sql`select broken_id::text as id, problem from audit_verify_chain()`,
      sql`update audit_log set action = 'test.chain_b' where id = ${id}`,
      sql`select * from audit_verify_chain()`,
      sql`alter table audit_log enable trigger audit_log_no_update`,
      sql`select tgenabled from pg_trigger where tgname = 'audit_log_no_update'`,
    ]);
    expect(edited).toEqual([{ action: "tampered" }]);
    expect(broken).toEqual([{ id, problem: "hash" }]);
    expect(intact).toEqual([]);
    expect(enabled).toEqual([{ tgenabled: "O" }]);
    // The trigger is back: editing is refused again, and the chain still verifies.
    expect((await rejection(sql`update audit_log set action = 'x' where id = ${id}`)).code).toBe("42501");
    expect(await sql`select action from audit_log where id = ${id}`).toEqual([{ action: "test.chain_b" }]);
    expect(await sql`select * from audit_verify_chain()`).toEqual([]);
  });

  it("audit_verify_chain() reports a broken link when a row is removed", async () => {
    const requestId = crypto.randomUUID();
    await insertAudit("test.link_a", requestId);
    const [removed] = await insertAudit("test.link_b", requestId);
    const [after] = await insertAudit("test.link_c", requestId);
    expect(after!.prev_hash).toBe(removed!.hash);
    const rollback = new Error("roll back the tampering");
    let reported: unknown;
    // Tamper inside an interactive transaction that is then rolled back: nothing persists.
    await expect(
      withInteractiveTransaction(config, "apac", async (tx) => {
        await tx.execute(drizzleSql`alter table audit_log disable trigger audit_log_no_update`);
        await tx.execute(drizzleSql`delete from audit_log where id = ${removed!.id}`);
        const res = await tx.execute(
          drizzleSql`select broken_id::text as id, problem from audit_verify_chain()`,
        );
        reported = res.rows;
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(reported).toEqual([{ id: String(after!.id), problem: "link" }]);
    expect(await sql`select count(*)::int as c from audit_log where request_id = ${requestId}`).toEqual([
      { c: 3 },
    ]);
    expect(await sql`select * from audit_verify_chain()`).toEqual([]);
  });
});
