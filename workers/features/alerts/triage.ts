import { pushToClinician, resolveUserRegion } from "../../../durable-objects/chat-alerts";
import { audit, auditInsert } from "../../lib/audit";
import {
  alertActionsQuery,
  alertPatientQuery,
  CARE_ALERT_ESCALATE,
  CARE_ALERT_NOTE,
  CARE_ALERT_READ,
  CARE_ALERT_REALERT,
  dueRealertsQuery,
  escalateWrites,
  insertAlertAction,
  staffQuery,
} from "../../lib/care-data/alert-triage";
import { alertByIdQuery, type CareAlertRow } from "../../lib/care-data/alerts";
import { staffNamesQuery } from "../../lib/care-data/caseload";
import { AppError } from "../../lib/errors";
import type { Principal } from "../../lib/principal";
import { createScope, jobAudit, type Scope } from "../../lib/scope";
import { userCipher } from "../../lib/user-cipher";
import { REGIONS, type Region } from "../../lib/vocabulary";
import { emailHash, lookupDirectory } from "../accounts/directory";
import type { AlertDetail, EscalateInput } from "./schema";

const noteField = (actionId: string) => `alert.note:${actionId}`;

function clinician(scope: Scope): Principal {
  if (!scope.principal) throw new AppError("unauthorized", "Sign in to continue");
  return scope.principal;
}

interface Found {
  region: Region;
  row: CareAlertRow;
}

/**
 * The caller's own alert, still reachable (on the team or holding a grant), found in the patient's
 * region. Anything else is a denial audited there (or in the caller's region) and a 404.
 */
async function ownAlert(
  scope: Scope,
  id: string,
  op: { action: string; resourceType: string },
): Promise<Found> {
  const p = clinician(scope);
  const found = await Promise.all(
    REGIONS.map(async (region) => {
      const [row] = await alertByIdQuery(scope.db(region), id);
      return row ? { region, ...row } : null;
    }),
  );
  const hit = found.find((f) => f !== null) ?? null;
  if (!hit || hit.row.clinicianId !== p.userId || !hit.onTeam) {
    await audit(scope, hit?.region ?? p.region, {
      ...op,
      resourceId: id,
      patientId: hit?.row.patientId ?? null,
      outcome: "denied",
    });
    throw new AppError("not_found", "No such alert");
  }
  return { region: hit.region, row: hit.row };
}

/** One alert with its patient's name and the triage trail (notes decrypted), audited. */
export async function alertDetail(scope: Scope, id: string): Promise<AlertDetail> {
  const { region, row } = await ownAlert(scope, id, CARE_ALERT_READ);
  const db = scope.db(region);
  const [, [patient], actions] = await db.batch([
    auditInsert(db, scope, {
      ...CARE_ALERT_READ,
      resourceId: id,
      patientId: row.patientId,
      outcome: "success",
    }),
    alertPatientQuery(db, row.patientId),
    alertActionsQuery(db, id),
  ]);
  const cipher = await userCipher(scope.config, row.patientId, patient?.wrapped ?? null);
  const ids = [
    ...new Set(
      [row.acknowledgedBy, ...actions.flatMap((a) => [a.authorId, a.targetId])].filter(
        (x): x is string => typeof x === "string",
      ),
    ),
  ];
  const names = new Map(
    (await Promise.all(REGIONS.map((r) => staffNamesQuery(scope.db(r), ids))))
      .flat()
      .map((n) => [n.id, n.name]),
  );
  return {
    id: row.id,
    patientId: row.patientId,
    patientName: patient?.name ?? "",
    severity: row.severity,
    createdAt: row.createdAt.toISOString(),
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: row.acknowledgedBy,
    acknowledgedByName: row.acknowledgedBy ? (names.get(row.acknowledgedBy) ?? null) : null,
    actions: await Promise.all(
      actions.map(async (a) => ({
        id: a.id,
        kind: a.kind,
        at: a.createdAt.toISOString(),
        authorId: a.authorId,
        authorName: a.authorId ? (names.get(a.authorId) ?? null) : "Haven (scheduled re-alert)",
        targetId: a.targetId,
        targetName: a.targetId ? (names.get(a.targetId) ?? null) : null,
        note: a.noteEnc && cipher ? await cipher.decrypt(noteField(a.id), a.noteEnc) : null,
      })),
    ),
  };
}

