import { z } from "@hono/zod-openapi";
import { IdSchema, RegionSchema } from "../../lib/vocabulary";

export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .email()
  .max(254)
  .openapi({ example: "alex@example.com" });
/** Policy (length, common passwords) is checked in the service so the 422 can say which rule. */
export const Password = z.string().min(1).max(512);

export const SignupBody = z
  .object({
    email: Email,
    password: Password,
    displayName: z.string().trim().min(1).max(80),
    region: RegionSchema,
    consents: z.object({
      healthData: z.literal(true, { message: "Consent to processing health data is required" }),
      aiCompanion: z.boolean(),
    }),
  })
  .openapi("SignupRequest");

export const LoginBody = z.object({ email: Email, password: Password }).openapi("LoginRequest");

export const MfaLoginBody = z
  .object({
    mfaToken: z.string().min(16).max(200),
    code: z
      .string()
      .regex(/^\d{6}$/)
      .optional(),
    recoveryCode: z.string().min(8).max(20).optional(),
  })
  .refine((b) => Boolean(b.code) !== Boolean(b.recoveryCode), { message: "Give either code or recoveryCode" })
  .openapi("MfaLoginRequest");

export const TokenBody = z.object({ token: z.string().min(16).max(200) }).openapi("TokenRequest");
export const RefreshBody = z
  .object({ refreshToken: z.string().min(16).max(200).optional() })
  .openapi("RefreshRequest");
export const ResetRequestBody = z.object({ email: Email }).openapi("PasswordResetRequest");
export const ResetConfirmBody = z
  .object({ token: z.string().min(16).max(200), password: Password })
  .openapi("PasswordResetConfirm");
export const ChangePasswordBody = z
  .object({ currentPassword: Password, newPassword: Password })
  .openapi("ChangePasswordRequest");
export const MfaCodeBody = z.object({ code: z.string().regex(/^\d{6}$/) }).openapi("MfaCode");
export const InviteBody = z
  .object({
    email: Email,
    displayName: z.string().trim().min(1).max(80),
    role: z.enum(["clinician", "admin"]),
    region: RegionSchema,
  })
  .openapi("InviteRequest");

export const Tokens = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int(),
    tokenType: z.literal("Bearer"),
  })
  .openapi("Tokens");

export const LoginResult = z
  .union([
    Tokens.extend({ mfaRequired: z.literal(false), mfaSetupRequired: z.boolean() }),
    z.object({ mfaRequired: z.literal(true), mfaToken: z.string() }),
  ])
  .openapi("LoginResult");

export const Accepted = z.object({ status: z.string() }).openapi("Accepted");
export const SessionList = z
  .array(
    z.object({
      id: IdSchema,
      userAgent: z.string().nullable(),
      createdAt: z.string(),
      lastUsedAt: z.string(),
      mfa: z.string(),
      current: z.boolean(),
    }),
  )
  .openapi("Sessions");
