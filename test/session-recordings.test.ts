import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eraseRecordings } from "../workers/features/sessions/recording";
import { createUser } from "./fixtures";
import { call } from "./helpers";
import { api, matrixSession, practice } from "./sessions-helpers";

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
    const bytes = new TextEncoder().encode("webm chunk zero: not really video");
    const up = await chunk(clinician, `${base}/${recId}/chunks/0`, bytes);
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
    expect((await chunk(patient, `${base}/${recId}/chunks/1`, more)).status).toBe(200);
    const whole = await call(`${base}/${recId}/media`, { headers: patient.auth });
    expect(whole.headers.get("content-type")).toBe("video/webm");
    expect(new TextDecoder().decode(await whole.arrayBuffer())).toBe(
      "webm chunk zero: not really video + chunk one",
    );
    expect((await call(`${base}/${recId}/media`, { headers: stranger.auth })).status).toBe(404);
    const stopped = await api(patient, "POST", `${base}/${recId}/stop`);
    expect(stopped.body).toMatchObject({ status: "stopped", chunks: 2 });
    expect((await chunk(clinician, `${base}/${recId}/chunks/2`, bytes)).status).toBe(409);
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
