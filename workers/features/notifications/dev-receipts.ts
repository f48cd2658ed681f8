import type { Scope } from "../../lib/scope";
import { appOrigin } from "./recipient";
import { emailWebhookSecret, smsWebhookToken, svixSign, twilioSign } from "./webhook-auth";
import { receiveEmailWebhook, receiveSmsWebhook } from "./webhooks";

/**
 * The local providers' delivery receipts (local mode): after the dev mailbox or SMS outbox took a
 * message, they post the receipt the real provider would — a Svix-signed Resend event, a
 * Twilio-signed status callback — through the same handler as the public webhook routes
 * (signature check, parsing, status update), so delivery tracking works offline.
 *
 * Addresses `bounced@resend.dev` or with a `+bounce` local part bounce (Resend's test addresses
 * do the same); numbers in Twilio's test range `+1500555…` come back undelivered (error 30003).
 */

export const EMAIL_WEBHOOK_PATH = "/v1/notifications/webhooks/email";
export const SMS_WEBHOOK_PATH = "/v1/notifications/webhooks/sms";

export const devEmailBounces = (to: string) => /^bounced@resend\.dev$|\+bounce@/i.test(to);
export const devSmsFails = (to: string) => to.startsWith("+1500555");

export async function postDevEmailReceipt(scope: Scope, emailId: string, to: string): Promise<void> {
  const secret = emailWebhookSecret(scope.config);
  if (!secret) return;
  const bounced = devEmailBounces(to);
  const body = JSON.stringify({
    type: bounced ? "email.bounced" : "email.delivered",
    created_at: new Date().toISOString(),
    data: {
      email_id: emailId,
      ...(bounced ? { bounce: { type: "Permanent", subType: "General" } } : {}),
    },
  });
  const id = `msg_${crypto.randomUUID().replaceAll("-", "")}`;
  const ts = Math.floor(Date.now() / 1000);
  const req = new Request(new URL(EMAIL_WEBHOOK_PATH, appOrigin(scope.config)), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "svix-id": id,
      "svix-timestamp": String(ts),
      "svix-signature": await svixSign(secret, id, ts, body),
    },
    body,
  });
  await receiveEmailWebhook(scope, req);
}

export async function postDevSmsReceipt(scope: Scope, sid: string, to: string): Promise<void> {
  const token = smsWebhookToken(scope.config);
  if (!token) return;
  const failed = devSmsFails(to);
  const form = new URLSearchParams({
    MessageSid: sid,
    SmsSid: sid,
    AccountSid: "AC00000000000000000000000000000000",
    MessageStatus: failed ? "undelivered" : "delivered",
    ...(failed ? { ErrorCode: "30003" } : {}),
  });
  const url = new URL(SMS_WEBHOOK_PATH, appOrigin(scope.config)).toString();
  const req = new Request(url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": await twilioSign(token, url, form),
    },
    body: form.toString(),
  });
  await receiveSmsWebhook(scope, req);
}
