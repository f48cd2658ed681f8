import { Layout } from "../layout";

/** The public home page: what Haven is and where to start. */
export function HomePage() {
  return (
    <Layout title="Home">
      <section class="hero">
        <h1>Support between sessions, on your terms.</h1>
        <p>
          Haven is a private space to talk things through with an AI companion, log your mood, symptoms, sleep
          and medications, take standard check-ins (PHQ-9, GAD-7, WHO-5, PSS-10 and the C-SSRS screener),
          write a safety plan, and share what you choose with your care team.
        </p>
        <p class="actions">
          <a class="button" href="/signup">
            Create an account
          </a>
          <a class="button secondary" href="/login">
            Sign in
          </a>
        </p>
      </section>
      <section class="cards" aria-label="What you can do">
        <article>
          <h2>Talk it through</h2>
          <p>A warm, CBT-informed companion, available any time. It is honest that it is not a clinician.</p>
        </article>
        <article>
          <h2>For clinicians</h2>
          <p>
            A caseload ranked by recent risk, each patient's scores with reliable change, their timeline and
            safety plan, and crisis alerts to acknowledge, note and escalate.
          </p>
        </article>
        <article>
          <h2>Safety first</h2>
          <p>
            If you tell Haven you are in crisis, you see help straight away and your care team is alerted.
            This never depends on the AI.
          </p>
        </article>
        <article>
          <h2>Your data, your choice</h2>
          <p>
            Your health data stays in the region you choose (US, EU or Asia-Pacific), is encrypted at rest,
            and you can see who accessed it and remove anyone from your care team.
          </p>
        </article>
      </section>
    </Layout>
  );
}
