import { roomStub } from "../../../durable-objects/chat-stub";
import type { Channel } from "../../db/schema";
import { auditInsert } from "../../lib/audit";
import { activeClinicianIds } from "../../lib/care-data/access";
import {
  crisisRecipientsQuery,
  finishDelivery,
  type NewNotification,
  type NotificationRow,
  planDeliveries,
  unreadQuery,
  upsertNotifications,
} from "../../lib/care-data/notifications";
import { activeMedicationQuery } from "../../lib/care-data/tracking";
import type { DomainEvent } from "../../lib/events";
import { inc } from "../../lib/metrics/recorder";
import type { Scope } from "../../lib/scope";
import { REGIONS, type Region } from "../../lib/vocabulary";
import { activeAdminIds } from "./admins";
import { isCritical, POLICY } from "./catalog";
import { loadRecipient, type Recipient } from "./recipient";
import { planChannels } from "./rules";
import { titleOf } from "./templates";

/** A delivery attempt as a queue message: ids only. */
export interface DeliveryMessage {
  deliveryId: string;
  region: Region;
}

export const NOTIFICATION_CREATE = { action: "notification.create", resourceType: "notification" } as const;

/** Who an event notifies, in the region its notifications are stored in (the patient's). */
async function recipientsOf(scope: Scope, e: DomainEvent): Promise<string[]> {
  const db = scope.db(e.region);
  switch (e.type) {
    case "crisis.detected":
      return (await crisisRecipientsQuery(db, e.patientId, e.seq)).map((r) => r.clinicianId);
    case "alert.acknowledged":
      return (await activeClinicianIds(db, e.patientId)).filter((id) => id !== e.clinicianId);
    case "assessment.submitted":
    case "anomaly.detected":
      return activeClinicianIds(db, e.patientId);
    case "assessment.due":
      return [e.patientId];
    case "medication.reminder":
      // A medication paused or deleted since the reminder was scheduled reminds nobody.
      if (e.medicationId && (await activeMedicationQuery(db, e.patientId, e.medicationId)).length === 0)
        return [];
      return [e.patientId];
    case "booking.created":
    case "booking.changed":
    case "booking.cancelled":
    case "session.reminder":
      return [e.patientId, e.clinicianId];
    case "note.unsigned":
      return [e.clinicianId];
    case "security.sign_in":
    case "security.mfa_changed":
      return [e.userId];
    case "ops.alert":
      return activeAdminIds(db);
  }
}

function notificationFor(e: DomainEvent, recipientId: string): NewNotification {
  const patientId = "patientId" in e ? e.patientId : null;
  const flagged =
    (e.type === "anomaly.detected" && e.critical) ||
    (e.type === "ops.alert" && e.severity === "critical" && e.status === "firing");
  const data: Record<string, string> = {};
  if ("startsAt" in e) data.startsAt = e.startsAt;
  if ("instrument" in e) data.instrument = e.instrument;
  if (e.type === "ops.alert") Object.assign(data, { alert: e.alertname, state: e.status });
  return {
    recipientId,
    patientId,
    kind: e.type === "crisis.detected" ? "crisis_alert" : e.type,
    severity:
      e.type === "crisis.detected" || e.type === "ops.alert" ? e.severity : flagged ? "critical" : "info",
    seq: e.type === "crisis.detected" ? e.seq : null,
    eventId: e.id,
    critical: isCritical(e.type, flagged),
    data,
  };
}

/** The event type of a stored notification (crisis rows written by the alert path say `crisis_alert`). */
export function eventTypeOf(n: Pick<NotificationRow, "kind">): DomainEvent["type"] {
  return (n.kind === "crisis_alert" ? "crisis.detected" : n.kind) as DomainEvent["type"];
}

/**
 * Turns one domain event into notifications (one per recipient, idempotent by event id) and their
 * planned deliveries (one per channel, idempotent), shows each in-app notification live, and
 * returns the deliveries to enqueue now. Running it twice for the same event plans nothing new
 * and returns only deliveries still queued (their attempt is itself idempotent).
 */
