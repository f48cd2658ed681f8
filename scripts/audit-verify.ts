/**
 * Verifies one database's audit hash chain with the same SQL function the API uses
 * (`audit_verify_chain()`), for cron jobs and incident response outside the Worker.
 *
 * Retention prunes the chain's oldest rows behind keyed checkpoints: the chain is verified from the
 * latest checkpoint, and every checkpoint's sequence, links and totals are checked; with
 * EMAIL_HASH_KEY set (the Worker secret, from escrow) so is every checkpoint's MAC, which is what
 * detects a checkpoint written by someone without the secret to hide deleted rows.
 *
 * Usage: [EMAIL_HASH_KEY=…] node --experimental-strip-types scripts/audit-verify.ts postgres://user:pass@host/db
 * (or set DATABASE_URL). Exit codes: 0 intact, 1 broken, 2 usage or connection error.
 * The connection string and the key are never printed.
 */
import pg from "pg";
import { type StoredCheckpoint, verifyCheckpoints } from "../workers/lib/audit-checkpoint.ts";

interface BrokenRow {
  broken_id: string;
  problem: string;
}

interface ChainReport {
  intact: boolean;
  rows: number;
  brokenId?: number;
  problem?: string;
  checkpoints: number;
  prunedTotal: number;
  macChecked: boolean;
}

interface CheckpointRow {
  seq: string;
  region: string;
  through_id: string;
  through_hash: string;
  through_at: string;
  pruned: string;
  pruned_total: string;
  cutoff: string;
  prev_mac: string;
  key_id: string;
  mac: string;
}

const CHECKPOINTS = `select seq::text, region, through_id::text, through_hash, audit_ts_text(through_at) as through_at,
  pruned::text, pruned_total::text, audit_ts_text(cutoff) as cutoff, prev_mac, key_id, mac
  from audit_checkpoints order by seq`;

const checkpointOf = (r: CheckpointRow): StoredCheckpoint => ({
  seq: Number(r.seq),
  region: r.region,
  throughId: Number(r.through_id),
  throughHash: r.through_hash,
  throughAt: r.through_at,
  pruned: Number(r.pruned),
  prunedTotal: Number(r.pruned_total),
  cutoff: r.cutoff,
  prevMac: r.prev_mac,
  keyId: r.key_id,
  mac: r.mac,
});

/** Runs the verifier and counts the rows it covered, in one read-only transaction snapshot. */
async function verifyAuditChain(client: pg.Client, key: string | null): Promise<ChainReport> {
  await client.query("begin transaction isolation level repeatable read read only");
  try {
    const cps = await verifyCheckpoints(
      (await client.query<CheckpointRow>(CHECKPOINTS)).rows.map(checkpointOf),
      key,
      null,
    );
    if (!cps.ok) {
      const rows = Number(
        (await client.query<{ rows: string }>("select count(*)::text as rows from audit_log")).rows[0]
          ?.rows ?? 0,
      );
      return {
        intact: false,
        rows,
        brokenId: cps.seq,
        problem: `checkpoint:${cps.problem}`,
        checkpoints: cps.count,
        prunedTotal: 0,
        macChecked: key !== null,
      };
    }
    const trail = { checkpoints: cps.count, prunedTotal: cps.prunedTotal, macChecked: cps.macChecked };
    const broken = await client.query<BrokenRow>("select broken_id, problem from audit_verify_chain()");
    const count = await client.query<{ rows: string }>("select count(*)::text as rows from audit_log");
    const rows = Number(count.rows[0]?.rows ?? 0);
    const first = broken.rows[0];
    return first
      ? { intact: false, rows, brokenId: Number(first.broken_id), problem: first.problem, ...trail }
      : { intact: true, rows, ...trail };
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
    const key = process.env.EMAIL_HASH_KEY || null;
    const report = await verifyAuditChain(client, key);
    const pruned =
      report.checkpoints > 0
        ? `; from retention checkpoint ${report.checkpoints} (${report.prunedTotal} rows pruned), checkpoint MACs ${report.macChecked ? "verified" : "NOT checked (set EMAIL_HASH_KEY)"}`
        : "";
    if (report.intact) {
      console.log(`audit chain intact (${report.rows} rows${pruned})`);
      return 0;
    }
    const atCheckpoint = report.problem?.startsWith("checkpoint") === true;
    console.error(
      `audit chain BROKEN at ${atCheckpoint ? "retention checkpoint" : "id"} ${report.brokenId} (${report.problem}); ${report.rows} rows checked${atCheckpoint ? "" : pruned}`,
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
