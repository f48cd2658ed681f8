import { z } from "@hono/zod-openapi";
import { IdSchema, RegionSchema as Region } from "../../lib/vocabulary";

const Outcome = z.enum(["success", "denied", "failure"]);
const limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);
/** Keyset cursor: the id of the last entry on the previous page (ids descend). */
const cursor = z
  .string()
  .regex(/^[1-9]\d{0,14}$/, "Must be a cursor returned by a previous page")
  .optional();
const instant = z.iso.datetime({ offset: true }).optional();

export const AuditQuery = z
  .object({
    region: Region,
    actorId: IdSchema.optional(),
    patientId: IdSchema.optional(),
    action: z
      .string()
      .regex(/^[a-z_]+(\.[a-z_]+)*$/, "Must be an action name such as profile.read")
      .max(64)
      .optional(),
    outcome: Outcome.optional(),
    from: instant,
    to: instant,
    limit: limit(200, 50),
    cursor,
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
    path: ["to"],
    message: "Must not be earlier than from",
  });
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditEntry = z
  .object({
    id: z.number().int(),
    at: z.iso.datetime(),
    actorId: IdSchema.nullable(),
    actorRole: z.string().nullable(),
    action: z.string(),
    resourceType: z.string(),
    resourceId: z.string().nullable(),
    patientId: IdSchema.nullable(),
    outcome: Outcome,
    requestId: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  })
  .openapi("AuditEntry");

export const AuditPage = z
  .object({ entries: z.array(AuditEntry), nextCursor: z.string().nullable() })
  .openapi("AuditPage");

export const VerifyQuery = z.object({ region: Region });

export const ChainStatus = z
  .object({
    region: Region,
    intact: z.boolean(),
    brokenId: z.number().int().optional().openapi({ description: "The first row that does not verify" }),
    problem: z.string().optional().openapi({
      description:
        "link: prev_hash is not the previous row's hash (or the latest checkpoint's); hash: the row was altered; truncated: no row after the latest checkpoint; checkpoint:<sequence|link|total|region|key|mac>: a retention checkpoint does not verify (brokenId is its seq)",
    }),
    rows: z.number().int(),
    checkpoints: z
      .number()
      .int()
      .openapi({ description: "Retention checkpoints (anchored prunes) verified" }),
    prunedTotal: z.number().int().openapi({ description: "Rows pruned by retention, per the checkpoints" }),
    macChecked: z.boolean(),
  })
  .openapi("AuditChainStatus");

export const ReportQuery = z.object({ limit: limit(500, 100), cursor });
export type ReportQuery = z.infer<typeof ReportQuery>;

export const AccessEntry = z
  .object({
    actorId: IdSchema.nullable(),
    actorRole: z.string().nullable(),
    action: z.string(),
    resourceType: z.string(),
    outcome: Outcome,
    at: z.iso.datetime(),
    breakGlass: z.boolean().openapi({ description: "The actor held an emergency (break-glass) grant" }),
    actorName: z.string().nullable().openapi({ description: "The person's display name (null if unknown)" }),
    who: z.string().openapi({ example: "Dr Lee (clinician)" }),
    what: z.string().openapi({ example: "read your profile" }),
    allowed: z.boolean().openapi({ description: "false when the access was refused" }),
    summary: z.string().openapi({ example: "Dr Lee (clinician) read your profile: allowed." }),
  })
  .openapi("AccessReportEntry");

export const AccessReport = z
  .object({ entries: z.array(AccessEntry), nextCursor: z.string().nullable() })
  .openapi("AccessReport");
