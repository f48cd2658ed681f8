import { z } from "@hono/zod-openapi";
import { IdSchema } from "../../lib/vocabulary";

export const AlertIdParam = z.object({
  id: IdSchema.openapi({ param: { name: "id", in: "path" } }),
});

export const CareAlert = z
  .object({
    id: IdSchema,
    patientId: IdSchema,
    patientName: z.string().optional().openapi({ description: "The patient's display name (inbox lists)" }),
    severity: z.string(),
    createdAt: z.string().openapi({ description: "When the crisis was detected and recorded" }),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: IdSchema.nullable(),
  })
  .openapi("CareAlert", {
    description: "A crisis alert in a clinician's inbox: ids, the patient's display name and severity",
  });

export const CareAlerts = z
  .object({ alerts: z.array(CareAlert).openapi({ description: "Unacknowledged, newest first" }) })
  .openapi("CareAlerts");

export const NoteInput = z
  .object({ note: z.string().trim().min(1).max(4000) })
  .strict()
  .openapi("AlertNoteInput");

export const EscalateInput = z
  .object({
    clinicianId: z.uuid().optional(),
    email: z.email().max(320).optional(),
    reason: z
      .string()
      .trim()
      .min(10)
      .max(1000)
      .openapi({ description: "Why; recorded as the break-glass reason" }),
  })
  .strict()
  .refine((v) => Boolean(v.clinicianId) !== Boolean(v.email), {
    message: "Give the colleague's clinicianId or email (one of them)",
    path: ["clinicianId"],
  })
  .openapi("AlertEscalateInput");
export type EscalateInput = z.infer<typeof EscalateInput>;

export const AlertAction = z
  .object({
    id: z.uuid(),
    kind: z.enum(["note", "escalation", "realert"]),
    at: z.string(),
    authorId: z.uuid().nullable(),
    authorName: z.string().nullable(),
    targetId: z.uuid().nullable(),
    targetName: z.string().nullable(),
    note: z.string().nullable(),
  })
  .openapi("AlertAction");

export const AlertDetail = z
  .object({
    id: z.uuid(),
    patientId: z.uuid(),
    patientName: z.string(),
    severity: z.string(),
    createdAt: z.string(),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: z.uuid().nullable(),
    acknowledgedByName: z.string().nullable(),
    actions: z.array(AlertAction).openapi({ description: "Notes, escalations and re-alerts, oldest first" }),
  })
  .openapi("AlertDetail");
export type AlertDetail = z.infer<typeof AlertDetail>;
