import { z } from "@hono/zod-openapi";

const items = (description: string) =>
  z.array(z.string().trim().min(1).max(500)).max(20).default([]).openapi({ description });
const Contact = z
  .object({
    name: z.string().trim().min(1).max(200),
    phone: z.string().trim().max(50).optional(),
    note: z.string().trim().max(300).optional(),
  })
  .strict()
  .openapi("SafetyPlanContact");
const contacts = (description: string) => z.array(Contact).max(20).default([]).openapi({ description });

/**
 * The Stanley-Brown Safety Planning Intervention's sections (Stanley & Brown, 2012), in order.
 * Crisis lines for the person's region are always shown alongside; `professionals` is for their
 * own clinicians and any line they add.
 */
export const SafetyPlanSections = z
  .object({
    warningSigns: items("1. Warning signs that a crisis may be developing"),
    copingStrategies: items("2. Internal coping strategies: things I can do on my own"),
    distractions: items("3. People and social places that provide distraction"),
    helpContacts: contacts("4. People I can ask for help"),
    professionals: contacts("5. Professionals or agencies I can contact during a crisis"),
    safeEnvironment: items("6. Making the environment safe"),
    reasonsForLiving: items("The one thing that is most important to me and worth living for"),
  })
  .strict()
  .openapi("SafetyPlanSections");
export type SafetyPlanSections = z.infer<typeof SafetyPlanSections>;

/** Section titles for pages, print and the chat's crisis response. */
export const SECTION_TITLES: Record<keyof SafetyPlanSections, string> = {
  warningSigns: "Warning signs",
  copingStrategies: "Things I can do on my own",
  distractions: "People and places that take my mind off things",
  helpContacts: "People I can ask for help",
  professionals: "Professionals I can contact",
  safeEnvironment: "Making my surroundings safe",
  reasonsForLiving: "My reasons for living",
};

export const SafetyPlanInput = z
  .object({
    baseVersion: z.number().int().min(0).openapi({
      description: "The version you started from (0 for a new plan); a newer save in between answers 409",
    }),
    sections: SafetyPlanSections,
  })
  .strict()
  .openapi("SafetyPlanInput");

export const SafetyPlanVersion = z
  .object({ version: z.number().int(), authorId: z.uuid(), createdAt: z.string() })
  .openapi("SafetyPlanVersion");

export const SafetyPlan = z
  .object({
    patientId: z.uuid(),
    plan: z
      .object({
        version: z.number().int(),
        authorId: z.uuid(),
        createdAt: z.string(),
        sections: SafetyPlanSections,
      })
      .nullable()
      .openapi({ description: "Null until the first version is saved" }),
    versions: z.array(SafetyPlanVersion).openapi({ description: "Newest first" }),
  })
  .openapi("SafetyPlan");
export type SafetyPlan = z.infer<typeof SafetyPlan>;

export const PatientIdParam = z.object({
  patientId: z.uuid().openapi({ param: { name: "patientId", in: "path" } }),
});
