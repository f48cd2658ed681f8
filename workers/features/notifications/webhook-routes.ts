import { z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../../lib/errors";
import { ok, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { scopeOf, services } from "../../middleware/services";
import { receiveEmailWebhook, receiveSmsWebhook } from "./webhooks";

const tags = ["notifications"];
const limit = bodyLimit({
  maxSize: 64 * 1024,
  onError: () => {
    throw new AppError("payload_too_large", "A delivery receipt is at most 64 KiB");
  },
});

const Receipt = z
  .object({ result: z.enum(["applied", "unchanged", "ignored"]) })
  .openapi("DeliveryReceiptResult");
const answers = {
  200: ok(
    Receipt,
    "Applied, already applied (a redelivery: nothing changes), or an event that changes nothing",
  ),
};

const r = {
  email: route({
    tags,
    middleware: [services, limit] as const,
    rateLimited: false,
    method: "post",
    path: "/notifications/webhooks/email",
    summary: "Email provider delivery receipts (Resend event format, Svix-signed with EMAIL_WEBHOOK_SECRET)",
    description:
      "`email.delivered`, `email.bounced`, `email.failed`, `email.complained` move the delivery sent under `data.email_id` past `sent` (never backwards); other events are acknowledged and ignored. 401 when `svix-signature` does not verify or `svix-timestamp` is over five minutes off; 422 on a signed body of the wrong shape; 404 for an unknown email id (the provider retries).",
    problems: [400, 401, 404, 422, 503],
    responses: answers,
  }),
  sms: route({
    tags,
    middleware: [services, limit] as const,
    rateLimited: false,
    method: "post",
    path: "/notifications/webhooks/sms",
    summary: "SMS status callbacks (Twilio format, X-Twilio-Signature with the account's Auth Token)",
    description:
      "`MessageStatus` delivered/read → delivered, undelivered/failed/canceled → failed with `sms_<ErrorCode>`, for the delivery sent as `MessageSid`; other statuses are acknowledged and ignored. 401 when the signature does not verify; 400 unless form-encoded; 422 on a signed form of the wrong shape; 404 for an unknown SID.",
    problems: [400, 401, 404, 422, 503],
    responses: answers,
  }),
};

/**
 * Provider webhooks, outside user authentication (their own signatures) and the per-IP limiter
 * (providers call from shared ranges). Handlers read the raw body: signatures cover its bytes.
 */
export const notifyWebhookRoutes = createRouter()
  .openapi(r.email, async (c) => c.json({ result: await receiveEmailWebhook(scopeOf(c), c.req.raw) }, 200))
  .openapi(r.sms, async (c) => c.json({ result: await receiveSmsWebhook(scopeOf(c), c.req.raw) }, 200));
