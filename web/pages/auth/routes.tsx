import { type Context, Hono } from "hono";
import { clearSessionCookies, setSessionCookies } from "../../../workers/features/accounts/cookies";
import {
  acceptInvite,
  confirmPasswordReset,
  requestPasswordReset,
} from "../../../workers/features/accounts/credentials";
import { safeNext } from "../../../workers/features/accounts/origin";
import * as schema from "../../../workers/features/accounts/schema";
import { completeMfa, login, signup, verifyEmail } from "../../../workers/features/accounts/service";
import { revokeSession } from "../../../workers/features/accounts/sessions";
import type { AppEnv } from "../../../workers/lib/context";
import { AppError } from "../../../workers/lib/errors";
import { rateLimit } from "../../../workers/middleware/rate-limit";
import { scopeOf } from "../../../workers/middleware/services";
import { pageError } from "./errors";
import { LoginPage, MfaPage } from "./login";
import { formFields, serviceFailure, zodFailure } from "./respond";
import { csrfToken, ensureCsrfCookie, formCsrf } from "./session";
import { SignupPage } from "./signup";
import { MessagePage, NewPasswordPage, ResetRequestPage, VerifyEmailPage } from "./tokens";

/** GET pages with forms, and their POST targets: rate limited like the API, CSRF-protected forms. */
const page = [rateLimit, ensureCsrfCookie] as const;
const post = [formCsrf, rateLimit] as const;

const SIGNUP_MESSAGES = {
  email: "Enter a valid email address",
  displayName: "Enter a name of up to 80 characters",
  password: "Enter a password",
  region: "Choose where your data is stored",
  consentHealth: "Haven cannot work without this consent: it needs to process health data to help you",
};
const LOGIN_MESSAGES = { email: "Enter a valid email address", password: "Enter your password" };
const PASSWORD_HINT = { password: "Enter a new password" };
const expiredLink = () => (
  <MessagePage title="This link has expired">
    <p>Links in Haven emails work once and expire. Request a new one, or sign in if you already used it.</p>
    <p class="actions">
      <a class="button" href="/login">
        Sign in
      </a>
      <a class="button secondary" href="/reset-password">
        Reset password
      </a>
    </p>
  </MessagePage>
);

