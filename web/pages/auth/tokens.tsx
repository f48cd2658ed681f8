import type { Child } from "hono/jsx";
import { Layout } from "../layout";
import { ErrorSummary, Field, type FormErrors, PostForm } from "./forms";

/** A short outcome page: "check your email", "password changed", an expired link. */
export function MessagePage({ title, children }: { title: string; children: Child }) {
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      {children}
    </Layout>
  );
}

/**
 * Email confirmation. The link only opens this page; the token is spent by the button's POST, so
 * mail scanners that prefetch links cannot use it up.
 */
export function VerifyEmailPage({
  csrf,
  token,
  errors,
}: {
  csrf: string;
  token: string;
  errors?: FormErrors;
}) {
  return (
    <Layout title="Confirm your email">
      <h1>Confirm your email</h1>
      <ErrorSummary errors={errors} />
      <PostForm action="/verify-email" csrf={csrf}>
        <input type="hidden" name="token" value={token} />
        <p>Press the button to confirm this email address belongs to you.</p>
        <button type="submit">Confirm my email</button>
      </PostForm>
    </Layout>
  );
}

export function ResetRequestPage({ csrf, errors }: { csrf: string; errors?: FormErrors }) {
  return (
    <Layout title="Reset your password">
      <h1>Reset your password</h1>
      <ErrorSummary errors={errors} />
      <PostForm action="/reset-password" csrf={csrf}>
        <Field
          name="email"
          label="Email"
          type="email"
          autocomplete="email"
          errors={errors}
          hint="If an account uses this email, we will send it a link that works once, for one hour."
        />
        <button type="submit">Send reset link</button>
      </PostForm>
    </Layout>
  );
}

/** The new-password form behind a reset or invitation link (the token travels in the POST body). */
export function NewPasswordPage(props: {
  csrf: string;
  token: string;
  mode: "reset" | "invite";
  errors?: FormErrors;
}) {
  const invite = props.mode === "invite";
  const title = invite ? "Join Haven" : "Choose a new password";
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      {invite ? (
        <p>
          Set a password for your account. You will set up two-factor authentication when you first sign in.
        </p>
      ) : (
        <p>Changing your password signs you out on every device.</p>
      )}
      <ErrorSummary errors={props.errors} />
      <PostForm action={invite ? "/accept-invite" : "/reset-password/confirm"} csrf={props.csrf}>
        <input type="hidden" name="token" value={props.token} />
        <Field
          name="password"
          label="New password"
          type="password"
          autocomplete="new-password"
          hint="At least 12 characters. A few unrelated words work well."
          errors={props.errors}
        />
        <button type="submit">{invite ? "Set password" : "Change password"}</button>
      </PostForm>
    </Layout>
  );
}
