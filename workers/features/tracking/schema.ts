import { z } from "@hono/zod-openapi";
import { DOSE_STATUSES, EMOTION_TAGS, SYMPTOM_TAGS, TRACKING_KINDS } from "../../db/schema/tracking";
import { isTimeZone } from "../notifications/rules";

const note = (max = 2000) =>
  z.string().trim().min(1).max(max).optional().openapi({ description: "Encrypted with your key" });
const score = (what: string) => z.number().int().min(0).max(10).openapi({ description: what });
const recordedAt = z.iso
  .datetime({ offset: true })
  .optional()
  .openapi({ description: "When it happened (default now); not in the future" });
const shared = z.boolean().optional().openapi({
  description: "Show the note to your care team (scores and tags are always visible to them)",
});

export const MoodInput = z
  .object({
    kind: z.literal("mood"),
    score: score("How you feel, 0 (worst) to 10 (best)"),
    tags: z.array(z.enum(EMOTION_TAGS)).max(EMOTION_TAGS.length).optional(),
    note: note(),
    shared,
    recordedAt,
  })
  .strict();
export const SymptomInput = z
  .object({
    kind: z.literal("symptom"),
    score: score("Severity, 0 (none) to 10 (worst)"),
    tags: z.array(z.enum(SYMPTOM_TAGS)).min(1).max(SYMPTOM_TAGS.length),
    note: note(),
    shared,
    recordedAt,
  })
  .strict();
export const SleepInput = z
  .object({
    kind: z.literal("sleep"),
    hours: z.number().min(0).max(24).openapi({ description: "Hours slept (quarter hours kept)" }),
    score: score("Sleep quality, 0 (worst) to 10 (best)"),
    note: note(),
    shared,
    recordedAt,
  })
  .strict();
export const JournalInput = z
  .object({ kind: z.literal("journal"), note: z.string().trim().min(1).max(20000), shared, recordedAt })
  .strict();

export const EntryInput = z
  .discriminatedUnion("kind", [MoodInput, SymptomInput, SleepInput, JournalInput])
  .openapi("TrackingEntryInput");
export type EntryInput = z.infer<typeof EntryInput>;

export const EntryUpdate = z
  .object({
    score: z.number().int().min(0).max(10).optional(),
    hours: z.number().min(0).max(24).optional(),
    tags: z.array(z.string()).max(20).optional(),
    note: z.string().trim().max(20000).nullable().optional().openapi({ description: "null removes it" }),
    shared: z.boolean().optional(),
    recordedAt,
  })
  .strict()
  .openapi("TrackingEntryUpdate");
export type EntryUpdate = z.infer<typeof EntryUpdate>;

export const Signal = z
  .object({ kind: z.enum(["missed_medication", "mood_drop"]), severity: z.enum(["low", "moderate"]) })
  .openapi("RiskSignal");

export const CrisisHelp = z
  .object({
    severity: z.enum(["elevated", "high", "imminent"]),
    message: z.string().openapi({ description: "The fixed crisis response (no model wrote it)" }),
    careTeamAlerted: z
      .boolean()
      .openapi({ description: "Whether your care team was alerted (never with your words)" }),
    resources: z.array(
      z.object({
        name: z.string(),
        phone: z.string().optional(),
        text: z.string().optional(),
        url: z.string().optional(),
        available: z.string(),
      }),
    ),
  })
  .openapi("CrisisHelp", {
    description:
      "Set when the safety net found crisis language in the note you just wrote: help to reach now, in your region",
  });
export type CrisisHelp = z.infer<typeof CrisisHelp>;

export const Entry = z
  .object({
    id: z.uuid(),
    kind: z.enum(TRACKING_KINDS),
    score: z.number().int().nullable(),
    hours: z.number().nullable(),
    tags: z.array(z.string()),
    note: z.string().nullable().openapi({ description: "Null when none, or not shared with you" }),
    shared: z.boolean(),
    recordedAt: z.string(),
    updatedAt: z.string(),
    signal: Signal.nullable().optional().openapi({ description: "Set when this entry raised a signal" }),
    crisis: CrisisHelp.nullable().optional(),
  })
  .openapi("TrackingEntry");
