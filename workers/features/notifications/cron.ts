import {
  deliveryQuery,
  finishDelivery,
  insertDeadLetter,
  markStuckDead,
  releasableQuery,
  requeueHeld,
  stuckDeliveriesQuery,
  takeForDigest,
  touchQueued,
  unplannedCrisisQuery,
} from "../../lib/care-data/notifications";
import {
  advanceSchedule,
  dueSchedulesQuery,
  insertSchedule,
  type ScheduleRow,
} from "../../lib/care-data/notify-settings";
import { DomainEvent, type NewEvent, publishEvent } from "../../lib/events";
import { inc } from "../../lib/metrics/recorder";
import type { Scope } from "../../lib/scope";
import { REGIONS, type Region } from "../../lib/vocabulary";
import { type DeliveryMessage, eventTypeOf, materialize } from "./consumer";
import { failOver } from "./deliver";
import type { Providers } from "./providers";
import { appOrigin, loadRecipient } from "./recipient";
import { nextLocalTime } from "./rules";
import { renderDigest } from "./templates";

/**
 * The minute cron: fires due reminders (local wall-clock times, DST-correct), releases deliveries
 * held for quiet hours, sends digests, re-plans crisis notifications whose event never reached
 * the queue (so a failed publish delays a crisis alert by a minute instead of losing it), and
 * re-enqueues deliveries whose own queue message was never sent (`sweepStuckDeliveries`).
 */

