import type { Score } from "../../../workers/features/assessments/schema";
import type { CaseloadPatient, TimelineEvent } from "../../../workers/features/caseload/schema";
import type { SummaryState } from "../../../workers/features/companion/summary";
import type { Outcomes } from "../../../workers/features/outcomes/schema";
import type { Profile } from "../../../workers/features/profile/schema";
import { type SafetyPlan, SECTION_TITLES } from "../../../workers/features/safety-plan/schema";
import type { Entry, Medication } from "../../../workers/features/tracking/schema";
import type { AssessmentInstrument } from "../../../workers/lib/care-data/assessments";
import { ScoreChart } from "../assessments/chart";
import { CsrfField, Notice } from "../auth/forms";
import { SummarySection } from "../companion/summary";
import { Layout } from "../layout";

const ARROW = { up: "↑", down: "↓", same: "→", first: "•" } as const;
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "—");
const CHART_SCRIPTS = [
  "/vendor/chartjs/chart.umd.min.js",
  "/vendor/chartjs/chartjs-plugin-annotation.min.js",
  "/assets/score-chart.js",
];

/** The inbox markup `/assets/clinician.js` fills (live alerts over the clinician's own room socket). */
function AlertInbox() {
  return (
    <section aria-label="Crisis alerts" class="card">
      <div id="alert-banner" class="banner-crisis" role="alert" hidden>
        <p id="alert-text" />
      </div>
      <p id="alert-status" class="muted" role="status">
        Connecting…
      </p>
      <h2>Unacknowledged crisis alerts</h2>
      <p id="inbox-empty" class="muted" hidden>
        No unacknowledged alerts.
      </p>
      <ol id="alert-list" />
      <p id="inbox-error" class="error" role="alert" />
    </section>
  );
}

const FILTERS = [
  ["all", "Everyone"],
  ["alerts", "Unacknowledged alerts"],
  ["overdue", "Overdue assessments"],
  ["worse", "Reliably worse"],
  ["signals", "Self-tracking signals"],
] as const;

