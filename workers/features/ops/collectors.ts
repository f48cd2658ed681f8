/**
 * Values computed when Prometheus scrapes rather than recorded per event: backlogs and states
 * that live in the databases. Each collector is bounded by the scrape's timeout and may fail
 * alone (its series are then missing from that scrape, which the alert rules treat as absent).
 * Features that own such a figure add one function here.
 */
import { alertBacklogQuery } from "../../lib/care-data/alerts";
import { pendingExportCountQuery } from "../../lib/care-data/lifecycle";
import { openDeadLetterCountQuery, pendingDeliveryCountQuery } from "../../lib/care-data/notifications";
import type { ScrapeSample } from "../../lib/metrics/exposition";
import type { Scope } from "../../lib/scope";
import { REGIONS } from "../../lib/vocabulary";
import { compliance } from "../lifecycle/compliance";
import { activeAppointments } from "../sessions/reminders";

export type ScrapeCollector = (scope: Scope) => Promise<ScrapeSample[]>;

/** Unacknowledged high/imminent care-team alerts across regions: count and oldest age. */
const careAlertBacklog: ScrapeCollector = async (scope) => {
  const rows = await Promise.all(REGIONS.map((region) => alertBacklogQuery(scope.db(region))));
  let count = 0;
  let oldest = 0;
  for (const [row] of rows) {
    count += row?.count ?? 0;
    oldest = Math.max(oldest, row?.oldestAgeSeconds ?? 0);
  }
  return [
    { name: "care_alerts_unacknowledged", labels: { measure: "count" }, value: count },
    { name: "care_alerts_unacknowledged", labels: { measure: "oldest_age_seconds" }, value: oldest },
  ];
};

/** Therapy sessions in progress now and booked for today (all regions). */
const appointments: ScrapeCollector = async (scope) => {
  const { inProgress, today } = await activeAppointments(scope);
  return [
    { name: "active_appointments", labels: { state: "in_progress" }, value: inProgress },
    { name: "active_appointments", labels: { state: "today" }, value: today },
  ];
};

/** The compliance score and failing controls (the lifecycle's automated controls, evaluated now). */
const complianceFigures: ScrapeCollector = async (scope) => {
  const { score, controls } = await compliance(scope);
  return [
    // The console shows a percentage; the metric is the share (0–1) the alert rule compares with 1.
    { name: "compliance_score", labels: {}, value: score / 100 },
    {
      name: "compliance_failing_controls",
      labels: {},
      value: controls.filter((c) => c.status === "fail").length,
    },
  ];
};

/** Open dead letters of the notifications service, all regions. */
const deadLetters: ScrapeCollector = async (scope) => {
  const counts = await Promise.all(REGIONS.map((region) => openDeadLetterCountQuery(scope.db(region))));
  const n = counts.reduce((sum, [row]) => sum + (row?.n ?? 0), 0);
  return [{ name: "queue_depth", labels: { queue: "dead_letter" }, value: n }];
};

/**
 * The backlogs behind the notification deliveries and export queues, as Haven's own records see
 * them (Cloudflare Queues exposes no depth to the Worker): deliveries queued or being attempted,
 * exports queued or running, all regions. The events queue keeps no record, so it has none here;
 * in production its backlog is in Cloudflare's Queues analytics (docs/observability.md).
 */
const pipelineBacklogs: ScrapeCollector = async (scope) => {
  const [deliveries, exports] = await Promise.all([
    Promise.all(REGIONS.map((region) => pendingDeliveryCountQuery(scope.db(region)))),
    Promise.all(REGIONS.map((region) => pendingExportCountQuery(scope.db(region)))),
  ]);
  const sum = (rows: Array<Array<{ n: number }>>) => rows.reduce((n, [row]) => n + (row?.n ?? 0), 0);
  return [
    { name: "queue_depth", labels: { queue: "notifications" }, value: sum(deliveries) },
    { name: "queue_depth", labels: { queue: "exports" }, value: sum(exports) },
  ];
};

export const scrapeCollectors: ScrapeCollector[] = [
  pipelineBacklogs,
  careAlertBacklog,
  appointments,
  complianceFigures,
  deadLetters,
];
