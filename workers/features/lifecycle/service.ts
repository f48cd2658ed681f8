import type { PatientAccess } from "../../lib/care-data/access";
import {
  activeHolds,
  allHolds,
  allRequests,
  type DataRequestRow,
  insertHold,
  insertRequest,
  openErasures,
  recentJobRuns,
  releaseHold,
  requestById,
  requestsOf,
  transitionRequest,
  unholdRequests,
  updateRequest,
} from "../../lib/care-data/lifecycle";
import { careData } from "../../lib/care-data/repository";
import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";
import type { Region } from "../../lib/vocabulary";
import { COOLING_OFF_MS, runErasure } from "./erasure";
import { EXPORT_FORMATS, type ExportFormat, exportObject, signedLink, verifyLink } from "./export";

const REQ = "data_request";
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A request as the API shows it; download links (15 min) only while a ready export is downloadable. */
export async function present(scope: Scope, r: DataRequestRow) {
  const downloadable = r.kind === "export" && r.status === "ready" && r.objectKey !== null;
  const downloads = downloadable
    ? Object.fromEntries(
        await Promise.all(
          EXPORT_FORMATS.map(async (f) => [f, await signedLink(scope.config, r.id, f)] as const),
        ),
      )
    : null;
  return {
    id: r.id,
    patientId: r.patientId,
    kind: r.kind,
    status: r.status,
    requestedBy: r.requestedBy,
    requestedAt: r.requestedAt.toISOString(),
    dueAt: iso(r.dueAt),
    startedAt: iso(r.startedAt),
    completedAt: iso(r.completedAt),
    expiresAt: iso(r.expiresAt),
    includeNotes: r.includeNotes,
    result: (r.result ?? null) as Record<string, unknown> | null,
    error: r.error,
    downloads: downloads as { json: string; fhir: string } | null,
  };
}

/** Starts an export of `access`'s subject: a queued request and its Workflow instance. */
async function startExport(scope: Scope, access: PatientAccess, includeNotes: boolean) {
  const care = careData(scope);
  const id = crypto.randomUUID();
  const op = { action: "export.request", resourceType: REQ, resourceId: id, allow: [access.via] as const };
  const [[row]] = await care.run(access, op, (db) => [
    insertRequest(db, {
      id,
      patientId: access.patientId,
      kind: "export",
      status: "queued",
      requestedBy: care.scope.principal?.userId ?? access.patientId,
      includeNotes,
    }),
  ]);
  try {
    const instance = await scope.env.EXPORT_WORKFLOW.create({
      id,
      params: { requestId: id, region: access.region },
    });
    await updateRequest(scope.db(access.region), id, { jobId: `workflow:${instance.id}` });
  } catch (err) {
    scope.log.error("export_workflow_failed", { error: err instanceof Error ? err.name : "unknown" });
    await updateRequest(scope.db(access.region), id, { status: "failed", error: "workflow_unavailable" });
    throw new AppError("service_unavailable", "The export could not be started; try again shortly");
  }
  return present(scope, { ...(row as DataRequestRow), jobId: `workflow:${id}` });
}

/** Requests an erasure of `access`'s subject, effective after the cooling-off period. */
async function startErasure(scope: Scope, access: PatientAccess) {
  const care = careData(scope);
  const db = scope.db(access.region);
  if ((await openErasures(db, access.patientId)).length > 0)
    throw new AppError("conflict", "An erasure is already requested for this account");
  const id = crypto.randomUUID();
  const op = { action: "erasure.request", resourceType: REQ, resourceId: id, allow: [access.via] as const };
  const [[row]] = await care.run(access, op, (db) => [
    insertRequest(db, {
      id,
      patientId: access.patientId,
      kind: "erasure",
      status: "pending",
      requestedBy: care.scope.principal?.userId ?? access.patientId,
      dueAt: new Date(Date.now() + COOLING_OFF_MS),
    }),
  ]);
  return present(scope, row as DataRequestRow);
}

export const requestOwnExport = (scope: Scope, includeNotes: boolean) =>
  startExport(scope, careData(scope).self(), includeNotes);
export const requestOwnErasure = (scope: Scope) => startErasure(scope, careData(scope).self());

/** Admin on a patient's behalf (audited as the admin, in the patient's region). */
export async function requestExportFor(scope: Scope, patientId: string, includeNotes: boolean) {
  const access = await careData(scope).locate(patientId, { action: "export.request", resourceType: REQ });
  return startExport(scope, access, includeNotes);
}
export async function requestErasureFor(scope: Scope, patientId: string) {
  const access = await careData(scope).locate(patientId, { action: "erasure.request", resourceType: REQ });
  return startErasure(scope, access);
}

/** The caller's own requests. */
export async function ownRequests(scope: Scope) {
  const care = careData(scope);
  const [rows] = await care.run(care.self(), { action: "data_request.list", resourceType: REQ }, (db) => [
    requestsOf(db, care.self().patientId),
  ]);
  return Promise.all(rows.map((r) => present(scope, r)));
}

/** Finds a request the caller may act on: their own (in their region), or any for an admin. */
async function findRequest(scope: Scope, id: string, region: Region | undefined) {
  const p = scope.principal;
  if (!p) throw new AppError("unauthorized", "Sign in to continue");
  const where = p.role === "admin" ? (region ?? p.region) : p.region;
  const [row] = await requestById(scope.db(where), id);
  if (!row || (p.role !== "admin" && row.patientId !== p.userId)) {
    return careData(scope).refuse(
      { action: "data_request.read", resourceType: REQ, resourceId: id },
      "request",
    );
  }
  return { row, region: where };
}

