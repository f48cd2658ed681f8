import { Layout } from "../layout";

/** Local dev SMS outbox: every text message Haven would have sent, newest first. */
export function DevSmsPage({ messages }: { messages: Array<{ to: string; body: string; at: string }> }) {
  return (
    <Layout title="Dev SMS outbox">
      <h1>Dev SMS outbox</h1>
      <p class="muted">Local development only. Haven sends no real text messages here.</p>
      {messages.length === 0 ? <p>No messages yet.</p> : null}
      {messages.map((m) => (
        <article class="card">
          <p class="muted">
            To {m.to} · {m.at}
          </p>
          <p>{m.body}</p>
        </article>
      ))}
    </Layout>
  );
}
