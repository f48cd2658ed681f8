/**
 * Session recordings in the data lifecycle: erasure DELETES their R2 chunks (not only shreds the
 * key) and lists them on the certificate; retention removes recordings 90 days after they stopped
 * (chunks, then rows), not those of a patient under legal hold. Chunks are written through the
 * sessions feature's own route, so these tests follow its object layout.
 */
import { env } from "cloudflare:test";
import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { dataRequests, legalHolds, sessionRecordings } from "../workers/db/schema";
import { type ErasureCertificate, runErasure } from "../workers/features/lifecycle/erasure";
import { lifecycleScope } from "../workers/features/lifecycle/job-scope";
import { runRetentionIn } from "../workers/features/lifecycle/retention";
import { cutoffOf } from "../workers/features/lifecycle/retention-policy";
import { createDatabase } from "../workers/lib/db";
import type { TestUser } from "./fixtures";
import { testConfig } from "./fixtures";
import { call } from "./helpers";
import { api, matrixSession, practice, seal } from "./sessions-helpers";

const REGION = "eu" as const;
const db = () => createDatabase(testConfig(), REGION);
const scope = () => lifecycleScope(env, "recordings-lifecycle.test");

/** Records `chunks` chunks through the real routes (both consents, start, upload, stop). */
async function record(patient: TestUser, clinician: TestUser, sessionId: string, chunks: number) {
  const base = `/v1/therapy-sessions/${sessionId}/recordings`;
  await api(clinician, "POST", `${base}/consent`, { consent: true });
  await api(patient, "POST", `${base}/consent`, { consent: true });
  const started = await api(patient, "POST", base, { mimeType: "video/webm" });
  expect(started.status).toBe(201);
  const id = String(started.body.id);
  const key = String(started.body.contentKey);
  for (let n = 0; n < chunks; n += 1) {
    const res = await call(`${base}/${id}/chunks/${n}`, {
      method: "PUT",
      headers: { ...patient.auth, "content-type": "application/octet-stream" },
      body: await seal(key, id, n, new TextEncoder().encode(`chunk ${n} of a therapy visit`)),
    });
    expect(res.status).toBe(200);
  }
  expect((await api(patient, "POST", `${base}/${id}/stop`)).status).toBe(200);
  return id;
}

const objectsOf = async (prefix: string) => (await env.RECORDINGS.list({ prefix })).objects.map((o) => o.key);

describe("recordings and erasure", () => {
  it("erasure deletes the patient's recording chunks from R2 and lists them on the certificate", async () => {
    const { clinician, patients } = await practice([{ region: REGION }]);
    const patient = patients[0] as TestUser;
    const sessionId = await matrixSession(patient, clinician);
    const recId = await record(patient, clinician, sessionId, 3);
    expect(await objectsOf(`recordings/${patient.id}/`)).toHaveLength(3);

    const req = await call("/v1/me/erasure", { method: "POST", headers: patient.auth });
    expect(req.status).toBe(202);
    const { id } = (await req.json()) as { id: string };
    await db()
      .update(dataRequests)
      .set({ dueAt: new Date(Date.now() - 1000) })
      .where(eq(dataRequests.id, id));
    const cert = (await runErasure(scope(), REGION, id)) as ErasureCertificate;
    expect(cert.outcome).toBe("complete");
    const store = cert.stores.find((s) => s.store === "r2:recordings");
    expect(store).toEqual({
      store: "r2:recordings",
      reached: true,
      removed: 3,
      remaining: 0,
      objects: { [recId]: 3 },
    });
    expect(JSON.stringify(cert)).not.toContain(patient.id);
    // Read R2 raw afterwards: nothing under the patient's prefix; the index rows are gone too.
    expect(await objectsOf(`recordings/${patient.id}/`)).toEqual([]);
    expect(
      await db().select().from(sessionRecordings).where(eq(sessionRecordings.patientId, patient.id)),
    ).toEqual([]);
  });
});

describe("recordings retention (90 days after they stopped)", () => {
  it("removes chunks and rows one second past policy, keeps one second inside and a held patient's", async () => {
    const { clinician, patients } = await practice([{ region: REGION }, { region: REGION }]);
    const [patient, held] = patients as [TestUser, TestUser];
    const sessionId = await matrixSession(patient, clinician);
    const heldSession = await matrixSession(held, clinician);
    const old = await record(patient, clinician, sessionId, 2);
    const recent = await record(patient, clinician, sessionId, 1);
    const heldOld = await record(held, clinician, heldSession, 1);

    const now = new Date();
    const cut = cutoffOf("recordings", now);
    expect(now.getTime() - cut.getTime()).toBe(90 * 24 * 3600_000);
    const stoppedAt = (recId: string, at: Date) =>
      db().update(sessionRecordings).set({ stoppedAt: at }).where(eq(sessionRecordings.id, recId));
    await stoppedAt(old, new Date(cut.getTime() - 1000));
    await stoppedAt(recent, new Date(cut.getTime() + 1000));
    await stoppedAt(heldOld, new Date(cut.getTime() - 1000));
    const [hold] = await db()
      .insert(legalHolds)
      .values({ patientId: held.id, reason: "litigation", placedBy: clinician.id })
      .returning();

    const run = await runRetentionIn(scope(), REGION, now);
    expect(run.outcome).toBe("success");
    expect(run.counts.recordings).toBeGreaterThanOrEqual(1);
    expect(run.counts.recording_objects).toBeGreaterThanOrEqual(2);
    expect(await objectsOf(`recordings/${patient.id}/${old}/`)).toEqual([]);
    expect(await objectsOf(`recordings/${patient.id}/${recent}/`)).toHaveLength(1);
    expect(await objectsOf(`recordings/${held.id}/${heldOld}/`)).toHaveLength(1);
    const rows = await db()
      .select({ id: sessionRecordings.id })
      .from(sessionRecordings)
      .where(inArray(sessionRecordings.id, [old, recent, heldOld]));
    expect(rows.map((r) => r.id).sort()).toEqual([recent, heldOld].sort());

    // Hold released: the held patient's recording past policy goes on the next run.
    await db()
      .update(legalHolds)
      .set({ releasedAt: new Date() })
      .where(eq(legalHolds.id, String(hold?.id)));
    await runRetentionIn(scope(), REGION, now);
    expect(await objectsOf(`recordings/${held.id}/${heldOld}/`)).toEqual([]);
  });
});
