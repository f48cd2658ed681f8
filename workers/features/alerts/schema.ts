import { z } from "@hono/zod-openapi";
import { IdSchema } from "../../lib/vocabulary";

export const AlertIdParam = z.object({
  id: IdSchema.openapi({ param: { name: "id", in: "path" } }),
});

export const CareAlert = z
  .object({
    id: IdSchema,
    patientId: IdSchema,
    severity: z.string(),
    createdAt: z.string().openapi({ description: "When the crisis was detected and recorded" }),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: IdSchema.nullable(),
  })
  .openapi("CareAlert", { description: "A crisis alert in a clinician's inbox: ids and severity only" });

export const CareAlerts = z
  .object({ alerts: z.array(CareAlert).openapi({ description: "Unacknowledged, newest first" }) })
  .openapi("CareAlerts");
