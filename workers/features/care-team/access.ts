import { and, eq, inArray } from "drizzle-orm";
import { users } from "../../db/schema";
import {
  breakGlassLogQuery,
  breakGlassOp,
  breakGlassTarget,
  insertBreakGlass,
} from "../../lib/care-data/care-team";
import { wrappedKeyQuery } from "../../lib/care-data/chat";
import { regionOfUser } from "../../lib/care-data/region";
import { careData } from "../../lib/care-data/repository";
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

/**
 * Opens a patient's record for one hour to a clinician or admin outside the team. The reason is
 * encrypted under the patient's key (AAD binds it to this grant) and shown to the patient.
 */
export async function openBreakGlass(scope: Scope, p: Principal, patientId: string, reason: string) {
  const care = careData(scope);
  const refused = breakGlassOp("break_glass.open");
  if (p.role === "patient") return care.refuse(refused, "patient");
  const access = await care.locate(patientId, refused);
  const target = await breakGlassTarget(scope, access.region, patientId, p.userId);
  const cipher = target ? await userCipher(scope.config, patientId, target.wrapped) : null;
  if (!target || !cipher) return care.refuse(refused, "patient", access);
  if (target.onTeam) throw new AppError("conflict", "You already have access through the care team");
  const id = crypto.randomUUID();
  const reasonEnc = await cipher.encrypt(`break_glass_reason:${id}`, reason);
  const actorRole = p.role === "admin" ? "admin" : "clinician";
  const [[grant]] = await care.run(access, breakGlassOp("break_glass.open", id), (db) => [
    insertBreakGlass(db, { id, patientId, actorId: p.userId, actorRole, reasonEnc }),
  ]);
  if (!grant) throw new AppError("internal");
  return { id, patientId, openedAt: grant.openedAt.toISOString(), expiresAt: grant.expiresAt.toISOString() };
}

/** Every break-glass access to the patient, newest first, with the reason decrypted. */
export async function listBreakGlass(scope: Scope, _p: Principal) {
  const care = careData(scope);
  const access = care.self();
  const [[me], rows] = await care.run(
    access,
    breakGlassOp("break_glass.read"),
    (db) => [wrappedKeyQuery(db, access.patientId), breakGlassLogQuery(db, access.patientId)] as const,
  );
  const [cipher, names] = await Promise.all([
    userCipher(scope.config, access.patientId, me?.wrapped ?? null),
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
