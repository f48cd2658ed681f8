import { renderSVG } from "uqr";
import { ErrorSummary, Field, type FormErrors, Notice, PostForm } from "../auth/forms";
import { Layout } from "../layout";

export interface SessionView {
  id: string;
  userAgent: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  current: boolean;
}

export interface SecurityProps {
  csrf: string;
  sessions: SessionView[];
  mfaEnabled: boolean;
  notice?: string | undefined;
  /** Set while enrolling: the secret to type or scan, shown as text (no inline images or scripts). */
  setup?: { secret: string; otpauthUri: string } | undefined;
  mfaErrors?: FormErrors | undefined;
  recoveryErrors?: FormErrors | undefined;
  passwordErrors?: FormErrors | undefined;
}

/** "Chrome on Android" rather than a 150-character user-agent string. */
function device(ua: string | null): string {
  if (!ua) return "Unknown device";
  const browser = [/Edg\//, /Firefox\//, /Chrome\//, /Safari\//].findIndex((re) => re.test(ua));
  const os = [/Android/, /iPhone|iPad/, /Windows/, /Mac OS X/, /Linux/].findIndex((re) => re.test(ua));
  const b = ["Edge", "Firefox", "Chrome", "Safari"][browser];
  const o = ["Android", "iOS", "Windows", "macOS", "Linux"][os];
  return b && o ? `${b} on ${o}` : (b ?? o ?? ua.slice(0, 60));
}

const when = (d: Date) => `${d.toISOString().replace("T", " ").slice(0, 16)} UTC`;

/** Sessions with revoke buttons, password change and two-factor enrolment. */
export function SecurityPage(p: SecurityProps) {
  return (
    <Layout title="Security">
      <h1>Security</h1>
      {p.notice ? <Notice>{p.notice}</Notice> : null}
      <section class="card" aria-labelledby="mfa">
        <h2 id="mfa">Two-factor sign-in</h2>
        <p>
          {p.mfaEnabled
            ? "On. Signing in asks for a code from your authenticator app."
            : "Off. Clinicians and administrators must turn it on before using Haven."}
        </p>
        <ErrorSummary errors={p.mfaErrors} />
        {p.setup ? (
          <>
            <ol>
              <li>Open an authenticator app (for example Google Authenticator, 1Password or Aegis).</li>
              <li>Scan this code with the app:</li>
            </ol>
            <p>
              <img
                class="qr"
                src={qrDataUri(p.setup.otpauthUri)}
                width={220}
                height={220}
                alt="QR code for your authenticator app. If you cannot scan it, type the key shown below."
              />
            </p>
            <ol start={3}>
              <li>
                Or add an account by typing this key: <code class="secret">{p.setup.secret}</code>
              </li>
              <li>Or paste this setup link if your app accepts one:</li>
            </ol>
            <p class="wrap">
              <code>{p.setup.otpauthUri}</code>
            </p>
            <PostForm action="/account/mfa/enable" csrf={p.csrf}>
              <input type="hidden" name="secret" value={p.setup.secret} />
              <Field
                name="code"
                label="Enter the 6-digit code the app shows"
                autocomplete="one-time-code"
                inputmode="numeric"
                pattern="[0-9]{6}"
                maxlength={6}
                errors={p.mfaErrors}
              />
              <button type="submit">Turn on two-factor sign-in</button>
            </PostForm>
          </>
        ) : (
          <>
            <PostForm action="/account/mfa/setup" csrf={p.csrf}>
              <button type="submit">
                {p.mfaEnabled ? "Move to a new device" : "Set up two-factor sign-in"}
              </button>
            </PostForm>
            {p.mfaEnabled ? (
              <PostForm action="/account/mfa/recovery-codes" csrf={p.csrf}>
                <h3>New recovery codes</h3>
                <p>Replaces all your recovery codes; the old ones stop working.</p>
                <Field
                  name="code"
                  label="Enter the 6-digit code your app shows"
                  autocomplete="one-time-code"
                  inputmode="numeric"
                  pattern="[0-9]{6}"
                  maxlength={6}
                  errors={p.recoveryErrors}
                />
                <button type="submit">Make new recovery codes</button>
              </PostForm>
            ) : null}
          </>
        )}
      </section>
      <section class="card" aria-labelledby="sessions">
        <h2 id="sessions">Where you are signed in</h2>
        <ul class="plain">
          {p.sessions.map((s) => (
            <li class="session">
              <p>
                <strong>{device(s.userAgent)}</strong>
                {s.current ? " (this device)" : ""}
              </p>
              <p class="muted">
                Signed in {when(s.createdAt)} · last active {when(s.lastUsedAt)}
              </p>
              <PostForm action={`/account/sessions/${s.id}/revoke`} csrf={p.csrf} class="inline-form">
                <button type="submit" class="secondary">
                  {s.current ? "Sign out here" : "Sign out this device"}
                </button>
              </PostForm>
            </li>
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="password">
        <h2 id="password">Change password</h2>
        <ErrorSummary errors={p.passwordErrors} />
        <PostForm action="/account/password" csrf={p.csrf}>
          <Field
            name="currentPassword"
            label="Current password"
            type="password"
            autocomplete="current-password"
            errors={p.passwordErrors}
          />
          <Field
            name="newPassword"
            label="New password"
            type="password"
            autocomplete="new-password"
            hint="At least 12 characters. Other devices will be signed out."
            errors={p.passwordErrors}
          />
          <button type="submit">Change password</button>
        </PostForm>
      </section>
    </Layout>
  );
}

/** Shown once after enrolment or regeneration: the codes are stored only as hashes. */
export function RecoveryCodesPage({ codes }: { codes: string[] }) {
  const text = `Haven recovery codes (each works once)\n\n${codes.join("\n")}\n`;
  return (
    <Layout title="Save your recovery codes">
      <h1>Save your recovery codes</h1>
      <p>
        <strong>Save these recovery codes now.</strong> Each works once if you lose your phone. This is the
        only time Haven shows them.
      </p>
      <ul class="codes">
        {codes.map((code) => (
          <li>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <label for="recovery-codes-text">To copy them, select all of this text and copy it:</label>
      <textarea id="recovery-codes-text" class="codes-text" readonly rows={codes.length + 3}>
        {text}
      </textarea>
      <p class="actions">
        <a
          class="button secondary"
          download="haven-recovery-codes.txt"
          href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`}
        >
          Download as a text file
        </a>
        <a class="button" href="/account/security">
          I have saved them
        </a>
      </p>
    </Layout>
  );
}

/** The otpauth URI as a QR code, rendered here (uqr, no network) into an SVG data URI. */
export function qrDataUri(otpauthUri: string): string {
  const svg = renderSVG(otpauthUri, { ecc: "M", border: 2 });
  return `data:image/svg+xml;base64,${btoa(svg)}`;
}
