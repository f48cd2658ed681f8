import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../../../lib/context";
import { AppError } from "../../../lib/errors";
import { ok, route } from "../../../lib/openapi";
import { createRouter } from "../../../lib/router";
import { scopeOf, services } from "../../../middleware/services";
import { receiveEmailWebhook, receiveSmsWebhook } from "../webhooks";

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
    method: "post",
    path: "/notifications/webhooks/email",
    summary: "Email provider delivery receipts (Resend event format, Svix-signed with EMAIL_WEBHOOK_SECRET)",
    description:
      "`email.delivered`, `email.bounced`, `email.failed`, `email.complained` move the delivery sent under `data.email_id` past `sent` (never backwards); other events are acknowledged and ignored. 401 when `svix-signature` does not verify or `svix-timestamp` is over five minutes off; 422 on a signed body of the wrong shape; 404 for an unknown email id (the provider retries).",
    problems: [400, 401, 404, 422],
    responses: answers,
  }),
  sms: route({
    tags,
    middleware: [services, limit] as const,
    method: "post",
    path: "/notifications/webhooks/sms",
    summary: "SMS status callbacks (Twilio format, X-Twilio-Signature with the account's Auth Token)",
    description:
      "`MessageStatus` delivered/read → delivered, undelivered/failed/canceled → failed with `sms_<ErrorCode>`, for the delivery sent as `MessageSid`; other statuses are acknowledged and ignored. 401 when the signature does not verify; 400 unless form-encoded; 422 on a signed form of the wrong shape; 404 for an unknown SID.",
    problems: [400, 401, 404, 422],
    responses: answers,
  }),
};

/**
 * A request whose signature failed counts against its address (RATE_LIMITER); past the limit the
 * address gets 429 instead of 401. Genuine, signed receipts are never throttled here.
 */
async function throttleUnsigned(c: Context<AppEnv>, err: unknown): Promise<never> {
  if (err instanceof AppError && err.code === "unauthorized") {
    const ip = c.req.header("cf-connecting-ip") ?? "unknown";
    const { success } = await c.env.RATE_LIMITER.limit({ key: `webhook-unsigned:${ip}` });
    if (!success)
      throw new AppError("rate_limited", "Too many unsigned webhook requests", {
        headers: { "retry-after": "60" },
      });
  }
  throw err;
}

/**
 * Provider webhooks, outside user authentication (their own signatures) and the per-IP limiter of
 * /v1 (providers call from shared ranges; only failed signatures are counted). Handlers read the
 * raw body: signatures cover its bytes.
 */
export const notifyWebhookRoutes = createRouter()
  .openapi(r.email, async (c) => {
    const result = await receiveEmailWebhook(scopeOf(c), c.req.raw).catch((err) => throttleUnsigned(c, err));
    return c.json({ result }, 200);
  })
  .openapi(r.sms, async (c) => {
    const result = await receiveSmsWebhook(scopeOf(c), c.req.raw).catch((err) => throttleUnsigned(c, err));
    return c.json({ result }, 200);
  });
