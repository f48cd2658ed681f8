import { auditInsert } from "../../lib/audit";
import { DATA_KINDS, type FhirResource } from "../../lib/care-data/kinds";
import { accountQuery, requestById, transitionRequest, updateRequest } from "../../lib/care-data/lifecycle";
import type { Config } from "../../lib/config";
import { timingSafeEqual, toBase64Url, utf8Encode } from "../../lib/crypto/encoding";
import type { Scope } from "../../lib/scope";
import { userCipher } from "../../lib/user-cipher";
import type { Region } from "../../lib/vocabulary";
import { everythingBundle, patientResource } from "./fhir";

/** Exports are kept 7 days, then the retention job deletes the objects. */
export const EXPORT_TTL_MS = 7 * 24 * 3600_000;
/** A download link is valid 15 minutes. */
export const LINK_TTL_S = 15 * 60;
export const EXPORT_FORMATS = ["json", "fhir"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
const FILE: Record<ExportFormat, string> = { json: "haven-export.json", fhir: "fhir-bundle.json" };

export const exportPrefix = (region: Region, subjectId: string, requestId: string) =>
  `exports/${region}/${subjectId}/${requestId}/`;

/**
 * Builds one export: every registered data kind of the subject, decrypted, as a readable JSON
 * archive and as a FHIR R4 Bundle, written to R2. Idempotent: a step retried after a restart
 * overwrites the same two objects. Psychotherapy notes are left out unless the request says so.
 */
export async function buildExport(scope: Scope, region: Region, requestId: string) {
  const db = scope.db(region);
  const [claimed] = await transitionRequest(db, requestId, ["queued", "running"], {
    status: "running",
    startedAt: new Date(),
  });
  if (!claimed) {
    const [row] = await requestById(db, requestId);
    return { status: row?.status ?? "missing", objectKey: row?.objectKey ?? null };
  }
  const subjectId = claimed.patientId;
  const [account] = await accountQuery(db, subjectId);
  if (!account) {
    await updateRequest(db, requestId, {
      status: "failed",
      error: "subject_missing",
      completedAt: new Date(),
    });
    return { status: "failed", objectKey: null };
  }
  const cipher = await userCipher(scope.config, subjectId, account.wrapped);
  const ctx = { db, subjectId, cipher };
  const now = new Date();
  const included = DATA_KINDS.filter((k) => claimed.includeNotes || !k.psychotherapyNotes);
  const excluded = DATA_KINDS.filter((k) => !included.includes(k)).map((k) => k.name);
  const data: Record<string, Record<string, unknown>[]> = {};
  for (const kind of included) data[kind.name] = await kind.exportRows(ctx);

  const email = cipher ? await cipher.decrypt("email", account.emailEnc) : null;
  const patientRef = `urn:uuid:${subjectId}`;
  const resources: FhirResource[] = [
    patientResource({ id: subjectId, displayName: account.displayName, email }, data.profile?.[0]),
  ];
  for (const kind of included)
    resources.push(...(kind.fhir?.(data[kind.name] ?? [], { patientRef, subjectId }) ?? []));

  const archive = {
    format: "haven-export/1",
    requestId,
    generatedAt: now.toISOString(),
    subject: {
      id: subjectId,
      displayName: account.displayName,
      email,
      role: account.role,
      region: account.region,
      createdAt: account.createdAt.toISOString(),
      mfaEnabled: account.mfaEnabledAt !== null,
    },
    excluded: excluded.map((name) => ({
      kind: name,
      reason: "psychotherapy notes are excluded unless requested",
    })),
    data,
  };
  const prefix = exportPrefix(region, subjectId, requestId);
  const body = (v: unknown) => JSON.stringify(v, null, 2);
  await scope.env.EXPORTS.put(`${prefix}${FILE.json}`, body(archive), {
    httpMetadata: { contentType: "application/json" },
  });
  await scope.env.EXPORTS.put(`${prefix}${FILE.fhir}`, body(everythingBundle(requestId, resources, now)), {
    httpMetadata: { contentType: "application/fhir+json" },
  });
  const counts = Object.fromEntries(Object.entries(data).map(([k, rows]) => [k, rows.length]));
  await db.batch([
    updateRequest(db, requestId, {
      status: "ready",
      objectKey: prefix,
      completedAt: now,
      expiresAt: new Date(now.getTime() + EXPORT_TTL_MS),
      result: { counts, fhirResources: resources.length, excluded },
    }),
    auditInsert(db, scope, {
      action: "export.build",
      resourceType: "data_request",
      resourceId: requestId,
      patientId: subjectId,
      outcome: "success",
    }),
  ]);
  return { status: "ready", objectKey: prefix };
}

/** HMAC-SHA256 under the JWT secret, domain-separated from tokens by the message prefix. */
async function signature(config: Config, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    utf8Encode(config.JWT_SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, utf8Encode(`haven/export-link/v1|${message}`));
  return toBase64Url(new Uint8Array(mac));
}

/** A short-lived signed path for one export file (`LINK_TTL_S`); the caller must also be signed in. */
export async function signedLink(
  config: Config,
  requestId: string,
  format: ExportFormat,
  nowMs = Date.now(),
) {
  const exp = Math.floor(nowMs / 1000) + LINK_TTL_S;
  const sig = await signature(config, `${requestId}.${format}.${exp}`);
  return `/v1/data-requests/${requestId}/download?format=${format}&exp=${exp}&sig=${sig}`;
}

/** True when `sig` signs (request, format, exp) and `exp` has not passed. */
export async function verifyLink(
  config: Config,
  requestId: string,
  format: ExportFormat,
  exp: number,
  sig: string,
) {
  if (exp * 1000 < Date.now()) return false;
  const want = await signature(config, `${requestId}.${format}.${exp}`);
  return timingSafeEqual(utf8Encode(want), utf8Encode(sig));
}

/** The object of one export file, or null once deleted. */
export function exportObject(scope: Scope, objectKey: string, format: ExportFormat) {
  return scope.env.EXPORTS.get(`${objectKey}${FILE[format]}`);
}

/** Deletes an export's objects (retention after 7 days, or erasure). */
export async function deleteExportObjects(scope: Scope, objectKey: string) {
  await scope.env.EXPORTS.delete(EXPORT_FORMATS.map((f) => `${objectKey}${FILE[f]}`));
}
