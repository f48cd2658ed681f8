import { asc, eq } from "drizzle-orm";
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
  consents,
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
} from "../../db/schema";
import { type DataKind, type FhirResource, iso, open, tableKind } from "./kind";

const ref = (patientRef: string) => ({ reference: patientRef });

/**
 * The registry: every kind of data Haven holds about a person. Export, erasure, the erasure
 * certificate, retention and the tests all iterate over this list, so a new kind joins all of them
 * with one entry here (see docs/lifecycle.md, "Adding a data kind"). Order matters only for
 * erasure: rows referencing others go first; the account row itself is removed last by erasure.
 */
export const DATA_KINDS: DataKind[] = [
  // ---- therapy sessions: addenda and notes reference their session, so they go first ----
  tableKind({
    name: "session_note_addenda",
    table: sessionNoteAddenda,
    tableName: "session_note_addenda",
    subject: sessionNoteAddenda.patientId,
    retention: "health",
    exportRows: async ({ db, subjectId, cipher }) =>
      Promise.all(
        (await db.select().from(sessionNoteAddenda).where(eq(sessionNoteAddenda.patientId, subjectId))).map(
          async (r) => ({
            id: r.id,
            noteId: r.noteId,
            authorId: r.authorId,
            text: await open(cipher, `session.addendum:${r.id}`, r.contentEnc),
            createdAt: iso(r.createdAt),
          }),
        ),
      ),
  }),
  tableKind({
    name: "session_notes",
    table: sessionNotes,
    tableName: "session_notes",
    subject: sessionNotes.patientId,
    retention: "health",
    exportRows: async ({ db, subjectId, cipher }) =>
      Promise.all(
        (await db.select().from(sessionNotes).where(eq(sessionNotes.patientId, subjectId))).map(
          async (r) => ({
            id: r.id,
            sessionId: r.sessionId,
            clinicianId: r.clinicianId,
            format: r.format,
            status: r.status,
            aiGenerated: r.aiGenerated,
            content: JSON.parse((await open(cipher, `session.note:${r.sessionId}`, r.contentEnc)) ?? "null"),
            signedAt: iso(r.signedAt),
            createdAt: iso(r.createdAt),
          }),
        ),
      ),
  }),
  tableKind({
    name: "psychotherapy_notes",
    table: psychotherapyNotes,
    tableName: "psychotherapy_notes",
    subject: psychotherapyNotes.patientId,
    retention: "health",
    psychotherapyNotes: true,
    exportRows: async ({ db, subjectId, cipher }) =>
      Promise.all(
        (await db.select().from(psychotherapyNotes).where(eq(psychotherapyNotes.patientId, subjectId))).map(
          async (r) => ({
            id: r.id,
            sessionId: r.sessionId,
            authorId: r.authorId,
            text: await open(cipher, `session.psychotherapy:${r.sessionId}`, r.contentEnc),
            updatedAt: iso(r.updatedAt),
          }),
        ),
      ),
  }),
  tableKind({
    name: "therapy_sessions",
    table: therapySessions,
    tableName: "therapy_sessions",
    subject: therapySessions.patientId,
    retention: "health",
    exportRows: async ({ db, subjectId, cipher }) =>
      Promise.all(
        (await db.select().from(therapySessions).where(eq(therapySessions.patientId, subjectId))).map(
          async (r) => ({
            id: r.id,
            clinicianId: r.clinicianId,
            sessionType: r.sessionType,
            startsAt: iso(r.startsAt),
            endsAt: iso(r.endsAt),
            status: r.status,
            cancelReason: await open(cipher, `session.reason:${r.id}`, r.reasonEnc),
            createdAt: iso(r.createdAt),
          }),
        ),
      ),
    fhir: (rows, { patientRef }) =>
      rows.map((r) => ({
        resourceType: "Appointment",
        id: String(r.id),
        status:
          r.status === "cancelled"
            ? "cancelled"
            : r.status === "no_show"
              ? "noshow"
              : r.status === "completed"
                ? "fulfilled"
                : "booked",
        start: String(r.startsAt),
        end: String(r.endsAt),
        participant: [{ actor: ref(patientRef), status: "accepted" }],
      })),
  }),
  // ---- self-tracking and the safety plan (doses reference their medication: first) ----
  tableKind({
    name: "medication_doses",
    table: medicationDoses,
    tableName: "medication_doses",
    subject: medicationDoses.userId,
    retention: "health",
    exportRows: async ({ db, subjectId, cipher }) =>
      Promise.all(
        (await db.select().from(medicationDoses).where(eq(medicationDoses.userId, subjectId))).map(
          async (r) => ({
            id: r.id,
            medicationId: r.medicationId,
            status: r.status,
            reason: await open(cipher, `medication.reason:${r.id}`, r.reasonEnc),
            recordedAt: iso(r.recordedAt),
          }),
        ),
      ),
  }),
  tableKind({
    name: "medications",
    table: medications,
    tableName: "medications",
    subject: medications.userId,
    retention: "health",
    exportRows: async ({ db, subjectId, cipher }) =>
      Promise.all(
        (await db.select().from(medications).where(eq(medications.userId, subjectId))).map(async (r) => ({
          id: r.id,
          name: await open(cipher, `medication.name:${r.id}`, r.nameEnc),
          dose: await open(cipher, `medication.dose:${r.id}`, r.doseEnc),
          schedule: await open(cipher, `medication.schedule:${r.id}`, r.scheduleEnc),
          dosesPerDay: r.dosesPerDay,
          active: r.active,
          createdAt: iso(r.createdAt),
        })),
      ),
  }),
  tableKind({
    name: "tracking_entries",
    table: trackingEntries,
    tableName: "tracking_entries",
    subject: trackingEntries.userId,
    retention: "health",
    exportRows: async ({ db, subjectId, cipher }) =>
      Promise.all(
        (await db.select().from(trackingEntries).where(eq(trackingEntries.userId, subjectId))).map(
          async (r) => ({
            id: r.id,
            kind: r.kind,
            score: r.score,
            sleepMinutes: r.sleepMinutes,
            tags: r.tags,
            note: await open(cipher, `tracking.note:${r.id}`, r.noteEnc),
            shared: r.shared,
            recordedAt: iso(r.recordedAt),
          }),
        ),
      ),
  }),
  tableKind({
    name: "safety_plans",
    table: safetyPlans,
    tableName: "safety_plans",
    subject: safetyPlans.userId,
    retention: "health",
    exportRows: async ({ db, subjectId, cipher }) =>
      Promise.all(
        (await db.select().from(safetyPlans).where(eq(safetyPlans.userId, subjectId))).map(async (r) => ({
          id: r.id,
          version: r.version,
          authorId: r.authorId,
          plan: JSON.parse((await open(cipher, `safety_plan:${r.id}`, r.contentEnc)) ?? "null"),
          createdAt: iso(r.createdAt),
        })),
      ),
  }),
  tableKind({
    name: "risk_signals",
    table: riskSignals,
    tableName: "risk_signals",
    subject: riskSignals.userId,
    retention: "health",
    exportRows: async ({ db, subjectId }) =>
      (await db.select().from(riskSignals).where(eq(riskSignals.userId, subjectId))).map((r) => ({
        kind: r.kind,
        severity: r.severity,
        detail: r.detail,
        createdAt: iso(r.createdAt),
      })),
  }),
  tableKind({
    name: "care_alert_actions",
    table: careAlertActions,
    tableName: "care_alert_actions",
    subject: careAlertActions.patientId,
    retention: "health",
    exportRows: async ({ db, subjectId, cipher }) =>
      Promise.all(
        (await db.select().from(careAlertActions).where(eq(careAlertActions.patientId, subjectId))).map(
          async (r) => ({
            alertId: r.alertId,
            kind: r.kind,
            authorId: r.authorId,
            note: await open(cipher, `alert.note:${r.id}`, r.noteEnc),
            createdAt: iso(r.createdAt),
          }),
        ),
      ),
  }),
  // ---- measurement-based care ----
  tableKind({
    name: "assessment_responses",
    table: assessmentResponses,
    tableName: "assessment_responses",
    subject: assessmentResponses.patientId,
    retention: "health",
    exportRows: async ({ db, subjectId, cipher }) =>
      Promise.all(
        (
          await db
            .select()
            .from(assessmentResponses)
            .where(eq(assessmentResponses.patientId, subjectId))
            .orderBy(asc(assessmentResponses.submittedAt))
        ).map(async (r) => ({
          id: r.id,
          instrument: r.instrument,
          version: r.version,
          total: r.total,
          band: r.band,
          item9: r.item9,
          change: r.change,
          answers: JSON.parse((await open(cipher, `assessment.answers:${r.id}`, r.answersEnc)) ?? "null"),
          submittedAt: iso(r.submittedAt),
        })),
      ),
    fhir: (rows, { patientRef }) =>
      rows.map((r) => {
        const loinc = r.instrument === "phq-9" ? "44261-6" : r.instrument === "gad-7" ? "70274-6" : null;
        return {
          resourceType: "Observation",
          id: String(r.id),
          status: "final",
          code: loinc
            ? { coding: [{ system: "http://loinc.org", code: loinc }], text: `${r.instrument} total score` }
            : { text: `${r.instrument} total score` },
          subject: ref(patientRef),
          effectiveDateTime: String(r.submittedAt),
          valueInteger: Number(r.total),
        };
      }),
  }),
  tableKind({
    name: "assessment_assignments",
    table: assessmentAssignments,
    tableName: "assessment_assignments",
    subject: assessmentAssignments.patientId,
    retention: "health",
    exportRows: async ({ db, subjectId }) =>
      (
        await db.select().from(assessmentAssignments).where(eq(assessmentAssignments.patientId, subjectId))
      ).map((r) => ({
        id: r.id,
        clinicianId: r.clinicianId,
        instrument: r.instrument,
        cadenceDays: r.cadenceDays,
        startsAt: iso(r.startsAt),
        endedAt: iso(r.endedAt),
      })),
  }),
  // ---- wearables (raw readings expire by the telemetry job; hourly rollups are the record) ----
  tableKind({
    name: "wearable_devices",
    table: wearableDevices,
    tableName: "wearable_devices",
    subject: wearableDevices.userId,
    retention: "health",
    exportRows: async ({ db, subjectId }) =>
      (await db.select().from(wearableDevices).where(eq(wearableDevices.userId, subjectId))).map((r) => ({
        id: r.id,
        kind: r.kind,
        vendor: r.vendor,
        model: r.model,
      })),
  }),
  tableKind({
    name: "telemetry_hourly",
    table: telemetryHour,
    tableName: "telemetry_hour",
    subject: telemetryHour.userId,
    retention: "health",
    exportRows: async ({ db, subjectId }) =>
      (await db.select().from(telemetryHour).where(eq(telemetryHour.userId, subjectId))).map((r) => ({
        type: r.type,
        hour: iso(r.bucket),
        n: r.n,
        mean: r.n > 0 ? r.sum / r.n : null,
        min: r.min,
        max: r.max,
      })),
  }),
  // ---- companion and notifications ----
  tableKind({
    name: "companion_feedback",
    table: companionFeedback,
    tableName: "companion_feedback",
    subject: companionFeedback.patientId,
    retention: "health",
    exportRows: async ({ db, subjectId }) =>
      (await db.select().from(companionFeedback).where(eq(companionFeedback.patientId, subjectId))).map(
        (r) => ({
          reply: r.seq,
          helpful: r.helpful,
          reason: r.reason,
          libraryItem: r.librarySlug,
          createdAt: iso(r.createdAt),
        }),
      ),
  }),
  tableKind({
    name: "ai_calls",
    table: aiCalls,
    tableName: "ai_calls",
    subject: aiCalls.patientId,
    retention: "health",
    exportRows: async ({ db, subjectId }) =>
      (await db.select().from(aiCalls).where(eq(aiCalls.patientId, subjectId))).map((r) => ({
        purpose: r.purpose,
        model: r.model,
        promptVersion: r.promptVersion,
        outcome: r.outcome,
        latencyMs: r.latencyMs,
        libraryItems: r.grounding,
        createdAt: iso(r.createdAt),
      })),
  }),
  tableKind({
    name: "companion_summaries",
    table: companionSummaries,
    tableName: "companion_summaries",
    subject: companionSummaries.patientId,
    retention: "health",
    exportRows: async ({ db, subjectId, cipher }) =>
      Promise.all(
        (await db.select().from(companionSummaries).where(eq(companionSummaries.patientId, subjectId))).map(
          async (r) => ({
            aiGenerated: true,
            summary: JSON.parse((await open(cipher, "companion.summary", r.contentEnc)) ?? "null"),
            windowStart: iso(r.windowStart),
            windowEnd: iso(r.windowEnd),
            model: r.model,
            promptVersion: r.promptVersion,
            createdAt: iso(r.createdAt),
          }),
        ),
      ),
  }),
  tableKind({
    name: "notification_preferences",
    table: notificationPreferences,
    tableName: "notification_preferences",
    subject: notificationPreferences.userId,
    retention: "account",
    exportRows: async ({ db, subjectId }) =>
      (
        await db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, subjectId))
      ).map((r) => ({ eventType: r.eventType, channel: r.channel, enabled: r.enabled, digest: r.digest })),
  }),
  tableKind({
    name: "profile",
    table: profiles,
    tableName: "profiles",
    subject: profiles.userId,
    retention: "account",
    exportRows: async ({ db, subjectId, cipher }) => {
      const rows = await db.select().from(profiles).where(eq(profiles.userId, subjectId));
      return Promise.all(
        rows.map(async (r) => ({
          legalName: await open(cipher, "legal_name", r.legalNameEnc),
          dateOfBirth: await open(cipher, "date_of_birth", r.dateOfBirthEnc),
          phone: await open(cipher, "phone", r.phoneEnc),
          emergencyContact: JSON.parse(
            (await open(cipher, "emergency_contact", r.emergencyContactEnc)) ?? "null",
          ),
          updatedAt: iso(r.updatedAt),
        })),
      );
    },
    // The profile is folded into the Patient resource (see export's patientResource).
  }),
  tableKind({
    name: "consents",
    table: consents,
    tableName: "consents",
    subject: consents.userId,
    retention: "account",
    exportRows: async ({ db, subjectId }) =>
      (
        await db
          .select()
          .from(consents)
          .where(eq(consents.userId, subjectId))
          .orderBy(asc(consents.grantedAt))
      ).map((r) => ({
        id: r.id,
        kind: r.kind,
        policyVersion: r.policyVersion,
        grantedAt: iso(r.grantedAt),
        withdrawnAt: iso(r.withdrawnAt),
      })),
    fhir: (rows, { patientRef }) =>
      rows.map((r) => ({
        resourceType: "Consent",
        id: String(r.id),
        status: r.withdrawnAt ? "inactive" : "active",
        scope: {
          coding: [{ system: "http://terminology.hl7.org/CodeSystem/consentscope", code: "patient-privacy" }],
        },
        category: [{ text: String(r.kind) }],
        patient: ref(patientRef),
        dateTime: String(r.grantedAt),
        policyRule: { text: `Haven policy ${r.policyVersion}` },
        provision: {
          period: { start: String(r.grantedAt), ...(r.withdrawnAt ? { end: String(r.withdrawnAt) } : {}) },
        },
      })),
  }),
  tableKind({
    name: "chat_messages",
    table: chatMessages,
    tableName: "chat_messages",
    subject: chatMessages.userId,
    created: chatMessages.createdAt,
    retention: "chat",
    exportRows: async ({ db, subjectId, cipher }) => {
      const rows = await db
        .select()
        .from(chatMessages)
        .where(eq(chatMessages.userId, subjectId))
        .orderBy(asc(chatMessages.seq));
      return Promise.all(
        rows.map(async (r) => ({
          id: r.id,
          seq: r.seq,
          role: r.role,
          authorId: r.authorId,
          content: await open(cipher, "chat.content", r.contentEnc),
          crisis: r.crisis,
          createdAt: iso(r.createdAt),
        })),
      );
    },
    fhir: (rows, { patientRef }) =>
      rows.map((r) => ({
        resourceType: "Communication",
        id: String(r.id),
        status: "completed",
        subject: ref(patientRef),
        sent: String(r.createdAt),
        ...(r.role === "user" ? { sender: ref(patientRef) } : {}),
        category: [{ text: `chat:${r.role}` }],
        payload: [{ contentString: r.content === null ? "[unreadable: key destroyed]" : String(r.content) }],
      })),
  }),
  tableKind({
    name: "chat_sharing",
    table: chatSharing,
    tableName: "chat_sharing",
    subject: chatSharing.userId,
    retention: "account",
    exportRows: async ({ db, subjectId }) =>
      (await db.select().from(chatSharing).where(eq(chatSharing.userId, subjectId))).map((r) => ({
        full: r.full,
        updatedAt: iso(r.updatedAt),
      })),
  }),
  tableKind({
    name: "risk_events",
    table: riskEvents,
    tableName: "risk_events",
    subject: riskEvents.userId,
    retention: "health",
    exportRows: async ({ db, subjectId }) =>
      (
        await db
          .select()
          .from(riskEvents)
          .where(eq(riskEvents.userId, subjectId))
          .orderBy(asc(riskEvents.createdAt))
      ).map((r) => ({
        id: r.id,
        seq: r.seq,
        severity: r.severity,
        categories: r.categories,
        ruleIds: r.ruleIds,
        source: r.source,
        createdAt: iso(r.createdAt),
      })),
    fhir: (rows, { patientRef }) =>
      rows.map((r) => ({
        resourceType: "RiskAssessment",
        id: String(r.id),
        status: "final",
        subject: ref(patientRef),
        occurrenceDateTime: String(r.createdAt),
        method: { text: `Haven safety net (${r.source})` },
        prediction: [
          { outcome: { text: "suicide or self-harm risk" }, qualitativeRisk: { text: String(r.severity) } },
        ],
      })),
  }),
  tableKind({
    name: "screener_responses",
    table: screenerResponses,
    tableName: "screener_responses",
    subject: screenerResponses.userId,
    retention: "health",
    exportRows: async ({ db, subjectId, cipher }) => {
      const rows = await db
        .select()
        .from(screenerResponses)
        .where(eq(screenerResponses.userId, subjectId))
        .orderBy(asc(screenerResponses.createdAt));
      return Promise.all(
        rows.map(async (r) => ({
          id: r.id,
          instrument: r.instrument,
          risk: r.risk,
          answers: JSON.parse((await open(cipher, `screener.answers:${r.id}`, r.answersEnc)) ?? "null"),
          createdAt: iso(r.createdAt),
        })),
      );
    },
    fhir: (rows, { patientRef }) =>
      rows.map((r) => {
        const answers = (r.answers ?? {}) as Record<string, unknown>;
        const item = Object.entries(answers).map(([linkId, v]) => ({
          linkId,
          answer: [typeof v === "boolean" ? { valueBoolean: v } : { valueString: String(v) }],
        }));
        return {
          resourceType: "QuestionnaireResponse",
          id: String(r.id),
          status: "completed",
          questionnaire: `https://haven.example/fhir/Questionnaire/${r.instrument}`,
          subject: ref(patientRef),
          authored: String(r.createdAt),
          ...(item.length > 0 ? { item } : {}),
        };
      }),
  }),
  tableKind({
    name: "notifications",
    table: notifications,
    tableName: "notifications",
    subject: notifications.patientId,
    retention: "health",
    exportRows: async ({ db, subjectId }) =>
      (await db.select().from(notifications).where(eq(notifications.patientId, subjectId))).map((r) => ({
        id: r.id,
        kind: r.kind,
        severity: r.severity,
        status: r.status,
        createdAt: iso(r.createdAt),
      })),
  }),
  tableKind({
    name: "care_alerts",
    table: careAlerts,
    tableName: "care_alerts",
    subject: careAlerts.patientId,
    retention: "health",
    exportRows: async ({ db, subjectId }) =>
      (await db.select().from(careAlerts).where(eq(careAlerts.patientId, subjectId))).map((r) => ({
        id: r.id,
        clinicianId: r.clinicianId,
        severity: r.severity,
        createdAt: iso(r.createdAt),
        acknowledgedAt: iso(r.acknowledgedAt),
      })),
    fhir: (rows, { patientRef }) =>
      rows.map((r) => ({
        resourceType: "Flag",
        id: String(r.id),
        status: r.acknowledgedAt ? "inactive" : "active",
        code: { text: `crisis alert (${r.severity})` },
        subject: ref(patientRef),
        period: {
          start: String(r.createdAt),
          ...(r.acknowledgedAt ? { end: String(r.acknowledgedAt) } : {}),
        },
      })),
  }),
  tableKind({
    name: "care_team",
    table: careTeam,
    tableName: "care_team",
    subject: careTeam.patientId,
    retention: "health",
    exportRows: async ({ db, subjectId }) =>
      (await db.select().from(careTeam).where(eq(careTeam.patientId, subjectId))).map((r) => ({
        id: r.id,
        clinicianId: r.clinicianId,
        status: r.status,
        createdAt: iso(r.createdAt),
        updatedAt: iso(r.updatedAt),
      })),
    fhir: (rows, { patientRef }) =>
      rows.map((r) => ({
        resourceType: "CareTeam",
        id: String(r.id),
        status: r.status === "active" ? "active" : r.status === "removed" ? "inactive" : "proposed",
        subject: ref(patientRef),
        participant: [{ member: { reference: `Practitioner/${r.clinicianId}` } }],
      })),
  }),
  tableKind({
    name: "break_glass",
    table: breakGlass,
    tableName: "break_glass",
    subject: breakGlass.patientId,
    retention: "health",
    exportRows: async ({ db, subjectId, cipher }) => {
      const rows = await db.select().from(breakGlass).where(eq(breakGlass.patientId, subjectId));
      return Promise.all(
        rows.map(async (r) => ({
          id: r.id,
          actorId: r.actorId,
          actorRole: r.actorRole,
          reason: await open(cipher, `break_glass_reason:${r.id}`, r.reasonEnc),
          createdAt: iso(r.createdAt),
          expiresAt: iso(r.expiresAt),
        })),
      );
    },
  }),
  tableKind({
    name: "sessions",
    table: sessions,
    tableName: "sessions",
    subject: sessions.userId,
    retention: "account",
    exportRows: async ({ db, subjectId }) =>
      (await db.select().from(sessions).where(eq(sessions.userId, subjectId))).map((r) => ({
        id: r.id,
        userAgent: r.userAgent,
        mfa: r.mfa,
        createdAt: iso(r.createdAt),
        lastUsedAt: iso(r.lastUsedAt),
        revokedAt: iso(r.revokedAt),
      })),
  }),
  tableKind({
    name: "recovery_codes",
    table: recoveryCodes,
    tableName: "recovery_codes",
    subject: recoveryCodes.userId,
    retention: "account",
    // Hashes of one-time codes: their existence is reported, never their values.
    exportRows: async ({ db, subjectId }) => {
      const rows = await db
        .select({ used: recoveryCodes.usedAt })
        .from(recoveryCodes)
        .where(eq(recoveryCodes.userId, subjectId));
      return [{ codes: rows.length, used: rows.filter((r) => r.used).length }];
    },
  }),
  tableKind({
    name: "email_tokens",
    table: emailTokens,
    tableName: "email_tokens",
    subject: emailTokens.userId,
    retention: "account",
    exportRows: async ({ db, subjectId }) =>
      (await db.select().from(emailTokens).where(eq(emailTokens.userId, subjectId))).map((r) => ({
        purpose: r.purpose,
        createdAt: iso(r.createdAt),
        usedAt: iso(r.usedAt),
      })),
  }),
];

export type { DataKind, FhirResource };
