import { Layout } from "../layout";

const SIGN_IN = (next: string) => (
  <p>
    <a class="button" href={`/login?next=${next}`}>
      Sign in
    </a>
  </p>
);

/**
 * `/sessions`: a patient finds a slot (shown in their own time zone), books, reschedules, cancels
 * and joins; a clinician sees the day/week calendar with cancellations and no-shows, missing-note
 * reminders, and links to the availability editor, the visit room and the note editor. The page
 * is a shell: `/assets/sessions.js` reads the API with the session cookie.
 */
export function SessionsPage({ role }: { role: "patient" | "clinician" | null }) {
  if (!role)
    return (
      <Layout title="Sessions">
        <h1>Sessions</h1>
        {SIGN_IN("/sessions")}
      </Layout>
    );
  return (
    <Layout title="Sessions" scripts={["/assets/sessions.js"]}>
      <h1>Sessions</h1>
      <div id="sessions" data-role={role}>
        <p id="sessions-status" class="muted" role="status" aria-live="polite" />
        {role === "patient" ? (
          <>
            <section aria-labelledby="upcoming-h">
              <h2 id="upcoming-h">Your upcoming sessions</h2>
              <ul id="upcoming" class="session-list" />
            </section>
            <section aria-labelledby="book-h">
              <h2 id="book-h">Book a session</h2>
              <form id="find-form" class="stack">
                <label>
                  Clinician
                  <select id="clinician" name="clinician" required />
                </label>
                <label>
                  Session type
                  <select id="session-type" name="sessionType" required>
                    <option value="follow-up">Follow-up (50 min)</option>
                    <option value="intake">Intake (60 min)</option>
                  </select>
                </label>
                <label>
                  Date
                  <input id="slot-date" name="date" type="date" required />
                </label>
                <button type="submit">Find free times</button>
              </form>
              <p class="muted">
                Times are shown in your time zone: <span id="my-zone" />.
              </p>
              <ul id="slots" class="slot-list" aria-label="Free times" />
            </section>
          </>
        ) : (
          <>
            <p>
              <a href="/sessions/availability">Edit your availability</a>
            </p>
            <section aria-labelledby="reminders-h">
              <h2 id="reminders-h">Notes due</h2>
              <ul id="reminders" />
            </section>
            <section aria-labelledby="calendar-h">
              <h2 id="calendar-h">Calendar</h2>
              <fieldset class="toolbar">
                <legend class="muted">Calendar view</legend>
                <button type="button" id="prev">
                  Previous
                </button>
                <button type="button" id="view-day" aria-pressed="false">
                  Day
                </button>
                <button type="button" id="view-week" aria-pressed="true">
                  Week
                </button>
                <button type="button" id="next">
                  Next
                </button>
              </fieldset>
              <h3 id="range">This week</h3>
              <ol id="calendar" class="session-list" />
            </section>
          </>
        )}
        <section aria-labelledby="feed-h">
          <h2 id="feed-h">Calendar subscription</h2>
          <p class="muted">
            A private web address your calendar app can subscribe to. It shows only "Haven session", the times
            and a link to join (which asks you to sign in) — nothing about what the sessions are for. Anyone
            who has the address can see those times: keep it private, and make a new one or turn it off if it
            may have been shared.
          </p>
          <p id="feed-state" aria-live="polite" />
          <p id="feed-url-row" hidden>
            <label>
              Subscription address (shown once; copy it now)
              <input id="feed-url" readonly />
            </label>
          </p>
          <div class="toolbar">
            <button type="button" id="feed-make">
              Make a subscription address
            </button>
            <button type="button" id="feed-revoke" hidden>
              Turn off
            </button>
          </div>
        </section>
      </div>
    </Layout>
  );
}

/** `/sessions/availability`: weekly hours in the clinician's zone, session types, policy, time off. */
export function AvailabilityPage({ signedIn }: { signedIn: boolean }) {
  return (
    <Layout title="Availability" scripts={signedIn ? ["/assets/availability.js"] : []}>
      <h1>Your availability</h1>
      {signedIn ? (
        <form id="availability" class="stack" novalidate>
          <label>
            Time zone (IANA)
            <input id="tz" name="timeZone" required autocomplete="off" />
          </label>
          <fieldset>
            <legend>Weekly hours</legend>
            <div id="weekly" />
          </fieldset>
          <fieldset>
            <legend>Session types</legend>
            <div id="types" />
          </fieldset>
          <fieldset>
            <legend>Policy</legend>
            <div id="policy" class="grid-2" />
          </fieldset>
          <fieldset>
            <legend>Time off</legend>
            <ul id="timeoff" />
            <button type="button" id="add-off">
              Add time off
            </button>
          </fieldset>
          <fieldset>
            <legend>Date overrides (closed days)</legend>
            <label>
              Closed on (dates, comma separated, YYYY-MM-DD)
              <input id="closed" name="closed" />
            </label>
          </fieldset>
          <button type="submit">Publish</button>
          <p id="availability-status" role="status" aria-live="polite" />
        </form>
      ) : (
        SIGN_IN("/sessions/availability")
      )}
    </Layout>
  );
}

/**
 * `/sessions/:id/visit`: the video visit. Camera and microphone are allowed on this page only
 * (Permissions-Policy); the waiting room, admit, toggles and reconnects are in `/assets/visit.js`.
 */
