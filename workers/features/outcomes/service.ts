import {
  OUTCOME_RULES,
  OUTCOMES_READ,
  type OutcomeCounts,
  outcomesQuery,
} from "../../lib/care-data/outcomes";
import { careData } from "../../lib/care-data/repository";
import type { Scope } from "../../lib/scope";
import { REGIONS } from "../../lib/vocabulary";
import type { Outcomes, OutcomesQuery } from "./schema";

const ratio = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 1000) / 1000);

/** Sums each month's counts over the regions and turns them into shares. Exported for tests. */
export function combine(perRegion: OutcomeCounts[][]): Outcomes["months"] {
  const byMonth = new Map<string, OutcomeCounts>();
  for (const row of perRegion.flat()) {
    const month = new Date(row.month).toISOString().slice(0, 7);
    const acc = byMonth.get(month);
    if (!acc) byMonth.set(month, { ...row, month });
    else
      for (const k of [
        "patients",
        "scored",
        "measured",
        "improved",
        "responded",
        "remitted",
        "assigned",
        "completed",
        "engaged",
      ] as const)
        acc[k] += Number(row[k]);
  }
  return [...byMonth.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, c]) => ({
      month,
      patients: c.patients,
      measured: c.measured,
      reliableImprovement: ratio(c.improved, c.measured),
      response: ratio(c.responded, c.measured),
      remission: ratio(c.remitted, c.scored),
      completion: ratio(c.completed, c.assigned),
      engagement: ratio(c.engaged, c.patients),
    }));
}

const meta = (q: OutcomesQuery) => ({
  instrument: q.instrument,
  reliableChangeThreshold: OUTCOME_RULES[q.instrument].reliable,
  remissionBelow: OUTCOME_RULES[q.instrument].remissionBelow,
});

/** The caller's own practice outcomes: their active care-team patients in every region (audited). */
export async function clinicianOutcomes(scope: Scope, q: OutcomesQuery): Promise<Outcomes> {
  const rows = await careData(scope).everyRegion(
    OUTCOMES_READ,
    (db, me) => [outcomesQuery(db, me, q.instrument, q.months)] as const,
  );
  return { scope: "clinician", ...meta(q), months: combine(rows.map(([r]) => r.rows)) };
}

/** The whole practice's outcomes, for admins (audited per region). */
export async function practiceOutcomes(scope: Scope, q: OutcomesQuery): Promise<Outcomes> {
  const care = careData(scope);
  const rows = await Promise.all(
    REGIONS.map(async (region) => {
      const [r] = await care.region(
        region,
        OUTCOMES_READ,
        (db) => [outcomesQuery(db, null, q.instrument, q.months)] as const,
      );
      return r.rows;
    }),
  );
  return { scope: "practice", ...meta(q), months: combine(rows) };
}
