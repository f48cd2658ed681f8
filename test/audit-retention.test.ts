/**
 * Audit retention (7 years) that keeps the chain verifiable: a prefix of the chain is pruned behind
 * a keyed checkpoint (migrations/0021_audit_prune.sql, workers/features/lifecycle/audit-retention.ts).
 * Each case runs in ONE interactive transaction on the apac database that is rolled back at the
 * end, so the shared test database never loses rows; the cut-off is a day in the FUTURE, so every
 * row other tests wrote is "past policy" inside the transaction and the boundary rows are ours.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { pruneAudit } from "../workers/features/lifecycle/audit-retention";
import { cutoffOf } from "../workers/features/lifecycle/retention-policy";
import { CHECKPOINT_KEY_ID, checkpointMac } from "../workers/lib/audit-checkpoint";
import { checkpointRows, type SqlRunner, verifyAuditTrail } from "../workers/lib/care-data/audit-checkpoints";
import { withInteractiveTransaction } from "../workers/lib/db";
import type { Region } from "../workers/lib/vocabulary";
import { testConfig } from "./fixtures";

const REGION: Region = "apac";
const config = () => ({ ...testConfig(), DB_TIMEOUT_MS: 25_000 });
const KEY = () => testConfig().EMAIL_HASH_KEY;
const rollback = new Error("roll back");

type Tx = Parameters<Parameters<typeof withInteractiveTransaction>[2]>[0];

async function rolledBack(work: (tx: Tx) => Promise<void>) {
  await expect(
    withInteractiveTransaction(config(), REGION, async (tx) => {
      await work(tx);
      throw rollback;
    }),
  ).rejects.toBe(rollback);
}

async function insertAudit(db: SqlRunner, at: Date, patientId: string | null = null) {
  const { rows } = await db.execute(
    sql`insert into audit_log (at, action, resource_type, patient_id, outcome)
        values (${at.toISOString()}::timestamptz, 'test.retention', 'test', ${patientId}::uuid, 'success')
        returning id::text as id, hash`,
  );
  return { id: Number(rows[0]?.id), hash: String(rows[0]?.hash) };
}

const idsIn = async (db: SqlRunner, ids: number[]) =>
  (
    await db.execute(
      sql`select id::text as id from audit_log where id in (${sql.join(
        ids.map((i) => sql`${i}`),
        sql`, `,
      )}) order by id`,
    )
  ).rows.map((r) => Number(r.id));

const countBefore = async (db: SqlRunner, id: number) =>
  Number((await db.execute(sql`select count(*)::int as n from audit_log where id < ${id}`)).rows[0]?.n);

/** A cut-off a day ahead: everything written so far is past it. */
const futureCutoff = () => new Date(Date.now() + 24 * 3600_000);
const SECOND = 1000;

describe("audit retention: the policy", () => {
  it("is 7 years (and two leap days) of entry time, and removes", () => {
    const now = new Date("2033-06-01T00:00:00Z");
    expect(cutoffOf("audit", now).toISOString()).toBe("2026-06-01T00:00:00.000Z");
  });
});

