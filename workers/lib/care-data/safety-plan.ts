import { desc, eq, sql } from "drizzle-orm";
import { safetyPlans, users } from "../../db/schema";
import { auditInsert } from "../audit";
import type { Database } from "../db";
import type { Scope } from "../scope";
import { userCipher } from "../user-cipher";
import type { Region } from "../vocabulary";

export const SAFETY_PLAN_READ = { action: "safety_plan.read", resourceType: "safety_plan" } as const;
/** The patient, or a clinician on their active care team (writing it with them); not break-glass. */
export const safetyPlanWrite = (id: string) =>
  ({
    action: "safety_plan.create_version",
    resourceType: "safety_plan",
    resourceId: id,
    allow: ["self", "care_team"],
  }) as const;

/** AAD field of one version's content: binds the ciphertext to its row. */
export const planField = (id: string) => `safety_plan:${id}`;

export type SafetyPlanRow = typeof safetyPlans.$inferSelect;

/** The newest version with the owner's wrapped key (one row, or none when the plan does not exist). */
export function latestPlanQuery(db: Database, userId: string) {
  return db
    .select({ plan: safetyPlans, wrapped: users.dataKeyWrapped })
    .from(safetyPlans)
    .innerJoin(users, eq(users.id, safetyPlans.userId))
    .where(eq(safetyPlans.userId, userId))
    .orderBy(desc(safetyPlans.version))
    .limit(1);
}

/** Every version's number, author and time (no content), newest first. */
export function planVersionsQuery(db: Database, userId: string) {
  return db
    .select({
      version: safetyPlans.version,
      authorId: safetyPlans.authorId,
      createdAt: safetyPlans.createdAt,
    })
    .from(safetyPlans)
    .where(eq(safetyPlans.userId, userId))
    .orderBy(desc(safetyPlans.version))
    .limit(100);
}

/**
 * Inserts the next version: `expected` is the version the writer started from (0 for a new plan).
 * When someone saved in between, the insert writes nothing (the caller answers 409) — the unique
 * (user, version) index also refuses a concurrent writer.
 */
export function insertPlanVersion(
  db: Database,
  row: { id: string; userId: string; contentEnc: string; authorId: string },
  expected: number,
) {
  const current = sql`(select coalesce(max(${safetyPlans.version}), 0) from ${safetyPlans} where ${eq(safetyPlans.userId, row.userId)})`;
  return db.execute<{
    version: number;
    created_at: string;
  }>(sql`insert into ${safetyPlans} (id, user_id, version, content_enc, author_id)
    select ${row.id}::uuid, ${row.userId}::uuid, ${expected + 1}, ${row.contentEnc}, ${row.authorId}::uuid
    where ${current} = ${expected}
    on conflict do nothing
    returning version, created_at`);
}

/** The newest safety plan as the crisis path shows it: version and sections (validated by the reader). */
export interface CrisisPlan {
  version: number;
  sections: Record<string, unknown>;
}

/**
 * The patient's newest safety plan for a crisis response, read in a job scope (audited as
 * `safety_plan.read` by the system, in the same batch) and decrypted with the patient's key.
 * Null when there is none or the key is gone. Callers bound it with a timeout and show the crisis
 * lines whatever happens here.
 */
export async function latestPlanForCrisis(
  scope: Scope,
  patientId: string,
  region: Region,
): Promise<CrisisPlan | null> {
  const db = scope.db(region);
  const [, [latest]] = await db.batch([
    auditInsert(db, scope, { ...SAFETY_PLAN_READ, patientId, resourceId: null, outcome: "success" }),
    latestPlanQuery(db, patientId),
  ]);
  if (!latest) return null;
  const cipher = await userCipher(scope.config, patientId, latest.wrapped);
  if (!cipher) return null;
  const plain: unknown = JSON.parse(await cipher.decrypt(planField(latest.plan.id), latest.plan.contentEnc));
  if (typeof plain !== "object" || plain === null || Array.isArray(plain)) return null;
  return { version: latest.plan.version, sections: plain as Record<string, unknown> };
}
