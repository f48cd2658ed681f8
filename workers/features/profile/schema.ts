import { z } from "@hono/zod-openapi";
import { ConsentKindSchema, IdSchema, POLICY_VERSION, RegionSchema, RoleSchema } from "../../lib/vocabulary";

export const Account = z
  .object({
    id: IdSchema,
    role: RoleSchema,
    region: RegionSchema,
    displayName: z.string(),
    email: z.string().nullable().openapi({ description: "Null only if the account was crypto-shredded" }),
    emailVerified: z.boolean(),
    mfaEnabled: z.boolean(),
  })
  .openapi("Account");

/** International format: "+", country code, then digits; single spaces or hyphens allowed between digits. */
const Phone = z
  .string()
  .trim()
  .regex(/^\+[1-9](?:[ -]?\d){6,14}$/, "Use international format, e.g. +44 20 7946 0958")
  .openapi({ example: "+44 20 7946 0958" });

const today = () => new Date().toISOString().slice(0, 10);
const DateOfBirth = z.iso
  .date()
  .refine((d) => d >= "1900-01-01" && d <= today(), "Must be a past date after 1900-01-01")
  .openapi({ example: "1990-04-21" });

export const EmergencyContact = z
  .object({
    name: z.string().trim().min(1).max(200),
    phone: Phone,
    relationship: z.string().trim().min(1).max(100),
  })
  .strict()
  .openapi("EmergencyContact");

export const ProfileInput = z
  .object({
    legalName: z.string().trim().min(1).max(200).nullish(),
    dateOfBirth: DateOfBirth.nullish(),
    phone: Phone.nullish(),
    emergencyContact: EmergencyContact.nullish(),
  })
  .strict()
  .openapi("ProfileUpdate", { description: "Replaces the whole profile: omitted fields are cleared." });
export type ProfileInput = z.infer<typeof ProfileInput>;

export const Profile = z
  .object({
    userId: IdSchema,
    legalName: z.string().nullable(),
    dateOfBirth: z.string().nullable(),
    phone: z.string().nullable(),
    emergencyContact: EmergencyContact.nullable(),
    updatedAt: z.iso.datetime().nullable(),
  })
  .openapi("Profile");
export type Profile = z.infer<typeof Profile>;

export const PatientIdParam = z.object({
  patientId: IdSchema.openapi({ param: { name: "patientId", in: "path" } }),
});

export const ConsentKindParam = z.object({
  kind: ConsentKindSchema.openapi({ param: { name: "kind", in: "path" } }),
});

export const ConsentRecord = z
  .object({
    id: IdSchema,
    kind: ConsentKindSchema,
    policyVersion: z.string(),
    grantedAt: z.iso.datetime(),
    withdrawnAt: z.iso.datetime().nullable(),
  })
  .openapi("ConsentRecord");

export const Consents = z
  .object({
    policyVersion: z.literal(POLICY_VERSION),
    active: z
      .object({ health_data: z.boolean(), ai_companion: z.boolean(), care_plan_context: z.boolean() })
      .openapi({ description: "True when granted under the current policy version and not withdrawn" }),
    records: z.array(ConsentRecord).openapi({ description: "Every grant ever made, newest first" }),
  })
  .openapi("Consents");
