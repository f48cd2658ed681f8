import { z } from "zod";
import type { Channel } from "../../db/schema";
import {
  applyReceiptWrite,
  type DeliveryRow,
  deliveryByProviderIdQuery,
  deliveryQuery,
} from "../../lib/care-data/notifications";
import { AppError, validationError } from "../../lib/errors";
import { inc, observe } from "../../lib/metrics/recorder";
import type { Scope } from "../../lib/scope";
import { REGIONS, type Region } from "../../lib/vocabulary";
import type { DeliveryMessage } from "./consumer";
import { failOver } from "./deliver";
import { loadRecipient } from "./recipient";
import { emailWebhookSecret, smsWebhookToken, svixVerify, twilioVerify } from "./webhook-auth";

/**
 * Provider delivery receipts: the email provider's webhook (Resend's event format, Svix-signed) and
 * Twilio's SMS status callback move a delivery past `sent` — to `delivered`, `bounced` or `failed` —
 * found by the provider message id stored when it was sent. Receipts never move a delivery
 * backwards, so a redelivered or out-of-order receipt changes nothing and is answered 200 again.
 * A bounce or failure fails over to the next channel the person allows, like a permanent send
 * error. Error codes only: provider text (bounce messages name the address) is never stored.
 */

export type ReceiptStatus = "sent" | "delivered" | "failed" | "bounced";
export interface Receipt {
  status: ReceiptStatus;
  code: string | null;
}
export type ReceiptResult = "applied" | "unchanged" | "ignored";

const providerId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:@-]+$/);
const codePart = (v: string | undefined) =>
  (v ?? "unknown")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .slice(0, 24) || "unknown";

/** Resend's webhook body (the fields we use; the rest is ignored and never stored). */
export const ResendEvent = z.object({
  type: z.string().min(1).max(64),
  created_at: z.string().max(64).optional(),
  data: z.object({
    email_id: providerId,
    bounce: z
      .object({ type: z.string().max(32).optional(), subType: z.string().max(64).optional() })
      .optional(),
  }),
});

/** What an email event means for the delivery, or null for events that do not change it (opens, clicks). */
export function emailReceipt(e: z.infer<typeof ResendEvent>): Receipt | null {
  switch (e.type) {
    case "email.sent":
      return { status: "sent", code: null };
    case "email.delivered":
      return { status: "delivered", code: null };
    case "email.bounced":
      return { status: "bounced", code: `email_bounce_${codePart(e.data.bounce?.type)}` };
    case "email.failed":
      return { status: "failed", code: "email_failed" };
    case "email.complained":
      // Delivered (and marked as spam): the person received it; the code tells the admin why.
      return { status: "delivered", code: "email_complained" };
    default:
      return null;
  }
}

/** Twilio's status callback (form fields; the rest — numbers, body — is ignored and never stored). */
export const TwilioStatus = z.object({
  MessageSid: z.string().regex(/^[A-Za-z0-9]{10,64}$/),
  MessageStatus: z.enum([
    "accepted",
    "scheduled",
    "queued",
    "sending",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "read",
    "canceled",
    "partially_delivered",
    "receiving",
    "received",
  ]),
  ErrorCode: z
    .string()
    .regex(/^\d{1,6}$/)
    .optional(),
});

export function smsReceipt(s: z.infer<typeof TwilioStatus>): Receipt | null {
  switch (s.MessageStatus) {
    case "sent":
      return { status: "sent", code: null };
    case "delivered":
    case "read":
      return { status: "delivered", code: null };
    case "undelivered":
    case "failed":
    case "canceled":
      return { status: "failed", code: `sms_${s.ErrorCode ?? s.MessageStatus}` };
    default:
      return null;
  }
}

/**
 * Applies a receipt to the delivery the provider sent under `id` (searched in every region: the
 * provider does not know ours). Unknown id → 404 (the provider retries; its receipt may have
 * raced our own record of the send). A bounce or failure plans and enqueues the failover.
 */
