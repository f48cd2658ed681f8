/**
 * Keyed checkpoints of the audit chain (docs/lifecycle.md, "Audit retention"). Retention deletes a
 * prefix of a region's chain past 7 years; `audit_prune()` (migrations) records, in the same
 * transaction, the hash of the last pruned row so the chain still verifies from there. Anyone with
 * write access to the database could also insert a checkpoint to hide rows they deleted; the MAC
 * here, under a Worker secret that is not in the database, is what makes such a forgery
 * detectable. Each MAC also covers the previous checkpoint's MAC, so removing or reordering
 * checkpoints breaks the sequence.
 *
 * No imports on purpose: the Worker and the Node verifier (scripts/audit-verify.ts) share it.
 */

/** Which secret the MAC is under: HMAC-SHA256 keyed with EMAIL_HASH_KEY, domain-separated. */
export const CHECKPOINT_KEY_ID = "email-hash-key/v1";

/** A checkpoint's signed fields; times as `audit_ts_text()` renders them (microseconds, UTC). */
export interface CheckpointFields {
  seq: number;
  region: string;
  throughId: number;
  throughHash: string;
  throughAt: string;
  pruned: number;
  prunedTotal: number;
  cutoff: string;
  prevMac: string;
}

export interface StoredCheckpoint extends CheckpointFields {
  keyId: string;
  mac: string;
}

export type CheckpointProblem = "sequence" | "link" | "total" | "region" | "key" | "mac";

export type CheckpointCheck =
  | { ok: true; count: number; prunedTotal: number; macChecked: boolean }
  | { ok: false; seq: number; problem: CheckpointProblem; count: number };

/** A JS time in the checkpoint text form (Date has milliseconds; Postgres prints microseconds). */
export const checkpointTime = (d: Date) => d.toISOString().replace(/Z$/, "000Z");

/** The exact bytes the MAC covers. */
export function checkpointMessage(c: CheckpointFields): string {
  return JSON.stringify([
    "haven-audit-checkpoint/1",
    c.region,
    c.seq,
    c.throughId,
    c.throughHash,
    c.throughAt,
    c.pruned,
    c.prunedTotal,
    c.cutoff,
    c.prevMac,
  ]);
}

const hex = (bytes: ArrayBuffer) =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * HMAC-SHA256 (hex) of a checkpoint under `secret`.
 * @example await checkpointMac(config.EMAIL_HASH_KEY, { seq: 1, region: "eu", … })
 */
export async function checkpointMac(secret: string, c: CheckpointFields): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return hex(
    await crypto.subtle.sign("HMAC", key, enc.encode(`haven/audit-checkpoint/v1|${checkpointMessage(c)}`)),
  );
}

function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Checks a region's checkpoints in `seq` order: 1, 2, 3 … without gaps, each linked to the
 * previous MAC, totals adding up, frontiers moving forward, the region's own, and (when `secret`
 * is given) every MAC. Without the secret only the unkeyed structure is checked (`macChecked: false`).
 */
export async function verifyCheckpoints(
  rows: readonly StoredCheckpoint[],
  secret: string | null,
  region: string | null,
): Promise<CheckpointCheck> {
  let prev: StoredCheckpoint | null = null;
  for (const [i, c] of rows.entries()) {
    const fail = (problem: CheckpointProblem): CheckpointCheck => ({
      ok: false,
      seq: c.seq,
      problem,
      count: rows.length,
    });
    if (c.seq !== i + 1) return fail("sequence");
    if (c.prevMac !== (prev?.mac ?? "") || (prev && c.throughId <= prev.throughId)) return fail("link");
    if (c.prunedTotal !== (prev?.prunedTotal ?? 0) + c.pruned || c.pruned <= 0) return fail("total");
    if (region !== null && c.region !== region) return fail("region");
    if (secret !== null) {
      if (c.keyId !== CHECKPOINT_KEY_ID) return fail("key");
      if (!sameText(await checkpointMac(secret, c), c.mac)) return fail("mac");
    }
    prev = c;
  }
  return { ok: true, count: rows.length, prunedTotal: prev?.prunedTotal ?? 0, macChecked: secret !== null };
}
