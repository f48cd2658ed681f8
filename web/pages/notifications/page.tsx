import { crisisResources } from "../../../workers/features/safety/resources";
import { CrisisLineItems } from "../crisis-lines";
import { Layout } from "../layout";

/**
 * The notification centre: the in-app inbox (unread count, mark read), this browser's Web Push
 * subscription, and settings (time zone, quiet hours). `/assets/notifications.js` does the work
 * through the public API; the page is readable without it.
 */
export function NotificationsPage({ signedIn }: { signedIn: boolean }) {
  return (
    <Layout title="Notifications" scripts={signedIn ? ["/assets/notifications.js"] : []}>
      <h1>Notifications</h1>
      {signedIn ? (
        <>
          <section aria-labelledby="inbox-h">
            <h2 id="inbox-h">
              Inbox <span id="unread" class="badge" aria-live="polite" />
            </h2>
            <p>
              <button type="button" id="mark-all" class="secondary">
                Mark all read
              </button>
            </p>
            <p id="inbox-empty" class="muted" hidden>
              Nothing here yet.
            </p>
            <ol id="inbox" />
            <p id="inbox-error" class="error" role="alert" />
          </section>
          <section aria-labelledby="push-h">
            <h2 id="push-h">Push notifications on this device</h2>
            <p class="muted">
              Lock-screen notifications never show what they are about: only that there is something to look
              at in Haven.
            </p>
            <p>
              <button type="button" id="push-on">
                Turn on push notifications
              </button>{" "}
              <button type="button" id="push-off" class="secondary" hidden>
                Turn off
              </button>
            </p>
            <p id="push-status" role="status" class="muted" />
          </section>
          <section aria-labelledby="settings-h">
            <h2 id="settings-h">Quiet hours</h2>
            <form id="settings">
              <label>
                Time zone <input name="timeZone" id="tz" autocomplete="off" />
              </label>
              <label>
                Quiet from <input name="quietStart" type="time" />
              </label>
              <label>
                until <input name="quietEnd" type="time" />
              </label>
              <button type="submit">Save</button>
              <p id="settings-status" role="status" class="muted" />
            </form>
            <p class="muted">Urgent care-team alerts and safety messages are never held by quiet hours.</p>
          </section>
        </>
      ) : (
        <p>
          <a class="button" href="/login?next=/notifications">
            Sign in
          </a>
        </p>
      )}
    </Layout>
  );
}

/** Admin console: notification dead letters (ids and codes), with inspect, retry and discard. */
export function DeadLettersPage({ signedIn }: { signedIn: boolean }) {
  return (
    <Layout title="Notification dead letters" scripts={signedIn ? ["/assets/admin-notifications.js"] : []}>
      <h1>Notification dead letters</h1>
      <p class="muted">
        Deliveries that failed after their last attempt, and queue messages that could not be processed. Only
        ids and error codes are shown. Retrying starts a fresh series of attempts; it still sends at most
        once.
      </p>
      {signedIn ? (
        <section aria-label="Dead letters">
          <p id="dl-status" role="status" class="muted" />
          <table id="dl-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Region</th>
                <th scope="col">Kind</th>
                <th scope="col">Channel</th>
                <th scope="col">Error</th>
                <th scope="col">Attempts</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody id="dl-rows" />
          </table>
          <pre id="dl-detail" aria-live="polite" />
        </section>
      ) : (
        <p>
          <a class="button" href="/login?next=/admin/notifications">
            Sign in
          </a>
        </p>
      )}
    </Layout>
  );
}

const OFFLINE_REGIONS = [
  { key: "us", label: "United States" },
  { key: "gb", label: "United Kingdom" },
  { key: "ie", label: "Ireland" },
  { key: "ca", label: "Canada" },
  { key: "au", label: "Australia" },
  { key: "de", label: "Germany" },
  { key: "fr", label: "France" },
  { key: "es", label: "Spain" },
  { key: "in", label: "India" },
];

/**
 * The offline page the service worker keeps: crisis lines from the safety net's own resource data
 * (never a second copy of the numbers), readable with no connection.
 */
export function OfflinePage() {
  return (
    <Layout title="You're offline">
      <h1>You're offline</h1>
      <p>
        Haven can't reach the internet right now.{" "}
        <strong>If you are in danger, call your local emergency number now.</strong> These lines answer by
        phone without Haven:
      </p>
      {OFFLINE_REGIONS.map((r) => (
        <section class="card">
          <h2>{r.label}</h2>
          <ul>
            <CrisisLineItems lines={crisisResources(r.key).filter((x) => x.kind !== "abuse")} />
          </ul>
        </section>
      ))}
      <section class="card">
        <h2>Anywhere else</h2>
        <ul>
          {crisisResources("zz").map((x) => (
            <li>
              <strong>{x.name}</strong>
              {x.url ? <> — {x.url}</> : null}{" "}
              {x.description ? <span class="muted">{x.description}</span> : null}
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  );
}