export type Entry = z.infer<typeof Entry>;

export const Entries = z
  .object({ patientId: z.uuid(), entries: z.array(Entry).openapi({ description: "Newest first" }) })
  .openapi("TrackingEntries");

export const EntriesQuery = z.object({
  kind: z
    .enum(TRACKING_KINDS)
    .optional()
    .openapi({ param: { name: "kind", in: "query" } }),
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(366)
    .default(30)
    .openapi({ param: { name: "days", in: "query" } }),
});

export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });
export const PatientIdParam = z.object({
  patientId: z.uuid().openapi({ param: { name: "patientId", in: "path" } }),
});

const reminderTimes = z
  .array(z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "HH:MM, 24-hour"))
  .max(8)
  .refine((t) => new Set(t).size === t.length, "each time once")
  .openapi({
    example: ["08:00", "20:00"],
    description: "Local dose times: a reminder (never naming the medication) fires at each, every day",
  });
const reminderTimeZone = z
  .string()
  .min(1)
  .max(64)
  .refine(isTimeZone, "an IANA time zone such as Europe/Berlin")
  .openapi({
    example: "Europe/Berlin",
    description: "Zone of reminderTimes (default: your notification settings' zone)",
  });

export const MedicationInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    dose: z.string().trim().min(1).max(200).optional().openapi({ example: "50 mg" }),
    schedule: z.string().trim().min(1).max(500).optional().openapi({ example: "Every morning with food" }),
    dosesPerDay: z.number().int().min(1).max(12).default(1),
    reminderTimes: reminderTimes.optional(),
    reminderTimeZone: reminderTimeZone.optional(),
  })
  .strict()
  .openapi("MedicationInput");
export type MedicationInput = z.infer<typeof MedicationInput>;

export const MedicationUpdate = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    dose: z.string().trim().max(200).nullable().optional(),
    schedule: z.string().trim().max(500).nullable().optional(),
    dosesPerDay: z.number().int().min(1).max(12).optional(),
    active: z.boolean().optional(),
    reminderTimes: reminderTimes.optional(),
    reminderTimeZone: reminderTimeZone.nullable().optional(),
  })
  .strict()
  .openapi("MedicationUpdate");
export type MedicationUpdate = z.infer<typeof MedicationUpdate>;

export const DoseInput = z
  .object({
    status: z.enum(DOSE_STATUSES),
    reason: z.string().trim().min(1).max(500).optional().openapi({ description: "Why (encrypted)" }),
    recordedAt,
  })
  .strict()
  .openapi("DoseInput");
export type DoseInput = z.infer<typeof DoseInput>;

export const Dose = z
  .object({
    id: z.uuid(),
    medicationId: z.uuid(),
    status: z.enum(DOSE_STATUSES),
    reason: z.string().nullable(),
    recordedAt: z.string(),
    signal: Signal.nullable().optional(),
  })
  .openapi("MedicationDose");
export type Dose = z.infer<typeof Dose>;

export const Medication = z
  .object({
    id: z.uuid(),
    name: z.string(),
    dose: z.string().nullable(),
    schedule: z.string().nullable(),
    dosesPerDay: z.number().int(),
    active: z.boolean(),
    reminderTimes: z.array(z.string()),
    reminderTimeZone: z.string().nullable(),
    recentDoses: z.array(Dose).openapi({ description: "Last 30 days, newest first" }),
    adherence: z
      .number()
      .nullable()
      .openapi({ description: "Share of logged doses taken in the last 30 days (null: none logged)" }),
  })
  .openapi("Medication");
export type Medication = z.infer<typeof Medication>;

export const Medications = z
  .object({ patientId: z.uuid(), medications: z.array(Medication) })
  .openapi("Medications");
