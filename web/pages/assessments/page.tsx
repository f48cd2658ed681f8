import type { Child } from "hono/jsx";
import { CSSRS, INSTRUMENTS, type Instrument } from "../../../workers/features/assessments/instruments";
import type { AssessmentResult, Assignment, Score } from "../../../workers/features/assessments/schema";
import type { CrisisResource } from "../../../workers/features/safety/resources";
import { CSSRS_QUESTIONS, IDEATION_FOLLOW_UPS } from "../../../workers/features/screeners/schema";
import type { AssessmentInstrument } from "../../../workers/lib/care-data/assessments";
import { ErrorSummary, type FormErrors, PostForm } from "../auth/forms";
import { Layout } from "../layout";
import { CrisisResources } from "../screeners/page";
import { SafetyPlanCard } from "../tracking/safety-plan";
import { changeLabel, SCORE_CHART_SCRIPTS, ScoreChart } from "./chart";

const STYLES = ["/assets/assessments.css"];
const STEPPER = "/assets/assessment-stepper.js";

const dateOf = (iso: string) => iso.slice(0, 10);
const STATUS = { due: "Due now", overdue: "Overdue", upcoming: "Next due" } as const;

/** Assigned assessments, soonest first: what is due or overdue now, then what comes next. */
export function DueList({ assignments }: { assignments: readonly Assignment[] }) {
  if (assignments.length === 0) return <p class="muted">Your care team has not assigned any assessments.</p>;
  return (
    <ul class="due-list">
      {assignments.map((a) => (
        <li class={`due-${a.status}`}>
          <a href={`/assessments/${a.instrument}`}>{a.instrumentName}</a>{" "}
          <span>
            {STATUS[a.status]}: {dateOf(a.dueAt)}
          </span>{" "}
          <span class="muted">(every {a.cadenceDays} days)</span>
        </li>
      ))}
    </ul>
  );
}

/** `/assessments`: what is due, the instruments to take, and the history charts. */
export function AssessmentsPage(props: { assignments: readonly Assignment[]; scores: readonly Score[] }) {
  const withScores = (Object.keys(INSTRUMENTS) as AssessmentInstrument[]).filter((id) =>
    props.scores.some((s) => s.instrument === id),
  );
  return (
    <Layout title="Assessments" styles={STYLES} scripts={[...SCORE_CHART_SCRIPTS]}>
      <h1>Assessments</h1>
      <p>
        Short questionnaires that help you and your care team see how things are changing. They are not a
        diagnosis. Your answers are encrypted; you and the clinicians on your care team can read them.
      </p>
      <section aria-labelledby="due-heading">
        <h2 id="due-heading">Assigned to you</h2>
        <DueList assignments={props.assignments} />
      </section>
      <section aria-labelledby="take-heading">
        <h2 id="take-heading">Take an assessment</h2>
        <ul class="instrument-list">
          {Object.values(INSTRUMENTS).map((i) => (
            <li>
              <a href={`/assessments/${i.id}`}>{i.title}</a>{" "}
              <span class="muted">{i.items.length} questions</span>
            </li>
          ))}
          <li>
            <a href="/assessments/c-ssrs">Safety check-in ({CSSRS.shortTitle})</a>{" "}
            <span class="muted">up to 7 questions</span>
          </li>
        </ul>
      </section>
      <section aria-labelledby="history-heading">
        <h2 id="history-heading">Your scores over time</h2>
        {withScores.length === 0 ? <p class="muted">No scores yet.</p> : null}
        {withScores.map((id) => (
          <ScoreChart instrument={id} scores={props.scores} />
        ))}
      </section>
    </Layout>
  );
}

function Step(props: {
  name: string;
  index: number;
  legend: Child;
  optional?: boolean;
  showIf?: string;
  children: Child;
  error?: string | undefined;
}) {
  return (
    <fieldset
      data-step={String(props.index)}
      data-optional={props.optional ? "true" : undefined}
      data-show-if={props.showIf}
      aria-describedby={props.error ? `${props.name}-error` : undefined}
    >
      <legend tabindex={-1}>{props.legend}</legend>
      {props.error ? (
        <p class="field-error" id={`${props.name}-error`}>
          {props.error}
        </p>
      ) : null}
      {props.children}
    </fieldset>
  );
}

/**
 * One instrument as a form that works without JavaScript (every question on one page); with it,
 * `assessment-stepper.js` shows one question per screen with progress, Back/Next and focus moved to
 * each question. Native radio groups keep it keyboard-accessible.
 */
