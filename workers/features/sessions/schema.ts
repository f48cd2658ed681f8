import { z } from "@hono/zod-openapi";
import { NOTE_FORMATS, SESSION_STATUSES } from "../../db/schema/sessions";

export { AvailabilitySchema } from "./availability";

const Id = z.uuid();
export const SessionIdParam = z.object({ id: Id.openapi({ param: { name: "id", in: "path" } }) });
export const ClinicianIdParam = z.object({
  clinicianId: Id.openapi({ param: { name: "clinicianId", in: "path" } }),
});

export const SlotsQuery = z.object({
  sessionType: z.string().min(1).max(32),
  from: z.iso.date(),
  to: z.iso.date(),
});

export const Slots = z
  .object({
    clinicianId: Id,
    timeZone: z.string().openapi({ description: "The clinician's zone; show slots in your own" }),
    sessionType: z.string(),
    minutes: z.number().int(),
    slots: z.array(z.object({ start: z.iso.datetime(), end: z.iso.datetime() })),
  })
  .openapi("Slots");

export const BookingRequest = z
  .object({
    clinicianId: Id.optional().openapi({ description: "Required when a patient books" }),
    patientId: Id.optional().openapi({ description: "Required when a clinician books for a patient" }),
    sessionType: z.string().min(1).max(32),
    start: z.iso.datetime({ offset: true }),
  })
  .strict()
  .openapi("BookingRequest");
export type BookingRequest = z.infer<typeof BookingRequest>;

export const Reason = z.string().trim().min(1).max(500);
export const CancelRequest = z.object({ reason: Reason }).strict();
export const RescheduleRequest = z
  .object({ start: z.iso.datetime({ offset: true }), reason: Reason })
  .strict();
export const MarkRequest = z.object({ status: z.enum(["completed", "no_show"]) }).strict();

export const Session = z
  .object({
    id: Id,
    patientId: Id,
    clinicianId: Id,
    sessionType: z.string(),
    start: z.iso.datetime(),
    end: z.iso.datetime(),
    status: z.enum(SESSION_STATUSES),
    lateCancel: z.boolean(),
    cancelledBy: Id.nullable(),
    cancelReason: z.string().nullable(),
    rescheduledFrom: Id.nullable(),
  })
  .openapi("TherapySession");
export type Session = z.infer<typeof Session>;

export const SessionList = z.object({ sessions: z.array(Session) }).openapi("TherapySessionList");
export const CalendarQuery = z.object({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
});
export const Reminders = z
  .object({ missingNotes: z.array(z.object({ sessionId: Id, patientId: Id, endedAt: z.iso.datetime() })) })
  .openapi("MissingNoteReminders");

/** The sections of each progress-note format. */
export const NOTE_SECTIONS = {
  soap: ["subjective", "objective", "assessment", "plan"],
  dap: ["data", "assessment", "plan"],
  birp: ["behavior", "intervention", "response", "plan"],
} as const satisfies Record<(typeof NOTE_FORMATS)[number], readonly string[]>;

export const RiskAssessment = z
  .object({
    suicidalIdeation: z.enum(["none", "passive", "active"]),
    selfHarm: z.enum(["none", "past", "current"]),
    harmToOthers: z.enum(["none", "present"]),
    level: z.enum(["low", "moderate", "high"]),
    safetyPlan: z.string().max(4000).default(""),
  })
  .strict()
  .openapi("NoteRiskAssessment");

const SectionText = z.string().max(20_000);
export const NoteContent = z
  .object({
    format: z.enum(NOTE_FORMATS),
    sections: z.record(z.string(), SectionText),
    risk: RiskAssessment,
  })
  .strict()
  .superRefine((n, ctx) => {
    const want: readonly string[] = NOTE_SECTIONS[n.format];
    for (const key of Object.keys(n.sections))
      if (!want.includes(key))
        ctx.addIssue({ code: "custom", path: ["sections", key], message: `not a ${n.format} section` });
  })
  .openapi("NoteContent");
export type NoteContent = z.infer<typeof NoteContent>;

export const Note = z
  .object({
    sessionId: Id,
    patientId: Id,
    format: z.enum(NOTE_FORMATS),
    sections: z.record(z.string(), z.string()),
    risk: RiskAssessment,
    aiGenerated: z.boolean(),
    status: z.enum(["draft", "signed"]),
    version: z.number().int(),
    signedAt: z.iso.datetime().nullable(),
    signedBy: Id.nullable(),
    addenda: z.array(z.object({ id: Id, authorId: Id, text: z.string(), createdAt: z.iso.datetime() })),
  })
  .openapi("ProgressNote");
export type Note = z.infer<typeof Note>;

export const AddendumRequest = z.object({ text: z.string().trim().min(1).max(10_000) }).strict();
export const AiDraftRequest = z
  .object({
    format: z.enum(NOTE_FORMATS),
    bullets: z.string().trim().min(1).max(10_000),
    transcript: z.string().max(200_000).optional(),
  })
  .strict();
export const PsychotherapyNote = z
  .object({ sessionId: Id, text: z.string(), updatedAt: z.iso.datetime().nullable() })
  .openapi("PsychotherapyNote");
export const PsychotherapyRequest = z.object({ text: z.string().max(50_000) }).strict();

export const VisitTicket = z
  .object({
    ticket: z.string(),
    role: z.enum(["patient", "clinician"]),
    iceServers: z.array(
      z.object({
        urls: z.union([z.string(), z.array(z.string())]),
        username: z.string().optional(),
        credential: z.string().optional(),
      }),
    ),
    opensAt: z.iso.datetime(),
    closesAt: z.iso.datetime(),
  })
  .openapi("VisitTicket");
