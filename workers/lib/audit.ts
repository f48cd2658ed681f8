import type { Context } from "hono";
import { auditLog } from "../db/schema";
import type { AppEnv } from "./context";
import type { Database } from "./db";
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
}

/** Request metadata for audit rows: actor, request id, IP, user agent. */
export function auditContext(c: Context<AppEnv>) {
  const p = c.get("principal");
  return {
    actorId: p?.userId ?? null,
    actorRole: p?.role ?? null,
    requestId: c.get("requestId"),
    ip: c.req.header("cf-connecting-ip") ?? null,
    userAgent: (c.req.header("user-agent") ?? "").slice(0, 256) || null,
  };
}

/**
 * The insert for one audit row, NOT executed: put it in the same `db.batch([...])` as the PHI
 * read or write it records, so the access and its audit cost one round trip and commit together.
 * The database trigger chains the hash.
 */
export function auditInsert(db: Database, c: Context<AppEnv>, event: AuditEvent) {
  const ctx = auditContext(c);
  return db.insert(auditLog).values({
    ...ctx,
    actorId: event.actorId ?? ctx.actorId,
    actorRole: event.actorRole ?? ctx.actorRole,
    action: event.action,
    resourceType: event.resourceType,
    resourceId: event.resourceId ?? null,
    patientId: event.patientId ?? null,
    outcome: event.outcome,
  });
}

/** Records an audit event on its own (one round trip) in the given region's database. */
export async function audit(c: Context<AppEnv>, region: Region, event: AuditEvent): Promise<void> {
  await auditInsert(c.get("db")(region), c, event);
}
