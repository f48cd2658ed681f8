import { INSTRUMENTS } from "../../../workers/features/assessments/instruments";
import type { Score } from "../../../workers/features/assessments/schema";
import type { AssessmentInstrument } from "../../../workers/lib/care-data/assessments";

/**
 * Scripts a page with {@link ScoreChart} must load (same origin: the CSP forbids others). Chart.js
 * and its annotation plugin are copied from node_modules by scripts/vendor-assets.mjs.
 *
 * @example <Layout title="Chart" scripts={[...SCORE_CHART_SCRIPTS]}>…<ScoreChart … /></Layout>
 */
export const SCORE_CHART_SCRIPTS = [
  "/vendor/chartjs/chart.umd.min.js",
  "/vendor/chartjs/chartjs-plugin-annotation.min.js",
  "/assets/score-chart.js",
] as const;

/** Band shading colours, mildest first (light enough for dark text and the line on top). */
const SHADES = ["#e8f5e9", "#fffde7", "#fff3e0", "#ffe0cc", "#fde2e2"];

/** What `score-chart.js` reads from the canvas's `data-chart` attribute. */
export interface ChartSpec {
  label: string;
  max: number;
  better: "lower" | "higher";
  bands: { label: string; min: number; max: number; color: string }[];
  points: { t: string; y: number; band: string }[];
}

/** The chart spec of one instrument's scores (oldest first). Bands shade in severity order. */
export function chartSpec(instrument: AssessmentInstrument, scores: readonly Score[]): ChartSpec {
  const i = INSTRUMENTS[instrument];
  const ordered = i.better === "lower" ? i.bands : [...i.bands].reverse();
  return {
    label: `${i.shortTitle} total`,
    max: i.maxScore,
    better: i.better,
    bands: i.bands.map((b) => ({
      label: b.label,
      min: b.min,
      max: b.max,
      color: SHADES[Math.min(ordered.indexOf(b), SHADES.length - 1)] ?? SHADES[0] ?? "#fff",
    })),
    points: scores
      .filter((s) => s.instrument === instrument)
      .map((s) => ({ t: s.submittedAt, y: s.total, band: s.bandLabel })),
  };
}

const dateOf = (iso: string) => iso.slice(0, 10);

/**
 * One instrument's history as a band-shaded line chart (Chart.js, drawn by `score-chart.js`), with
 * the same data as a table for screen readers and for anyone without JavaScript. Reusable on any
 * page that loads {@link SCORE_CHART_SCRIPTS} (the clinician's patient chart embeds it).
 */
export function ScoreChart({
  instrument,
  scores,
}: {
  instrument: AssessmentInstrument;
  scores: readonly Score[];
}) {
  const spec = chartSpec(instrument, scores);
  const i = INSTRUMENTS[instrument];
  const id = `chart-${instrument}`;
  if (spec.points.length === 0) return null;
  return (
    <figure class="score-chart" aria-labelledby={`${id}-caption`}>
      <figcaption id={`${id}-caption`}>
        {i.shortTitle}: {spec.points.length} score{spec.points.length === 1 ? "" : "s"} (
        {i.better === "lower" ? "lower is better" : "higher is better"})
      </figcaption>
      <div class="score-chart-canvas">
        <canvas
          data-score-chart={JSON.stringify(spec)}
          role="img"
          aria-label={`${i.shortTitle} scores over time, with severity bands`}
        />
      </div>
      <details>
        <summary>{i.shortTitle} scores as a table</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Score</th>
              <th scope="col">Band</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {scores
              .filter((s) => s.instrument === instrument)
              .map((s) => (
                <tr>
                  <td>{dateOf(s.submittedAt)}</td>
                  <td>
                    {s.total} / {i.maxScore}
                  </td>
                  <td>{s.bandLabel}</td>
                  <td>{changeLabel(s)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** Plain-language change against the previous score. */
export function changeLabel(s: Pick<Score, "change" | "previousTotal" | "response" | "remission">): string {
  const parts: string[] = [];
  if (s.previousTotal === null) parts.push("first score");
  else if (s.change === "improved") parts.push("improved");
  else if (s.change === "worse") parts.push("worse");
  else if (s.change === "no_reliable_change") parts.push("no reliable change");
  else parts.push(`was ${s.previousTotal}`);
  if (s.remission) parts.push("remission");
  else if (s.response) parts.push("response");
  return parts.join(", ");
}