/** Adds a follow-up note (sealed with the PATIENT's key: it is their record) to the caller's alert. */
export async function addNote(scope: Scope, id: string, note: string): Promise<AlertDetail> {
  const p = clinician(scope);
  const { region, row } = await ownAlert(scope, id, CARE_ALERT_NOTE);
  const db = scope.db(region);
  const [patient] = await alertPatientQuery(db, row.patientId);
  const cipher = await userCipher(scope.config, row.patientId, patient?.wrapped ?? null);
  if (!cipher) throw new AppError("not_found", "No such alert");
  const actionId = crypto.randomUUID();
  await db.batch([
    insertAlertAction(db, {
      id: actionId,
      alertId: id,
      patientId: row.patientId,
      kind: "note",
      authorId: p.userId,
      noteEnc: await cipher.encrypt(noteField(actionId), note),
    }),
    auditInsert(db, scope, {
      ...CARE_ALERT_NOTE,
      resourceId: id,
      patientId: row.patientId,
      outcome: "success",
    }),
  ]);
  return alertDetail(scope, id);
}

/** Resolves the colleague an alert is escalated to: a clinician other than the caller, or 404. */
async function colleague(scope: Scope, input: EscalateInput): Promise<{ id: string; name: string }> {
  const p = clinician(scope);
  let target: { userId: string; region: Region } | null = null;
  if (input.clinicianId) {
    const region = await resolveUserRegion(scope, input.clinicianId);
    target = region ? { userId: input.clinicianId, region } : null;
  } else if (input.email) {
    target = await lookupDirectory(scope, await emailHash(scope.config.EMAIL_HASH_KEY, input.email));
  }
  const [row] = target ? await staffQuery(scope.db(target.region), target.userId) : [];
  if (row?.role !== "clinician" || row.id === p.userId) throw new AppError("not_found", "No such clinician");
  return { id: row.id, name: row.name };
}

/**
 * Escalates the caller's alert to an on-call colleague: a one-hour break-glass grant for them on
 * this patient (the reason recorded, sealed with the patient's key, and shown to the patient like
 * any break-glass), the alert in their inbox, and a live push. Audited in the patient's region.
 */
export async function escalate(scope: Scope, id: string, input: EscalateInput): Promise<AlertDetail> {
  const p = clinician(scope);
  const { region, row } = await ownAlert(scope, id, CARE_ALERT_ESCALATE);
  const target = await colleague(scope, input);
  const db = scope.db(region);
  const [patient] = await alertPatientQuery(db, row.patientId);
  const cipher = await userCipher(scope.config, row.patientId, patient?.wrapped ?? null);
  if (!cipher) throw new AppError("not_found", "No such alert");
  const grantId = crypto.randomUUID();
  const actionId = crypto.randomUUID();
  const reason = `Escalated crisis alert: ${input.reason}`;
  const [, [copy]] = await db.batch([
    ...escalateWrites(db, row, {
      grantId,
      actionId,
      authorId: p.userId,
      targetId: target.id,
      reasonEnc: await cipher.encrypt(`break_glass_reason:${grantId}`, reason),
      noteEnc: await cipher.encrypt(noteField(actionId), input.reason),
    }),
    auditInsert(db, scope, {
      ...CARE_ALERT_ESCALATE,
      resourceId: id,
      patientId: row.patientId,
      outcome: "success",
    }),
  ]);
  const alertId = copy?.id;
  if (alertId) {
    await pushToClinician(scope, target.id, {
      alertId,
      patientId: row.patientId,
      severity: row.severity,
      at: Date.now(),
    }).catch((err) =>
      scope.log.warn("escalation_push_failed", { error: err instanceof Error ? err.name : "unknown" }),
    );
  }
  return alertDetail(scope, id);
}

/**
 * The re-alert job (cron): every unacknowledged high-risk alert older than `minutes` (and not
 * re-alerted in that time) gets a `realert` row and a new live push to its clinician. Runs in a
 * job scope (audited as system). Returns how many were re-alerted.
 */
export async function realertDue(
  base: Pick<Scope, "env" | "config" | "log">,
  minutes: number,
): Promise<number> {
  const scope = createScope({ ...base, audit: jobAudit("care_alert.realert"), redisTimeoutMs: 2000 });
  let sent = 0;
  for (const region of REGIONS) {
    const db = scope.db(region);
    const due = await dueRealertsQuery(db, minutes);
    for (const alert of due) {
      const [, trail] = await db.batch([
        insertAlertAction(db, { alertId: alert.id, patientId: alert.patientId, kind: "realert" }),
        alertActionsQuery(db, alert.id),
        auditInsert(db, scope, {
          ...CARE_ALERT_REALERT,
          resourceId: alert.id,
          patientId: alert.patientId,
          outcome: "success",
        }),
      ]);
      const count = Math.max(1, trail.filter((a) => a.kind === "realert").length);
      await pushToClinician(scope, alert.clinicianId, {
        alertId: alert.id,
        patientId: alert.patientId,
        severity: alert.severity,
        at: Date.now(),
        realert: count,
      }).catch((err) =>
        scope.log.warn("realert_push_failed", { error: err instanceof Error ? err.name : "unknown" }),
      );
      sent += 1;
    }
  }
  return sent;
}
