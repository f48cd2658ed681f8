import { breakGlassReviewQuery } from "../../lib/care-data/lifecycle";
import { careData } from "../../lib/care-data/repository";
import type { Scope } from "../../lib/scope";
import { masterKeyring, userCipher } from "../../lib/user-cipher";
import type { Region } from "../../lib/vocabulary";
import type { AuditQuery } from "../audit/schema";
import { queryAudit } from "../audit/service";

/**
 * Break-glass grants in one region for review: who opened whose record, why (decrypted with the
 * patient's key; unreadable after erasure), when, and whether the grant is still active. The
 * review is audited as `break_glass.review`.
 */
export async function breakGlassReview(scope: Scope, region: Region, now = new Date()) {
  const [rows] = await careData(scope).region(
    region,
    { action: "break_glass.review", resourceType: "break_glass" },
    (db) => [breakGlassReviewQuery(db)],
  );
  return Promise.all(
    rows.map(async (r) => {
      const cipher = await userCipher(scope.config, r.patientId, r.wrapped ?? null);
      const reason = cipher
        ? await cipher.decrypt(`break_glass_reason:${r.id}`, r.reasonEnc).catch(() => null)
        : null;
      return {
        id: r.id,
        patientId: r.patientId,
        actorId: r.actorId,
        actorRole: r.actorRole,
        reason,
        openedAt: r.createdAt.toISOString(),
        expiresAt: r.expiresAt.toISOString(),
        active: r.expiresAt > now,
      };
    }),
  );
}

const CSV_COLUMNS = [
  "id",
  "at",
  "actorId",
  "actorRole",
  "action",
  "resourceType",
  "resourceId",
  "patientId",
  "outcome",
  "requestId",
] as const;

/** RFC 4180 field: quoted when needed; a leading =+-@ is prefixed with ' (spreadsheet formula injection). */
function field(v: unknown): string {
  let s = v === null || v === undefined ? "" : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The audit search as CSV (up to 5,000 rows, newest first); the export is itself audited. */
export async function auditCsv(scope: Scope, q: Omit<AuditQuery, "limit" | "cursor">) {
  const lines = [CSV_COLUMNS.join(",")];
  let cursor: string | undefined;
  for (let pages = 0; pages < 25; pages += 1) {
    const page = await queryAudit(scope, { ...q, limit: 200, cursor });
    for (const e of page.entries)
      lines.push(CSV_COLUMNS.map((c) => field((e as Record<string, unknown>)[c])).join(","));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** The current master key version and every loaded version (never key material). */
export function keyStatus(scope: Scope) {
  const ring = masterKeyring(scope.config);
  return { current: ring.current, versions: [...ring.versions] };
}