export function AssessmentFormPage(props: {
  instrument: Instrument;
  csrf: string;
  resources: CrisisResource[];
  given?: Record<string, string>;
  errors?: FormErrors | undefined;
}) {
  const { instrument: i, csrf, errors } = props;
  const given = props.given ?? {};
  const scored = i.items.filter((x) => !x.unscored).length;
  return (
    <Layout title={i.shortTitle} styles={STYLES} scripts={[STEPPER]}>
      <h1>{i.title}</h1>
      <p>{i.prompt}</p>
      <p class="muted">
        {scored} questions{i.items.length > scored ? " and one optional question" : ""}. Not a diagnosis.
      </p>
      {i.id === "phq-9" ? (
        <CrisisResources
          resources={props.resources}
          lead="You do not have to finish this questionnaire first."
        />
      ) : null}
      <ErrorSummary errors={errors} />
      <PostForm action={`/assessments/${i.id}`} csrf={csrf} class="form assessment-form">
        <div data-stepper-root>
          {i.items.map((item, n) => (
            <Step
              name={item.id}
              index={n}
              optional={item.unscored}
              error={errors?.fields?.[item.id]}
              legend={
                <>
                  <span class="step-number">
                    {n + 1}. {i.id === "pss-10" ? `${i.prompt.replace("…", "")} ` : ""}
                  </span>
                  {item.text}
                  {item.unscored ? <span class="muted"> (optional)</span> : null}
                </>
              }
            >
              {(item.options ?? i.options).map((o) => (
                <label class="choice">
                  <input
                    type="radio"
                    name={item.id}
                    value={String(o.value)}
                    checked={given[item.id] === String(o.value)}
                    required={!item.unscored}
                  />
                  {o.label}
                </label>
              ))}
            </Step>
          ))}
        </div>
        <button type="submit">See my result</button>
      </PostForm>
      <p class="muted small">
        {i.copyright} {i.licence} Version {i.version}.
      </p>
    </Layout>
  );
}

/** The C-SSRS Screener one question per screen: questions 3–5 only after a yes to 2, 6b only after a yes to 6. */
export function CssrsStepperPage(props: {
  csrf: string;
  resources: CrisisResource[];
  given?: Record<string, string>;
  errors?: FormErrors | undefined;
}) {
  const keys = Object.keys(CSSRS_QUESTIONS) as (keyof typeof CSSRS_QUESTIONS)[];
  const given = props.given ?? {};
  const showIf = (k: string) =>
    (IDEATION_FOLLOW_UPS as readonly string[]).includes(k)
      ? "suicidalThoughts=yes"
      : k === "behaviorPast3Months"
        ? "behavior=yes"
        : undefined;
  return (
    <Layout title="Safety check-in" styles={STYLES} scripts={[STEPPER]}>
      <h1>A short safety check-in</h1>
      <p>
        These questions come from the Columbia Suicide Severity Rating Scale (C-SSRS). It is a check-in, not a
        diagnosis. Questions 3 to 5 are asked only if you answer yes to question 2.
      </p>
      <CrisisResources resources={props.resources} lead="You do not have to finish this check-in first." />
      <ErrorSummary errors={props.errors} />
      <PostForm action="/assessments/c-ssrs" csrf={props.csrf} class="form assessment-form">
        <div data-stepper-root>
          {keys.map((k, n) => (
            <Step
              name={k}
              index={n}
              showIf={showIf(k)}
              error={props.errors?.fields?.[k]}
              legend={
                <>
                  <span class="step-number">{k === "behaviorPast3Months" ? "6b" : n < 6 ? n + 1 : n}. </span>
                  {CSSRS_QUESTIONS[k]}
                  {showIf(k) ? (
                    <span class="hint">
                      {" "}
                      (only if you answered yes to question {k === "behaviorPast3Months" ? 6 : 2})
                    </span>
                  ) : null}
                </>
              }
            >
              {(["yes", "no"] as const).map((v) => (
                <label class="choice">
                  <input type="radio" name={k} value={v} checked={given[k] === v} required={!showIf(k)} />
                  {v === "yes" ? "Yes" : "No"}
                </label>
              ))}
            </Step>
          ))}
        </div>
        <button type="submit">See my result</button>
      </PostForm>
      <p class="muted small">
        {CSSRS.copyright} {CSSRS.licence}
      </p>
    </Layout>
  );
}

/** After a scored submission: the score, its band, the change, suggestions, and crisis help first when needed. */
export function AssessmentResultPage({ result, plan }: { result: AssessmentResult; plan?: unknown }) {
  const i = INSTRUMENTS[result.instrument];
  const emergency = result.crisis?.resources.find((r) => r.kind === "emergency" && r.phone);
  return (
    <Layout title={`${i.shortTitle} result`} styles={STYLES}>
      {result.crisis ? (
        <>
          <h1>Please talk to someone today</h1>
          <div class="alert" role="alert">
            <p>
              <strong>{result.crisis.message}</strong>
            </p>
            {result.crisis.urgent && emergency?.phone ? (
              <p>
                <a class="button" href={`tel:${emergency.phone.replace(/[^\d+]/g, "")}`}>
                  Call {emergency.phone} now
                </a>
              </p>
            ) : null}
          </div>
          {plan ? <SafetyPlanCard plan={plan} /> : null}
          <CrisisResources resources={result.crisis.resources} />
        </>
      ) : (
        <h1>Your {i.shortTitle} result</h1>
      )}
      <dl class="facts">
        <dt>Score</dt>
        <dd>
          {result.total} out of {i.maxScore}
        </dd>
        <dt>Range</dt>
        <dd>{result.bandLabel}</dd>
        <dt>Since last time</dt>
        <dd>{changeLabel(result)}</dd>
      </dl>
      {result.recommendations.length > 0 ? (
        <section aria-labelledby="next-heading">
          <h2 id="next-heading">Suggested next steps</h2>
          <ul>
            {result.recommendations.map((r) => (
              <li>
                {r.text} <span class="muted">Because: {r.because.join("; ")}.</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <p>This is not a diagnosis. Your care team can see this result.</p>
      <p>
        <a href="/assessments">Back to assessments</a>
      </p>
    </Layout>
  );
}
