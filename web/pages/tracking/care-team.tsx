import { CsrfField, type FormErrors, Notice } from "../auth/forms";
import { Layout } from "../layout";

export interface TeamRow {
  clinicianId: string;
  clinicianDisplayName: string | null;
  status: string;
}

const STATUS: Record<string, string> = {
  active: "On your care team",
  pending_clinician: "Invited: waiting for them to accept",
  pending_patient: "Asked to join your care team",
};

/** `/care-team`: who is on the patient's care team; invite by email, accept a request, remove. */
export function CareTeamPage({
  csrf,
  team,
  saved,
  errors,
}: {
  csrf: string;
  team: TeamRow[];
  saved?: string | undefined;
  errors?: FormErrors | undefined;
}) {
  return (
    <Layout title="My care team" styles={["/assets/tracking.css"]}>
      <h1>My care team</h1>
      <p>
        Clinicians on your care team can see your assessments, your self-tracking scores (notes only when you
        share them), your safety plan and crisis alerts. You can remove anyone at any time.
      </p>
      {saved ? <Notice>{saved}</Notice> : null}
      {errors?.form ? (
        <div class="alert" role="alert">
          <p>{errors.form}</p>
        </div>
      ) : null}
      {team.length === 0 ? <p class="muted">No one yet.</p> : null}
      <ul class="plain team">
        {team.map((m) => (
          <li class="card">
            <p>
              <strong>{m.clinicianDisplayName ?? "A clinician"}</strong> · {STATUS[m.status] ?? m.status}
            </p>
            {m.status === "pending_patient" ? (
              <form method="post" action={`/care-team/${m.clinicianId}/accept`} class="inline-form">
                <CsrfField token={csrf} />
                <button type="submit">Accept {m.clinicianDisplayName ?? ""}</button>
              </form>
            ) : null}
            <form method="post" action={`/care-team/${m.clinicianId}/remove`} class="inline-form">
              <CsrfField token={csrf} />
              <button type="submit" class="secondary">
                {m.status === "active" ? "Remove" : "Cancel"} {m.clinicianDisplayName ?? ""}
              </button>
            </form>
          </li>
        ))}
      </ul>
      <section class="card" aria-labelledby="invite-h">
        <h2 id="invite-h">Invite a clinician</h2>
        <form method="post" action="/care-team/invite" class="form">
          <CsrfField token={csrf} />
          <label for="invite-email">Their email address</label>
          <input id="invite-email" name="email" type="email" required autocomplete="off" maxlength={320} />
          <button type="submit">Send invitation</button>
        </form>
      </section>
    </Layout>
  );
}