/** `/clinician`: the caseload (most urgent first) and the live alert inbox; sign-in lands here. */
export function CaseloadPage({
  csrf,
  patients,
  total,
  filter,
  q,
  invitations,
}: {
  csrf: string;
  patients: CaseloadPatient[];
  total: number;
  filter: string;
  q: string;
  invitations: { id: string; displayName: string }[];
}) {
  return (
    <Layout title="Caseload" styles={["/assets/tracking.css"]} scripts={["/assets/clinician.js"]}>
      <h1>Caseload</h1>
      <AlertInbox />
      {invitations.length > 0 ? (
        <section class="card" aria-labelledby="inv-h">
          <h2 id="inv-h">Invitations to join a care team</h2>
          <ul class="plain">
            {invitations.map((i) => (
              <li>
                {i.displayName}{" "}
                <form method="post" action={`/clinician/invitations/${i.id}/accept`} class="inline-form">
                  <CsrfField token={csrf} />
                  <button type="submit">Accept {i.displayName}</button>
                </form>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <form
        method="post"
        action="/clinician"
        class="inline-form caseload-filter"
        aria-label="Filter the caseload"
      >
        <CsrfField token={csrf} />
        <label for="caseload-q">Search by name</label>{" "}
        <input id="caseload-q" name="q" value={q} maxlength={100} /> <label for="caseload-filter">Show</label>{" "}
        <select id="caseload-filter" name="filter">
          {FILTERS.map(([v, l]) => (
            <option value={v} selected={v === filter}>
              {l}
            </option>
          ))}
        </select>{" "}
        <button type="submit">Apply</button>
      </form>
      <p class="muted" role="status">
        {patients.length} of {total} patient{total === 1 ? "" : "s"}, most urgent first.
      </p>
      <table class="caseload">
        <caption class="muted">
          Ranked by unacknowledged alerts, recent crises, reliable worsening, signals, overdue assessments
        </caption>
        <thead>
          <tr>
            <th scope="col">Patient</th>
            <th scope="col">Why here</th>
            <th scope="col">Last scores</th>
            <th scope="col">Due</th>
            <th scope="col">Alerts</th>
          </tr>
        </thead>
        <tbody>
          {patients.map((p) => (
            <tr data-patient={p.patientId}>
              <td>
                <a href={`/clinician/patients/${p.patientId}`}>{p.name}</a>
              </td>
              <td class={p.unacknowledgedAlerts > 0 ? "risk-high" : ""}>
                {p.reasons.length === 0 ? <span class="muted">Nothing recent</span> : p.reasons.join("; ")}
              </td>
              <td>
                {p.scores.length === 0 ? <span class="muted">No scores</span> : null}
                {p.scores.map((s) => (
                  <span class="trend">
                    {s.instrument.toUpperCase()} {s.total} <span aria-hidden="true">{ARROW[s.trend]}</span>
                    <span class="visually-hidden">{`(trend ${s.trend})`}</span>
                    {s.change === "worse" ? " (worse)" : s.change === "improved" ? " (improved)" : ""}{" "}
                  </span>
                ))}
              </td>
              <td>
                {p.overdue.map((i) => (
                  <strong class="risk-high">{i.toUpperCase()} overdue </strong>
                ))}
                {p.due.map((i) => `${i.toUpperCase()} due `)}
              </td>
              <td>
                {p.unacknowledgedAlerts > 0 ? (
                  <strong class="risk-high">{p.unacknowledgedAlerts}</strong>
                ) : (
                  "0"
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <a href="/clinician/outcomes">Practice outcomes</a>
      </p>
    </Layout>
  );
}

export interface ChartAlert {
  id: string;
  severity: string;
  createdAt: string;
}

export interface PatientChartProps {
  csrf: string;
  patientId: string;
  name: string;
  profile: Profile | null;
  scores: Score[];
  entries: Entry[];
  medications: Medication[];
  timeline: TimelineEvent[];
  plan: SafetyPlan | null;
  chat: {
    messages: { seq: number; role: string; text: string; crisis: boolean; at: string }[];
    full: boolean;
  } | null;
  /** Null when this access may not see it (break-glass, admins). */
  summary: SummaryState | null;
  alerts: ChartAlert[];
  saved?: string | undefined;
}

function trendSpec(label: string, max: number, points: { t: string; y: number }[]) {
  return { label, max, better: "higher", bands: [], points: points.map((p) => ({ ...p, band: "" })) };
}

/** `/clinician/patients/:id`: the patient chart. */
export function PatientChartPage(props: PatientChartProps) {
  const {
    csrf,
    patientId,
    name,
    profile,
    scores,
    entries,
    medications,
    timeline,
    plan,
    chat,
    summary,
    alerts,
    saved,
  } = props;
  const instruments = [...new Set(scores.map((s) => s.instrument))] as AssessmentInstrument[];
  const oldestFirst = [...entries].reverse();
  const mood = oldestFirst
    .filter((e) => e.kind === "mood" && e.score !== null)
    .map((e) => ({ t: e.recordedAt, y: e.score ?? 0 }));
  const sleep = oldestFirst
    .filter((e) => e.kind === "sleep" && e.hours !== null)
    .map((e) => ({ t: e.recordedAt, y: e.hours ?? 0 }));
  return (
    <Layout
      title={`Chart · ${name}`}
      styles={["/assets/tracking.css", "/assets/assessments.css"]}
      scripts={CHART_SCRIPTS}
    >
      <p>
        <a href="/clinician">← Caseload</a>
      </p>
      <h1>{name}</h1>
      {saved ? <Notice>{saved}</Notice> : null}
      {alerts.length > 0 ? (
        <section class="card banner-crisis" aria-labelledby="alerts-h">
          <h2 id="alerts-h">Unacknowledged alerts</h2>
          <ul class="plain">
            {alerts.map((a) => (
              <li>
                <strong>{a.severity}</strong> risk,{" "}
                {new Date(a.createdAt).toISOString().slice(0, 16).replace("T", " ")} UTC{" "}
                <form method="post" action={`/clinician/alerts/${a.id}/acknowledge`} class="inline-form">
                  <CsrfField token={csrf} />
                  <input type="hidden" name="patientId" value={patientId} />
                  <button type="submit">Acknowledge</button>
                </form>
                <details>
                  <summary>Add a follow-up note or escalate</summary>
                  <form method="post" action={`/clinician/alerts/${a.id}/note`} class="form">
                    <CsrfField token={csrf} />
                    <input type="hidden" name="patientId" value={patientId} />
                    <label for={`note-${a.id}`}>Follow-up note</label>
                    <textarea id={`note-${a.id}`} name="note" rows={2} required maxlength={4000} />
                    <button type="submit">Save note</button>
                  </form>
                  <form method="post" action={`/clinician/alerts/${a.id}/escalate`} class="form">
                    <CsrfField token={csrf} />
                    <input type="hidden" name="patientId" value={patientId} />
                    <label for={`esc-email-${a.id}`}>On-call colleague's email</label>
                    <input id={`esc-email-${a.id}`} name="email" type="email" required />
                    <label for={`esc-reason-${a.id}`}>
                      Reason (recorded; the patient sees break-glass access)
                    </label>
                    <input id={`esc-reason-${a.id}`} name="reason" required minlength={10} maxlength={1000} />
                    <button type="submit" class="secondary">
                      Escalate (one-hour break-glass)
                    </button>
                  </form>
                </details>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {summary ? (
        <SummarySection
          data={summary}
          csrf={csrf}
          action={`/clinician/patients/${patientId}/summary`}
          viewer="clinician"
        />
      ) : null}
      <section class="card" aria-labelledby="profile-h">
        <h2 id="profile-h">Profile</h2>
        <dl class="facts">
          <dt>Legal name</dt>
          <dd>{profile?.legalName ?? "—"}</dd>
          <dt>Date of birth</dt>
          <dd>{profile?.dateOfBirth ?? "—"}</dd>
          <dt>Phone</dt>
          <dd>{profile?.phone ?? "—"}</dd>
          <dt>Emergency contact</dt>
          <dd>
            {profile?.emergencyContact
              ? JSON.stringify(profile.emergencyContact).replace(/[{}"]/g, " ")
              : "—"}
          </dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="scores-h">
        <h2 id="scores-h">Scores</h2>
        {instruments.length === 0 ? <p class="muted">No assessments yet.</p> : null}
        <div class="chart-grid">
          {instruments.map((i) => (
            <ScoreChart instrument={i} scores={scores.filter((s) => s.instrument === i)} />
          ))}
        </div>
      </section>
      <section class="card" aria-labelledby="trends-h">
        <h2 id="trends-h">Self-tracking (30 days)</h2>
        <div class="chart-grid">
          {mood.length > 1 ? (
            <figure class="score-chart">
              <figcaption>Mood (0–10)</figcaption>
              <div class="score-chart-canvas">
                <canvas
                  data-score-chart={JSON.stringify(trendSpec("Mood", 10, mood))}
                  role="img"
                  aria-label="Mood over 30 days"
                />
              </div>
            </figure>
          ) : null}
          {sleep.length > 1 ? (
            <figure class="score-chart">
              <figcaption>Sleep (hours)</figcaption>
              <div class="score-chart-canvas">
                <canvas
                  data-score-chart={JSON.stringify(trendSpec("Sleep", 12, sleep))}
                  role="img"
                  aria-label="Sleep hours over 30 days"
                />
              </div>
            </figure>
          ) : null}
        </div>
        <ul class="plain entries">
          {entries.slice(0, 30).map((e) => (
            <li>
              <span class="muted">{day(e.recordedAt)}</span> {e.kind}
              {e.score !== null ? ` ${e.score}/10` : ""}
              {e.hours !== null ? ` · ${e.hours} h` : ""}
              {e.tags.length > 0 ? ` · ${e.tags.join(", ").replaceAll("_", " ")}` : ""}
              {e.note ? <span class="entry-note"> · “{e.note}” (shared)</span> : null}
            </li>
          ))}
        </ul>
        <h3>Medications</h3>
        {medications.length === 0 ? <p class="muted">None logged.</p> : null}
        <ul class="plain">
          {medications.map((m) => (
            <li>
              {m.name}
              {m.dose ? ` ${m.dose}` : ""} {m.active ? "" : "(stopped) "}
              {m.adherence !== null
                ? `· ${Math.round(m.adherence * 100)}% of logged doses taken (30 days)`
                : "· no doses logged"}
            </li>
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="timeline-h">
        <h2 id="timeline-h">Risk timeline</h2>
        {timeline.length === 0 ? <p class="muted">Nothing in the last 90 days.</p> : null}
        <ol class="timeline">
          {timeline.map((e) => (
            <li class={`sev-${e.severity ?? "none"}`}>
              <span class="muted">{e.at.slice(0, 16).replace("T", " ")}</span> {e.title}
              {e.actorName ? ` — ${e.actorName}` : ""}
              {e.note ? <span class="entry-note">: “{e.note}”</span> : null}
            </li>
          ))}
        </ol>
      </section>
      <section class="card" aria-labelledby="plan-h">
        <h2 id="plan-h">Safety plan</h2>
        {!plan?.plan ? (
          <p class="muted">No safety plan yet.</p>
        ) : (
          <>
            <p class="muted">
              Version {plan.plan.version}, {day(plan.plan.createdAt)}
            </p>
            {(Object.keys(SECTION_TITLES) as (keyof typeof SECTION_TITLES)[]).map((k) => {
              const items = plan.plan?.sections[k] as (string | { name: string; phone?: string })[];
              return items.length > 0 ? (
                <>
                  <h3>{SECTION_TITLES[k]}</h3>
                  <ul>
                    {items.map((i) => (
                      <li>{typeof i === "string" ? i : `${i.name}${i.phone ? `: ${i.phone}` : ""}`}</li>
                    ))}
                  </ul>
                </>
              ) : null;
            })}
          </>
        )}
      </section>
      <section class="card" aria-labelledby="chat-h">
        <h2 id="chat-h">Shared chat</h2>
        {!chat ? (
          <p class="muted">Not available.</p>
        ) : (
          <>
            <p class="muted">
              {chat.full
                ? "The patient shares their full companion history."
                : "The patient shares crisis moments only: each crisis message with three turns either side."}
            </p>
            {chat.messages.length === 0 ? <p class="muted">Nothing shared.</p> : null}
            <ol class="plain entries">
              {chat.messages.slice(-40).map((m) => (
                <li class={m.crisis ? "risk-high" : ""}>
                  <span class="muted">{day(m.at)}</span>{" "}
                  <strong>{m.role === "user" ? "Patient" : m.role}</strong>: {m.text}
                </li>
              ))}
            </ol>
          </>
        )}
      </section>
    </Layout>
  );
}

/** `/clinician/outcomes` (and `/admin/outcomes`): shares per month as a Chart.js line chart plus a table. */
export function OutcomesPage({ outcomes }: { outcomes: Outcomes }) {
  const pct = (v: number | null) => (v === null ? "—" : `${Math.round(v * 100)}%`);
  return (
    <Layout
      title="Practice outcomes"
      styles={["/assets/tracking.css", "/assets/assessments.css"]}
      scripts={["/vendor/chartjs/chart.umd.min.js", "/assets/outcomes-chart.js"]}
    >
      <h1>{outcomes.scope === "practice" ? "Practice outcomes" : "My outcomes"}</h1>
      <p>
        {outcomes.instrument.toUpperCase()}: reliable improvement is a drop of at least{" "}
        {outcomes.reliableChangeThreshold} points from the first score; response a drop of at least half;
        remission a latest score below {outcomes.remissionBelow}. Counts only: no patient appears here.
      </p>
      <figure class="score-chart">
        <figcaption>Share of patients per month</figcaption>
        <div class="score-chart-canvas">
          <canvas
            data-outcomes={JSON.stringify(outcomes.months)}
            role="img"
            aria-label="Outcome shares per month"
          />
        </div>
      </figure>
      <table class="caseload">
        <thead>
          <tr>
            <th scope="col">Month</th>
            <th scope="col">Patients</th>
            <th scope="col">Measured</th>
            <th scope="col">Reliable improvement</th>
            <th scope="col">Response</th>
            <th scope="col">Remission</th>
            <th scope="col">Completion</th>
            <th scope="col">Engagement</th>
          </tr>
        </thead>
        <tbody>
          {outcomes.months.map((m) => (
            <tr>
              <td>{m.month}</td>
              <td>{m.patients}</td>
              <td>{m.measured}</td>
              <td>{pct(m.reliableImprovement)}</td>
              <td>{pct(m.response)}</td>
              <td>{pct(m.remission)}</td>
              <td>{pct(m.completion)}</td>
              <td>{pct(m.engagement)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}
