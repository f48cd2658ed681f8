import { env, runInDurableObject } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { roomStub } from "../durable-objects/chat-stub";
import { storedRows } from "../durable-objects/storage-rows";
import { chatMessages, dataRequests, users } from "../workers/db/schema";
import {
  type ErasureCertificate,
  reapplyLedger,
  runDueErasures,
  runErasure,
} from "../workers/features/lifecycle/erasure";
import { lifecycleScope } from "../workers/features/lifecycle/job-scope";
import { DATA_KINDS } from "../workers/lib/care-data/kinds";
import { userRegionKey } from "../workers/lib/care-data/region";
import { decryptField, parseMasterKeys, unwrapDataKey } from "../workers/lib/crypto/envelope";
import { createDatabase } from "../workers/lib/db";
import { createRedis } from "../workers/lib/redis";
import type { Region } from "../workers/lib/vocabulary";
import { connect, say } from "./chat-helpers";
import { createUser, type TestUser, testConfig } from "./fixtures";
import { call, until } from "./helpers";
import { seedEveryKind } from "./lifecycle-seed";
import { heartRates, post, registerDevice } from "./wearables-helpers";

const REGION: Region = "eu";
const db = () => createDatabase(testConfig(), REGION);
const redis = () => createRedis(testConfig());

async function requestErasure(p: TestUser) {
  const res = await call("/v1/me/erasure", { method: "POST", headers: p.auth });
  expect(res.status).toBe(202);
  return (await res.json()) as { id: string; status: string; dueAt: string };
}
/** Ends the cooling-off of one request (as if 7 days passed), without touching other tests' rows. */
const makeDue = (id: string) =>
  db()
    .update(dataRequests)
    .set({ dueAt: new Date(Date.now() - 1000) })
    .where(eq(dataRequests.id, id));
const statusOf = async (id: string) =>
  (await db().select().from(dataRequests).where(eq(dataRequests.id, id)))[0];
const scope = () => lifecycleScope(env, "erasure.test");

