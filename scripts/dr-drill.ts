/**
 * `npm run dr:drill`: proves the RPO 15 min / RTO 1 h promise on the local stack, mirroring the
 * production runbook (README "Disaster recovery"). For every regional database: writes go on
 * continuously, a backup is taken (PGlite `dumpDataDir`, or `pg_dump` of an exported snapshot on
 * a real server), more writes follow, the primary is LOST, the backup is restored into a fresh
 * database, the writer is re-pointed to it, and the drill verifies row counts and checksums of
 * every table against what the backup held, re-applies the erasure ledger (a patient erased after
 * the backup comes back with their wrapped key; runbook step 9 must make them unreadable again,
 * scripts/dr/ledger-step.ts), and that the audit hash chain verifies. It prints the
 * measured data-loss window (RPO) and time to serve again (RTO) against the targets and records a
 * `dr_drill` job run (evidence for the compliance control) in the restored databases and in any
 * database named by DR_EVIDENCE_URLS (comma-separated).
 *
 * Embedded PGlite by default; with DATABASE_URL set, databases `${HAVEN_DB_PREFIX ?? "haven"}_drill_*`
 * are created (and dropped) on that server. Exit code 0 only when every check passed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { checksums, type Db, embeddedRegion, type Region, serverRegion } from "./dr/backends.ts";
import {
  type DrillKeys,
  drillKeys,
  eraseAndRecord,
  type LedgerOutcome,
  ledgerPassed,
  seedSubject,
  verifyAfterRestore,
} from "./dr/ledger-step.ts";

const REGIONS = ["us", "eu", "apac"] as const;
const RPO_TARGET_S = 15 * 60;
const RTO_TARGET_S = 60 * 60;
const PHASE_MS = Number(process.env.DR_PHASE_MS ?? 1500);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const WRITE = `with u as (
    insert into users (email_hash, email_enc, display_name, role, region)
    values ($1, 'enc:v1:drill:drill', 'drill writer', 'patient', $2) returning id, created_at),
  a as (insert into audit_log (action, resource_type, patient_id, outcome)
    select 'drill.write', 'drill', id, 'success' from u returning id)
  insert into consents (user_id, kind, policy_version) select id, 'health_data', 'drill' from u
  returning (select created_at from u) as at`;

/** Continuous writes to one region; each write is one atomic statement (user + audit row + consent). */
class Writer {
  acked = 0;
  lastAckedAt: Date | null = null;
  failures = 0;
  private stopped = false;
  private paused: Promise<void> | null = null;
  private current: Promise<void> = Promise.resolve();
  readonly db: Db;
  private readonly region: string;
  constructor(db: Db, region: string) {
    this.db = db;
    this.region = region;
  }
  start() {
    const loop = async () => {
      while (!this.stopped) {
        if (this.paused) await this.paused;
        this.current = this.writeOnce().then(() => undefined);
        await this.current;
        await sleep(20);
      }
    };
    void loop();
  }
  async writeOnce(): Promise<boolean> {
    try {
      const [row] = await this.db.query<{ at: Date }>(WRITE, [`drill-${crypto.randomUUID()}`, this.region]);
      this.acked += 1;
      this.lastAckedAt = row?.at ? new Date(row.at) : this.lastAckedAt;
      return true;
    } catch {
      this.failures += 1;
      return false;
    }
  }
  /** Pauses after the in-flight write; returns the resume function. */
  async pause(): Promise<() => void> {
    let resume = () => {};
    this.paused = new Promise((r) => {
      resume = () => {
        this.paused = null;
        r();
      };
    });
    await this.current;
    return resume;
  }
  stop() {
    this.stopped = true;
    return this.current;
  }
}

interface Outcome {
  region: string;
  tables: number;
  mismatched: string[];
  chainIntact: boolean;
  rpoS: number;
  rtoS: number;
  lostWrites: number;
  ledger: LedgerOutcome;
}

async function drillRegion(r: Region, keys: DrillKeys): Promise<Outcome> {
  const writer = new Writer(r.db, r.name);
  writer.start();
  const subject = await seedSubject(r.db, keys, r.name);
  await sleep(PHASE_MS);
  const backup = await r.backup(() => writer.pause());
  const ackedAtBackup = writer.acked;
  // Erased after the backup: the backup still holds the patient and their wrapped key.
  await eraseAndRecord(r.db, keys, r.name, subject);
  await sleep(PHASE_MS); // writes after the backup: the ones a loss now costs
  const lastAckedBeforeLoss = writer.lastAckedAt;
  await writer.stop();
  const lossAt = Date.now();
  await r.lose();
  // --- restore, verify, re-point (the runbook's order) ---
  const restored = await r.restore();
  const after = await checksums(restored);
  const mismatched = Object.keys(backup.sums).filter((t) => {
    const want = backup.sums[t];
    const got = after[t];
    return !want || !got || got.md5 !== want.md5 || got.rows !== want.rows;
  });
  // Runbook step 9 before opening traffic: re-apply the erasure ledger, then verify the chain.
  const ledger = await verifyAfterRestore(restored, keys, r.name, subject);
  const chain = await restored.query("select * from audit_verify_chain()");
  const [survived] = await restored.query<{ at: Date | null }>(
    "select max(created_at) as at from users where email_hash like 'drill-%'",
  );
  const served = await new Writer(restored, r.name).writeOnce();
  const rtoS = (Date.now() - lossAt) / 1000;
  if (!served) throw new Error(`${r.name}: the restored database refused a write`);
  // Data loss window: from the newest write the backup kept to the newest write acknowledged before the loss.
  const rpoS =
    lastAckedBeforeLoss && survived?.at
      ? (lastAckedBeforeLoss.getTime() - new Date(survived.at).getTime()) / 1000
      : 0;
  const outcome: Outcome = {
    region: r.name,
    tables: Object.keys(backup.sums).length,
    mismatched,
    chainIntact: chain.length === 0,
    rpoS: Math.max(0, rpoS),
    rtoS,
    lostWrites: writer.acked - ackedAtBackup,
    ledger,
  };
  await record(restored, outcome, lossAt);
  return outcome;
}

