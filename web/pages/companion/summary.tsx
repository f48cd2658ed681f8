import type { Child } from "hono/jsx";
import type { SummaryState } from "../../../workers/features/companion/summary";
import { CsrfField, Notice } from "../auth/forms";
import { Layout } from "../layout";

const when = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;
const day = (iso: string) => iso.slice(0, 10);

/**
 * The between-session summary as a chart section: labelled AI-generated, the model's draft, then
 * the risk events listed from the records, and a Regenerate button (a plain form: keyboard and
 * screen-reader friendly, no script needed). Used on the clinician's chart and the patient's page.
 */
export function SummarySection(props: {
  data: SummaryState;
  csrf: string;
  /** Where the Regenerate form posts. */
  action: string;
  viewer: "patient" | "clinician";
}) {
  const { data, csrf, action, viewer } = props;
  const regenerate = (label: string) => (
    <form method="post" action={action} class="inline-form">
      <CsrfField token={csrf} />
      <button type="submit">{label}</button>
    </form>
  );
  return (
    <section class="card" aria-labelledby="summary-h" id="summary">
      <h2 id="summary-h">
        Between-session summary <span class="ai-label">AI-generated</span>
      </h2>
      {data.state === "no_consent" ? (
        viewer === "patient" ? (
          <p>
            A summary for your care team needs your consent to the companion using your care plan. You can
            turn it on (or off again) in <a href="/account">your account, under Consent</a>.
          </p>
        ) : (
          <p>
            This patient has not consented to between-session summaries (their care-plan consent is off).
            Nothing was read.
          </p>
        )
      ) : data.state === "none" ? (
        <>
          <p>
            No summary yet. It is drafted by the AI model from{" "}
            {viewer === "patient" ? "your" : "the patient's"} tracking, scores and use of the companion since
            the last session (never chat messages), and{" "}
            {viewer === "patient" ? "you and your" : "the patient and their"} care team both see it.
          </p>
          {regenerate("Generate summary")}
        </>
      ) : (
        <SummaryBody data={data.summary} regenerate={regenerate("Regenerate")} />
      )}
    </section>
  );
}

function SummaryBody(props: { data: Extract<SummaryState, { state: "ok" }>["summary"]; regenerate: Child }) {
  const s = props.data;
  return (
    <>
      <p class="muted" role="note">
        {s.label}
      </p>
      <dl class="facts">
        <dt>Period</dt>
        <dd>
          {s.window.basis === "last_session" ? "Since the last session" : `Last ${s.window.days} days`} (
          {day(s.window.from)} to {day(s.window.to)})
        </dd>
        <dt>Drafted</dt>
        <dd>
          {when(s.generatedAt)} by {s.model} ({s.promptVersion})
        </dd>
      </dl>
      <h3>Overview</h3>
      <p>{s.draft.overview}</p>
      <h3>Themes</h3>
      {s.draft.themes.length > 0 ? (
        <ul>
          {s.draft.themes.map((t) => (
            <li>{t}</li>
          ))}
        </ul>
      ) : (
        <p>None stood out.</p>
      )}
      <h3>Mood trend</h3>
      <p>{s.draft.moodTrend}</p>
      <h3>Exercises tried</h3>
      <p>{s.draft.exercisesTried}</p>
      {s.facts.exercises.length > 0 ? (
        <ul>
          {s.facts.exercises.map((e) => (
            <li>
              <a href={`/library/${e.slug}`}>{e.title}</a>
            </li>
          ))}
        </ul>
      ) : null}
      <h3>Risk events since {day(s.window.from)} (from the records, not the model)</h3>
      {s.riskEvents.length + s.riskSignals.length === 0 ? (
        <p>None recorded.</p>
      ) : (
        <ul class="plain">
          {s.riskEvents.map((e) => (
            <li>
              <strong>{e.severity}</strong> ({e.categories.join(", ").replaceAll("_", " ") || "uncategorised"}
              ), detected by {e.source}, {when(e.at)}
            </li>
          ))}
          {s.riskSignals.map((e) => (
            <li>
              <strong>{e.severity}</strong> early-warning signal: {e.kind.replaceAll("_", " ")}, {when(e.at)}
            </li>
          ))}
        </ul>
      )}
      {props.regenerate}
    </>
  );
}

/** The patient's own page: the same section, with what it is for. */
export function SummaryPage(props: { data: SummaryState; csrf: string; saved?: string | undefined }) {
  return (
    <Layout title="Between sessions">
      <h1>Between sessions</h1>
      {props.saved ? <Notice>{props.saved}</Notice> : null}
      <p>What your care team sees about the time since your last session. You see exactly what they see.</p>
      <SummarySection data={props.data} csrf={props.csrf} action="/summary/regenerate" viewer="patient" />
    </Layout>
  );
}
