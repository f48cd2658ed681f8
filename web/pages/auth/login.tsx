import { Layout } from "../layout";
import { ErrorSummary, Field, type FormErrors, PostForm } from "./forms";

/** Password step of sign-in. Only the email is ever written back into the form. */
export function LoginPage({
  csrf,
  email,
  errors,
  next,
}: {
  csrf: string;
  email?: string;
  errors?: FormErrors;
  /** Where to continue after sign-in (already checked to be a same-origin path). */
  next?: string | undefined;
}) {
  return (
    <Layout title="Sign in">
      <h1>Sign in</h1>
      <ErrorSummary errors={errors} />
      <PostForm action="/login" csrf={csrf}>
        {next ? <input type="hidden" name="next" value={next} /> : null}
        <Field
          name="email"
          label="Email"
          type="email"
          autocomplete="username"
          value={email}
          errors={errors}
        />
        <Field
          name="password"
          label="Password"
          type="password"
          autocomplete="current-password"
          errors={errors}
        />
        <button type="submit">Sign in</button>
      </PostForm>
      <p>
        <a href="/reset-password">Forgot your password?</a>
      </p>
      <p>
        New to Haven? <a href="/signup">Create an account</a>
      </p>
    </Layout>
  );
}

/** Second step: a code from the authenticator app, or one unused recovery code. */
export function MfaPage({
  csrf,
  mfaToken,
  errors,
  next,
}: {
  csrf: string;
  mfaToken: string;
  errors?: FormErrors;
  next?: string | undefined;
}) {
  return (
    <Layout title="Two-factor sign-in">
      <h1>Enter your sign-in code</h1>
      <ErrorSummary errors={errors} />
      <PostForm action="/login/mfa" csrf={csrf}>
        <input type="hidden" name="mfaToken" value={mfaToken} />
        {next ? <input type="hidden" name="next" value={next} /> : null}
        <Field
          name="code"
          label="6-digit code from your authenticator app"
          autocomplete="one-time-code"
          inputmode="numeric"
          pattern="[0-9]{6}"
          maxlength={6}
          required={false}
          errors={errors}
        />
        <details>
          <summary>Use a recovery code instead</summary>
          <Field
            name="recoveryCode"
            label="Recovery code"
            autocomplete="off"
            required={false}
            maxlength={20}
            errors={errors}
          />
        </details>
        <button type="submit">Continue</button>
      </PostForm>
      <p class="muted">
        The code step expires after 5 minutes. If it does, <a href="/login">sign in again</a>.
      </p>
    </Layout>
  );
}
