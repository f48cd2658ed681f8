import { z } from "@hono/zod-openapi";

export const OutcomesQuery = z.object({
  instrument: z
    .enum(["phq-9", "gad-7"])
    .default("phq-9")
    .openapi({ param: { name: "instrument", in: "query" } }),
  months: z.coerce
    .number()
    .int()
    .min(1)
    .max(24)
    .default(6)
    .openapi({ param: { name: "months", in: "query" } }),
});
export type OutcomesQuery = z.infer<typeof OutcomesQuery>;

const share = (description: string) =>
  z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .openapi({ description: `${description} (null: no one to count)` });

export const OutcomeMonth = z
  .object({
    month: z.string().openapi({ example: "2026-11" }),
    patients: z.number().int(),
    measured: z
      .number()
      .int()
      .openapi({ description: "Patients with at least two scores by the month's end" }),
    reliableImprovement: share("Of `measured`: first − latest ≥ the reliable-change threshold"),
    response: share("Of `measured`: latest ≤ half the first score"),
    remission: share("Of patients with a score: latest below the remission cut-off"),
    completion: share("Of patients with an assessment assigned that month: any submitted in the month"),
    engagement: share("Of all patients: any self-tracking entry in the month"),
  })
  .openapi("OutcomeMonth");

export const Outcomes = z
  .object({
    scope: z.enum(["clinician", "practice"]),
    instrument: z.enum(["phq-9", "gad-7"]),
    reliableChangeThreshold: z.number().int(),
    remissionBelow: z.number().int(),
    months: z.array(OutcomeMonth).openapi({ description: "Oldest first; counts only, no patient ids" }),
  })
  .openapi("Outcomes");
export type Outcomes = z.infer<typeof Outcomes>;
