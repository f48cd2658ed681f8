import {
  ASSESSMENT_SCORES_READ,
  type AssessmentInstrument,
  dueState,
  type LatestPair,
  latestByPatient,
  latestScoresQuery,
  teamAssignmentsQuery,
} from "../../lib/care-data/assessments";
import {
  CASELOAD_READ,
  type CaseloadRow,
  caseloadQuery,
  staffNamesQuery,
} from "../../lib/care-data/caseload";
import { wrappedKeyQuery } from "../../lib/care-data/chat";
import { careData } from "../../lib/care-data/repository";
import { TIMELINE_READ, type TimelineRow, timelineQuery } from "../../lib/care-data/timeline";
import type { Scope } from "../../lib/scope";
import { userCipher } from "../../lib/user-cipher";
import { REGIONS } from "../../lib/vocabulary";
import type { CaseloadPatient, CaseloadQuery, TimelineEvent } from "./schema";

const SEVERITY = ["none", "low", "elevated/moderate", "high", "imminent"];
const iso = (v: string | Date | null) => (v === null ? null : new Date(v).toISOString());
const daysAgo = (v: string | Date) => {
  const d = Math.floor((Date.now() - new Date(v).getTime()) / 86_400_000);
  return d <= 0 ? "today" : d === 1 ? "yesterday" : `${d} days ago`;
};

function scoreSummaries(pairs: Partial<Record<AssessmentInstrument, LatestPair>> | undefined) {
  return Object.values(pairs ?? {}).map(({ latest, previous }) => ({
    instrument: latest.instrument,
    total: latest.total,
    band: latest.band,
    previousTotal: previous?.total ?? null,
    trend: !previous
      ? ("first" as const)
      : latest.total > previous.total
        ? ("up" as const)
        : latest.total < previous.total
          ? ("down" as const)
          : ("same" as const),
    change: latest.change,
    submittedAt: latest.submittedAt.toISOString(),
  }));
}

/**
 * The explainable ranking: points for what needs a clinician soonest, each with its reason.
 * Unacknowledged alerts dominate (by severity), then recent crises, reliable worsening,
 * self-tracking signals and overdue assessments. Exported for tests.
 */
export function rank(
  row: Pick<
    CaseloadRow,
    | "unacked_alerts"
    | "unacked_top"
    | "crisis_top"
    | "crisis_count"
    | "last_crisis_at"
    | "signal_top"
    | "signal_count"
  >,
  scores: ReturnType<typeof scoreSummaries>,
  overdue: string[],
): { riskScore: number; reasons: string[] } {
  const parts: [number, string][] = [];
  if (row.unacked_alerts > 0)
    parts.push([
      1000 * row.unacked_top + row.unacked_alerts,
      `${row.unacked_alerts} unacknowledged alert${row.unacked_alerts > 1 ? "s" : ""} (highest: ${SEVERITY[row.unacked_top]})`,
    ]);
  if (row.crisis_count > 0 && row.last_crisis_at)
    parts.push([
      100 * row.crisis_top + row.crisis_count,
      `${row.crisis_count} crisis event${row.crisis_count > 1 ? "s" : ""} in 14 days (highest: ${SEVERITY[row.crisis_top]}), last ${daysAgo(row.last_crisis_at)}`,
    ]);
  for (const s of scores)
    if (s.change === "worse")
      parts.push([50, `${s.instrument.toUpperCase()} reliably worse (${s.previousTotal} → ${s.total})`]);
  if (row.signal_count > 0)
    parts.push([
      10 * row.signal_top + row.signal_count,
      `${row.signal_count} self-tracking signal${row.signal_count > 1 ? "s" : ""} in 14 days`,
    ]);
  for (const i of overdue) parts.push([5, `${i.toUpperCase()} overdue`]);
  parts.sort((a, b) => b[0] - a[0]);
  return { riskScore: parts.reduce((sum, [p]) => sum + p, 0), reasons: parts.map(([, r]) => r) };
}

/**
 * The clinician's caseload from every region: their active care-team patients by name, most
 * urgent first, with last scores and trends, due and overdue assessments and unacknowledged
 * alerts; filtered by `filter` and a name search `q`. Audited per region.
 */
