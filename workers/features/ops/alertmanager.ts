/**
 * Alertmanager's webhook (payload version 4) → the admin console's recent alerts, and an `ops.alert`
 * domain event per alert and region for the notifications feature (in-app and email to every
 * admin, per their preferences; critical alerts bypass quiet hours). Alert rules carry no PHI
 * (they aggregate series that carry none), and only the names, severity and summary are kept, capped.
 */
import { z } from "@hono/zod-openapi";
import { AppError } from "../../lib/errors";
import { type DomainEvent, makeEvent } from "../../lib/events";
import type { HubAlert } from "../../lib/metrics/ship";
import { hub } from "../../lib/metrics/ship";
import type { Scope } from "../../lib/scope";
import { REGIONS } from "../../lib/vocabulary";

const Labels = z.record(z.string(), z.string());

export const AlertmanagerPayload = z
  .object({
    version: z.string().max(8),
    status: z.enum(["firing", "resolved"]),
    receiver: z.string().max(200),
    groupKey: z.string().max(2_000).optional(),
    alerts: z
      .array(
        z.object({
          status: z.enum(["firing", "resolved"]),
          labels: Labels,
          annotations: Labels.default({}),
          startsAt: z.string().max(40),
          endsAt: z.string().max(40).optional(),
          fingerprint: z.string().max(64).optional(),
        }),
      )
      .max(500),
  })
  .openapi("AlertmanagerWebhook");
export type AlertmanagerPayload = z.infer<typeof AlertmanagerPayload>;

const cap = (s: string | undefined, n: number) => (s ?? "").slice(0, n);

export async function receiveAlerts(scope: Scope, payload: AlertmanagerPayload): Promise<number> {
  const now = new Date().toISOString();
  const alerts: HubAlert[] = payload.alerts.map((a) => ({
    fingerprint: cap(a.fingerprint ?? `${a.labels.alertname}:${a.startsAt}`, 64),
    status: a.status,
    alertname: cap(a.labels.alertname ?? "unnamed", 120),
    severity: cap(a.labels.severity ?? "none", 20),
    summary: cap(a.annotations.summary ?? "", 300),
    startsAt: a.startsAt,
    endsAt: a.endsAt && !a.endsAt.startsWith("0001-") ? a.endsAt : null,
    receivedAt: now,
  }));
  await hub(scope.env, 0).recordAlerts(alerts);
  for (const a of alerts) {
    if (a.status === "firing")
      scope.log.warn("ops_alert_firing", { code: a.alertname, severity: a.severity });
  }
  await notifyAdmins(scope, alerts);
  return alerts.length;
}

/** A token-shaped value (the event schema's pattern); anything else becomes `_`. */
const tokenOf = (s: string, max: number) => s.replace(/[^A-Za-z0-9_.:-]/g, "_").slice(0, max) || "unnamed";

/**
 * A UUID (version 8, RFC 9562 custom) from a SHA-256 of the alert's identity: the same
 * (fingerprint, status, startsAt, region) always gives the same event id, and the notifications
 * are unique per (recipient, event id), so Alertmanager's repeats and retries notify nobody twice.
 */
async function opsEventId(parts: string[]): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\n"))),
  );
  const b = digest.slice(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x80;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The `ops.alert` events of a webhook call: one per alert and region (admins live in every region). */
export async function opsAlertEvents(alerts: HubAlert[]): Promise<DomainEvent[]> {
  const out: DomainEvent[] = [];
  for (const a of alerts) {
    const started = new Date(a.startsAt);
    if (Number.isNaN(started.getTime())) continue;
    const startsAt = started.toISOString();
    const fingerprint = tokenOf(a.fingerprint, 64);
    const severity = /^[a-z0-9_.:-]{1,48}$/.test(a.severity) ? a.severity : "none";
    for (const region of REGIONS) {
      out.push(
        makeEvent({
          type: "ops.alert",
          v: 1,
          id: await opsEventId(["ops.alert", fingerprint, a.status, startsAt, region]),
          region,
          alertname: tokenOf(a.alertname, 120),
          severity,
          status: a.status,
          fingerprint,
          startsAt,
        }),
      );
    }
  }
  return out;
}

/**
 * Hands the alerts to the notifications feature. If the queue refuses, the webhook answers 503 so
 * Alertmanager sends the notification again (its retry is idempotent: same event ids).
 */
async function notifyAdmins(scope: Scope, alerts: HubAlert[]): Promise<void> {
  const events = await opsAlertEvents(alerts);
  // Queues take at most 100 messages per sendBatch.
  for (let i = 0; i < events.length; i += 100) {
    try {
      await scope.env.EVENTS.sendBatch(
        events.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })),
      );
    } catch (err) {
      scope.log.warn("ops_alert_publish_failed", { error: (err as Error).name });
      throw new AppError("service_unavailable", "Alerts could not be queued; send them again.", {
        headers: { "retry-after": "5" },
      });
    }
  }
}
