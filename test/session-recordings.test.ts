import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sessionRecordings, users } from "../workers/db/schema";
import { eraseRecordings } from "../workers/features/sessions/recording";
import { createDatabase } from "../workers/lib/db";
import { userCipher } from "../workers/lib/user-cipher";
import { createUser, testConfig } from "./fixtures";
import { call } from "./helpers";
import { api, b64url, matrixSession, practice, seal } from "./sessions-helpers";

async function liveSession() {
  const { clinician, patients } = await practice();
  const patient = patients[0]!;
  return { clinician, patient, id: await matrixSession(patient, clinician) };
}

const chunk = (user: { auth: Record<string, string> }, path: string, bytes: Uint8Array) =>
  call(path, {
    method: "PUT",
    headers: { ...user.auth, "content-type": "application/octet-stream" },
    body: bytes,
  });

/** Both consent and the patient starts: the recording id and its content key. */
async function consentedRecording() {
  const { clinician, patient, id } = await liveSession();
  const base = `/v1/therapy-sessions/${id}/recordings`;
  await api(clinician, "POST", `${base}/consent`, { consent: true });
  await api(patient, "POST", `${base}/consent`, { consent: true });
  const started = await api(patient, "POST", base, { mimeType: "video/webm" });
  expect(started.status).toBe(201);
  return { clinician, patient, base, recId: String(started.body.id), key: String(started.body.contentKey) };
}

describe("recording needs both consents, each visit", () => {
  it("one consent is not enough; both start it; consents are consumed; either can stop", async () => {
    const { clinician, patient, id } = await liveSession();
    const base = `/v1/therapy-sessions/${id}/recordings`;
    const webm = { mimeType: "video/webm;codecs=vp8,opus" };
    expect((await api(clinician, "POST", base, webm)).status).toBe(409);
    expect((await api(clinician, "POST", `${base}/consent`, { consent: true })).body).toEqual({
      patient: false,
      clinician: true,
    });
    const oneSided = await api(clinician, "POST", base, webm);
    expect(oneSided.status).toBe(409);
    expect(oneSided.type).toContain("application/problem+json");
    expect((await api(patient, "POST", `${base}/consent`, { consent: true })).body).toEqual({
      patient: true,
      clinician: true,
    });
    const started = await api(patient, "POST", base, webm);
    expect(started.status).toBe(201);
    // Consents were used up: a second recording needs them again.
    expect((await api(patient, "POST", base, webm)).status).toBe(409);

    const recId = String(started.body.id);
    const key = String(started.body.contentKey);
    const bytes = new TextEncoder().encode("webm chunk zero: not really video");
    const up = await chunk(clinician, `${base}/${recId}/chunks/0`, await seal(key, recId, 0, bytes));
    expect(up.status).toBe(200);
    // Sealed in R2: the stored object is not the plaintext.
    const listed = await env.RECORDINGS.list({ prefix: `recordings/${patient.id}/${recId}/` });
    expect(listed.objects).toHaveLength(1);
    const stored = new Uint8Array(await (await env.RECORDINGS.get(listed.objects[0]!.key))!.arrayBuffer());
    expect(new TextDecoder().decode(stored)).not.toContain("chunk zero");
    // Playback for the patient and the care team; nobody else.
    const played = await call(`${base}/${recId}/chunks/0`, { headers: patient.auth });
    expect(played.status).toBe(200);
    expect(new TextDecoder().decode(await played.arrayBuffer())).toBe("webm chunk zero: not really video");
    expect((await call(`${base}/${recId}/chunks/0`, { headers: clinician.auth })).status).toBe(200);
    const stranger = await createUser("clinician", "eu");
    expect((await call(`${base}/${recId}/chunks/0`, { headers: stranger.auth })).status).toBe(404);
    const otherPatient = await createUser("patient", "eu");
    expect((await call(`${base}/${recId}/chunks/0`, { headers: otherPatient.auth })).status).toBe(404);

    const more = new TextEncoder().encode(" + chunk one");
    expect((await chunk(patient, `${base}/${recId}/chunks/1`, await seal(key, recId, 1, more))).status).toBe(
      200,
    );
    const whole = await call(`${base}/${recId}/media`, { headers: patient.auth });
    expect(whole.headers.get("content-type")).toBe("video/webm");
    expect(new TextDecoder().decode(await whole.arrayBuffer())).toBe(
      "webm chunk zero: not really video + chunk one",
    );
    expect((await call(`${base}/${recId}/media`, { headers: stranger.auth })).status).toBe(404);
    const stopped = await api(patient, "POST", `${base}/${recId}/stop`);
    expect(stopped.body).toMatchObject({ status: "stopped", chunks: 2 });
    expect(
      (await chunk(clinician, `${base}/${recId}/chunks/2`, await seal(key, recId, 2, bytes))).status,
    ).toBe(409);
    expect(await eraseRecordings(env.RECORDINGS, patient.id)).toBe(2);
    expect((await call(`${base}/${recId}/chunks/0`, { headers: patient.auth })).status).toBe(404);
  });

  it("withdrawing consent before the start stops it from starting", async () => {
    const { clinician, patient, id } = await liveSession();
    const base = `/v1/therapy-sessions/${id}/recordings`;
    await api(clinician, "POST", `${base}/consent`, { consent: true });
    await api(patient, "POST", `${base}/consent`, { consent: true });
    await api(patient, "POST", `${base}/consent`, { consent: false });
    expect((await api(clinician, "POST", base, { mimeType: "video/webm" })).status).toBe(409);
  });
});

