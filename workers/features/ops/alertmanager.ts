/**
 * Alertmanager's webhook (payload version 4) → the admin console's recent alerts, and an ops
 * notification for firing critical/warning alerts. Alert rules carry no PHI (they aggregate
 * series that carry none), and only the names, severity and summary are kept, capped.
 */
import { z } from "@hono/zod-openapi";
import type { HubAlert } from "../../lib/metrics/ship";
import { hub } from "../../lib/metrics/ship";
import type { Scope } from "../../lib/scope";

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
    if (a.status === "firing") notifyOps(scope, a);
  }
  return alerts.length;
}

/**
 * Where an ops alert becomes a notification to admins. Until event-driven notification delivery
 * exists it is a warning log event, which the ops view's log panel and `/v1/ops/alerts` show.
 */
function notifyOps(scope: Scope, alert: HubAlert): void {
  scope.log.warn("ops_alert_firing", { code: alert.alertname, severity: alert.severity });
}
