import type { CrisisResource } from "../../../workers/features/safety/resources";
import { CSSRS_QUESTIONS } from "../../../workers/features/screeners/schema";
import { ErrorSummary, type FormErrors, PostForm } from "../auth/forms";
import { Layout } from "../layout";
import { SafetyPlanCard } from "../tracking/safety-plan";

type Question = keyof typeof CSSRS_QUESTIONS;
/** The form's current choices, by question ("yes" / "no"), to re-show after an error. */
export type Choices = Partial<Record<Question, "yes" | "no">>;

/** Region-appropriate lines, always on screen: phone and text links work on a phone with one tap. */
export function CrisisResources({ resources, lead }: { resources: CrisisResource[]; lead?: string }) {
  return (
    <section class="banner-crisis" aria-labelledby="help-now">
      <h2 id="help-now">Need help now?</h2>
      <p>
        If you might act on thoughts of ending your life, call emergency services now.{lead ? ` ${lead}` : ""}
      </p>
      <ul>
        {resources.map((r) => (
          <li>
            <strong>{r.name}</strong>
            {r.phone ? (
              <>
                {": "}
                <a href={`tel:${r.phone.replace(/[^\d+]/g, "")}`}>{r.phone}</a>
              </>
            ) : null}
            {r.text ? <> · {r.text}</> : null}
            {r.url ? (
              <>
                {" · "}
                <a href={r.url} rel="noopener noreferrer">
                  {r.url.replace(/^https?:\/\//, "")}
                </a>
              </>
            ) : null}
            {` (${r.available})`}
            {r.description ? <span class="hint"> {r.description}</span> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function YesNo(props: {
  name: Question;
  number: string;
  choices: Choices;
  errors?: FormErrors | undefined;
  required?: boolean;
}) {
  const { name, number, choices, errors, required = false } = props;
  const error = errors?.fields?.[name];
  return (
    <fieldset aria-describedby={error ? `${name}-error` : undefined}>
      <legend>
        {number}. {CSSRS_QUESTIONS[name]}
      </legend>
      {error ? (
        <p class="field-error" id={`${name}-error`}>
          {error}
        </p>
      ) : null}
      {(["yes", "no"] as const).map((value) => (
        <label class="choice">
          <input
            type="radio"
            name={name}
            value={value}
            checked={choices[name] === value}
            required={required}
          />
          {value === "yes" ? "Yes" : "No"}
        </label>
      ))}
    </fieldset>
  );
}

/** The C-SSRS Screener as a plain form: works without JavaScript, skip logic stated in words. */
export function ScreenerFormPage(props: {
  csrf: string;
  resources: CrisisResource[];
  choices?: Choices;
  note?: string;
  errors?: FormErrors | undefined;
}) {
  const { csrf, resources, errors } = props;
  const choices = props.choices ?? {};
  return (
    <Layout title="Safety check-in">
      <h1>A short safety check-in</h1>
      <p>
        These six questions help you and your care team understand how you have been feeling. It is a short
        check-in, not a diagnosis, and it takes about two minutes.
      </p>
      <p class="muted">
        The questions come from the Columbia Suicide Severity Rating Scale (C-SSRS). Your answers are
        encrypted and can be read by you and the clinicians on your care team.
      </p>
      <CrisisResources resources={resources} lead="You do not have to finish this check-in first." />
      <ErrorSummary errors={errors} />
      <PostForm action="/screeners/c-ssrs" csrf={csrf}>
        <YesNo name="wishedDead" number="1" choices={choices} errors={errors} required />
        <YesNo name="suicidalThoughts" number="2" choices={choices} errors={errors} required />
        <h2>Questions 3 to 5</h2>
        <p class="hint">Only if you answered yes to question 2. If you answered no, go to question 6.</p>
        <YesNo name="method" number="3" choices={choices} errors={errors} />
        <YesNo name="intent" number="4" choices={choices} errors={errors} />
        <YesNo name="plan" number="5" choices={choices} errors={errors} />
        <h2>Question 6</h2>
        <YesNo name="behavior" number="6" choices={choices} errors={errors} required />
        <p class="hint">Only if you answered yes to question 6:</p>
        <YesNo name="behaviorPast3Months" number="6b" choices={choices} errors={errors} />
        <label for="cssrs-note">Anything else you want your care team to know? (optional)</label>
        <textarea id="cssrs-note" name="note" rows={3} maxlength={1000}>
          {props.note ?? ""}
        </textarea>
        <button type="submit">See my result</button>
      </PostForm>
    </Layout>
  );
}

const HEADINGS = {
  high: "Please get help now",
  moderate: "Please talk to someone today",
  low: "Thank you for checking in",
  none: "Thank you for checking in",
} as const;

/** After submitting: what to do next, urgent for high risk, with the crisis lines again. */
export function ScreenerResultPage(props: {
  risk: keyof typeof HEADINGS;
  urgent: boolean;
  message: string;
  resources: CrisisResource[];
  /** The patient's own safety plan sections, when one exists (shown before the crisis lines). */
  plan?: unknown;
}) {
  const emergency = props.resources.find((r) => r.kind === "emergency" && r.phone);
  return (
    <Layout title="Your check-in">
      <h1>{HEADINGS[props.risk]}</h1>
      {props.urgent ? (
        <div class="alert" role="alert">
          <p>
            <strong>{props.message}</strong>
          </p>
          {emergency?.phone ? (
            <p>
              <a class="button" href={`tel:${emergency.phone.replace(/[^\d+]/g, "")}`}>
                Call {emergency.phone} now
              </a>
            </p>
          ) : null}
        </div>
      ) : (
        <p role="status">{props.message}</p>
      )}
      {props.risk !== "none" && props.plan ? <SafetyPlanCard plan={props.plan} /> : null}
      <CrisisResources resources={props.resources} />
      <p>This check-in is not a diagnosis. You can take it again at any time.</p>
      <p>
        <a href="/chat">Back to the companion</a>
      </p>
    </Layout>
  );
}
