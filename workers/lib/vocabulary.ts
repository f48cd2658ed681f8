import { z } from "@hono/zod-openapi";

/**
 * Haven's shared vocabulary: residency regions, roles and consent kinds, each defined once with
 * its zod schema and guard. Everything else (routes, tokens, Durable Object frames, the drizzle
 * schema, pages) imports from here, so adding a region or a role is a one-line change.
 */

/** Residency regions: each has its own Postgres database and nothing of a user's PHI leaves it. */
export const REGIONS = ["us", "eu", "apac"] as const;
export type Region = (typeof REGIONS)[number];
export const RegionSchema = z.enum(REGIONS);

/** True when `value` names a residency region (e.g. a value read back from Redis or a token). */
export function isRegion(value: unknown): value is Region {
  return typeof value === "string" && (REGIONS as readonly string[]).includes(value);
}

/** Account roles. Staff roles (clinician, admin) are only ever assigned by an admin. */
export const ROLES = ["patient", "clinician", "admin"] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES);

/** True when `value` names a role. */
export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** What a patient can consent to: processing of health data, and the AI companion. */
/**
 * `care_plan_context`: the companion may read the patient's safety plan, recent scores, upcoming
 * session and exercises that helped, to ground its replies, and the care team may have a
 * between-session summary drafted from those facts (never chat text) — separate, withdrawable,
 * off by default.
 */
export const CONSENT_KINDS = ["health_data", "ai_companion", "care_plan_context"] as const;
export type ConsentKind = (typeof CONSENT_KINDS)[number];
export const ConsentKindSchema = z.enum(CONSENT_KINDS);

/** The consent policy in force; a grant under an older version no longer counts. */
export const POLICY_VERSION = "2026-11-01";

/** True when `value` names a consent kind. */
export function isConsentKind(value: unknown): value is ConsentKind {
  return typeof value === "string" && (CONSENT_KINDS as readonly string[]).includes(value);
}

/**
 * Every identifier Haven takes from outside (path, query, body): a UUID, lower-cased at the edge.
 * Postgres compares uuid columns case-insensitively but Durable Object names, Redis keys and
 * key-derivation inputs do not, so `679F…` and `679f…` must never reach them as two spellings
 * (found in review: an upper-case patient id opened a second, empty chat room and failed to
 * decrypt a profile). Invalid → 422 before any lookup.
 */
export const IdSchema = z.uuid().overwrite((s) => s.toLowerCase());

/** A path parameter holding an identifier, documented as such in /openapi.json. */
export function idParam(name: string) {
  return IdSchema.openapi({
    param: { name, in: "path" },
    example: "0b7c6a52-3f1e-4d7a-9a43-2f6a8f0c1d2e",
  });
}

/** The largest value a Postgres `integer` column holds; numeric input is bounded to what it maps onto. */
export const INT4_MAX = 2_147_483_647;

/** A sequence number or offset from a query string: 0 … INT4_MAX (else 422, never a 22003). */
export const SeqSchema = z.coerce.number().int().min(0).max(INT4_MAX);