export async function materialize(
  scope: Scope,
  e: DomainEvent,
  now = new Date(),
): Promise<DeliveryMessage[]> {
  const recipientIds = [...new Set(await recipientsOf(scope, e))];
  if (recipientIds.length === 0) return [];
  const db = scope.db(e.region);
  const rows = await upsertNotifications(
    db,
    recipientIds.map((id) => notificationFor(e, id)),
  );
  await db.batch([
    auditInsert(db, scope, {
      ...NOTIFICATION_CREATE,
      resourceId: e.id,
      patientId: "patientId" in e ? e.patientId : null,
      outcome: "success",
    }),
  ]);
  const out: DeliveryMessage[] = [];
  let failed = 0;
  for (const n of rows) {
    // One recipient's failure (bad settings, an unreachable store for their row) must not keep the
    // others from being notified: each is planned on its own, and the event is retried afterwards
    // for the ones that failed (planning is idempotent, so the others plan nothing new).
    try {
      out.push(...(await planFor(scope, db, e, n, now)));
    } catch (err) {
      failed += 1;
      scope.log.warn("recipient_failed", { type: e.type, id: e.id, error: (err as Error).name });
    }
  }
  if (failed > 0) throw new PartialMaterializeError(out, failed);
  return out;
}

/**
 * Thrown by {@link materialize} when some recipients could not be planned: carries the deliveries
 * of the ones that were, so the consumer sends those now and retries the event for the rest.
 */
export class PartialMaterializeError extends Error {
  override name = "PartialMaterializeError";
  constructor(
    readonly deliveries: DeliveryMessage[],
    readonly failed: number,
  ) {
    super(`${failed} recipient(s) could not be planned`);
  }
}

/** Plans one recipient's deliveries of one notification; returns those to enqueue now. */
async function planFor(
  scope: Scope,
  db: ReturnType<Scope["db"]>,
  e: DomainEvent,
  n: NotificationRow,
  now: Date,
): Promise<DeliveryMessage[]> {
  const out: DeliveryMessage[] = [];
  {
    const recipient = await loadRecipient(scope, n.recipientId);
    if (!recipient) return out;
    const plan = planChannels({
      type: e.type,
      critical: n.critical,
      role: recipient.role,
      onCall: recipient.onCall,
      prefs: recipient.prefs,
      reachable: recipient.reachable,
      quiet: recipient.quiet,
      digestMinutes: recipient.digestMinutes,
      now,
    });
    // The first allowed channel now; later ones only by failover. A critical alert also goes by
    // email at once (if allowed) so it has a second, independent path from the start.
    const first = plan.channels[0];
    const now2 =
      first && n.critical && first !== "email" && plan.channels.includes("email") ? ["email" as const] : [];
    const planned = await planDeliveries(db, [
      { notificationId: n.id, recipientId: n.recipientId, channel: "in_app", status: "queued" },
      ...(first ? [first, ...now2] : []).map((channel) => ({
        notificationId: n.id,
        recipientId: n.recipientId,
        channel,
        status: plan.releaseAt ? ("held" as const) : ("queued" as const),
        releaseAt: plan.releaseAt,
        digest: plan.digest,
      })),
    ]);
    for (const d of planned) {
      if (d.status !== "queued") continue;
      if (d.channel === "in_app") {
        await showInApp(scope, db, recipient, n, d.id);
        continue;
      }
      out.push({ deliveryId: d.id, region: e.region });
    }
  }
  return out;
}

/**
 * In-app delivery: the row is already in the inbox; this pushes it live to the recipient's open
 * sockets (their chat room carries both the patient chat and the clinician dashboard). A failed
 * live push is not a failed delivery: the inbox still shows it.
 */
async function showInApp(
  scope: Scope,
  db: ReturnType<Scope["db"]>,
  recipient: Recipient,
  n: NotificationRow,
  deliveryId: string,
): Promise<void> {
  let sockets = 0;
  try {
    const unread = await countUnread(scope, recipient.userId);
    // The title takes no variables; rendering the whole template here failed for types with some.
    const title = titleOf(eventTypeOf(n), recipient.locale);
    const res = await roomStub(scope.env, recipient.userId, recipient.region).notify(
      { ownerId: recipient.userId, region: recipient.region },
      { id: n.id, eventType: eventTypeOf(n), title, critical: n.critical, unread },
    );
    sockets = res.sockets;
  } catch (err) {
    scope.log.warn("inapp_live_failed", { notificationId: n.id, error: (err as Error).name });
  }
  const status = sockets > 0 ? "delivered" : "sent";
  await finishDelivery(db, deliveryId, status, {
    providerMessageId: sockets > 0 ? `sockets:${sockets}` : null,
  });
  inc("notifications_total", { channel: "in_app", outcome: status });
}

/** Unread notifications of a user across every region. */
export async function countUnread(scope: Scope, userId: string): Promise<number> {
  const counts = await Promise.all(
    REGIONS.map(async (r) => (await unreadQuery(scope.db(r), userId))[0]?.n ?? 0),
  );
  return counts.reduce((a, b) => a + b, 0);
}

export type { Channel };
export { POLICY };