/** Sign-up, email confirmation, sign-in (with the MFA step), sign-out, password reset, invitations. */
/** Where a signed-in person lands: clinicians on their caseload, everyone else on their account. */
function landingFor(accessToken: string): string {
  try {
    const payload = JSON.parse(atob((accessToken.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/")));
    return payload?.role === "clinician" ? "/clinician" : "/account";
  } catch {
    return "/account";
  }
}

export const authPages = new Hono<AppEnv>()
  .onError(pageError)
  .get("/signup", ...page, (c) => c.html(<SignupPage csrf={csrfToken(c)} />))
  .post("/signup", ...post, async (c) => {
    const f = await formFields(c);
    const values = {
      email: f.email ?? "",
      displayName: f.displayName ?? "",
      region: f.region ?? "",
      consentAi: f.consentAi === "yes",
    };
    const parsed = schema.SignupBody.safeParse({
      email: f.email,
      password: f.password,
      displayName: f.displayName,
      region: f.region,
      consents: { healthData: f.consentHealth === "yes", aiCompanion: values.consentAi },
    });
    const rename = { "consents.healthData": "consentHealth" };
    const failure = parsed.success
      ? await signup(scopeOf(c), parsed.data).then(
          () => null,
          (e: unknown) => serviceFailure(e),
        )
      : zodFailure(parsed.error, SIGNUP_MESSAGES, rename);
    if (failure)
      return c.html(
        <SignupPage csrf={csrfToken(c)} values={values} errors={failure.errors} />,
        failure.status,
        failure.headers,
      );
    return c.html(
      <MessagePage title="Check your email">
        <p>
          If this email can be used, we sent a confirmation link to it. Open the link to finish creating your
          account; it expires in 24 hours.
        </p>
        <p class="muted">Nothing arrived? Check your spam folder, or sign up again in a few minutes.</p>
      </MessagePage>,
    );
  })
  .get("/verify-email", ...page, (c) => {
    const token = c.req.query("token") ?? "";
    return token ? c.html(<VerifyEmailPage csrf={csrfToken(c)} token={token} />) : c.html(expiredLink(), 400);
  })
  .post("/verify-email", ...post, async (c) => {
    const parsed = schema.TokenBody.safeParse({ token: (await formFields(c)).token });
    const failure = parsed.success
      ? await verifyEmail(scopeOf(c), parsed.data.token).then(
          () => null,
          (e: unknown) => serviceFailure(e),
        )
      : { status: 400 as const };
    if (failure) return c.html(expiredLink(), failure.status);
    return c.html(
      <MessagePage title="Email confirmed">
        <p>Thank you. Your account is ready.</p>
        <p>
          <a class="button" href="/login">
            Sign in
          </a>
        </p>
      </MessagePage>,
    );
  })
  .get("/login", ...page, (c) => {
    const next = safeNext(c.req.query("next"), "");
    if (c.get("principal")) return c.redirect(next || "/account", 303);
    return c.html(<LoginPage csrf={csrfToken(c)} next={next || undefined} />);
  })
  .post("/login", ...post, async (c) => {
    const f = await formFields(c);
    const email = f.email ?? "";
    const next = safeNext(f.next, "") || undefined;
    const parsed = schema.LoginBody.safeParse({ email: f.email, password: f.password });
    if (!parsed.success) {
      const failure = zodFailure(parsed.error, LOGIN_MESSAGES);
      return c.html(
        <LoginPage csrf={csrfToken(c)} email={email} errors={failure.errors} next={next} />,
        failure.status,
      );
    }
    try {
      const result = await login(scopeOf(c), parsed.data);
      if (result.mfaRequired)
        return c.html(<MfaPage csrf={csrfToken(c)} mfaToken={result.mfaToken} next={next} />);
      setSessionCookies(c, result);
      return c.redirect(
        result.mfaSetupRequired ? "/account/security?notice=mfa-required" : (next ?? "/account"),
        303,
      );
    } catch (err) {
      const failure = serviceFailure(err);
      return c.html(
        <LoginPage csrf={csrfToken(c)} email={email} errors={failure.errors} next={next} />,
        failure.status,
        failure.headers,
      );
    }
  })
  .get("/login/mfa", (c) => c.redirect("/login", 303))
  .post("/login/mfa", ...post, async (c) => {
    const f = await formFields(c);
    const mfaToken = f.mfaToken ?? "";
    const next = safeNext(f.next, "") || undefined;
    const parsed = schema.MfaLoginBody.safeParse({
      mfaToken,
      code: f.code?.trim() || undefined,
      recoveryCode: f.recoveryCode?.trim() || undefined,
    });
    if (!parsed.success) {
      const errors = { form: "Enter the 6-digit code from your app, or one recovery code." };
      return c.html(<MfaPage csrf={csrfToken(c)} mfaToken={mfaToken} errors={errors} next={next} />, 422);
    }
    try {
      const tokens = await completeMfa(scopeOf(c), parsed.data);
      setSessionCookies(c, tokens);
      return c.redirect(next ?? landingFor(tokens.accessToken), 303);
    } catch (err) {
      const failure = serviceFailure(err);
      return c.html(
        <MfaPage csrf={csrfToken(c)} mfaToken={mfaToken} errors={failure.errors} next={next} />,
        failure.status,
        failure.headers,
      );
    }
  })
  .post("/logout", ...post, async (c) => {
    const p = c.get("principal");
    if (p) {
      await revokeSession(scopeOf(c), p, p.sessionId, "logout").catch((err: unknown) => {
        if (!(err instanceof AppError && err.code === "not_found")) throw err;
      });
    }
    clearSessionCookies(c);
    return c.redirect("/", 303);
  })
  .get("/reset-password", ...page, (c) => {
    const token = c.req.query("token");
    return c.html(
      token ? (
        <NewPasswordPage csrf={csrfToken(c)} token={token} mode="reset" />
      ) : (
        <ResetRequestPage csrf={csrfToken(c)} />
      ),
    );
  })
  .post("/reset-password", ...post, async (c) => {
    const parsed = schema.ResetRequestBody.safeParse({ email: (await formFields(c)).email });
    if (!parsed.success)
      return c.html(
        <ResetRequestPage csrf={csrfToken(c)} errors={zodFailure(parsed.error, LOGIN_MESSAGES).errors} />,
        422,
      );
    await requestPasswordReset(scopeOf(c), parsed.data.email);
    return c.html(
      <MessagePage title="Check your email">
        <p>
          If an account exists for this email, we sent a link to reset its password. It works once and expires
          in 1 hour.
        </p>
      </MessagePage>,
    );
  })
  .post("/reset-password/confirm", ...post, (c) => newPassword(c, "reset"))
  .get("/accept-invite", ...page, (c) => {
    const token = c.req.query("token") ?? "";
    return token
      ? c.html(<NewPasswordPage csrf={csrfToken(c)} token={token} mode="invite" />)
      : c.html(expiredLink(), 400);
  })
  .post("/accept-invite", ...post, (c) => newPassword(c, "invite"));

async function newPassword(c: Context<AppEnv>, mode: "reset" | "invite") {
  const f = await formFields(c);
  const token = f.token ?? "";
  const parsed = schema.ResetConfirmBody.safeParse({ token, password: f.password });
  if (!parsed.success) {
    const failure = zodFailure(parsed.error, PASSWORD_HINT);
    if (failure.errors.fields?.token) return c.html(expiredLink(), 400);
    return c.html(
      <NewPasswordPage csrf={csrfToken(c)} token={token} mode={mode} errors={failure.errors} />,
      422,
    );
  }
  const act = mode === "reset" ? confirmPasswordReset : acceptInvite;
  const failure = await act(scopeOf(c), parsed.data.token, parsed.data.password).then(
    () => null,
    (e: unknown) => serviceFailure(e),
  );
  if (failure?.status === 400) return c.html(expiredLink(), 400);
  if (failure)
    return c.html(
      <NewPasswordPage csrf={csrfToken(c)} token={token} mode={mode} errors={failure.errors} />,
      failure.status,
    );
  return c.html(
    <MessagePage title={mode === "reset" ? "Password changed" : "Welcome to Haven"}>
      <p>
        {mode === "reset"
          ? "Sign in with your new password."
          : "Sign in now. You will be asked to set up two-factor authentication."}
      </p>
      <p>
        <a class="button" href="/login">
          Sign in
        </a>
      </p>
    </MessagePage>,
  );
}
