import { Notice, PostForm } from "../auth/forms";
import { Layout } from "../layout";

export interface AccountView {
  displayName: string;
  role: string;
  region: string;
  email: string | null;
  mfaEnabled: boolean;
}

export interface ConsentView {
  policyVersion: string;
  active: { health_data: boolean; ai_companion: boolean; care_plan_context: boolean };
}

const REGION_NAMES: Record<string, string> = {
  us: "United States",
  eu: "European Union",
  apac: "Asia-Pacific",
};
const ROLE_NAMES: Record<string, string> = {
  patient: "Patient",
  clinician: "Clinician",
  admin: "Administrator",
};

const CONSENTS = [
  {
    kind: "health_data",
    title: "Processing of your health data",
    effect:
      "Without it, Haven cannot store check-ins, mood entries or messages, or share them with your care team.",
  },
  {
    kind: "ai_companion",
    title: "AI companion",
    effect: "Without it, your messages are not sent to the AI model; the rest of Haven keeps working.",
  },
  {
    kind: "care_plan_context",
    title: "Companion may use your care plan",
    effect:
      "With it, the companion can read your safety plan, recent scores and next session to tailor its replies, and suggests your own coping steps first in hard moments; and your care team can ask the AI for a between-session summary (your scores, tracking and which library exercises you used — never your chat messages), which you see too. Without it, the companion uses none of that and no summary is made.",
  },
] as const;

/** The signed-in account: who you are, your consents, and where to look next. */
export function AccountPage(props: {
  csrf: string;
  account: AccountView;
  consents: ConsentView | null;
  notice?: string | undefined;
}) {
  const { account, consents, csrf } = props;
  return (
    <Layout title="Your account">
      <h1>Hello, {account.displayName}</h1>
      {props.notice ? <Notice>{props.notice}</Notice> : null}
      <section class="card" aria-labelledby="who">
        <h2 id="who">Your account</h2>
        <dl class="facts">
          <dt>Name</dt>
          <dd>{account.displayName}</dd>
          <dt>Email</dt>
          <dd>{account.email ?? "Not available"}</dd>
          <dt>Role</dt>
          <dd>{ROLE_NAMES[account.role] ?? account.role}</dd>
          <dt>Data stored in</dt>
          <dd>{REGION_NAMES[account.region] ?? account.region}</dd>
          <dt>Two-factor sign-in</dt>
          <dd>{account.mfaEnabled ? "On" : "Off"}</dd>
        </dl>
        <p>
          <a href="/account/security">Security: sessions, password and two-factor sign-in</a>
        </p>
      </section>
      <section class="card" aria-labelledby="consents">
        <h2 id="consents">Your consents</h2>
        {consents ? (
          <>
            <p class="muted">
              Privacy policy version {consents.policyVersion}. Every change is recorded; withdrawing does not
              delete past data.
            </p>
            <ul class="plain">
              {CONSENTS.map((item) => {
                const on = consents.active[item.kind];
                return (
                  <li class="consent">
                    <p>
                      <strong>{item.title}</strong>: {on ? "given" : "not given"}
                    </p>
                    {on ? <p class="hint">{item.effect}</p> : null}
                    <PostForm
                      action={`/account/consents/${item.kind}/${on ? "withdraw" : "grant"}`}
                      csrf={csrf}
                      class="inline-form"
                    >
                      <button type="submit" class={on ? "secondary" : undefined}>
                        {on ? "Withdraw consent" : "Give consent"}
                      </button>
                    </PostForm>
                  </li>
                );
              })}
            </ul>
          </>
        ) : (
          <p>Set up two-factor sign-in first to manage consents here.</p>
        )}
      </section>
      {account.role === "patient" ? (
        <section class="card" aria-labelledby="access">
          <h2 id="access">Who accessed my data</h2>
          <p>
            See every time someone else, such as a clinician on your care team, opened your records, including
            refused attempts. <a href="/account/access">View the access report</a>
          </p>
          <p>
            Export everything Haven holds about you, or erase your account:{" "}
            <a href="/account/data">Your data</a>
          </p>
        </section>
      ) : account.role === "admin" ? (
        <p>
          <a href="/admin">Admin console</a>
        </p>
      ) : null}
    </Layout>
  );
}

export interface AccessEntryView {
  who: string;
  what: string;
  allowed: boolean;
  outcome: string;
  at: string;
  breakGlass: boolean;
}

const capitalised = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;

/**
 * "Who accessed my data", in words: who (name and role), what, when, and whether it was allowed.
 * Accesses by anyone else, newest first, with refusals and emergency (break-glass) access flagged.
 */
export function AccessPage({
  entries,
  nextCursor,
}: {
  entries: AccessEntryView[];
  nextCursor: string | null;
}) {
  return (
    <Layout title="Who accessed my data">
      <h1>Who accessed my data</h1>
      <p>
        Every time someone other than you opened or tried to open your records, newest first. Your own
        activity and Haven's automatic saving of your chat are not listed.
      </p>
      {entries.length === 0 ? <p>No one else has accessed your data.</p> : null}
      <ul class="plain">
        {entries.map((e) => (
          <li class="card access">
            <p>
              <strong>{capitalised(e.who)}</strong> {e.what}
              {e.breakGlass ? <strong class="error"> using emergency access</strong> : null}.
            </p>
            <p>
              {e.allowed ? (
                e.outcome === "failure" ? (
                  "Allowed, but it did not complete."
                ) : (
                  "Allowed."
                )
              ) : (
                <strong>Refused: they could not see anything.</strong>
              )}
            </p>
            <p class="muted">
              <time datetime={e.at}>{e.at.replace("T", " ").slice(0, 16)} UTC</time>
            </p>
          </li>
        ))}
      </ul>
      {nextCursor ? (
        <a href={`/account/access?cursor=${encodeURIComponent(nextCursor)}`}>Older entries</a>
      ) : null}
      <p>
        <a href="/account">Back to your account</a>
      </p>
    </Layout>
  );
}
