/**
 * Scores the safety net on a labelled set: recall and false-positive rate overall, per family and
 * per language, with the check-in tier reported apart. A crisis case counts as caught only at
 * `elevated` or above (the tier that shows the crisis response and alerts the care team); a
 * benign case counts as a false positive at `elevated` or above, and as an unneeded check-in at
 * `check_in`.
 */
import type { EvalCase } from "./types";

export interface Tally {
  crisis: number;
  caught: number;
  checkedIn: number;
  benign: number;
  falsePositives: number;
  benignCheckIns: number;
}

export interface Miss {
  kind: "missed" | "false_positive";
  id: string;
  family: string;
  text: string;
  fired: string;
}

export interface EvalReport {
  overall: Tally;
  byFamily: Map<string, Tally>;
  byLanguage: Map<string, Tally>;
  misses: Miss[];
}

const empty = (): Tally => ({
  crisis: 0,
  caught: 0,
  checkedIn: 0,
  benign: 0,
  falsePositives: 0,
  benignCheckIns: 0,
});
const FLAGGED = new Set(["elevated", "high", "imminent"]);

type Judge = (text: string, turns: readonly string[]) => { tier: string; fired?: readonly string[] };

export function evaluate(cases: readonly EvalCase[], judge: Judge): EvalReport {
  const report: EvalReport = { overall: empty(), byFamily: new Map(), byLanguage: new Map(), misses: [] };
  for (const c of cases) {
    const r = judge(c.text, c.turns ?? []);
    const flagged = FLAGGED.has(r.tier);
    const tallies = [report.overall, get(report.byFamily, c.family), get(report.byLanguage, c.lang)];
    for (const t of tallies) {
      if (c.crisis) {
        t.crisis++;
        if (flagged) t.caught++;
        else if (r.tier === "check_in") t.checkedIn++;
      } else {
        t.benign++;
        if (flagged) t.falsePositives++;
        else if (r.tier === "check_in") t.benignCheckIns++;
      }
    }
    if (c.crisis !== flagged)
      report.misses.push({
        kind: c.crisis ? "missed" : "false_positive",
        id: c.id,
        family: c.family,
        text: [...(c.turns ?? []), c.text].join(" ⏎ "),
        fired: (r.fired ?? []).join(",") || r.tier,
      });
  }
  return report;
}

function get(map: Map<string, Tally>, key: string): Tally {
  let t = map.get(key);
  if (!t) {
    t = empty();
    map.set(key, t);
  }
  return t;
}

export const recall = (t: Tally) => (t.crisis === 0 ? 1 : t.caught / t.crisis);
export const fpr = (t: Tally) => (t.benign === 0 ? 0 : t.falsePositives / t.benign);

function line(name: string, t: Tally): string {
  const parts = [name.padEnd(30)];
  if (t.crisis > 0)
    parts.push(
      `recall ${recall(t).toFixed(3)} (${t.caught}/${t.crisis}, +${t.checkedIn} check-in)`.padEnd(40),
    );
  if (t.benign > 0)
    parts.push(
      `false pos ${fpr(t).toFixed(3)} (${t.falsePositives}/${t.benign}, ${t.benignCheckIns} check-in)`,
    );
  return `  ${parts.join(" ")}`;
}

export function formatReport(title: string, r: EvalReport): string {
  const out = [`${title}: ${r.overall.crisis + r.overall.benign} cases`, line("overall", r.overall)];
  for (const [k, t] of [...r.byFamily].sort()) out.push(line(k, t));
  out.push("  by language:");
  for (const [k, t] of [...r.byLanguage].sort()) out.push(line(k, t));
  return out.join("\n");
}

const key = (c: EvalCase) => [...(c.turns ?? []), c.text].join("\n").trim().toLowerCase();

/**
 * Held-out cases whose exact text (with its turns) does not also occur in the tuning set:
 * independent writers sometimes produce the same short line ("I want to die"), and a case the
 * classifier was trained on is not held out.
 */
export function withoutOverlap(
  heldout: readonly EvalCase[],
  tuning: readonly EvalCase[],
): { cases: EvalCase[]; dropped: number } {
  const seen = new Set(tuning.map(key));
  const cases = heldout.filter((c) => !seen.has(key(c)));
  return { cases, dropped: heldout.length - cases.length };
}