/** A UUID derived from a string (SHA-256, RFC 9562 version 8): the same reminder firing → the same event id. */
export async function derivedUuid(input: string): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(input))).slice(
    0,
    16,
  );
  h[6] = ((h[6] ?? 0) & 0x0f) | 0x80;
  h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(h, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** When a schedule fires next after it fired at `due`. */
export function nextFire(s: Pick<ScheduleRow, "kind" | "localTime" | "timeZone">, due: Date): Date | null {
  if (s.kind === "once" || !s.localTime) return null;
  const [hh, mm] = s.localTime.split(":").map(Number);
  return nextLocalTime(due, s.timeZone, hh ?? 0, mm ?? 0);
}

/** Fires every due schedule in one region once (compare-and-set), publishing its event. Returns how many fired. */
export async function fireDueSchedules(
  scope: Scope,
  region: Region,
  now: Date,
  publish: (e: NewEvent) => Promise<unknown> = (e) => publishEvent(scope.env, e),
): Promise<number> {
  const db = scope.db(region);
  let fired = 0;
  for (const s of await dueSchedulesQuery(db, now)) {
    const due = s.nextFireAt;
    if (!due) continue;
    const stored = s.event as Record<string, unknown>;
    const id = await derivedUuid(`${s.id}:${due.toISOString()}`);
    const event = DomainEvent.safeParse({ ...stored, id, occurredAt: due.toISOString(), v: 1 });
    if (!event.success) {
      scope.log.error("schedule_event_invalid", { scheduleId: s.id });
      await advanceSchedule(db, s.id, due, null);
      continue;
    }
    await publish(event.data);
    // Skip firings missed while the cron was down: the next one is the next local time after now.
    const next = nextFire(s, due.getTime() < now.getTime() - 3600_000 ? now : due);
    if ((await advanceSchedule(db, s.id, due, next)).length > 0) fired++;
  }
  return fired;
}

/** Schedules a reminder; `daily` at a local time in an IANA zone, or `once` at an instant. */
export async function scheduleReminder(
  scope: Scope,
  region: Region,
  userId: string,
  s: { kind: "once"; at: Date; timeZone?: string } | { kind: "daily"; localTime: string; timeZone: string },
  event: NewEvent,
  now = new Date(),
) {
  const nextFireAt =
    s.kind === "once"
      ? s.at
      : (nextFire({ kind: "daily", localTime: s.localTime, timeZone: s.timeZone }, now) as Date);
  const [row] = await insertSchedule(scope.db(region), {
    userId,
    kind: s.kind,
    localTime: s.kind === "daily" ? s.localTime : null,
    timeZone: s.timeZone ?? "UTC",
    event,
    nextFireAt,
  });
  return row;
}

/**
 * Session reminders `hoursBefore` each (e.g. [24, 1]) for both people of a booking, for the
 * sessions feature to call when a booking is made. Past instants are skipped.
 */
export async function scheduleSessionReminders(
  scope: Scope,
  booking: { bookingId: string; patientId: string; clinicianId: string; region: Region; startsAt: Date },
  hoursBefore: number[],
  now = new Date(),
) {
  const rows = [];
  for (const h of hoursBefore) {
    const at = new Date(booking.startsAt.getTime() - h * 3600_000);
    if (at <= now) continue;
    rows.push(
      await scheduleReminder(
        scope,
        booking.region,
        booking.patientId,
        { kind: "once", at },
        {
          type: "session.reminder",
          v: 1,
          bookingId: booking.bookingId,
          patientId: booking.patientId,
          clinicianId: booking.clinicianId,
          region: booking.region,
          startsAt: booking.startsAt.toISOString(),
        },
        now,
      ),
    );
  }
  return rows;
}

/** Releases held deliveries: digests go out as one email per person; the rest are queued. */
export async function releaseHeld(
  scope: Scope,
  region: Region,
  now: Date,
  providers: Providers,
): Promise<DeliveryMessage[]> {
  const db = scope.db(region);
  const rows = await releasableQuery(db, now);
  const plain = rows.filter((r) => !r.delivery.digest).map((r) => r.delivery.id);
  const out: DeliveryMessage[] = [];
  if (plain.length > 0) for (const r of await requeueHeld(db, plain)) out.push({ deliveryId: r.id, region });
  const byRecipient = new Map<string, string[]>();
  for (const r of rows.filter((x) => x.delivery.digest)) {
    const list = byRecipient.get(r.delivery.recipientId) ?? [];
    list.push(r.delivery.id);
    byRecipient.set(r.delivery.recipientId, list);
  }
  for (const [recipientId, ids] of byRecipient) {
    const taken = (await takeForDigest(db, ids)).map((t) => t.id);
    if (taken.length === 0) continue;
    const recipient = await loadRecipient(scope, recipientId);
    const to = recipient ? await recipient.email() : null;
    const link = new URL("/notifications", appOrigin(scope.config)).toString();
    const r = renderDigest(recipient?.locale ?? "en", taken.length, link);
    const res = to
      ? await providers.email.send({
          to,
          ...r,
          url: link,
          idempotencyKey: `digest:${taken[0]}`,
          critical: false,
          tag: "digest",
        })
      : ({ ok: false, cls: "permanent", code: "email_unavailable" } as const);
    if (!res.ok) {
      // Fall back to individual deliveries with the normal retry and failover path.
      for (const id of taken) {
        await finishDelivery(db, id, "queued", { lastError: res.code });
        out.push({ deliveryId: id, region });
      }
    }
  }
  return out;
}

/** Crisis notifications no delivery was planned for (the event never arrived): plans them now. */
export async function sweepCrisis(scope: Scope, region: Region): Promise<DeliveryMessage[]> {
  const out: DeliveryMessage[] = [];
  const seen = new Set<string>();
  for (const n of await unplannedCrisisQuery(scope.db(region), 60)) {
    if (n.patientId === null || n.seq === null) continue;
    const key = `${n.patientId}:${n.seq}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(
      ...(await materialize(scope, {
        type: "crisis.detected",
        v: 1,
        id: n.eventId ?? (await derivedUuid(`crisis:${key}`)),
        occurredAt: n.createdAt.toISOString(),
        patientId: n.patientId,
        region,
        seq: n.seq,
        severity: n.severity,
      })),
    );
  }
  if (out.length > 0) scope.log.warn("crisis_swept", { region, deliveries: out.length });
  return out;
}

/**
 * Bounds of the stuck-delivery sweep. A `queued` row normally leaves that state within seconds of
 * its message; one untouched for `queuedSec` (and past any retry delay it waits on) lost its
 * message. `sending` is claimable again after two minutes (claimDelivery): `sendingSec` leaves the
 * queue's own redelivery the first chance. At most `limit` per region per run (one `sendBatch`).
 */
export const SWEEP = { queuedSec: 120, sendingSec: 600, limit: 100 } as const;

/**
 * A delivery found stuck in `sending` with this many attempts already (each sweep's message is
 * one more claim) is not tried again: a consumer dies on it every time. It becomes a dead letter
 * (`delivery_stuck`) an admin sees and can retry, and the next channel is planned.
 */
export const STUCK_MAX_ATTEMPTS = 5;

/** Dead-letters a delivery stuck in `sending` and plans its failover; the failover's message, if any. */
async function giveUpStuck(
  scope: Scope,
  region: Region,
  id: string,
  sendingSec: number,
): Promise<DeliveryMessage | null> {
  const db = scope.db(region);
  const [dead] = await markStuckDead(db, id, sendingSec);
  if (!dead) return null;
  const [joined] = await deliveryQuery(db, id);
  if (!joined) return null;
  inc("notifications_total", { channel: dead.channel, outcome: "dead_lettered" });
  await insertDeadLetter(db, {
    messageId: `delivery:${id}:stuck:${dead.attempts}`,
    queue: "haven-deliveries",
    deliveryId: id,
    eventType: eventTypeOf(joined.notification),
    channel: dead.channel,
    errorCode: "delivery_stuck",
    attempts: dead.attempts,
    body: { deliveryId: id, region },
  });
  scope.log.error("delivery_stuck", { deliveryId: id, channel: dead.channel, attempts: dead.attempts });
  const recipient = await loadRecipient(scope, dead.recipientId);
  return recipient ? failOver(scope, region, joined.notification, dead.channel, recipient) : null;
}

/**
 * Re-enqueues deliveries left `queued` (or stuck `sending`) after their queue message was never
 * sent or was lost: every path that writes a delivery row and then sends its message (publishing,
 * failover after a send error or a bounce, digest fallback, quiet-hours release, admin retry) is
 * covered, whichever send failed. Critical ones first. Sending once is the claim's job: a late
 * original message and the sweep's both reach `claimDelivery`, and only one of them wins. The rows
 * are marked (`updatedAt`) only after the send succeeded, so a failed send leaves them for the next
 * run. Returns how many were re-enqueued.
 */
export async function sweepStuckDeliveries(
  scope: Scope,
  region: Region,
  enqueue: (m: DeliveryMessage[]) => Promise<void>,
  bounds: { queuedSec: number; sendingSec: number; limit: number } = SWEEP,
): Promise<number> {
  const db = scope.db(region);
  const found = await stuckDeliveriesQuery(db, bounds);
  if (found.length === 0) return 0;
  const hopeless = (r: (typeof found)[number]) => r.status === "sending" && r.attempts >= STUCK_MAX_ATTEMPTS;
  const failovers: DeliveryMessage[] = [];
  for (const r of found.filter(hopeless)) {
    const next = await giveUpStuck(scope, region, r.id, bounds.sendingSec);
    if (next) failovers.push(next);
  }
  const rows = found.filter((r) => !hopeless(r));
  await enqueue([...rows.map((r) => ({ deliveryId: r.id, region })), ...failovers]);
  const queued = rows.filter((r) => r.status === "queued").map((r) => r.id);
  if (queued.length > 0) await touchQueued(db, queued);
  for (const r of rows) inc("notifications_total", { channel: r.channel, outcome: "requeued" });
  scope.log.warn("deliveries_requeued", {
    region,
    deliveries: rows.length,
    critical: rows.filter((r) => r.critical).length,
    failovers: failovers.length,
  });
  return rows.length;
}

/** One cron run over every region; one region failing does not stop the others. */
export async function runNotificationCron(
  scope: Scope,
  providers: Providers,
  enqueue: (m: DeliveryMessage[]) => Promise<void>,
  now = new Date(),
): Promise<void> {
  await Promise.all(
    REGIONS.map(async (region) => {
      for (const step of [
        async () => void (await sweepStuckDeliveries(scope, region, enqueue)),
        async () => enqueue(await sweepCrisis(scope, region)),
        async () => void (await fireDueSchedules(scope, region, now)),
        async () => enqueue(await releaseHeld(scope, region, now, providers)),
      ]) {
        await step().catch((err) =>
          scope.log.error("notify_cron_failed", { region, error: (err as Error).name }),
        );
      }
    }),
  );
}
