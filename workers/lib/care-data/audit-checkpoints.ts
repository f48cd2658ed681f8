import { type SQL, sql } from "drizzle-orm";
import { type StoredCheckpoint, verifyCheckpoints } from "../audit-checkpoint";

/**
 * Anything that runs raw SQL and returns rows: a region's HTTP database or an interactive
 * transaction (the tests prune inside one and roll it back).
 */
export interface SqlRunner {
  execute(query: SQL): Promise<{ rows: Record<string, unknown>[] }>;
}

/** What `audit_prune_plan()` says the next prune may remove (one batch; `throughId` null: nothing). */
export interface PrunePlan {
  throughId: number | null;
  throughHash: string;
  throughAt: string;
  count: number;
  stopReason: "in_policy" | "legal_hold" | "newest_row" | "limit";
  prevSeq: number;
  prevMac: string;
  prevTotal: number;
}

export async function prunePlan(db: SqlRunner, cutoff: Date, limit: number): Promise<PrunePlan> {
  const { rows } = await db.execute(
    sql`select through_id::text as through_id, through_hash, through_at, n::text as n, stop_reason,
               prev_seq::text as prev_seq, prev_mac, prev_total::text as prev_total
        from audit_prune_plan(${cutoff.toISOString()}::timestamptz, ${limit}::int)`,
  );
  const r = rows[0] ?? {};
  return {
    throughId: r.through_id == null ? null : Number(r.through_id),
    throughHash: String(r.through_hash),
    throughAt: String(r.through_at),
    count: Number(r.n),
    stopReason: String(r.stop_reason) as PrunePlan["stopReason"],
    prevSeq: Number(r.prev_seq),
    prevMac: String(r.prev_mac),
    prevTotal: Number(r.prev_total),
  };
}

/** Runs `audit_prune()`: checkpoint + delete in one transaction; returns the rows deleted. */
export async function pruneExecute(
  db: SqlRunner,
  a: { region: string; plan: PrunePlan & { throughId: number }; cutoff: Date; keyId: string; mac: string },
): Promise<number> {
  const { rows } = await db.execute(
    sql`select audit_prune(${a.region}, ${a.plan.throughId}::bigint, ${a.plan.throughHash},
          ${a.plan.count}::bigint, ${a.cutoff.toISOString()}::timestamptz, ${a.plan.prevSeq}::bigint,
          ${a.keyId}, ${a.mac})::text as n`,
  );
  return Number(rows[0]?.n ?? 0);
}

/** Every checkpoint of this database, in order, with times as the MAC covers them. */
export async function checkpointRows(db: SqlRunner): Promise<StoredCheckpoint[]> {
  const { rows } = await db.execute(
    sql`select seq::text as seq, region, through_id::text as through_id, through_hash,
               audit_ts_text(through_at) as through_at, pruned::text as pruned,
               pruned_total::text as pruned_total, audit_ts_text(cutoff) as cutoff, prev_mac, key_id, mac
        from audit_checkpoints order by seq`,
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    region: String(r.region),
    throughId: Number(r.through_id),
    throughHash: String(r.through_hash),
    throughAt: String(r.through_at),
    pruned: Number(r.pruned),
    prunedTotal: Number(r.pruned_total),
    cutoff: String(r.cutoff),
    prevMac: String(r.prev_mac),
    keyId: String(r.key_id),
    mac: String(r.mac),
  }));
}

/** `audit_verify_chain()` (from the latest checkpoint): the first broken row, or null. */
export async function chainBroken(db: SqlRunner) {
  const { rows } = await db.execute(
    sql`select broken_id::text as broken_id, problem from audit_verify_chain()`,
  );
  const b = rows[0];
  return b ? { brokenId: Number(b.broken_id), problem: String(b.problem) } : null;
}

export interface AuditTrailCheck {
  intact: boolean;
  /** First row (or checkpoint seq, for problem `checkpoint:*`) that did not verify. */
  brokenId?: number;
  problem?: string;
  checkpoints: number;
  prunedTotal: number;
  macChecked: boolean;
}

/**
 * The whole verification of one region's audit trail: every checkpoint (sequence, links, totals,
 * region, MAC under `secret`) and the chain from the latest checkpoint on.
 */
export async function verifyAuditTrail(
  db: SqlRunner,
  secret: string | null,
  region: string | null,
): Promise<AuditTrailCheck> {
  const cps = await verifyCheckpoints(await checkpointRows(db), secret, region);
  if (!cps.ok)
    return {
      intact: false,
      brokenId: cps.seq,
      problem: `checkpoint:${cps.problem}`,
      checkpoints: cps.count,
      prunedTotal: 0,
      macChecked: secret !== null,
    };
  const broken = await chainBroken(db);
  return {
    intact: broken === null,
    ...(broken ?? {}),
    checkpoints: cps.count,
    prunedTotal: cps.prunedTotal,
    macChecked: cps.macChecked,
  };
}
