import { z } from "@hono/zod-openapi";
import { RegionSchema } from "../../lib/vocabulary";

export const DataRequest = z
  .object({
    id: z.uuid(),
    patientId: z.uuid().openapi({ description: "The subject; after an erasure, their audit pseudonym" }),
    kind: z.enum(["export", "erasure"]),
    status: z.enum([
      "queued",
      "running",
      "ready",
      "expired",
      "pending",
      "cancelled",
      "held",
      "completed",
      "failed",
    ]),
    requestedBy: z.uuid(),
    requestedAt: z.iso.datetime(),
    dueAt: z.iso.datetime().nullable().openapi({ description: "Erasure: end of the cooling-off period" }),
    startedAt: z.iso.datetime().nullable(),
    completedAt: z.iso.datetime().nullable(),
    expiresAt: z.iso.datetime().nullable().openapi({ description: "Export: when the files are deleted" }),
    includeNotes: z.boolean(),
    result: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: "Export manifest (counts) or erasure certificate (stores, counts; no PHI)" }),
    error: z.string().nullable(),
    downloads: z
      .object({ json: z.string(), fhir: z.string() })
      .nullable()
      .openapi({ description: "Signed download paths, valid 15 minutes (sign-in still required)" }),
  })
  .openapi("DataRequest");

export const DataRequestList = z.object({ requests: z.array(DataRequest) }).openapi("DataRequestList");

export const ExportInput = z
  .object({
    includeNotes: z
      .boolean()
      .default(false)
      .openapi({ description: "Include psychotherapy notes (excluded by default, as HIPAA allows)" }),
  })
  .strict();

export const IdParam = z.object({ id: z.uuid() });
export const PatientParam = z.object({ patientId: z.uuid() });
export const RegionQuery = z.object({ region: RegionSchema });
export const OptionalRegion = z.object({ region: RegionSchema.optional() });

export const DownloadQuery = z.object({
  format: z.enum(["json", "fhir"]),
  exp: z.coerce.number().int().positive(),
  sig: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/),
  region: RegionSchema.optional(),
});

export const LegalHold = z
  .object({
    id: z.uuid(),
    patientId: z.uuid(),
    reason: z.string(),
    placedBy: z.uuid(),
    placedAt: z.iso.datetime(),
    releasedAt: z.iso.datetime().nullable(),
    releasedBy: z.uuid().nullable(),
  })
  .openapi("LegalHold");
export const LegalHoldList = z.object({ holds: z.array(LegalHold) }).openapi("LegalHoldList");
export const HoldInput = z
  .object({
    patientId: z.uuid(),
    reason: z
      .string()
      .trim()
      .min(3)
      .max(200)
      .openapi({ description: "A legal reference (case or regulator number), never clinical details" }),
  })
  .strict();

export const Control = z
  .object({
    id: z.string(),
    title: z.string(),
    status: z.enum(["pass", "fail", "not_applicable"]),
    evidence: z.record(z.string(), z.unknown()),
  })
  .openapi("ComplianceControl");
export const Compliance = z
  .object({ evaluatedAt: z.iso.datetime(), score: z.number(), controls: z.array(Control) })
  .openapi("Compliance");

export const JobRun = z
  .object({
    id: z.uuid(),
    job: z.string(),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    durationMs: z.number().int(),
    outcome: z.enum(["success", "failure"]),
    counts: z.record(z.string(), z.unknown()),
    error: z.string().nullable(),
  })
  .openapi("JobRun");
export const JobRunList = z.object({ runs: z.array(JobRun) }).openapi("JobRunList");
export const JobResult = z
  .object({
    retention: z.array(z.record(z.string(), z.unknown())),
    erasures: z.object({ ran: z.number(), completed: z.number() }),
  })
  .openapi("LifecycleRunResult");

export const LedgerReapplyResult = z
  .object({ region: RegionSchema, reErased: z.number().int() })
  .openapi("ErasureLedgerReapplyResult");
