import { eq } from "drizzle-orm";
import {
  aiCalls,
  assessmentAssignments,
  assessmentResponses,
  breakGlass,
  careAlertActions,
  careAlerts,
  careTeam,
  chatMessages,
  chatSharing,
  companionFeedback,
  companionSummaries,
  emailTokens,
  medicationDoses,
  medications,
  notificationPreferences,
  notifications,
  profiles,
  psychotherapyNotes,
  recoveryCodes,
  riskEvents,
  riskSignals,
  safetyPlans,
  screenerResponses,
  sessionNoteAddenda,
  sessionNotes,
  sessions,
  telemetryHour,
  therapySessions,
  trackingEntries,
  wearableDevices,
} from "../workers/db/schema";
import { createDatabase } from "../workers/lib/db";
import { userCipher } from "../workers/lib/user-cipher";
import { type TestUser, testConfig } from "./fixtures";

/**
 * Puts one row of EVERY registered data kind for `p` (consents come with createUser), each
 * free-text field carrying `marker`, so a test can find exactly this patient's data in an export
 * and prove another patient's is absent. Encrypted like the services encrypt.
 */
export async function seedEveryKind(p: TestUser, clinicianId: string, marker: string) {
  const config = testConfig();
  const db = createDatabase(config, p.region);
  const [u] = await db.query.users.findMany({ where: (t, { eq }) => eq(t.id, p.id), limit: 1 });
  const cipher = await userCipher(config, p.id, u?.dataKeyWrapped ?? null);
  if (!cipher) throw new Error("no key");
  const screenerId = crypto.randomUUID();
  const grantId = crypto.randomUUID();
  const at = new Date();
  await db.insert(profiles).values({
    userId: p.id,
    legalNameEnc: await cipher.encrypt("legal_name", `Legal ${marker}`),
    dateOfBirthEnc: await cipher.encrypt("date_of_birth", "1990-04-02"),
    phoneEnc: await cipher.encrypt("phone", "+441234567890"),
    emergencyContactEnc: await cipher.encrypt(
      "emergency_contact",
      JSON.stringify({ name: `Contact ${marker}`, phone: "+441234567891", relationship: "sister" }),
    ),
  });
  await db.insert(chatMessages).values([
    {
      userId: p.id,
      seq: 1,
      role: "user",
      authorId: p.id,
      contentEnc: await cipher.encrypt("chat.content", `hello ${marker}`),
      createdAt: at,
    },
    {
      userId: p.id,
      seq: 2,
      role: "assistant",
      authorId: null,
      contentEnc: await cipher.encrypt("chat.content", `reply ${marker}`),
      createdAt: at,
    },
  ]);
  await db.insert(chatSharing).values({ userId: p.id, full: true });
  await db.insert(riskEvents).values({
    userId: p.id,
    seq: 1,
    severity: "elevated",
    categories: ["self_harm"],
    ruleIds: ["rule.test"],
    createdAt: at,
  });
  await db.insert(notifications).values({
    recipientId: clinicianId,
    patientId: p.id,
    kind: "crisis_alert",
    severity: "elevated",
    seq: 1,
  });
  await db.insert(careAlerts).values({ clinicianId, patientId: p.id, seq: 1, severity: "elevated" });
  await db.insert(screenerResponses).values({
    id: screenerId,
    userId: p.id,
    instrument: "c-ssrs",
    answersEnc: await cipher.encrypt(
      `screener.answers:${screenerId}`,
      JSON.stringify({ wishedDead: true, suicidalThoughts: false, behavior: false, note: `note ${marker}` }),
    ),
    risk: "low",
  });
  await db.insert(careTeam).values({ patientId: p.id, clinicianId, status: "active", createdBy: p.id });
  await db.insert(breakGlass).values({
    id: grantId,
    patientId: p.id,
    actorId: clinicianId,
    actorRole: "clinician",
    reasonEnc: await cipher.encrypt(`break_glass_reason:${grantId}`, `reason ${marker}`),
    expiresAt: new Date(Date.now() + 3600_000),
  });
  const [session] = await db
    .insert(sessions)
    .values({ userId: p.id, userAgent: "vitest", expiresAt: new Date(Date.now() + 86400_000) })
    .returning({ id: sessions.id });
  await db.insert(recoveryCodes).values({ userId: p.id, codeHash: `h-${marker}` });
  await db.insert(emailTokens).values({
    tokenHash: `t-${p.id}`,
    userId: p.id,
    purpose: "verify_email",
    expiresAt: new Date(Date.now() + 3600_000),
  });
  // The clinical kinds merged later: one row each, free text encrypted as their services do.
  const visitId = crypto.randomUUID();
  const start = new Date(Date.now() - 86400_000);
  await db.insert(therapySessions).values({
    id: visitId,
    patientId: p.id,
    clinicianId,
    clinicianRegion: p.region,
    sessionType: "follow-up",
    startsAt: start,
    endsAt: new Date(start.getTime() + 50 * 60_000),
    bookedBy: p.id,
    status: "cancelled",
    reasonEnc: await cipher.encrypt(`session.reason:${visitId}`, `cancel ${marker}`),
  });
  const [note] = await db
    .insert(sessionNotes)
    .values({
      sessionId: visitId,
      patientId: p.id,
      clinicianId,
      format: "soap",
      contentEnc: await cipher.encrypt(
        `session.note:${visitId}`,
        JSON.stringify({ subjective: `soap ${marker}` }),
      ),
    })
    .returning({ id: sessionNotes.id });
  const addendumId = crypto.randomUUID();
  await db.insert(sessionNoteAddenda).values({
    id: addendumId,
    noteId: note?.id as string,
    patientId: p.id,
    authorId: clinicianId,
    contentEnc: await cipher.encrypt(`session.addendum:${addendumId}`, `addendum ${marker}`),
  });
  await db.insert(psychotherapyNotes).values({
    sessionId: visitId,
    patientId: p.id,
    authorId: clinicianId,
    contentEnc: await cipher.encrypt(`session.psychotherapy:${visitId}`, `private ${marker}`),
  });
  const assessmentId = crypto.randomUUID();
  await db.insert(assessmentResponses).values({
    id: assessmentId,
    patientId: p.id,
    instrument: "phq-9",
    version: "1",
    total: 7,
    band: "mild",
    item9: 0,
    answersEnc: await cipher.encrypt(`assessment.answers:${assessmentId}`, JSON.stringify({ q1: 1, marker })),
  });
  await db
    .insert(assessmentAssignments)
    .values({ patientId: p.id, clinicianId, instrument: "phq-9", cadenceDays: 14 });
  await db.insert(wearableDevices).values({
    userId: p.id,
    kind: "watch",
    vendor: "Acme",
    model: "Pulse",
    tokenHash: `dev-${p.id}`,
    scopes: ["telemetry:write"],
    pairedVia: "web",
  });
  await db.insert(telemetryHour).values({
    userId: p.id,
    type: "heart_rate",
    bucket: new Date(Math.floor(Date.now() / 3600_000) * 3600_000),
    n: 2,
    sum: 130,
    min: 60,
    max: 70,
  });
  await db
    .insert(companionFeedback)
    .values({ patientId: p.id, seq: 2, helpful: true, librarySlug: "sleep-hygiene", promptVersion: "test" });
  await db.insert(companionSummaries).values({
    patientId: p.id,
    contentEnc: await cipher.encrypt(
      "companion.summary",
      JSON.stringify({ draft: { overview: `Summary ${marker}` }, facts: {} }),
    ),
    windowStart: at,
    windowEnd: at,
    generatedBy: clinicianId,
    model: "haven-offline",
    promptVersion: "test",
  });
  await db.insert(aiCalls).values({
    patientId: p.id,
    purpose: "reply",
    model: "haven-offline",
    promptVersion: "test",
    latencyMs: 12,
    outcome: "ok",
  });
  await db
    .insert(notificationPreferences)
    .values({ userId: p.id, eventType: "assessment.due", channel: "email", enabled: false });
  const moodId = crypto.randomUUID();
  await db.insert(trackingEntries).values({
    id: moodId,
    userId: p.id,
    kind: "mood",
    score: 4,
    noteEnc: await cipher.encrypt(`tracking.note:${moodId}`, `mood ${marker}`),
  });
  const medId = crypto.randomUUID();
  await db.insert(medications).values({
    id: medId,
    userId: p.id,
    nameEnc: await cipher.encrypt(`medication.name:${medId}`, `med ${marker}`),
  });
  const doseId = crypto.randomUUID();
  await db.insert(medicationDoses).values({
    id: doseId,
    userId: p.id,
    medicationId: medId,
    status: "skipped",
    reasonEnc: await cipher.encrypt(`medication.reason:${doseId}`, `skip ${marker}`),
  });
  const planId = crypto.randomUUID();
  await db.insert(safetyPlans).values({
    id: planId,
    userId: p.id,
    version: 1,
    authorId: p.id,
    contentEnc: await cipher.encrypt(
      `safety_plan:${planId}`,
      JSON.stringify({ warningSigns: [`plan ${marker}`] }),
    ),
  });
  await db
    .insert(riskSignals)
    .values({ userId: p.id, kind: "mood_drop", severity: "low", detail: { drop: 3 }, sourceId: moodId });
  const [alertRow] = await db
    .select({ id: careAlerts.id })
    .from(careAlerts)
    .where(eq(careAlerts.patientId, p.id))
    .limit(1);
  const actionId = crypto.randomUUID();
  await db.insert(careAlertActions).values({
    id: actionId,
    alertId: alertRow?.id as string,
    patientId: p.id,
    kind: "note",
    authorId: clinicianId,
    noteEnc: await cipher.encrypt(`alert.note:${actionId}`, `follow-up ${marker}`),
  });
  return { sessionId: session?.id as string };
}
