import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

const MAILBOX_KEY = "devmail:inbox";
const MAILBOX_SIZE = 100;

/**
 * Sends account mail. Locally it lands in the dev mailbox (Redis list, newest first, page
 * /dev/mailbox) — never nowhere. Mail carries links with single-use tokens, never health data.
 * No production mail provider is wired yet: outside local mode sending fails loudly (logged by
 * name, 503 to the client) rather than silently dropping a verification or reset email.
 */
export async function sendMail(scope: Scope, mail: OutgoingMail): Promise<void> {
  if (scope.config.ENVIRONMENT !== "local") {
    scope.log.error("mail_provider_missing", { subject: mail.subject });
    throw new AppError("service_unavailable", "Email delivery is not configured");
  }
  const p = scope.redis().pipeline();
  p.lpush(MAILBOX_KEY, JSON.stringify({ ...mail, at: new Date().toISOString() }));
  p.ltrim(MAILBOX_KEY, 0, MAILBOX_SIZE - 1);
  await p.exec();
}

/** The dev mailbox, newest first (local mode only). */
export async function readMailbox(scope: Scope): Promise<Array<OutgoingMail & { at: string }>> {
  const items = await scope.redis().lrange<OutgoingMail & { at: string }>(MAILBOX_KEY, 0, MAILBOX_SIZE - 1);
  return items;
}