const passed = (o: Outcome) =>
  o.mismatched.length === 0 &&
  o.chainIntact &&
  ledgerPassed(o.ledger) &&
  o.rpoS <= RPO_TARGET_S &&
  o.rtoS <= RTO_TARGET_S;

async function record(db: Db, o: Outcome, startedAt: number) {
  await db.query(
    `insert into job_runs (job, started_at, finished_at, duration_ms, outcome, counts)
     values ('dr_drill', $1, now(), $2, $3, $4)`,
    [new Date(startedAt), Date.now() - startedAt, passed(o) ? "success" : "failure", JSON.stringify(o)],
  );
}

async function main(): Promise<number> {
  const server = process.env.DATABASE_URL;
  const prefix = `${process.env.HAVEN_DB_PREFIX ?? "haven"}_drill`;
  console.log(
    `DR drill on ${server ? `Postgres (databases ${prefix}_*)` : "embedded PGlite"}; phases of ${PHASE_MS} ms`,
  );
  const regions = await Promise.all(
    REGIONS.map((name) => (server ? serverRegion(server, prefix, name) : embeddedRegion(name))),
  );
  let outcomes: Outcome[] = [];
  // The ledger lives outside every database (production: an object-locked bucket).
  const ledgerDir = await mkdtemp(join(tmpdir(), "haven-drill-ledger-"));
  const keys = drillKeys(ledgerDir);
  try {
    // Regions are independent databases: drill them one after another, as the runbook restores them.
    for (const r of regions) outcomes.push(await drillRegion(r, keys));
  } finally {
    await Promise.all(regions.map((r) => r.cleanup().catch(() => undefined)));
    await rm(ledgerDir, { recursive: true, force: true });
  }
  console.log("\nregion  tables  checksums  audit chain  lost writes  RPO (s)  RTO (s)");
  for (const o of outcomes) {
    console.log(
      `${o.region.padEnd(6)}  ${String(o.tables).padStart(6)}  ${(o.mismatched.length === 0 ? "match" : `DIFF ${o.mismatched.join(",")}`).padEnd(9)}  ${(o.chainIntact ? "intact" : "BROKEN").padEnd(11)}  ${String(o.lostWrites).padStart(11)}  ${o.rpoS.toFixed(2).padStart(7)}  ${o.rtoS.toFixed(2).padStart(7)}`,
    );
  }
  const yes = (b: boolean) => (b ? "yes" : "NO");
  console.log(
    "\nerasure ledger after restore (runbook step 9; a patient erased after the backup)\nregion  restored with key  readable before  re-erased  key destroyed  readable after  rows naming",
  );
  for (const { region, ledger: l } of outcomes) {
    console.log(
      `${region.padEnd(6)}  ${yes(l.restoredWithKey).padEnd(17)}  ${yes(l.readableBeforeReapply).padEnd(15)}  ${String(l.reErased).padStart(9)}  ${yes(l.keyDestroyed).padEnd(13)}  ${(l.readableAfter ? "YES" : "no").padEnd(14)}  ${String(l.rowsNaming).padStart(11)}`,
    );
  }
  const rpo = Math.max(...outcomes.map((o) => o.rpoS));
  const rto = Math.max(...outcomes.map((o) => o.rtoS));
  console.log(
    `\nRPO measured ${rpo.toFixed(2)} s (target ${RPO_TARGET_S} s): ${rpo <= RPO_TARGET_S ? "MET" : "NOT MET"}`,
  );
  console.log(
    `RTO measured ${rto.toFixed(2)} s (target ${RTO_TARGET_S} s): ${rto <= RTO_TARGET_S ? "MET" : "NOT MET"}`,
  );
  for (const url of (process.env.DR_EVIDENCE_URLS ?? "").split(",").filter(Boolean)) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const db: Db = {
      query: async (s, p) => (await client.query(s, p)).rows as never,
      close: () => client.end(),
    };
    for (const o of outcomes) await record(db, o, Date.now());
    await client.end();
  }
  const ok = outcomes.length === REGIONS.length && outcomes.every(passed);
  console.log(ok ? "\nDR drill PASSED" : "\nDR drill FAILED");
  outcomes = [];
  return ok ? 0 : 1;
}

process.exitCode = await main();
