import { z } from "@hono/zod-openapi";
import { TIMELINE_KINDS } from "../../lib/care-data/timeline";

const Filter = z.enum(["all", "alerts", "overdue", "worse", "signals"]).default("all");

/** The GET's query: a filter only (a name never goes in a URL; search with the POST). */
export const CaseloadFilter = z.object({
  filter: Filter.openapi({ param: { name: "filter", in: "query" } }),
});

/** A search: part of a patient's name (in the body, never the URL) and a filter. */
export const CaseloadQuery = z
  .object({
    q: z.string().trim().max(100).optional().openapi({ description: "Part of a patient's name" }),
    filter: Filter,
  })
  .strict()
  .openapi("CaseloadSearch");
export type CaseloadQuery = z.infer<typeof CaseloadQuery>;

export const ScoreSummary = z
  .object({
    instrument: z.string(),
    total: z.number().int(),
    band: z.string(),
    previousTotal: z.number().int().nullable(),
    trend: z
      .enum(["up", "down", "same", "first"])
      .openapi({ description: "Of the total against the previous score" }),
    change: z.enum(["improved", "no_reliable_change", "worse"]).nullable(),
    submittedAt: z.string(),
  })
  .openapi("ScoreSummary");

export const CaseloadPatient = z
  .object({
    patientId: z.uuid(),
    name: z.string(),
    riskScore: z.number().int().openapi({ description: "Higher is more urgent; see `reasons`" }),
    reasons: z
      .array(z.string())
      .openapi({ description: "Why the patient is ranked here, most urgent first" }),
    unacknowledgedAlerts: z.number().int(),
    lastCrisisAt: z.string().nullable(),
    signals: z
      .number()
      .int()
      .openapi({ description: "Mood drops and missed-medication streaks, last 14 days" }),
    scores: z.array(ScoreSummary),
    overdue: z.array(z.string()).openapi({ description: "Instruments overdue" }),
    due: z.array(z.string()).openapi({ description: "Instruments due now" }),
    lastEntryAt: z.string().nullable(),
  })
  .openapi("CaseloadPatient");
export type CaseloadPatient = z.infer<typeof CaseloadPatient>;

export const Caseload = z
  .object({
    patients: z.array(CaseloadPatient).openapi({ description: "Most urgent first" }),
    total: z.number().int().openapi({ description: "Patients on your care teams before filtering" }),
  })
  .openapi("Caseload");

export const TimelineEvent = z
  .object({
    id: z.string(),
    kind: z.enum(TIMELINE_KINDS),
    at: z.string(),
    severity: z.string().nullable(),
    title: z.string().openapi({ description: "Plain-language summary (no free text of the patient)" }),
    actorId: z.uuid().nullable(),
    actorName: z.string().nullable(),
    note: z.string().nullable().openapi({ description: "A clinician's follow-up note (alert_note only)" }),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi("TimelineEvent");
export type TimelineEvent = z.infer<typeof TimelineEvent>;

export const Timeline = z
  .object({ patientId: z.uuid(), events: z.array(TimelineEvent).openapi({ description: "Newest first" }) })
  .openapi("Timeline");

export const TimelineQuery = z.object({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(730)
    .default(90)
    .openapi({ param: { name: "days", in: "query" } }),
});
export const PatientIdParam = z.object({
  patientId: z.uuid().openapi({ param: { name: "patientId", in: "path" } }),
});
