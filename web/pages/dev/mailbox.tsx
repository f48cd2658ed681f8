import { Layout } from "../layout";

export interface MailboxProps {
  mails: Array<{ to: string; subject: string; text: string; at: string }>;
}

/** Local dev mailbox: every email Haven would have sent, newest first. */
export function MailboxPage({ mails }: MailboxProps) {
  return (
    <Layout title="Dev mailbox">
      <h1>Dev mailbox</h1>
      <p class="muted">
        Local development only. Haven sends no real email here; links work against this server.
      </p>
      {mails.length === 0 ? <p>No mail yet.</p> : null}
      {mails.map((m) => (
        <article class="card mail">
          <h2>{m.subject}</h2>
          <p class="muted">
            To {m.to} · {m.at}
          </p>
          <pre>{m.text}</pre>
        </article>
      ))}
    </Layout>
  );
}