describe("recording chunks are sealed in the browser with a per-recording key", () => {
  it("the key goes to both parties while recording only, never with the stored object; plaintext uploads are refused", async () => {
    const { clinician, patient, base, recId, key } = await consentedRecording();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const forPatient = await call(`${base}/${recId}/key`, { headers: patient.auth });
    expect(forPatient.headers.get("cache-control")).toBe("no-store");
    expect(((await forPatient.json()) as { contentKey: string }).contentKey).toBe(key);
    expect((await api(clinician, "GET", `${base}/${recId}/key`)).body).toEqual({ contentKey: key });
    const stranger = await createUser("clinician", "eu");
    expect((await api(stranger, "GET", `${base}/${recId}/key`)).status).toBe(404);
    const otherPatient = await createUser("patient", "eu");
    expect((await api(otherPatient, "GET", `${base}/${recId}/key`)).status).toBe(404);

    // The database keeps the key only wrapped: not the raw key in any encoding.
    const [row] = await createDatabase(testConfig(), "eu")
      .select({ wrapped: sessionRecordings.contentKeyWrapped })
      .from(sessionRecordings)
      .where(eq(sessionRecordings.id, recId));
    expect(row?.wrapped).toBeTruthy();
    expect(row?.wrapped).not.toContain(key);
    expect(row?.wrapped).not.toContain(btoa(String.fromCharCode(...b64url(key))));

    // Plaintext (what the old browser sent) is refused: the Worker no longer seals.
    const plain = new TextEncoder().encode("raw webm, not sealed in the browser");
    const refused = await chunk(patient, `${base}/${recId}/chunks/0`, plain);
    expect(refused.status).toBe(422);

    const media = new TextEncoder().encode("frame data 0123456789");
    expect((await chunk(patient, `${base}/${recId}/chunks/0`, await seal(key, recId, 0, media))).status).toBe(
      200,
    );
    const listed = await env.RECORDINGS.list({ prefix: `recordings/${patient.id}/${recId}/` });
    const stored = new Uint8Array(await (await env.RECORDINGS.get(listed.objects[0]!.key))!.arrayBuffer());
    expect(stored[0]).toBe(2);
    expect(new TextDecoder().decode(stored)).not.toContain("frame data");
    // Not decryptable with the patient's data key (the old scheme), nor with the content key at
    // another position or in another recording; only with the content key and its own AAD.
    const [owner] = await createDatabase(testConfig(), "eu")
      .select({ wrapped: users.dataKeyWrapped })
      .from(users)
      .where(eq(users.id, patient.id));
    const cipher = await userCipher(testConfig(), patient.id, owner?.wrapped ?? null);
    const withDataKey = await cipher!
      .decryptBytes(`recording:${recId}:0`, new Uint8Array([1, ...stored.slice(1)]))
      .then(() => "opened")
      .catch(() => "refused");
    expect(withDataKey).toBe("refused");
    const open = async (rid: string, n: number, k = key) => {
      const ck = await crypto.subtle.importKey("raw", b64url(k), "AES-GCM", false, ["decrypt"]);
      const aad = new TextEncoder().encode(`haven-recording:${rid}:${n}`);
      return crypto.subtle
        .decrypt({ name: "AES-GCM", iv: stored.slice(1, 13), additionalData: aad }, ck, stored.slice(13))
        .then((b) => new TextDecoder().decode(b))
        .catch(() => "refused");
    };
    expect(await open(recId, 1)).toBe("refused");
    expect(await open(crypto.randomUUID(), 0)).toBe("refused");
    const otherKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
    expect(await open(recId, 0, otherKey)).toBe("refused");
    expect(await open(recId, 0)).toBe("frame data 0123456789");

    // A chunk sealed for position 0 and uploaded as 1 does not play (the AAD binds its place).
    await chunk(patient, `${base}/${recId}/chunks/1`, stored);
    expect((await call(`${base}/${recId}/chunks/1`, { headers: patient.auth })).status).toBe(404);
    expect(
      new TextDecoder().decode(
        await (await call(`${base}/${recId}/chunks/0`, { headers: clinician.auth })).arrayBuffer(),
      ),
    ).toBe("frame data 0123456789");

    // After the stop nobody gets the key again; playback still works (decrypted in the Worker).
    await api(clinician, "POST", `${base}/${recId}/stop`);
    expect((await api(patient, "GET", `${base}/${recId}/key`)).status).toBe(409);
    expect((await call(`${base}/${recId}/chunks/0`, { headers: patient.auth })).status).toBe(200);
  });

  it("destroying the patient's data key (crypto-shred) makes every chunk unplayable", async () => {
    const { patient, clinician, base, recId, key } = await consentedRecording();
    const media = new TextEncoder().encode("webm bytes");
    expect((await chunk(patient, `${base}/${recId}/chunks/0`, await seal(key, recId, 0, media))).status).toBe(
      200,
    );
    expect((await call(`${base}/${recId}/media`, { headers: clinician.auth })).status).toBe(200);
    await createDatabase(testConfig(), "eu")
      .update(users)
      .set({ dataKeyWrapped: null })
      .where(eq(users.id, patient.id));
    for (const who of [patient, clinician]) {
      expect((await call(`${base}/${recId}/media`, { headers: who.auth })).status).toBe(404);
      expect((await call(`${base}/${recId}/chunks/0`, { headers: who.auth })).status).toBe(404);
      expect((await call(`${base}/${recId}/key`, { headers: who.auth })).status).toBe(404);
    }
    // The R2 object is still there (retention deletes it) but nothing can open it any more.
    expect(
      (await env.RECORDINGS.list({ prefix: `recordings/${patient.id}/${recId}/` })).objects,
    ).toHaveLength(1);
  });

  it("recordings made before browser sealing (no content key) still play", async () => {
    const { patient, clinician, id } = await liveSession();
    const recId = crypto.randomUUID();
    const db = createDatabase(testConfig(), "eu");
    await db.insert(sessionRecordings).values({
      id: recId,
      sessionId: id,
      patientId: patient.id,
      patientConsentAt: new Date(),
      clinicianConsentAt: new Date(),
      mimeType: "video/webm",
      status: "stopped",
      chunks: 1,
    });
    const [owner] = await db
      .select({ wrapped: users.dataKeyWrapped })
      .from(users)
      .where(eq(users.id, patient.id));
    const cipher = await userCipher(testConfig(), patient.id, owner?.wrapped ?? null);
    const sealed = await cipher!.encryptBytes(
      `recording:${recId}:0`,
      new TextEncoder().encode("legacy chunk"),
    );
    await env.RECORDINGS.put(`recordings/${patient.id}/${recId}/000000`, sealed);
    const played = await call(`/v1/therapy-sessions/${id}/recordings/${recId}/media`, {
      headers: clinician.auth,
    });
    expect(played.status).toBe(200);
    expect(new TextDecoder().decode(await played.arrayBuffer())).toBe("legacy chunk");
  });
});
