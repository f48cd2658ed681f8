import { and, eq, isNull } from "drizzle-orm";
import { users } from "../../db/schema";
import type { Database } from "../../lib/db";

/**
 * The admins whose accounts live in one region's database and can still sign in: who is told
 * about an operations alert (`ops.alert`, one event per region). Accounts only, no health data.
 */
export async function activeAdminIds(db: Database): Promise<string[]> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, "admin"), isNull(users.deactivatedAt)));
  return rows.map((r) => r.id);
}
