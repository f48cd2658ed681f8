import { Layout } from "../layout";

/**
 * The clinician dashboard: `/assets/clinician.js` shows the clinician's alert inbox from
 * `GET /v1/clinician/alerts` (alerts stay until acknowledged, whatever happened to live pushes) and opens the
 * clinician's own room socket, which pops new crisis alerts as they arrive (ids and severity only).
 */
export function ClinicianPage({ signedIn }: { signedIn: boolean }) {
  return (
    <Layout title="Clinician dashboard" scripts={signedIn ? ["/assets/clinician.js"] : []}>
      <h1>Clinician dashboard</h1>
      {signedIn ? (
        <section aria-label="Crisis alerts">
          <div id="alert-banner" class="banner-crisis" role="alert" hidden>
            <p id="alert-text" />
          </div>
          <p id="alert-status" class="muted" role="status">
            Connecting…
          </p>
          <h2>Unacknowledged crisis alerts</h2>
          <p id="inbox-empty" class="muted" hidden>
            No unacknowledged alerts.
          </p>
          <ol id="alert-list" />
          <p id="inbox-error" class="error" role="alert" />
        </section>
      ) : (
        <p>
          <a class="button" href="/login?next=/clinician">
            Sign in
          </a>
        </p>
      )}
    </Layout>
  );
}