describe("erasure (GDPR Art. 17)", () => {
  it("removes or shreds every store, each read back raw, and the audit chain still verifies", async () => {
    const clinician = await createUser("clinician", REGION);
    const p = await createUser("patient", REGION);
    const { sessionId } = await seedEveryKind(p, clinician.id, "ERASE-ME");
    // A live chat (room storage + flushed rows), a wearable reading, Redis keys, an export in R2.
    const client = await connect(p);
    await say(client, "I had a good walk today");
    client.close();
    const device = await registerDevice(p);
    expect((await post(device.token, heartRates(3))).status).toBe(200);
    await redis().set(`dir:test-${p.id}`, { userId: p.id, region: REGION });
    await redis().set(`mfa-setup:${p.id}`, "pending");
    const exp = await call("/v1/me/exports", {
      method: "POST",
      headers: { ...p.auth, "content-type": "application/json" },
      body: "{}",
    });
    const { id: exportId } = (await exp.json()) as { id: string };
    await until(async () => ((await statusOf(exportId))?.status === "ready" ? true : undefined), 20_000);
    expect((await env.EXPORTS.list({ prefix: `exports/${REGION}/${p.id}/` })).objects.length).toBe(2);
    // A copy of one ciphertext and the wrapped key as a backup would hold them.
    const [backupRow] = await db().select().from(chatMessages).where(eq(chatMessages.userId, p.id)).limit(1);
    const [backupUser] = await db().select().from(users).where(eq(users.id, p.id));
    expect(backupRow?.contentEnc).toMatch(/^enc:v1:/);

    const req = await requestErasure(p);
    expect(req.status).toBe("pending");
    expect(Date.parse(req.dueAt) - Date.now()).toBeGreaterThan(6.9 * 24 * 3600_000);
    // Not due yet: the sweep leaves it alone.
    await runDueErasures(scope());
    expect((await statusOf(req.id))?.status).toBe("pending");

    await makeDue(req.id);
    const cert = (await runErasure(scope(), REGION, req.id)) as ErasureCertificate;
    expect(cert.outcome).toBe("complete");
    expect(cert.keyShredded).toBe(true);
    expect(cert.stores.every((s) => s.reached && s.remaining === 0)).toBe(true);
    const stores = cert.stores.map((s) => s.store);
    for (const k of DATA_KINDS) expect(stores).toContain(`postgres:${k.name}`);
    for (const s of [
      "durable_object:chat_room",
      "durable_object:wearable_stream",
      "redis",
      "directory",
      "r2:exports",
      "sessions_denylist",
    ])
      expect(stores).toContain(s);
    expect(cert.stores.find((s) => s.store === "postgres:chat_messages")?.removed).toBeGreaterThanOrEqual(2);
    expect(cert.stores.find((s) => s.store === "r2:exports")?.removed).toBe(2);
    const row = await statusOf(req.id);
    expect(row?.status).toBe("completed");
    expect(row?.patientId).toBe(cert.pseudonym);
    expect(JSON.stringify(row?.result)).not.toContain(p.id);

    // Raw reads of every store.
    for (const k of DATA_KINDS) {
      // Each kind's own raw count by its subject column (the same read the certificate uses).
      expect(await k.remaining(db(), p.id), k.table).toBe(0);
    }
    expect(await db().select().from(users).where(eq(users.id, p.id))).toEqual([]);
    const naming = await db().execute<{ n: number }>(
      sql`select count(*)::int as n from audit_log where patient_id = ${p.id} or actor_id = ${p.id} or resource_id = ${p.id}`,
    );
    expect(Number(naming.rows[0]?.n)).toBe(0);
    const pseudo = await db().execute<{ n: number }>(
      sql`select count(*)::int as n from audit_log where patient_id = ${cert.pseudonym} and pseudonymised_at is not null`,
    );
    expect(Number(pseudo.rows[0]?.n)).toBeGreaterThan(0);
    // Every row that named the subject was pseudonymised (the erasure row itself is new).
    expect(Number(pseudo.rows[0]?.n)).toBe(cert.audit.pseudonymised);
    const chain = await db().execute(sql`select * from audit_verify_chain()`);
    expect(chain.rows).toEqual([]);
    expect(
      await runInDurableObject(roomStub(env, p.id, REGION), (_o, state) => storedRows(state.storage.sql)),
    ).toBe(0);
    expect(
      await runInDurableObject(env.WEARABLE_STREAM.get(env.WEARABLE_STREAM.idFromName(p.id)), (_o, state) =>
        storedRows(state.storage.sql),
      ),
    ).toBe(0);
    expect(await redis().exists(`dir:test-${p.id}`, `mfa-setup:${p.id}`, userRegionKey(p.id))).toBe(0);
    expect(await redis().exists(`denylist:sid:${sessionId}`)).toBe(1);
    expect((await env.EXPORTS.list({ prefix: `exports/${REGION}/${p.id}/` })).objects.length).toBe(0);
    // The key is gone from the live database: the old ciphertext cannot be opened from it.
    expect(backupUser?.dataKeyWrapped).toMatch(/^mk-/);
    const after = await db().select({ w: users.dataKeyWrapped }).from(users).where(eq(users.id, p.id));
    expect(after).toEqual([]);
    // Sanity: with the key (as only a pre-erasure backup has it) the copy WAS readable.
    const key = await unwrapDataKey(
      parseMasterKeys(testConfig().MASTER_KEYS),
      backupUser?.dataKeyWrapped ?? "",
    );
    expect(await decryptField(key, backupRow?.contentEnc ?? "", `user:${p.id}:chat.content`)).toContain("");
    // A token still in flight is refused: erasure revoked the person's sessions (denylist and Postgres).
    expect((await call("/v1/me", { headers: p.auth })).status).toBe(401);
  }, 60_000);

  it("never reports success for a store it did not reach", async () => {
    const p = await createUser("patient", REGION);
    const req = await requestErasure(p);
    await makeDue(req.id);
    const broken = {
      ...env,
      EXPORTS: { list: () => Promise.reject(new Error("r2 down")) },
    } as unknown as Env;
    const cert = (await runErasure(
      lifecycleScope(broken, "erasure.test"),
      REGION,
      req.id,
    )) as ErasureCertificate;
    expect(cert.outcome).toBe("incomplete");
    expect(cert.stores.find((s) => s.store === "r2:exports")).toMatchObject({ reached: false });
    expect((await statusOf(req.id))?.status).toBe("failed");
    // Postgres untouched, so the retry can still find the subject; the next sweep completes it.
    expect((await db().select().from(users).where(eq(users.id, p.id))).length).toBe(1);
    const retry = (await runErasure(scope(), REGION, req.id)) as ErasureCertificate;
    expect(retry.outcome).toBe("complete");
    expect((await statusOf(req.id))?.status).toBe("completed");
  });

  it("cooling-off: a cancelled erasure never runs", async () => {
    const p = await createUser("patient", REGION);
    const req = await requestErasure(p);
    expect((await call("/v1/me/erasure", { method: "POST", headers: p.auth })).status).toBe(409);
    const cancel = await call(`/v1/data-requests/${req.id}/cancel`, { method: "POST", headers: p.auth });
    expect(cancel.status).toBe(200);
    expect(((await cancel.json()) as { status: string }).status).toBe("cancelled");
    await makeDue(req.id);
    expect(await runErasure(scope(), REGION, req.id)).toBeNull();
    expect((await db().select().from(users).where(eq(users.id, p.id))).length).toBe(1);
    expect((await call("/v1/me", { headers: p.auth })).status).toBe(200);
  });

  it("a legal hold suspends erasure until it is released", async () => {
    const admin = await createUser("admin", REGION);
    const p = await createUser("patient", REGION);
    const req = await requestErasure(p);
    const hold = await call("/v1/admin/legal-holds", {
      method: "POST",
      headers: { ...admin.auth, "content-type": "application/json" },
      body: JSON.stringify({ patientId: p.id, reason: "Case 2026-114" }),
    });
    expect(hold.status).toBe(201);
    const { id: holdId } = (await hold.json()) as { id: string };
    await makeDue(req.id);
    expect(await runErasure(scope(), REGION, req.id)).toBeNull();
    expect((await statusOf(req.id))?.status).toBe("held");
    expect((await db().select().from(users).where(eq(users.id, p.id))).length).toBe(1);
    const release = await call(`/v1/admin/legal-holds/${holdId}/release?region=${REGION}`, {
      method: "POST",
      headers: admin.auth,
    });
    expect(release.status).toBe(200);
    expect((await statusOf(req.id))?.status).toBe("pending");
    const cert = (await runErasure(scope(), REGION, req.id)) as ErasureCertificate;
    expect(cert.outcome).toBe("complete");
  });

  it("after a database restore, the ledger erases the restored subject again", async () => {
    const clinician = await createUser("clinician", REGION);
    const p = await createUser("patient", REGION);
    await seedEveryKind(p, clinician.id, "RESTORED");
    const [userRow] = await db().select().from(users).where(eq(users.id, p.id));
    const chatRows = await db().select().from(chatMessages).where(eq(chatMessages.userId, p.id));
    const req = await requestErasure(p);
    await makeDue(req.id);
    expect(((await runErasure(scope(), REGION, req.id)) as ErasureCertificate).outcome).toBe("complete");
    const ledger = await env.EXPORTS.get(`erasure-ledger/${REGION}/${req.id}.json`);
    expect(await ledger?.text()).not.toContain(p.id);
    // Point-in-time restore to before the erasure: the rows and the wrapped key come back.
    if (!userRow) throw new Error("no row");
    await db().insert(users).values(userRow);
    await db().insert(chatMessages).values(chatRows);
    const { reErased } = await reapplyLedger(scope(), REGION);
    expect(reErased).toBeGreaterThanOrEqual(1);
    expect(await db().select().from(users).where(eq(users.id, p.id))).toEqual([]);
    expect(await db().select().from(chatMessages).where(eq(chatMessages.userId, p.id))).toEqual([]);
  });
});
