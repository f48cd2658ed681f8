import { Layout } from "../layout";

/**
 * The companion chat. Server-rendered shell; `/assets/chat.js` opens the room's WebSocket with the
 * session cookie, streams replies, replays missed events on reconnect and shows the crisis banner
 * (latest response and resources) plus each crisis response inline after the message it answers.
 */
export function ChatPage({ signedIn }: { signedIn: boolean }) {
  return (
    <Layout title="Companion" scripts={signedIn ? ["/assets/chat.js"] : []}>
      <h1>Companion</h1>
      {signedIn ? (
        <section id="chat" aria-label="Conversation with the companion">
          <p class="muted">
            Haven's companion is an AI, not a clinician. It cannot diagnose or advise on medication.{" "}
            <span id="chat-offline" hidden>
              Replies come from the offline model.
            </span>
          </p>
          <div id="chat-crisis" class="banner-crisis" role="alert" hidden>
            <div id="chat-crisis-plan" hidden />
            <p id="chat-crisis-text" />
            <ul id="chat-crisis-resources" />
            <p id="chat-crisis-alerted" hidden />
            <p id="chat-screener" hidden>
              <a href="/screeners/c-ssrs">Take a short safety check (C-SSRS)</a>
            </p>
          </div>
          <div id="chat-consent" class="card" role="alert" hidden>
            <p>
              Chatting with the companion needs your consent to the AI companion and to processing your health
              data. Your earlier conversation stays readable.
            </p>
            <p>
              <a class="button" href="/account">
                Turn it on in your account
              </a>{" "}
              (under Consent), then come back to this page.
            </p>
          </div>
          <ol id="chat-log" aria-live="polite" aria-relevant="additions" aria-label="Messages" />
          <p id="chat-status" class="muted" role="status">
            Connecting…
          </p>
          <form id="chat-form">
            <label for="chat-input">Message</label>
            <textarea id="chat-input" name="text" rows={3} maxlength={4000} required />
            <p id="chat-error" class="error" role="alert" />
            <button type="submit">Send</button>
          </form>
        </section>
      ) : (
        <p>
          <a class="button" href="/login?next=/chat">
            Sign in to talk with the companion
          </a>
        </p>
      )}
    </Layout>
  );
}
