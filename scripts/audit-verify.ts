/**
 * Verifies one database's audit hash chain with the same SQL function the API uses
 * (`audit_verify_chain()`), for cron jobs and incident response outside the Worker.
 *
 * Usage: node --experimental-strip-types scripts/audit-verify.ts postgres://user:pass@host/db
 * (or set DATABASE_URL). Exit codes: 0 intact, 1 broken, 2 usage or connection error.
 * The connection string is never printed: it carries a password.
 */
import pg from "pg";

interface BrokenRow {
  broken_id: string;
  problem: "link" | "hash";
}

interface ChainReport {
  intact: boolean;
  rows: number;
  brokenId?: number;
  problem?: "link" | "hash";
}

/** Runs the verifier and counts the rows it covered, in one read-only transaction snapshot. */
async function verifyAuditChain(client: pg.Client): Promise<ChainReport> {
  await client.query("begin transaction isolation level repeatable read read only");
  try {
    const broken = await client.query<BrokenRow>("select broken_id, problem from audit_verify_chain()");
    const count = await client.query<{ rows: string }>("select count(*)::text as rows from audit_log");
    const rows = Number(count.rows[0]?.rows ?? 0);
    const first = broken.rows[0];
    return first
      ? { intact: false, rows, brokenId: Number(first.broken_id), problem: first.problem }
      : { intact: true, rows };
  } finally {
    await client.query("rollback");
  }
}

async function main(): Promise<number> {
  const url = process.argv[2] ?? process.env.DATABASE_URL;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) {
    console.error(
      "usage: node --experimental-strip-types scripts/audit-verify.ts postgres://user:pass@host/db",
    );
    return 2;
  }
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const report = await verifyAuditChain(client);
    if (report.intact) {
      console.log(`audit chain intact (${report.rows} rows)`);
      return 0;
    }
    console.error(
      `audit chain BROKEN at id ${report.brokenId} (${report.problem}); ${report.rows} rows checked`,
    );
    return 1;
  } catch (err) {
    // pg's messages name hosts, databases and SQL errors, never the password.
    console.error(`audit verification failed: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  } finally {
    await client.end().catch(() => undefined);
  }
}

process.exitCode = await main();