export function VisitPage({ sessionId, signedIn }: { sessionId: string; signedIn: boolean }) {
  return (
    <Layout title="Video visit" scripts={signedIn ? ["/assets/visit.js"] : []}>
      <h1>Video visit</h1>
      {signedIn ? (
        <div id="visit" data-session={sessionId} data-connection="new">
          <p id="visit-status" role="status" aria-live="polite">
            Starting…
          </p>
          <div id="camera-denied" class="banner-crisis" role="alert" hidden>
            <p>
              Haven could not use your camera or microphone. Allow them for this site in your browser's
              settings (the camera icon in the address bar), then reload this page. You can still join and be
              heard or seen once access is allowed.
            </p>
          </div>
          <div class="visit-videos">
            {/* biome-ignore lint/a11y/useMediaCaption: a live call has no caption file to attach */}
            <video id="remote-video" autoplay playsinline aria-label="The other person's video" />
            <video id="local-video" autoplay playsinline muted aria-label="Your video" />
          </div>
          <fieldset class="toolbar">
            <legend class="muted">Call controls</legend>
            <button type="button" id="admit" hidden>
              Admit patient
            </button>
            <button type="button" id="toggle-mic" aria-pressed="true">
              Microphone on
            </button>
            <button type="button" id="toggle-cam" aria-pressed="true">
              Camera on
            </button>
            <button type="button" id="leave">
              Leave
            </button>
          </fieldset>
          <p id="peer-media" class="muted" aria-live="polite" />
          <fieldset id="recording">
            <legend>Recording (optional)</legend>
            <p class="muted">
              A visit is recorded only if you and the other person both agree, each time. Either of you can
              stop it. Recordings are encrypted and only you and the care team can play them.
            </p>
            <label>
              <input type="checkbox" id="rec-consent" /> I agree to this visit being recorded
            </label>
            <p id="rec-status" aria-live="polite" />
            <p>
              <a href={`/sessions/${sessionId}/recordings`}>Recordings of this visit</a>
            </p>
            <div class="toolbar">
              <button type="button" id="rec-start" disabled>
                Start recording
              </button>
              <button type="button" id="rec-stop" hidden>
                Stop recording
              </button>
            </div>
          </fieldset>
        </div>
      ) : (
        SIGN_IN(`/sessions/${sessionId}/visit`)
      )}
    </Layout>
  );
}

/** `/sessions/:id/note`: SOAP/DAP/BIRP editor with autosave, AI draft, signing and addenda. */
export function NotePage({ sessionId, signedIn }: { sessionId: string; signedIn: boolean }) {
  return (
    <Layout title="Session note" scripts={signedIn ? ["/assets/note.js"] : []}>
      <h1>Session note</h1>
      {signedIn ? (
        <div id="note" data-session={sessionId}>
          <p id="note-status" role="status" aria-live="polite" />
          <p id="ai-flag" class="banner-warning" hidden>
            AI-generated draft: review and edit every section before signing.
          </p>
          <form id="draft-form" class="stack">
            <label>
              Your bullet points for an AI draft
              <textarea id="bullets" rows={4} />
            </label>
            <label>
              Transcript (optional; read by the safety net)
              <textarea id="transcript" rows={3} />
            </label>
            <button type="submit" id="ai-draft">
              Draft with AI
            </button>
          </form>
          <form id="note-form" class="stack">
            <label>
              Format
              <select id="format">
                <option value="soap">SOAP</option>
                <option value="dap">DAP</option>
                <option value="birp">BIRP</option>
              </select>
            </label>
            <div id="sections" />
            <fieldset>
              <legend>Risk assessment</legend>
              <div id="risk" class="grid-2" />
            </fieldset>
            <button type="button" id="sign">
              Sign and lock
            </button>
          </form>
          <section id="addenda-section" hidden aria-labelledby="addenda-h">
            <h2 id="addenda-h">Addenda</h2>
            <ol id="addenda" />
            <label>
              New addendum
              <textarea id="addendum" rows={3} />
            </label>
            <button type="button" id="add-addendum">
              Add addendum
            </button>
          </section>
          <section aria-labelledby="psy-h">
            <h2 id="psy-h">Psychotherapy note (private: never shared with the patient or exported)</h2>
            <textarea id="psychotherapy" rows={4} aria-labelledby="psy-h" />
            <button type="button" id="save-psy">
              Save private note
            </button>
          </section>
        </div>
      ) : (
        SIGN_IN(`/sessions/${sessionId}/note`)
      )}
    </Layout>
  );
}

/** `/sessions/:id/recordings`: the visit's recordings, played from the API (decrypted, audited). */
export function RecordingsPage({
  sessionId,
  recordings,
}: {
  sessionId: string;
  recordings: { id: string; status: string; chunks: number; startedAt: string }[];
}) {
  return (
    <Layout title="Visit recordings">
      <h1>Visit recordings</h1>
      <p class="muted">
        Only you and the care team can play these. Every playback is recorded in the access log.
      </p>
      {recordings.length === 0 ? (
        <p>No recordings of this visit.</p>
      ) : (
        <ul class="session-list">
          {recordings.map((r) => (
            <li class="card">
              <p>
                Started {r.startedAt.slice(0, 16).replace("T", " ")} UTC · {r.status}
              </p>
              {r.chunks > 0 ? (
                // biome-ignore lint/a11y/useMediaCaption: recordings of a live call have no caption file
                <video
                  controls
                  preload="none"
                  src={`/v1/therapy-sessions/${sessionId}/recordings/${r.id}/media`}
                  aria-label="Recording"
                />
              ) : (
                <p class="muted">Nothing was uploaded.</p>
              )}
            </li>
          ))}
        </ul>
      )}
      <p>
        <a href="/sessions">Back to sessions</a>
      </p>
    </Layout>
  );
}