export async function applyReceipt(
  scope: Scope,
  channel: Exclude<Channel, "in_app">,
  id: string,
  receipt: Receipt,
): Promise<ReceiptResult> {
  for (const region of REGIONS) {
    const db = scope.db(region);
    const [known] = await deliveryByProviderIdQuery(db, channel, id);
    if (!known) continue;
    if (receipt.status === "sent") return "unchanged";
    const [row] = await applyReceiptWrite(db, channel, id, receipt.status, receipt.code);
    if (!row) return "unchanged";
    inc("notifications_total", { channel, outcome: receipt.status });
    if (receipt.status === "delivered")
      observe("notification_delivery_seconds", { channel, stage: "delivered" }, secondsSince(row));
    else await failOverAfterReceipt(scope, region, row);
    return "applied";
  }
  throw new AppError("not_found", "No delivery with that provider message id");
}

const secondsSince = (row: DeliveryRow) => Math.max(0, (Date.now() - row.createdAt.getTime()) / 1000);

async function failOverAfterReceipt(scope: Scope, region: Region, row: DeliveryRow): Promise<void> {
  scope.log.warn("delivery_receipt_failed", {
    deliveryId: row.id,
    channel: row.channel,
    code: row.lastError,
  });
  const [joined] = await deliveryQuery(scope.db(region), row.id);
  const recipient = joined ? await loadRecipient(scope, row.recipientId) : null;
  if (!joined || !recipient) return;
  const next: DeliveryMessage | null = await failOver(
    scope,
    region,
    joined.notification,
    row.channel,
    recipient,
  );
  if (!next) return;
  try {
    await scope.env.DELIVERIES.send(next, { contentType: "json" });
  } catch (err) {
    // The receipt is applied and the failover row is queued: the minute sweep sends it (cron.ts
    // sweepStuckDeliveries). A 5xx would only bring the provider's retry, which is `unchanged`.
    scope.log.warn("failover_enqueue_failed", { deliveryId: next.deliveryId, error: (err as Error).name });
  }
}

/** The email webhook: Svix signature (401 otherwise), then the body (422), then the receipt. */
export async function receiveEmailWebhook(scope: Scope, req: Request): Promise<ReceiptResult> {
  const secret = emailWebhookSecret(scope.config);
  const body = await req.text();
  const signed =
    secret !== null &&
    (await svixVerify(
      secret,
      {
        id: req.headers.get("svix-id"),
        timestamp: req.headers.get("svix-timestamp"),
        signature: req.headers.get("svix-signature"),
      },
      body,
    ));
  if (!signed) throw new AppError("unauthorized", "The webhook signature did not verify");
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new AppError("bad_request", "The body is not JSON");
  }
  const parsed = ResendEvent.safeParse(json);
  if (!parsed.success) throw validationError(parsed.error, "body");
  const receipt = emailReceipt(parsed.data);
  if (!receipt) return "ignored";
  return applyReceipt(scope, "email", parsed.data.data.email_id, receipt);
}

/** The SMS status callback: `X-Twilio-Signature` over this URL and the form (401 otherwise). */
export async function receiveSmsWebhook(scope: Scope, req: Request): Promise<ReceiptResult> {
  const token = smsWebhookToken(scope.config);
  if (!(req.headers.get("content-type") ?? "").startsWith("application/x-www-form-urlencoded"))
    throw new AppError("bad_request", "Status callbacks are form-encoded");
  const form = new URLSearchParams(new TextDecoder().decode(await req.arrayBuffer()));
  if (token === null || !(await twilioVerify(token, req.headers.get("x-twilio-signature"), req.url, form)))
    throw new AppError("unauthorized", "The webhook signature did not verify");
  const parsed = TwilioStatus.safeParse(Object.fromEntries(form));
  if (!parsed.success) throw validationError(parsed.error, "body");
  const receipt = smsReceipt(parsed.data);
  if (!receipt) return "ignored";
  return applyReceipt(scope, "sms", parsed.data.MessageSid, receipt);
}
