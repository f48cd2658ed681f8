import { CHECKPOINT_KEY_ID, checkpointMac, checkpointTime } from "../../lib/audit-checkpoint";
import { pruneExecute, prunePlan, type SqlRunner } from "../../lib/care-data/audit-checkpoints";
import type { Config } from "../../lib/config";
import type { Region } from "../../lib/vocabulary";

/** Rows per prune (one checkpoint each) and prunes per run: a bounded run, the rest next time. */
export const AUDIT_PRUNE_BATCH = 5000;
export const AUDIT_PRUNE_MAX_BATCHES = 20;

/** `audit_prune()` raises this when the part it would remove does not verify. */
const DATA_CORRUPTED = "XX001";

/** The SQLSTATE of a driver error, whether drizzle wrapped it (`cause`) or not. */
function sqlState(err: unknown): string | undefined {
  for (
    let e: unknown = err, i = 0;
    e && typeof e === "object" && i < 3;
    e = (e as { cause?: unknown }).cause, i += 1
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

export interface AuditPruneResult {
  pruned: number;
  checkpoints: number;
  /** What ended the pruned prefix: the first row inside policy, a row naming a held subject, … */
  stop: "in_policy" | "legal_hold" | "newest_row" | "limit" | "chain_broken";
}

/**
 * Audit retention (7 years) in one region: deletes the longest prefix of the chain whose rows are
 * all past `cutoff`, stopping before the first row about a subject under an active legal hold and
 * always keeping the newest row, in batches; each batch writes a keyed checkpoint in the same
 * transaction (`audit_prune()`), so the chain keeps verifying. A prefix that does not verify is
 * never pruned (that would destroy the evidence): the run stops with `chain_broken`. Rows past policy behind the frontier (written
 * with an earlier `at` after newer rows) wait until the frontier reaches them.
 */
export async function pruneAudit(
  config: Config,
  db: SqlRunner,
  region: Region,
  cutoff: Date,
  batch = AUDIT_PRUNE_BATCH,
): Promise<AuditPruneResult> {
  let pruned = 0;
  let checkpoints = 0;
  let stop: AuditPruneResult["stop"] = "newest_row";
  for (let i = 0; i < AUDIT_PRUNE_MAX_BATCHES; i += 1) {
    const next = await prunePlan(db, cutoff, batch);
    stop = next.stopReason;
    if (next.throughId === null) break;
    const plan = { ...next, throughId: next.throughId };
    const mac = await checkpointMac(config.EMAIL_HASH_KEY, {
      seq: plan.prevSeq + 1,
      region,
      throughId: plan.throughId,
      throughHash: plan.throughHash,
      throughAt: plan.throughAt,
      pruned: plan.count,
      prunedTotal: plan.prevTotal + plan.count,
      cutoff: checkpointTime(cutoff),
      prevMac: plan.prevMac,
    });
    try {
      pruned += await pruneExecute(db, { region, plan, cutoff, keyId: CHECKPOINT_KEY_ID, mac });
    } catch (err) {
      if (sqlState(err) !== DATA_CORRUPTED) throw err;
      return { pruned, checkpoints, stop: "chain_broken" };
    }
    checkpoints += 1;
    if (plan.stopReason !== "limit") break;
  }
  return { pruned, checkpoints, stop };
}
