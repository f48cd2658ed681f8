import { and, count, eq, gte, inArray, isNull, like, lt, min, ne, not, or, sql } from "drizzle-orm";
import { notificationDeadLetters, users } from "../../db/schema";
import type { Database } from "../db";
import type { Region } from "../vocabulary";

/** Staff accounts (clinicians, admins) in this region without MFA enrolled. */
export async function staffWithoutMfa(db: Database) {
  const [all] = await db
    .select({ n: count() })
    .from(users)
    .where(inArray(users.role, ["clinician", "admin"]));
  const [without] = await db
    .select({ n: count() })
    .from(users)
    .where(and(inArray(users.role, ["clinician", "admin"]), isNull(users.mfaEnabledAt)));
  return { staff: Number(all?.n ?? 0), withoutMfa: Number(without?.n ?? 0) };
}

/** Users stored in this region's database whose residency region is missing or another region's. */
export async function misplacedUsers(db: Database, region: Region) {
  const [row] = await db
    .select({ n: count() })
    .from(users)
    .where(or(isNull(users.region), ne(users.region, region)));
  return Number(row?.n ?? 0);
}

/**
 * When the current master key version came into use here: the creation time of the earliest
 * account whose data key is wrapped under it (rotation re-wraps older ones, so this is an upper
 * bound on the key's age only when no rotation happened since; null when no key uses it).
 */
export async function masterKeyFirstUse(db: Database, version: string) {
  const [row] = await db
    .select({ at: min(users.createdAt) })
    .from(users)
    .where(like(users.dataKeyWrapped, `mk-${version}:%`));
  const [stale] = await db
    .select({ n: count() })
    .from(users)
    .where(and(not(like(users.dataKeyWrapped, `mk-${version}:%`)), sql`${users.dataKeyWrapped} is not null`));
  return { firstUse: row?.at ?? null, wrappedUnderOlder: Number(stale?.n ?? 0) };
}

/** The protections each PHI table must have, read from the catalogue. */
export async function phiProtections(db: Database, tables: readonly string[]) {
  const triggers = await db.execute<{ tgname: string }>(
    sql`select tgname from pg_trigger where tgrelid = 'audit_log'::regclass and not tgisinternal`,
  );
  const owners = await db.execute<{ table_name: string; column_name: string; is_nullable: string }>(
    sql`select table_name, column_name, is_nullable from information_schema.columns
        where table_schema = current_schema() and column_name in ('user_id', 'patient_id', 'recipient_id')`,
  );
  const names = new Set(triggers.rows.map((r) => r.tgname));
  // A table is owned when at least one of its owner columns is NOT NULL (notifications: the
  // recipient always; the patient only for notices about a patient).
  const ownerOf = new Map<string, boolean>();
  for (const r of owners.rows)
    ownerOf.set(r.table_name, ownerOf.get(r.table_name) === true || r.is_nullable === "NO");
  return {
    auditTriggers: ["audit_log_chain", "audit_log_no_update", "audit_log_no_truncate"].map((t) => ({
      trigger: t,
      present: names.has(t),
    })),
    ownerColumns: tables.map((t) => ({ table: t, ownerNotNull: ownerOf.get(t) === true })),
  };
}

/**
 * Open dead letters in this region: how many arrived in the last 24 h, in the 24 h before, and how
 * many have been left open for more than 24 h (counts only).
 */
export async function deadLetterTrend(db: Database, now: Date) {
  const day = 24 * 3600_000;
  const since = new Date(now.getTime() - day);
  const before = new Date(now.getTime() - 2 * day);
  const open = eq(notificationDeadLetters.status, "open");
  const [[last], [prev], [stale]] = await Promise.all([
    db
      .select({ n: count() })
      .from(notificationDeadLetters)
      .where(and(open, gte(notificationDeadLetters.createdAt, since))),
    db
      .select({ n: count() })
      .from(notificationDeadLetters)
      .where(
        and(
          open,
          gte(notificationDeadLetters.createdAt, before),
          lt(notificationDeadLetters.createdAt, since),
        ),
      ),
    db
      .select({ n: count() })
      .from(notificationDeadLetters)
      .where(and(open, lt(notificationDeadLetters.createdAt, since))),
  ]);
  return {
    last24h: Number(last?.n ?? 0),
    previous24h: Number(prev?.n ?? 0),
    openOver24h: Number(stale?.n ?? 0),
  };
}
