import type { Child } from "hono/jsx";
import { PostForm } from "../auth/forms";
import { Layout } from "../layout";

const CHARTS = [
  { id: "heart_rate", title: "Heart rate", unit: "bpm" },
  { id: "hrv_rmssd", title: "Heart rate variability (RMSSD)", unit: "ms" },
  { id: "steps", title: "Steps", unit: "steps" },
  { id: "sleep_stage", title: "Sleep", unit: "hours" },
] as const;

/**
 * The wearables page, for the patient (their own data) and their care team (`?patient=<id>`).
 * The server renders no health data: `/assets/wearables.js` reads it from the API (access decided
 * and audited there), draws day and week charts with uPlot (served from /vendor), the 28-day
 * baseline band and anomaly marks, and appends live readings from the patient's stream socket.
 */
export function WearablesPage({ patientId, self }: { patientId: string | null; self: boolean }) {
  return (
    <Layout
      title="Wearables"
      styles={["/vendor/uplot/uPlot.min.css"]}
      scripts={patientId ? ["/vendor/uplot/uPlot.iife.min.js", "/assets/wearables.js"] : []}
    >
      <h1>{self ? "Your wearables" : "Patient wearables"}</h1>
      {patientId ? (
        <section id="wearables" data-patient={patientId} aria-label="Wearable charts">
          <div id="anomaly-banner" class="banner-crisis" role="alert" hidden>
            <p id="anomaly-text" />
          </div>
          <p>
            <button type="button" id="range-day" class="secondary" aria-pressed="true">
              Day
            </button>{" "}
            <button type="button" id="range-week" class="secondary" aria-pressed="false">
              Week
            </button>{" "}
            <span id="live-status" class="muted" role="status">
              Connecting…
            </span>
          </p>
          <p class="muted">
            Shaded: your usual range (28-day median ± robust spread). Red lines: anomalies. Wearables are not
            medical devices; an anomaly is a prompt to check in, not a diagnosis.
          </p>
          {CHARTS.map((c) => (
            <figure class="chart">
              <figcaption>
                {c.title} <span class="muted">({c.unit})</span>
              </figcaption>
              <div id={`chart-${c.id}`} data-type={c.id} />
            </figure>
          ))}
          <h2>Anomalies</h2>
          <ol id="anomaly-list" />
          <p id="wearables-error" class="error" role="alert" />
        </section>
      ) : (
        <form method="get" action="/wearables" class="form">
          <label for="patient">Patient id</label>
          <input id="patient" name="patient" required pattern="[0-9a-fA-F-]{36}" />
          <button type="submit">Open</button>
        </form>
      )}
      {self ? (
        <p>
          <a href="/devices/activate">Pair a device with a code</a>
        </p>
      ) : null}
    </Layout>
  );
}

/** RFC 8628 confirmation: the person types the code their device shows, then approves or declines. */
export function ActivatePage(props: {
  csrf: string;
  code?: string;
  device?: { kind: string; vendor: string; model: string } | null;
  done?: "approved" | "declined";
  error?: string;
}): Child {
  const { csrf, code, device, done, error } = props;
  return (
    <Layout title="Pair a device">
      <h1>Pair a device</h1>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {done ? (
        <p role="status">
          {done === "approved"
            ? "Done: the device is paired and can now send readings. You can revoke it at any time."
            : "Declined: the device was not paired."}
        </p>
      ) : device && code ? (
        <>
          <p>
            A <strong>{device.vendor}</strong> {device.model} ({device.kind}) asks to send your health
            readings to Haven. Only approve a device you are holding now.
          </p>
          <PostForm action="/devices/activate" csrf={csrf}>
            <input type="hidden" name="code" value={code} />
            <button type="submit" name="decision" value="approve">
              Approve
            </button>{" "}
            <button type="submit" name="decision" value="decline" class="secondary">
              Decline
            </button>
          </PostForm>
        </>
      ) : (
        <PostForm action="/devices/activate" csrf={csrf}>
          <label for="code">Code shown on your device</label>
          <input id="code" name="code" required autocomplete="one-time-code" value={code ?? ""} />
          <button type="submit" name="decision" value="lookup">
            Continue
          </button>
        </PostForm>
      )}
    </Layout>
  );
}
