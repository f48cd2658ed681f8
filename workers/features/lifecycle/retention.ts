import { DATA_KINDS } from "../../lib/care-data/kinds";
import {
  auditOlderThan,
  deleteRecordingRows,
  expireDeadLetters,
  expiredExports,
  expiredRecordings,
  insertJobRun,
  updateRequest,
} from "../../lib/care-data/lifecycle";
import type { Scope } from "../../lib/scope";
import { REGIONS, type Region } from "../../lib/vocabulary";
import { pruneAudit } from "./audit-retention";
import { deleteExportObjects } from "./export";
import { cutoffOf, RETENTION } from "./retention-policy";
import { deleteUnder, recordingsPrefix } from "./stores";

export const RETENTION_JOB = "retention";

/**
 * Applies the retention policy in one region at `now`: every registered kind with an `expire`
 * removes what is past its class's cut-off, export archives past 7 days are deleted from R2 and
 * marked expired, recordings past 90 days lose their R2 chunks and rows, notification dead letters past 30 days are deleted, audit rows past 7 years are pruned with a keyed checkpoint (./audit-retention.ts)
 * and those that must stay (legal hold, behind the frontier) are counted. Records one `job_runs` row (counts per kind
 * and duration, no PHI) whether it succeeded or failed.
 */
export async function runRetentionIn(scope: Scope, region: Region, now = new Date()) {
  const started = Date.now();
  const db = scope.db(region);
  const counts: Record<string, number> = {};
  try {
    for (const kind of DATA_KINDS) {
      if (!kind.expire || !RETENTION[kind.retention].removes) continue;
      const removed = await kind.expire(db, cutoffOf(kind.retention, now));
      counts[kind.name] = Array.isArray(removed) ? removed.length : 0;
    }
    const expired = await expiredExports(db, now);
    for (const req of expired) {
      if (req.objectKey) await deleteExportObjects(scope, req.objectKey);
      await updateRequest(db, req.id, { status: "expired" });
    }
    counts.export_archives = expired.length;
    const recordings = await expireRecordings(scope, region, cutoffOf("recordings", now));
    counts.recordings = recordings.recordings;
    counts.recording_objects = recordings.objects;
    const dead = await expireDeadLetters(db, cutoffOf("dead_letters", now));
    counts.dead_letters = dead.length;
    counts.dead_letters_unresolved = dead.filter((d) => d.status === "open").length;
    const audited = await pruneAudit(scope.config, db, region, cutoffOf("audit", now));
    counts.audit_pruned = audited.pruned;
    counts.audit_checkpoints = audited.checkpoints;
    counts.audit_prune_held_by_legal_hold = audited.stop === "legal_hold" ? 1 : 0;
    counts.audit_prune_refused_chain_broken = audited.stop === "chain_broken" ? 1 : 0;
    counts.audit_past_policy_kept = await auditOlderThan(db, cutoffOf("audit", now));
    await insertJobRun(db, {
      job: RETENTION_JOB,
      startedAt: new Date(started),
      finishedAt: new Date(),
      durationMs: Date.now() - started,
      outcome: "success",
      counts,
    });
    return { region, outcome: "success" as const, counts };
  } catch (err) {
    scope.log.error("retention_failed", { region, error: err instanceof Error ? err.name : "unknown" });
    await insertJobRun(db, {
      job: RETENTION_JOB,
      startedAt: new Date(started),
      finishedAt: new Date(),
      durationMs: Date.now() - started,
      outcome: "failure",
      counts,
      error: "retention_failed",
    }).catch(() => undefined);
    return { region, outcome: "failure" as const, counts };
  }
}

/**
 * Recordings past policy: their R2 chunks are deleted first, then their index rows, so a run that
 * fails midway leaves rows that the next run finds again (deleting is idempotent).
 */
async function expireRecordings(scope: Scope, region: Region, cutoff: Date) {
  const db = scope.db(region);
  const due = await expiredRecordings(db, cutoff);
  let objects = 0;
  for (const r of due)
    objects += (await deleteUnder(scope.env.RECORDINGS, recordingsPrefix(r.patientId, r.id))).length;
  const removed =
    due.length > 0
      ? await deleteRecordingRows(
          db,
          due.map((r) => r.id),
        )
      : [];
  return { recordings: removed.length, objects };
}

/** The retention job over every region. */
export function runRetention(scope: Scope, now = new Date()) {
  return Promise.all(REGIONS.map((r) => runRetentionIn(scope, r, now)));
}
