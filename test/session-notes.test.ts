import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { psychotherapyNotes, riskEvents, sessionNotes } from "../workers/db/schema";
import { createDatabase } from "../workers/lib/db";
import { createUser, testConfig } from "./fixtures";
import { api, at, practice } from "./sessions-helpers";

const RISK = {
  suicidalIdeation: "none",
  selfHarm: "none",
  harmToOthers: "none",
  level: "low",
  safetyPlan: "",
};
const SOAP = {
  format: "soap",
  sections: {
    subjective: "Reports sleeping better since the last session.",
    objective: "Calm, engaged, good eye contact.",
    assessment: "Low mood improving.",
    plan: "Continue behavioural activation; review in two weeks.",
  },
  risk: RISK,
};

async function bookedSession(days: number) {
  const { clinician, patients } = await practice();
  const [p] = patients;
  const s = await api(p!, "POST", "/v1/therapy-sessions", {
    clinicianId: clinician.id,
    sessionType: "follow-up",
    start: at(days, 10),
  });
  if (s.status !== 201) throw new Error(`book ${s.status} ${s.text}`);
  return { clinician, patient: p!, id: String(s.body.id) };
}

describe("progress notes: drafts, signing, locking, addenda", () => {
  it("a draft autosaves (encrypted), is hidden from the patient, signs, then only addenda change it", async () => {
    const { clinician, patient, id } = await bookedSession(11);
    const first = await api(clinician, "PUT", `/v1/therapy-sessions/${id}/note`, SOAP);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: "draft", version: 1, aiGenerated: false, format: "soap" });
    const second = await api(clinician, "PUT", `/v1/therapy-sessions/${id}/note`, {
      ...SOAP,
      sections: { ...SOAP.sections, plan: "Continue; review in one week." },
    });
    expect(second.body).toMatchObject({ version: 2 });
    const [row] = await createDatabase(testConfig(), "eu")
      .select({ contentEnc: sessionNotes.contentEnc })
      .from(sessionNotes)
      .where(eq(sessionNotes.sessionId, id));
    expect(row?.contentEnc).not.toContain("sleeping");
    expect((await api(patient, "GET", `/v1/therapy-sessions/${id}/note`)).status).toBe(404);

    const signed = await api(clinician, "POST", `/v1/therapy-sessions/${id}/note/sign`);
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({ status: "signed", signedBy: clinician.id });
    const edit = await api(clinician, "PUT", `/v1/therapy-sessions/${id}/note`, SOAP);
    expect(edit.status).toBe(409);
    expect(edit.type).toContain("application/problem+json");
    expect((await api(clinician, "POST", `/v1/therapy-sessions/${id}/note/sign`)).status).toBe(409);

    // Even straight SQL cannot change a signed note: the trigger refuses.
    const sqlEdit = await createDatabase(testConfig(), "eu")
      .update(sessionNotes)
      .set({ contentEnc: "x" })
      .where(eq(sessionNotes.sessionId, id))
      .then(() => "changed")
      .catch(() => "refused");
    expect(sqlEdit).toBe("refused");

    const add = await api(clinician, "POST", `/v1/therapy-sessions/${id}/note/addenda`, {
      text: "Patient called: medication started by GP.",
    });
    expect(add.status).toBe(201);
    const addenda = add.body.addenda as { authorId: string; text: string }[];
    expect(addenda).toEqual([
      expect.objectContaining({ authorId: clinician.id, text: "Patient called: medication started by GP." }),
    ]);
    const seen = await api(patient, "GET", `/v1/therapy-sessions/${id}/note`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({
      status: "signed",
      sections: { plan: "Continue; review in one week." },
    });
  });

  it("an addendum before signing is refused; a wrong section for the format is 422", async () => {
    const { clinician, id } = await bookedSession(12);
    expect(
      (await api(clinician, "POST", `/v1/therapy-sessions/${id}/note/addenda`, { text: "x" })).status,
    ).toBe(409);
    const wrong = await api(clinician, "PUT", `/v1/therapy-sessions/${id}/note`, {
      format: "dap",
      sections: { subjective: "x" },
      risk: RISK,
    });
    expect(wrong.status).toBe(422);
  });

  it("another clinician, the patient and a stranger cannot write; off-team reads are 404", async () => {
    const { clinician, patient, id } = await bookedSession(13);
    await api(clinician, "PUT", `/v1/therapy-sessions/${id}/note`, SOAP);
    const other = await createUser("clinician", "eu");
    expect((await api(other, "GET", `/v1/therapy-sessions/${id}/note`)).status).toBe(404);
    expect((await api(other, "PUT", `/v1/therapy-sessions/${id}/note`, SOAP)).status).toBe(404);
    expect((await api(patient, "PUT", `/v1/therapy-sessions/${id}/note`, SOAP)).status).toBe(404);
  });
});