/** Cancels a pending (cooling-off) or held erasure: the subject or an admin. */
export async function cancelErasure(scope: Scope, id: string, region?: Region) {
  const { row, region: where } = await findRequest(scope, id, region);
  const [moved] = await transitionRequest(scope.db(where), id, ["pending", "held"], {
    status: "cancelled",
    completedAt: new Date(),
  });
  if (!moved || row.kind !== "erasure")
    throw new AppError("conflict", "Only a pending or held erasure can be cancelled");
  await careData(scope).record(
    {
      patientId: row.patientId,
      region: where,
      via: scope.principal?.role === "admin" ? "membership" : "self",
    },
    { action: "erasure.cancel", resourceType: REQ, resourceId: id },
  );
  return present(scope, moved);
}

/** Streams one export file behind a valid signed link, to its subject or an admin; audited. */
export async function download(
  scope: Scope,
  id: string,
  q: { format: ExportFormat; exp: number; sig: string; region?: Region | undefined },
) {
  if (!(await verifyLink(scope.config, id, q.format, q.exp, q.sig))) {
    throw new AppError("not_found", "This download link is invalid or has expired");
  }
  const { row, region } = await findRequest(scope, id, q.region);
  if (row.status !== "ready" || !row.objectKey)
    throw new AppError("not_found", "This export is no longer available");
  const object = await exportObject(scope, row.objectKey, q.format);
  if (!object) throw new AppError("not_found", "This export is no longer available");
  await careData(scope).record(
    {
      patientId: row.patientId,
      region,
      via: scope.principal?.userId === row.patientId ? "self" : "membership",
    },
    { action: "export.download", resourceType: REQ, resourceId: id },
  );
  return object;
}

/** Admin: every request in a region, newest first (audited). */
export async function listRequests(scope: Scope, region: Region) {
  const [rows] = await careData(scope).region(
    region,
    { action: "data_request.list", resourceType: REQ },
    (db) => [allRequests(db)],
  );
  return Promise.all(rows.map((r) => present(scope, r)));
}

/** Admin: legal holds in a region (audited). */
export async function listHolds(scope: Scope, region: Region) {
  const [rows] = await careData(scope).region(
    region,
    { action: "legal_hold.list", resourceType: "legal_hold" },
    (db) => [allHolds(db)],
  );
  return rows.map(presentHold);
}

const presentHold = (h: Awaited<ReturnType<typeof allHolds>>[number]) => ({
  id: h.id,
  patientId: h.patientId,
  reason: h.reason,
  placedBy: h.placedBy,
  placedAt: h.placedAt.toISOString(),
  releasedAt: iso(h.releasedAt),
  releasedBy: h.releasedBy,
});

/** Admin: places a legal hold; a pending erasure stays pending and is held when it falls due. */
export async function placeHold(scope: Scope, patientId: string, reason: string) {
  const care = careData(scope);
  const access = await care.locate(patientId, { action: "legal_hold.place", resourceType: "legal_hold" });
  const by = scope.principal?.userId as string;
  const [[hold]] = await care.run(
    access,
    { action: "legal_hold.place", resourceType: "legal_hold", allow: ["membership"] },
    (db) => [insertHold(db, { patientId, reason, placedBy: by })],
  );
  return presentHold(hold as Awaited<ReturnType<typeof allHolds>>[number]);
}

/** Admin: releases a hold; a held erasure becomes pending again (and runs at the next sweep). */
export async function liftHold(scope: Scope, id: string, region: Region) {
  const by = scope.principal?.userId as string;
  const [[released]] = await careData(scope).region(
    region,
    { action: "legal_hold.release", resourceType: "legal_hold", resourceId: id },
    (db) => [releaseHold(db, id, by)],
  );
  if (!released) throw new AppError("not_found", "No such active legal hold");
  const db = scope.db(region);
  if ((await activeHolds(db, released.patientId)).length === 0) {
    await unholdRequests(db, released.patientId);
  }
  return presentHold(released);
}

/** Admin: recent job runs (retention, erasure sweeps, DR drills) in a region. */
export async function jobRuns(scope: Scope, region: Region) {
  const [rows] = await careData(scope).region(
    region,
    { action: "job_run.list", resourceType: "job_run" },
    (db) => [recentJobRuns(db)],
  );
  return rows.map((r) => ({
    id: r.id,
    job: r.job,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt.toISOString(),
    durationMs: r.durationMs,
    outcome: r.outcome,
    counts: r.counts as Record<string, unknown>,
    error: r.error,
  }));
}

/**
 * LOCAL ONLY (ENVIRONMENT=local, for demos and the browser walk-through): ends the cooling-off of
 * one pending erasure now and runs it. Anywhere else the route does not exist (404).
 */
export async function executeNowLocal(scope: Scope, id: string, region: Region) {
  if (scope.config.ENVIRONMENT !== "local") throw new AppError("not_found", "No such page");
  const [moved] = await transitionRequest(scope.db(region), id, ["pending"], { dueAt: new Date() });
  if (!moved) throw new AppError("conflict", "Only a pending erasure can be executed");
  return runErasure(scope, region, id);
}
