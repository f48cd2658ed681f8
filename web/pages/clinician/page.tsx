import { Layout } from "../layout";

/**
 * The clinician dashboard: `/assets/clinician.js` opens the clinician's own room socket, which is
 * their live inbox for crisis alerts from patients on their care team (ids and severity only).
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
          <h2>Recent crisis alerts</h2>
          <ol id="alert-list" />
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
