import { auditLog } from "../db/schema";
import type { Database } from "./db";
import type { Scope } from "./scope";
import type { Region } from "./vocabulary";

/** What happened, to which resource, for which patient. Never PHI: ids, types and outcomes only. */
export interface AuditEvent {
  action: string;
  resourceType: string;
  resourceId?: string | null;
  patientId?: string | null;
  outcome: "success" | "denied" | "failure";
  /** For auth events before a principal exists (e.g. a failed login for a known account). */
  actorId?: string | null;
  actorRole?: string | null;
  /** When it happened, if earlier than the write (reads a Durable Object served and audits later). */
  at?: Date;
}

/** Audit metadata of a scope: actor (or "system" for jobs), request or job id, IP, user agent. */
export function auditContext(scope: Scope) {
  const p = scope.principal;
  return {
    actorId: p?.userId ?? null,
    actorRole: p?.role ?? (scope.audit.job ? "system" : null),
    requestId: scope.audit.requestId,
    ip: scope.audit.ip,
    userAgent: scope.audit.userAgent,
  };
}

/**
 * The insert for one audit row, NOT executed: put it in the same `db.batch([...])` as the PHI
 * read or write it records, so the access and its audit cost one round trip and commit together.
 * The database trigger chains the hash.
 */
export function auditInsert(db: Database, scope: Scope, event: AuditEvent) {
  const ctx = auditContext(scope);
  return db.insert(auditLog).values({
    ...ctx,
    actorId: event.actorId ?? ctx.actorId,
    actorRole: event.actorRole ?? ctx.actorRole,
    action: event.action,
    resourceType: event.resourceType,
    resourceId: event.resourceId ?? null,
    patientId: event.patientId ?? null,
    outcome: event.outcome,
    ...(event.at ? { at: event.at } : {}),
  });
}

/** Records an audit event on its own (one round trip) in the given region's database. */
export async function audit(scope: Scope, region: Region, event: AuditEvent): Promise<void> {
  await auditInsert(scope.db(region), scope, event);
}