describe("audit retention: anchored prune", () => {
  it("prunes exactly the prefix past policy at the boundary; the chain verifies from the checkpoint", async () => {
    await rolledBack(async (tx) => {
      const cutoff = futureCutoff();
      const outside = await insertAudit(tx, new Date(cutoff.getTime() - SECOND));
      const inside = await insertAudit(tx, new Date(cutoff.getTime() + SECOND));
      // Past policy but written after a row inside policy: behind the frontier, kept for now.
      const behind = await insertAudit(tx, new Date(cutoff.getTime() - SECOND));

      const result = await pruneAudit(config(), tx, REGION, cutoff);
      expect(result.stop).toBe("in_policy");
      expect(result.pruned).toBeGreaterThanOrEqual(1);
      expect(await idsIn(tx, [outside.id, inside.id, behind.id])).toEqual([inside.id, behind.id]);
      expect(await countBefore(tx, inside.id)).toBe(0);

      const cps = await checkpointRows(tx);
      const last = cps.at(-1);
      expect(last).toMatchObject({ throughId: outside.id, throughHash: outside.hash, region: REGION });
      expect(last?.prunedTotal).toBe(cps.reduce((n, c) => n + c.pruned, 0));
      expect(cps.reduce((n, c) => n + c.pruned, 0)).toBe(result.pruned);
      expect(await verifyAuditTrail(tx, KEY(), REGION)).toMatchObject({
        intact: true,
        checkpoints: result.checkpoints,
        prunedTotal: result.pruned,
        macChecked: true,
      });
      // Nothing more to prune at the same cut-off: the frontier is the row inside policy.
      expect(await pruneAudit(config(), tx, REGION, cutoff)).toMatchObject({ pruned: 0, checkpoints: 0 });

      // Tampering with a remaining row is still detected.
      await tx.execute(sql`alter table audit_log disable trigger audit_log_no_update`);
      await tx.execute(sql`update audit_log set action = 'tampered' where id = ${inside.id}`);
      expect(await verifyAuditTrail(tx, KEY(), REGION)).toMatchObject({
        intact: false,
        brokenId: inside.id,
        problem: "hash",
      });
      await tx.execute(sql`update audit_log set action = 'test.retention' where id = ${inside.id}`);
      expect((await verifyAuditTrail(tx, KEY(), REGION)).intact).toBe(true);

      // Deleting the first remaining row breaks the link to the checkpoint.
      await tx.execute(sql`delete from audit_log where id = ${inside.id}`);
      expect(await verifyAuditTrail(tx, KEY(), REGION)).toMatchObject({
        intact: false,
        brokenId: behind.id,
        problem: "link",
      });

      // A forged checkpoint "covering" the deleted row: the unkeyed checks pass (sequence, links,
      // totals, and the chain links to it) — only the MAC under the Worker secret catches it.
      const prev = cps.at(-1);
      if (!prev) throw new Error("no checkpoint");
      const forged = {
        seq: prev.seq + 1,
        region: REGION,
        throughId: inside.id,
        throughHash: inside.hash,
        throughAt: "2000-01-01T00:00:00.000000Z",
        pruned: 1,
        prunedTotal: prev.prunedTotal + 1,
        cutoff: "2000-01-01T00:00:00.000000Z",
        prevMac: prev.mac,
      };
      const wrongKeyMac = await checkpointMac("not-the-worker-secret-not-the-worker-secret", forged);
      await tx.execute(
        sql`insert into audit_checkpoints (seq, region, through_id, through_hash, through_at, pruned,
              pruned_total, cutoff, prev_mac, key_id, mac)
            values (${forged.seq}, ${REGION}, ${forged.throughId}, ${forged.throughHash}, ${forged.throughAt}::timestamptz,
              1, ${forged.prunedTotal}, ${forged.cutoff}::timestamptz, ${forged.prevMac}, ${CHECKPOINT_KEY_ID}, ${wrongKeyMac})`,
      );
      expect(await verifyAuditTrail(tx, null, REGION)).toMatchObject({ intact: true, macChecked: false });
      expect(await verifyAuditTrail(tx, KEY(), REGION)).toMatchObject({
        intact: false,
        brokenId: forged.seq,
        problem: "checkpoint:mac",
      });
      await tx.execute(sql`alter table audit_log enable trigger audit_log_no_update`);
    });
  });

  it("stops before the first row about a subject under legal hold; after release it goes on", async () => {
    await rolledBack(async (tx) => {
      const cutoff = futureCutoff();
      const held = crypto.randomUUID();
      const { rows } = await tx.execute(
        sql`insert into legal_holds (patient_id, reason, placed_by)
            values (${held}::uuid, 'litigation', ${crypto.randomUUID()}::uuid) returning id::text as id`,
      );
      await insertAudit(tx, new Date(cutoff.getTime() - 20 * SECOND));
      const aboutHeld = await insertAudit(tx, new Date(cutoff.getTime() - 10 * SECOND), held);
      const other = await insertAudit(tx, new Date(cutoff.getTime() - 5 * SECOND));
      const inside = await insertAudit(tx, new Date(cutoff.getTime() + SECOND));

      const first = await pruneAudit(config(), tx, REGION, cutoff);
      expect(first.stop).toBe("legal_hold");
      expect(first.pruned).toBeGreaterThanOrEqual(1);
      // Held as the very first row: nothing can go, and the run says why.
      expect(await pruneAudit(config(), tx, REGION, cutoff)).toMatchObject({ pruned: 0, stop: "legal_hold" });
      expect(await idsIn(tx, [aboutHeld.id, other.id, inside.id])).toEqual([
        aboutHeld.id,
        other.id,
        inside.id,
      ]);
      expect(await countBefore(tx, aboutHeld.id)).toBe(0);
      expect((await verifyAuditTrail(tx, KEY(), REGION)).intact).toBe(true);

      await tx.execute(sql`update legal_holds set released_at = now() where id = ${rows[0]?.id}::uuid`);
      const second = await pruneAudit(config(), tx, REGION, cutoff);
      expect(second).toMatchObject({ pruned: 2, checkpoints: 1, stop: "in_policy" });
      expect(await idsIn(tx, [aboutHeld.id, other.id, inside.id])).toEqual([inside.id]);
      expect(await verifyAuditTrail(tx, KEY(), REGION)).toMatchObject({ intact: true, macChecked: true });
    });
  });

  it("never prunes a prefix that does not verify, and checkpoints are append-only", async () => {
    await rolledBack(async (tx) => {
      const cutoff = futureCutoff();
      const victim = await insertAudit(tx, new Date(cutoff.getTime() - SECOND));
      const inside = await insertAudit(tx, new Date(cutoff.getTime() + SECOND));
      await tx.execute(sql`alter table audit_log disable trigger audit_log_no_update`);
      await tx.execute(sql`update audit_log set action = 'tampered' where id = ${victim.id}`);
      await tx.execute(sql`alter table audit_log enable trigger audit_log_no_update`);
      const before = (await checkpointRows(tx)).length;
      // audit_prune() raises inside a savepoint; rolling back to it keeps the transaction usable.
      const marker = new Error("back to the savepoint");
      let result: Awaited<ReturnType<typeof pruneAudit>> | null = null;
      await expect(
        tx.transaction(async (sp) => {
          result = await pruneAudit(config(), sp, REGION, cutoff);
          throw marker;
        }),
      ).rejects.toBe(marker);
      expect(result).toMatchObject({ pruned: 0, checkpoints: 0, stop: "chain_broken" });
      expect((await checkpointRows(tx)).length).toBe(before);
      expect(await idsIn(tx, [victim.id, inside.id])).toEqual([victim.id, inside.id]);

      await tx.execute(sql`alter table audit_log disable trigger audit_log_no_update`);
      await tx.execute(sql`update audit_log set action = 'test.retention' where id = ${victim.id}`);
      await tx.execute(sql`alter table audit_log enable trigger audit_log_no_update`);
      expect((await pruneAudit(config(), tx, REGION, cutoff)).stop).toBe("in_policy");
      const refused = await tx
        .transaction(async (sp) => {
          await sp.execute(sql`delete from audit_checkpoints`);
        })
        .then(
          () => null,
          (e: unknown) => e as { cause?: { code?: string } },
        );
      expect(refused?.cause?.code).toBe("42501");
      // Outside audit_prune() deleting audit rows is still refused.
      const del = await tx
        .transaction(async (sp) => {
          await sp.execute(sql`delete from audit_log where id = ${inside.id}`);
        })
        .then(
          () => null,
          (e: unknown) => e as { cause?: { code?: string } },
        );
      expect(del?.cause?.code).toBe("42501");
    });
  });
});