export async function caseload(scope: Scope, query: CaseloadQuery) {
  const care = careData(scope);
  const perRegion = await care.everyRegion(
    CASELOAD_READ,
    (db, me) => [caseloadQuery(db, me), teamAssignmentsQuery(db, me)] as const,
  );
  const now = new Date();
  const ids = perRegion.flatMap(([rows]) => rows.rows.map((r) => r.patient_id));
  const scoreRows =
    ids.length === 0
      ? []
      : (
          await care.everyRegion(ASSESSMENT_SCORES_READ, (db) => [latestScoresQuery(db, ids)] as const)
        ).flatMap(([rows]) => rows);
  const latest = latestByPatient(scoreRows);
  const patients: CaseloadPatient[] = perRegion.flatMap(([rows, assignments]) =>
    rows.rows.map((row) => {
      const scores = scoreSummaries(latest.get(row.patient_id));
      const mine = assignments
        .filter((a) => a.patientId === row.patient_id)
        .map((a) => ({ a, due: dueState(a, now) }));
      const overdue = mine.filter((m) => m.due.status === "overdue").map((m) => m.a.instrument);
      const due = mine.filter((m) => m.due.status === "due").map((m) => m.a.instrument);
      return {
        patientId: row.patient_id,
        name: row.display_name,
        ...rank(row, scores, overdue),
        unacknowledgedAlerts: row.unacked_alerts,
        lastCrisisAt: iso(row.last_crisis_at),
        signals: row.signal_count,
        scores,
        overdue,
        due,
        lastEntryAt: iso(row.last_entry_at),
      };
    }),
  );
  patients.sort((a, b) => b.riskScore - a.riskScore || a.name.localeCompare(b.name));
  const q = query.q?.toLowerCase();
  const shown = patients.filter(
    (p) =>
      (!q || p.name.toLowerCase().includes(q)) &&
      (query.filter === "all" ||
        (query.filter === "alerts" && p.unacknowledgedAlerts > 0) ||
        (query.filter === "overdue" && p.overdue.length > 0) ||
        (query.filter === "worse" && p.scores.some((s) => s.change === "worse")) ||
        (query.filter === "signals" && p.signals > 0)),
  );
  return { patients: shown, total: patients.length };
}

/** Where a crisis was detected, by the risk event's source (edge and moderation: the chat). */
const CRISIS_SOURCES: Record<string, string> = {
  screener: "the C-SSRS screener",
  assessment: "an assessment (item 9 / safety flag)",
  session: "a session transcript",
  wearable: "wearable data",
  note: "a note the patient wrote (journal or check-in)",
};

const TITLES: Record<TimelineRow["kind"], (r: TimelineRow) => string> = {
  crisis: (r) =>
    `Crisis detected (${r.severity}) in ${CRISIS_SOURCES[String(r.label)] ?? "the companion chat"}`,
  score: (r) => {
    const d = r.detail ?? {};
    const change = d.change ? `, ${String(d.change).replaceAll("_", " ")}` : "";
    return `${String(r.label).toUpperCase()} ${d.total} (${r.severity}${d.previous !== null && d.previous !== undefined ? `, was ${d.previous}` : ""}${change})`;
  },
  mood_drop: (r) => `Mood drop: ${r.detail?.score}/10 against a ${r.detail?.baseline} average`,
  missed_medication: (r) => `Missed medication: ${r.detail?.streak} doses in a row`,
  alert: (r) => `Care team alerted (${r.severity})`,
  alert_acknowledged: () => "Alert acknowledged",
  alert_note: () => "Follow-up note",
  alert_escalated: () => "Alert escalated to a colleague (break-glass)",
  alert_realerted: () => "Re-alert: still unacknowledged",
  safety_plan: (r) => `Safety plan version ${r.detail?.version} saved`,
};

/**
 * A patient's risk timeline for their care team or a break-glass holder (audited; others 404):
 * one ordered list across crises, scores, signals, alerts and their triage, and the safety plan.
 */
export async function timeline(scope: Scope, patientId: string, days: number) {
  const care = careData(scope);
  const access = await care.open(patientId, TIMELINE_READ);
  const [[owner], rows] = await care.run(
    access,
    TIMELINE_READ,
    (db) => [wrappedKeyQuery(db, patientId), timelineQuery(db, patientId, days)] as const,
  );
  const cipher = await userCipher(scope.config, patientId, owner?.wrapped ?? null);
  const actorIds = [...new Set(rows.rows.flatMap((r) => (r.actor_id ? [r.actor_id] : [])))];
  const names = new Map(
    (await Promise.all(REGIONS.map((region) => staffNamesQuery(scope.db(region), actorIds))))
      .flat()
      .map((n) => [n.id, n.name]),
  );
  const events: TimelineEvent[] = await Promise.all(
    rows.rows.map(async (r) => ({
      id: r.id,
      kind: r.kind,
      at: new Date(r.at).toISOString(),
      severity: r.severity,
      title: TITLES[r.kind](r),
      actorId: r.actor_id,
      actorName: r.actor_id
        ? (names.get(r.actor_id) ?? (r.actor_id === patientId ? "the patient" : null))
        : null,
      note: r.note_enc && cipher ? await cipher.decrypt(`alert.note:${r.id}`, r.note_enc) : null,
      detail: r.detail,
    })),
  );
  return { patientId, events };
}
