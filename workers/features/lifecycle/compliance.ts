import { verifyAuditTrail } from "../../lib/care-data/audit-checkpoints";
import {
  deadLetterTrend,
  masterKeyFirstUse,
  misplacedUsers,
  phiProtections,
  staffWithoutMfa,
} from "../../lib/care-data/compliance";
import { DATA_KINDS } from "../../lib/care-data/kinds";
import { lastJobRun } from "../../lib/care-data/lifecycle";
import type { Scope } from "../../lib/scope";
import { masterKeyring } from "../../lib/user-cipher";
import { REGIONS } from "../../lib/vocabulary";
import { RETENTION_JOB } from "./retention";

export type ControlStatus = "pass" | "fail" | "not_applicable";

/** One automated control: its result and the evidence it was decided on (counts and times only). */
export interface Control {
  id: string;
  title: string;
  status: ControlStatus;
  evidence: Record<string, unknown>;
}

const HOUR = 3600_000;
/** Retention must have run in the last 25 hours. */
export const RETENTION_MAX_AGE_MS = 25 * HOUR;
/** The master key must be younger than 90 days. */
export const MASTER_KEY_MAX_AGE_MS = 90 * 24 * HOUR;
/** A DR drill (backup restored and verified) at least every 30 days. */
export const DR_DRILL_MAX_AGE_MS = 30 * 24 * HOUR;
export const DR_DRILL_JOB = "dr_drill";

const hoursSince = (d: Date | null, now: Date) =>
  d ? Math.round(((now.getTime() - d.getTime()) / HOUR) * 10) / 10 : null;

/** Tables whose rows belong to a person and must carry a NOT NULL owner column. */
const OWNED_TABLES = DATA_KINDS.map((k) => k.table);

/**
 * Evaluates every control over every region, now. Each returns pass/fail with its evidence; a
 * control whose subject does not exist on this deployment says `not_applicable` (and why).
 */
export async function evaluateControls(scope: Scope, now = new Date()): Promise<Control[]> {
  const per = await Promise.all(
    REGIONS.map(async (region) => {
      const db = scope.db(region);
      const ring = masterKeyring(scope.config);
      return {
        region,
        mfa: await staffWithoutMfa(db),
        misplaced: await misplacedUsers(db, region),
        key: await masterKeyFirstUse(db, ring.current),
        phi: await phiProtections(db, OWNED_TABLES),
        chain: await verifyAuditTrail(db, scope.config.EMAIL_HASH_KEY, region),
        retention: (await lastJobRun(db, RETENTION_JOB, "success"))[0] ?? null,
        drill: (await lastJobRun(db, DR_DRILL_JOB, "success"))[0] ?? null,
        deadLetters: await deadLetterTrend(db, now),
      };
    }),
  );
  const ring = masterKeyring(scope.config);
  const firstUse = per
    .map((p) => p.key.firstUse)
    .filter((d): d is Date => d instanceof Date)
    .sort((a, b) => a.getTime() - b.getTime())[0];
  const drills = per.map((p) => p.drill?.finishedAt ?? null);
  const latestDrill = drills
    .filter((d): d is Date => d instanceof Date)
    .sort((a, b) => b.getTime() - a.getTime())[0];
  return [
    {
      id: "staff_mfa",
      title: "Every clinician and admin has two-factor authentication",
      status: per.every((p) => p.mfa.withoutMfa === 0) ? "pass" : "fail",
      evidence: Object.fromEntries(per.map((p) => [p.region, p.mfa])),
    },
    {
      id: "master_key_age",
      title: "The current master key is younger than 90 days",
      status:
        firstUse && now.getTime() - firstUse.getTime() < MASTER_KEY_MAX_AGE_MS
          ? "pass"
          : firstUse
            ? "fail"
            : "not_applicable",
      evidence: {
        currentVersion: ring.current,
        firstUseHoursAgo: hoursSince(firstUse ?? null, now),
        wrappedUnderOlderVersions: per.reduce((n, p) => n + p.key.wrappedUnderOlder, 0),
        basis: "earliest account whose data key is wrapped under the current version",
      },
    },
    {
      id: "audit_chain",
      title: "The audit hash chain verifies in every region (from its latest keyed checkpoint)",
      status: per.every((p) => p.chain.intact) ? "pass" : "fail",
      evidence: Object.fromEntries(per.map((p) => [p.region, p.chain])),
    },
    {
      id: "phi_protections",
      title: "Audit log append-only and chained; every personal-data table has a NOT NULL owner",
      status: per.every(
        (p) => p.phi.auditTriggers.every((t) => t.present) && p.phi.ownerColumns.every((c) => c.ownerNotNull),
      )
        ? "pass"
        : "fail",
      evidence: Object.fromEntries(
        per.map((p) => [
          p.region,
          {
            missingTriggers: p.phi.auditTriggers.filter((t) => !t.present).map((t) => t.trigger),
            tablesWithoutOwner: p.phi.ownerColumns.filter((c) => !c.ownerNotNull).map((c) => c.table),
          },
        ]),
      ),
    },
    {
      id: "retention_ran",
      title: "Retention ran successfully in the last 25 hours in every region",
      status: per.every(
        (p) => p.retention && now.getTime() - p.retention.finishedAt.getTime() <= RETENTION_MAX_AGE_MS,
      )
        ? "pass"
        : "fail",
      evidence: Object.fromEntries(
        per.map((p) => [p.region, { hoursAgo: hoursSince(p.retention?.finishedAt ?? null, now) }]),
      ),
    },
    {
      id: "dr_drill",
      title: "A backup was restored and verified (DR drill) in the last 30 days",
      status: latestDrill && now.getTime() - latestDrill.getTime() <= DR_DRILL_MAX_AGE_MS ? "pass" : "fail",
      evidence: { hoursAgo: hoursSince(latestDrill ?? null, now) },
    },
    {
      id: "residency",
      title: "No user without a residency region, and none stored outside it",
      status: per.every((p) => p.misplaced === 0) ? "pass" : "fail",
      evidence: Object.fromEntries(per.map((p) => [p.region, { misplaced: p.misplaced }])),
    },
    {
      id: "dead_letters",
      title:
        "The dead-letter queue is not growing (no more arrivals than the day before, none left open past 24 h)",
      status: per.every(
        (p) => p.deadLetters.last24h <= p.deadLetters.previous24h && p.deadLetters.openOver24h === 0,
      )
        ? "pass"
        : "fail",
      evidence: Object.fromEntries(per.map((p) => [p.region, p.deadLetters])),
    },
  ];
}

/** Dead letters are steady when no more arrived in the last 24 h than the day before and none was left open past 24 h. */
export function deadLettersSteady(t: { last24h: number; previous24h: number; openOver24h: number }): boolean {
  return t.last24h <= t.previous24h && t.openOver24h === 0;
}

/** Percentage of applicable controls that pass (0–100), for the console and the metrics work. */
export function complianceScore(controls: readonly Control[]): number {
  const applicable = controls.filter((c) => c.status !== "not_applicable");
  if (applicable.length === 0) return 0;
  return Math.round((applicable.filter((c) => c.status === "pass").length / applicable.length) * 1000) / 10;
}

/** The controls and the score in one call: what `GET /v1/admin/compliance` and the console show. */
export async function compliance(scope: Scope, now = new Date()) {
  const controls = await evaluateControls(scope, now);
  return { evaluatedAt: now.toISOString(), score: complianceScore(controls), controls };
}
