import { asc, eq } from "drizzle-orm";
import {
  breakGlass,
  careAlerts,
  careTeam,
  chatMessages,
  chatSharing,
  consents,
  emailTokens,
  notifications,
  profiles,
  recoveryCodes,
  riskEvents,
  screenerResponses,
  sessions,
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