describe("psychotherapy notes are kept apart", () => {
  it("only their author reads them; never the patient, never inside the progress note", async () => {
    const { clinician, patient, id } = await bookedSession(14);
    const secret = "Countertransference: reminded of my own loss.";
    const saved = await api(clinician, "PUT", `/v1/therapy-sessions/${id}/psychotherapy-note`, {
      text: secret,
    });
    expect(saved.status).toBe(200);
    expect((await api(clinician, "GET", `/v1/therapy-sessions/${id}/psychotherapy-note`)).body.text).toBe(
      secret,
    );
    expect((await api(patient, "GET", `/v1/therapy-sessions/${id}/psychotherapy-note`)).status).toBe(404);
    await api(clinician, "PUT", `/v1/therapy-sessions/${id}/note`, SOAP);
    await api(clinician, "POST", `/v1/therapy-sessions/${id}/note/sign`);
    const note = await api(patient, "GET", `/v1/therapy-sessions/${id}/note`);
    expect(note.status).toBe(200);
    expect(note.text).not.toContain("Countertransference");
    for (const path of [
      `/v1/therapy-sessions/${id}`,
      `/v1/therapy-sessions/${id}/calendar.ics`,
      "/v1/me/therapy-sessions",
    ])
      expect((await api(patient, "GET", path)).text).not.toContain("Countertransference");
    const [row] = await createDatabase(testConfig(), "eu")
      .select({ contentEnc: psychotherapyNotes.contentEnc })
      .from(psychotherapyNotes)
      .where(eq(psychotherapyNotes.sessionId, id));
    expect(row?.contentEnc).not.toContain("loss");
  });
});

describe("AI-drafted notes", () => {
  it("the offline model drafts each SOAP section from the bullets; unedited, it cannot be signed", async () => {
    const { clinician, id } = await bookedSession(15);
    const res = await api(clinician, "POST", `/v1/therapy-sessions/${id}/note/ai-draft`, {
      format: "soap",
      bullets: "- slept 7h most nights\n- calm affect\n- mood 6/10\n- continue CBT homework",
    });
    expect(res.status).toBe(200);
    const note = res.body.note as { aiGenerated: boolean; status: string; sections: Record<string, string> };
    expect(note.aiGenerated).toBe(true);
    expect(note.sections).toEqual({
      subjective: "[offline draft] slept 7h most nights",
      objective: "[offline draft] calm affect",
      assessment: "[offline draft] mood 6/10",
      plan: "[offline draft] continue CBT homework",
    });
    expect(res.body.transcriptRisk).toBe("none");
    expect((await api(clinician, "POST", `/v1/therapy-sessions/${id}/note/sign`)).status).toBe(409);
    const edited = await api(clinician, "PUT", `/v1/therapy-sessions/${id}/note`, {
      format: "soap",
      sections: { ...note.sections, plan: "Continue CBT homework; review sleep diary." },
      risk: RISK,
    });
    expect(edited.body.aiGenerated).toBe(false);
    expect((await api(clinician, "POST", `/v1/therapy-sessions/${id}/note/sign`)).status).toBe(200);
  });

  it("crisis language in a transcript records a risk event for the patient (ids only)", async () => {
    const { clinician, patient, id } = await bookedSession(16);
    const res = await api(clinician, "POST", `/v1/therapy-sessions/${id}/note/ai-draft`, {
      format: "dap",
      bullets: "- discussed the week",
      transcript: "Patient: I have decided to kill myself tonight, I have the pills ready.",
    });
    expect(res.status).toBe(200);
    expect(["high", "imminent"]).toContain(res.body.transcriptRisk);
    const events = await createDatabase(testConfig(), "eu")
      .select({ source: riskEvents.source, ruleIds: riskEvents.ruleIds, severity: riskEvents.severity })
      .from(riskEvents)
      .where(and(eq(riskEvents.userId, patient.id), eq(riskEvents.source, "session")));
    expect(events).toHaveLength(1);
    expect(events[0]?.ruleIds[0]).toBe("session.transcript");
    expect(JSON.stringify(events)).not.toContain("pills");
  });
});
