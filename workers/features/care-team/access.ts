import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { breakGlass, careTeam, users } from "../../db/schema";
import { audit, auditInsert } from "../../lib/audit";
import { regionOfUser } from "../../lib/care-data/region";
import { AppError } from "../../lib/errors";
import type { Principal } from "../../lib/principal";
import type { Scope } from "../../lib/scope";
import { userCipher } from "../../lib/user-cipher";
import { REGIONS, type Role } from "../../lib/vocabulary";

/** A user of `role` wherever they live: one Redis read and one query in their region, or null. */
export async function findUser(scope: Scope, userId: string, role: Role) {
  const region = await regionOfUser(scope, userId);
  if (!region) return null;
  const [row] = await scope
    .db(region)
    .select({ id: users.id, displayName: users.displayName, wrapped: users.dataKeyWrapped })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.role, role)));
  return row ? { ...row, region } : null;
}

/** Display names of users in any region: one query per region, in parallel. */
export async function displayNames(scope: Scope, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const found = await Promise.all(
    REGIONS.map((region) =>
      scope
        .db(region)
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
export async function openBreakGlass(scope: Scope, p: Principal, patientId: string, reason: string) {
  const event = { action: "break_glass.open", resourceType: "break_glass" };
  const region = p.role === "patient" ? null : await regionOfUser(scope, patientId);
  const db = scope.db(region ?? p.region);
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
  const cipher = patient ? await userCipher(scope.config, patientId, patient.wrapped) : null;
  if (!region || !patient || !cipher) {
    await audit(scope, region ?? p.region, {
      ...event,
      patientId: region ? patientId : null,
      outcome: "denied",
    });
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
    auditInsert(db, scope, { ...event, resourceId: id, patientId, outcome: "success" }),
  ]);
  if (!grant) throw new AppError("internal");
  return { id, patientId, openedAt: grant.openedAt.toISOString(), expiresAt: grant.expiresAt.toISOString() };
}

/** Every break-glass access to the patient, newest first, with the reason decrypted. */
export async function listBreakGlass(scope: Scope, p: Principal) {
  const db = scope.db(p.region);
  const [[me], rows] = await db.batch([
    db.select({ wrapped: users.dataKeyWrapped }).from(users).where(eq(users.id, p.userId)),
    db
      .select()
      .from(breakGlass)
      .where(eq(breakGlass.patientId, p.userId))
      .orderBy(desc(breakGlass.createdAt)),
    auditInsert(db, scope, {
      action: "break_glass.read",
      resourceType: "break_glass",
      patientId: p.userId,
      outcome: "success",
    }),
  ]);
  const [cipher, names] = await Promise.all([
    userCipher(scope.config, p.userId, me?.wrapped ?? null),
    displayNames(
      scope,
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
