import { and, desc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Context } from "hono";
import { breakGlass, careTeam, users } from "../../db/schema";
import { audit, auditInsert } from "../../lib/audit";
import type { AppEnv } from "../../lib/context";
import type { Database } from "../../lib/db";
import { AppError } from "../../lib/errors";
import type { Principal } from "../../lib/principal";
import { userCipher } from "../../lib/user-cipher";
import { isRegion, REGIONS, type Region, type Role } from "../../lib/vocabulary";

/** How a principal reaches a patient's record. */
export type AccessVia = "self" | "care_team" | "break_glass";

export interface PatientAccess {
  patientId: string;
  region: Region;
  via: AccessVia;
}

/** Redis key of the non-PHI user → region map (written at sign-up, repaired on a miss). */
export const userRegionKey = (userId: string) => `user-region:${userId}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The residency region holding a user's data: one Redis read, or on a miss a lookup in every
 * regional database (then the map is repaired). Null when no such user exists.
 */
export async function regionOfUser(c: Context<AppEnv>, userId: string): Promise<Region | null> {
  if (!UUID.test(userId)) return null;
  const redis = c.get("redis")();
  const cached = await redis.get<string>(userRegionKey(userId));
  if (isRegion(cached)) return cached;
  const found = await Promise.all(
    REGIONS.map(async (region) => {
      const rows = await c
        .get("db")(region)
        .select({ id: users.id })
        .from(users)
        .where(eq(users.id, userId))
        .limit(1);
      return rows.length > 0 ? region : null;
    }),
  );
  const region = found.find((r): r is Region => r !== null) ?? null;
  if (region) await redis.set(userRegionKey(userId), region);
  return region;
}

/**
 * Decides, in the data layer, whether `principal` may touch `patientId`'s health data:
 * the patient themself; a clinician on the patient's ACTIVE care team; or a clinician/admin with
 * an unexpired break-glass grant. One query in the patient's region. Null means "no such
 * patient, as far as this principal may know" — callers answer 404 and audit a denial.
 */
export async function resolvePatientAccess(
  c: Context<AppEnv>,
  principal: Principal,
  patientId: string,
): Promise<PatientAccess | null> {
  if (principal.role === "patient") {
    return principal.userId === patientId ? { patientId, region: principal.region, via: "self" } : null;
  }
  const region = await regionOfUser(c, patientId);
  if (!region) return null;
  const db = c.get("db")(region);
  const [row] = await db
    .select({
      team: sql<boolean>`exists (select 1 from ${careTeam} where ${and(
        eq(careTeam.patientId, patientId),
        eq(careTeam.clinicianId, principal.userId),
        eq(careTeam.status, "active"),
      )})`,
      glass: sql<boolean>`exists (select 1 from ${breakGlass} where ${and(
        eq(breakGlass.patientId, patientId),
        eq(breakGlass.actorId, principal.userId),
        gt(breakGlass.expiresAt, sql`now()`),
      )})`,
    })
    .from(users)
    .where(and(eq(users.id, patientId), eq(users.role, "patient")));
  if (!row) return null;
  if (principal.role === "clinician" && row.team) return { patientId, region, via: "care_team" };
  if (row.glass) return { patientId, region, via: "break_glass" };
  return null;
}

/** Clinicians on a patient's active care team (for live crisis alerts). */
export async function activeClinicianIds(db: Database, patientId: string): Promise<string[]> {
  const rows = await db
    .select({ id: careTeam.clinicianId })
    .from(careTeam)
    .where(and(eq(careTeam.patientId, patientId), eq(careTeam.status, "active")));
  return rows.map((r) => r.id);
}

/**
 * {@link resolvePatientAccess} for routes that read or change a patient's data: on refusal the
 * denial is audited (in the patient's region when the patient exists, so it shows in their access
 * report; otherwise in the actor's) and the caller gets 404. The success audit is the caller's,
 * batched with the query it records.
 *
 * @example const access = await requirePatientAccess(c, p, patientId, { action: "profile.read", resourceType: "profile" });
 */
export async function requirePatientAccess(
  c: Context<AppEnv>,
  principal: Principal,
  patientId: string,
  event: { action: string; resourceType: string },
): Promise<PatientAccess> {
  const access = await resolvePatientAccess(c, principal, patientId);
  if (access) return access;
  const region = await regionOfUser(c, patientId);
  await audit(c, region ?? principal.region, {
    ...event,
    resourceId: UUID.test(patientId) ? patientId : null,
    patientId: region ? patientId : null,
    outcome: "denied",
  });
  throw new AppError("not_found", "No such patient");
}

/** A user of `role` wherever they live: one Redis read and one query in their region, or null. */
export async function findUser(c: Context<AppEnv>, userId: string, role: Role) {
  const region = await regionOfUser(c, userId);
  if (!region) return null;
  const [row] = await c
    .get("db")(region)
    .select({ id: users.id, displayName: users.displayName, wrapped: users.dataKeyWrapped })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.role, role)));
  return row ? { ...row, region } : null;
}

/** Display names of users in any region: one query per region, in parallel. */
export async function displayNames(c: Context<AppEnv>, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const found = await Promise.all(
    REGIONS.map((region) =>
      c
        .get("db")(region)
        .select({ id: users.id, name: users.displayName })
        .from(users)
        .where(inArray(users.id, unique)),
    ),
  );
  return new Map(found.flat().map((u) => [u.id, u.name]));
}

/** Break-glass grants last one hour; the clock is the patient database's `now()`. */
const BREAK_GLASS_UNTIL = sql`now() + interval '60 minutes'`;

/**
 * Opens a patient's record for one hour to a clinician or admin outside the team. The reason is
 * encrypted under the patient's key (AAD binds it to this grant) and shown to the patient.
 */
export async function openBreakGlass(c: Context<AppEnv>, p: Principal, patientId: string, reason: string) {
  const event = { action: "break_glass.open", resourceType: "break_glass" };
  const region = p.role === "patient" ? null : await regionOfUser(c, patientId);
  const db = c.get("db")(region ?? p.region);
  const onTeam = and(
    eq(careTeam.patientId, patientId),
    eq(careTeam.clinicianId, p.userId),
    eq(careTeam.status, "active"),
  );
  const [patient] = region
    ? await db
        .select({
          wrapped: users.dataKeyWrapped,
          onTeam: sql<boolean>`exists (select 1 from ${careTeam} where ${onTeam})`,
        })
        .from(users)
        .where(and(eq(users.id, patientId), eq(users.role, "patient")))
    : [];
  const cipher = patient ? await userCipher(c.get("config"), patientId, patient.wrapped) : null;
  if (!region || !patient || !cipher) {
    await audit(c, region ?? p.region, { ...event, patientId: region ? patientId : null, outcome: "denied" });
    throw new AppError("not_found", "No such patient");
  }
  if (patient.onTeam) throw new AppError("conflict", "You already have access through the care team");
  const id = crypto.randomUUID();
  const reasonEnc = await cipher.encrypt(`break_glass_reason:${id}`, reason);
  const actorRole = p.role === "admin" ? "admin" : "clinician";
  const [[grant]] = await db.batch([
    db
      .insert(breakGlass)
      .values({ id, patientId, actorId: p.userId, actorRole, reasonEnc, expiresAt: BREAK_GLASS_UNTIL })
      .returning({ openedAt: breakGlass.createdAt, expiresAt: breakGlass.expiresAt }),
    auditInsert(db, c, { ...event, resourceId: id, patientId, outcome: "success" }),
  ]);
  if (!grant) throw new AppError("internal");
  return { id, patientId, openedAt: grant.openedAt.toISOString(), expiresAt: grant.expiresAt.toISOString() };
}

/** Every break-glass access to the patient, newest first, with the reason decrypted. */
export async function listBreakGlass(c: Context<AppEnv>, p: Principal) {
  const db = c.get("db")(p.region);
  const [[me], rows] = await db.batch([
    db.select({ wrapped: users.dataKeyWrapped }).from(users).where(eq(users.id, p.userId)),
    db
      .select()
      .from(breakGlass)
      .where(eq(breakGlass.patientId, p.userId))
      .orderBy(desc(breakGlass.createdAt)),
    auditInsert(db, c, {
      action: "break_glass.read",
      resourceType: "break_glass",
      patientId: p.userId,
      outcome: "success",
    }),
  ]);
  const [cipher, names] = await Promise.all([
    userCipher(c.get("config"), p.userId, me?.wrapped ?? null),
    displayNames(
      c,
      rows.map((r) => r.actorId),
    ),
  ]);
  return Promise.all(
    rows.map(async (r) => ({
      id: r.id,
      actorId: r.actorId,
      actorRole: r.actorRole,
      actorDisplayName: names.get(r.actorId) ?? null,
      openedAt: r.createdAt.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
      reason: cipher ? await cipher.decrypt(`break_glass_reason:${r.id}`, r.reasonEnc) : null,
    })),
  );
}
