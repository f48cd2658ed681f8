import { POLICY_VERSION, REGIONS, type Region } from "../../../workers/lib/vocabulary";
import { Layout } from "../layout";
import { ErrorSummary, Field, type FormErrors, PostForm } from "./forms";

export interface SignupValues {
  email?: string;
  displayName?: string;
  region?: string;
  consentAi?: boolean;
}

const REGION_LABELS: Record<Region, string> = {
  us: "United States",
  eu: "European Union",
  apac: "Asia-Pacific",
};
const REGION_OPTIONS = REGIONS.map((value) => ({ value, label: REGION_LABELS[value] }));

/** Patient sign-up: account details, where the data lives, and two separate consents. */
export function SignupPage({
  csrf,
  values = {},
  errors,
}: {
  csrf: string;
  values?: SignupValues;
  errors?: FormErrors;
}) {
  const region = values.region ?? "";
  const consentError = errors?.fields?.consentHealth;
  return (
    <Layout title="Create an account">
      <h1>Create your Haven account</h1>
      <ErrorSummary errors={errors} />
      <PostForm action="/signup" csrf={csrf}>
        <Field
          name="email"
          label="Email"
          type="email"
          autocomplete="email"
          value={values.email}
          errors={errors}
        />
        <Field
          name="displayName"
          label="What should we call you?"
          autocomplete="nickname"
          value={values.displayName}
          hint="A first name or nickname is fine. Your care team sees it."
          errors={errors}
          maxlength={80}
        />
        <Field
          name="password"
          label="Password"
          type="password"
          autocomplete="new-password"
          hint="At least 12 characters. A few unrelated words work well."
          errors={errors}
        />
        <fieldset>
          <legend>Where should your data be stored?</legend>
          <p class="hint">
            Your health data is stored and processed only in the region you pick. Choose where you live; it
            decides which privacy law protects your data (for example GDPR in the EU). It cannot be changed
            later without moving your account.
          </p>
          {errors?.fields?.region ? <p class="field-error">{errors.fields.region}</p> : null}
          {REGION_OPTIONS.map((r) => (
            <label class="choice">
              <input type="radio" name="region" value={r.value} checked={region === r.value} required />
              {r.label}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Your consent</legend>
          <p class="hint">
            Privacy policy version {POLICY_VERSION}. You can withdraw either consent later in your account.
          </p>
          {consentError ? <p class="field-error">{consentError}</p> : null}
          <label class="choice">
            <input type="checkbox" name="consentHealth" value="yes" required />
            <span>
              <strong>Required:</strong> I agree that Haven processes my health data (mood, check-ins,
              messages) to provide the service and share it with the care team I choose.
            </span>
          </label>
          <label class="choice">
            <input type="checkbox" name="consentAi" value="yes" checked={values.consentAi === true} />
            <span>
              <strong>Optional:</strong> I want to use the AI companion. My messages to it are processed by an
              AI model. It is not a clinician.
            </span>
          </label>
        </fieldset>
        <button type="submit">Create account</button>
      </PostForm>
      <p>
        Already have an account? <a href="/login">Sign in</a>
      </p>
    </Layout>
  );
}
