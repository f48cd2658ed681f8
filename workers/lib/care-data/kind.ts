import { and, count, eq, lt, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Database } from "../db";
import type { UserCipher } from "../user-cipher";

/**
 * One kind of data Haven holds about a person, and everything the data lifecycle needs to know
 * about it: how it is exported (readable JSON and FHIR R4), how it is erased, how erasure is
 * checked (a raw count read afterwards) and which retention policy applies. Adding a data kind to
 * export, erasure and retention is ONE entry in `DATA_KINDS` (./kinds.ts); docs/lifecycle.md.
 */
export interface DataKind {
  /** Stable name, also the key in the JSON archive and in erasure certificates ("chat_messages"). */
  name: string;
  /** The Postgres table, for certificates and the raw checks. */
  table: string;
  /** Retention class in `RETENTION` (./retention-policy.ts). */
  retention: RetentionClass;
  /** Psychotherapy notes: left out of an export unless explicitly asked for (HIPAA 164.524(a)(1)(i)). */
  psychotherapyNotes?: boolean;
  /** The subject's rows, decrypted with their key (null when shredded: ciphertext fields are null). */
  exportRows(ctx: ExportContext): Promise<Record<string, unknown>[]>;
  /** FHIR R4 resources for the exported rows; omitted when the kind has no FHIR form (JSON only). */
  fhir?(rows: Record<string, unknown>[], ctx: FhirContext): FhirResource[];
  /** Deletes the subject's rows; one statement run in the erasure batch, returning one row per row removed. */
  erase(db: Database, subjectId: string): BatchItem<"pg">;
  /** Raw count of the subject's rows still present (read after erasure; tests read the same). */
  remaining(db: Database, subjectId: string): Promise<number>;
  /** Removes rows past policy at `cutoff`, returning one row per row removed; absent = kept with the account. */
  expire?(db: Database, cutoff: Date): BatchItem<"pg">;
}

export interface ExportContext {
  db: Database;
  subjectId: string;
  cipher: UserCipher | null;
}

export interface FhirContext {
  /** `urn:uuid:<subject id>`: the Patient entry's fullUrl, for references. */
  patientRef: string;
  subjectId: string;
}

/** A FHIR R4 resource as JSON (validated against the official schema in tests). */
export type FhirResource = { resourceType: string; id: string } & Record<string, unknown>;

export type RetentionClass =
  | "health"
  | "chat"
  | "account"
  | "audit"
  | "exports"
  | "dead_letters"
  | "telemetry_raw"
  | "recordings";

/** Decrypts `ct` for `field`, or null when there is no key or no ciphertext. */
export async function open(cipher: UserCipher | null, field: string, ct: string | null | undefined) {
  if (!cipher || ct == null) return null;
  return cipher.decrypt(field, ct);
}

/** ISO time or null. */
export const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : typeof d === "string" ? d : null);

/**
 * A person's "last activity" for the health-data policy (7 years after it): their newest session
 * use, or when the account was created if they never signed in again.
 */
export const lastActivityBefore = (subject: PgColumn, cutoff: Date): SQL =>
  sql`${subject} in (select u.id from users u where greatest(u.created_at, coalesce((select max(s.last_used_at) from sessions s where s.user_id = u.id), u.created_at)) < ${cutoff.toISOString()}::timestamptz) and ${notUnderHold(subject)}`;

/** The subject is under no active legal hold: retention never removes a held person's data. */
export const notUnderHold = (subject: PgColumn): SQL =>
  sql`${subject} not in (select h.patient_id from legal_holds h where h.released_at is null)`;

interface TableKind {
  name: string;
  table: PgTable;
  tableName: string;
  subject: PgColumn;
  retention: RetentionClass;
  /** Column the `created` policies count from (chat: per message). */
  created?: PgColumn;
  psychotherapyNotes?: boolean;
  exportRows: DataKind["exportRows"];
  fhir?: DataKind["fhir"];
}

/**
 * A kind stored in one Postgres table keyed by the subject: erase, the raw check and retention
 * follow from the table and the subject column. Retention: `health` removes the rows of subjects
 * inactive past the cut-off, `chat` removes rows created before it (neither touches a subject under
 * an active legal hold), others are kept with the account.
 */
export function tableKind(k: TableKind): DataKind {
  const one = sql<number>`1`;
  const expire: DataKind["expire"] =
    k.retention === "health"
      ? (db, cutoff) => db.delete(k.table).where(lastActivityBefore(k.subject, cutoff)).returning({ one })
      : k.retention === "chat" && k.created
        ? (db, cutoff) =>
            db
              .delete(k.table)
              .where(and(lt(k.created as PgColumn, cutoff), notUnderHold(k.subject)))
              .returning({ one })
        : undefined;
  return {
    name: k.name,
    table: k.tableName,
    retention: k.retention,
    ...(k.psychotherapyNotes ? { psychotherapyNotes: true } : {}),
    exportRows: k.exportRows,
    ...(k.fhir ? { fhir: k.fhir } : {}),
    erase: (db, id) => db.delete(k.table).where(eq(k.subject, id)).returning({ one }),
    remaining: async (db, id) => {
      const [row] = await db.select({ n: count() }).from(k.table).where(eq(k.subject, id));
      return Number(row?.n ?? 0);
    },
    ...(expire ? { expire } : {}),
  };
}
