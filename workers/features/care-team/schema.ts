import { z } from "@hono/zod-openapi";
import { IdSchema } from "../../lib/vocabulary";

const id = (name: string) =>
  IdSchema.openapi({ param: { name, in: "path" }, example: "0b7c6a52-3f1e-4d7a-9a43-2f6a8f0c1d2e" });

export const ClinicianIdParam = z.object({ clinicianId: id("clinicianId") });
export const InvitationIdParam = z.object({ id: id("id") });
export const PatientIdParam = z.object({ patientId: id("patientId") });

export const InviteBody = z.object({ clinicianId: IdSchema }).strict().openapi("CareTeamInvite");
export const CareRequestBody = z.object({ patientId: IdSchema }).strict().openapi("CareTeamRequest");
export const AssignBody = z
  .object({ patientId: IdSchema, clinicianId: IdSchema })
  .strict()
  .openapi("CareTeamAssignment");

export const CareTeamStatus = z.enum(["pending_clinician", "pending_patient", "active", "removed"]);

/** One relationship as the API shows it: ids and status, never health data. */
export const Membership = z
  .object({
    id: IdSchema,
    patientId: IdSchema,
    clinicianId: IdSchema,
    status: CareTeamStatus,
  })
  .openapi("CareTeamMembership");

export const TeamMember = z
  .object({
    id: IdSchema,
    clinicianId: IdSchema,
    clinicianDisplayName: z.string().nullable(),
    status: CareTeamStatus,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("CareTeamMember");
export const TeamList = z.object({ members: z.array(TeamMember) }).openapi("CareTeam");

export const Invitation = z
  .object({
    id: IdSchema,
    patientId: IdSchema,
    patientDisplayName: z.string(),
    createdAt: z.iso.datetime(),
  })
  .openapi("CareTeamInvitation");
export const InvitationList = z.object({ invitations: z.array(Invitation) }).openapi("CareTeamInvitations");

export const PatientSummary = z
  .object({ patientId: IdSchema, displayName: z.string() })
  .openapi("ClinicianPatient");
export const PatientList = z.object({ patients: z.array(PatientSummary) }).openapi("ClinicianPatients");

export const BreakGlassBody = z
  .object({
    reason: z
      .string()
      .trim()
      .min(20)
      .max(500)
      .openapi({ description: "Why the record must be opened; shown to the patient" }),
  })
  .strict()
  .openapi("BreakGlassRequest");

export const BreakGlassGrant = z
  .object({
    id: IdSchema,
    patientId: IdSchema,
    openedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
  })
  .openapi("BreakGlassGrant");

export const BreakGlassAccess = z
  .object({
    id: IdSchema,
    actorId: IdSchema,
    actorRole: z.enum(["clinician", "admin"]),
    actorDisplayName: z.string().nullable(),
    openedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    reason: z.string().nullable(),
  })
  .openapi("BreakGlassAccess");
export const BreakGlassList = z.object({ accesses: z.array(BreakGlassAccess) }).openapi("BreakGlassAccesses");
