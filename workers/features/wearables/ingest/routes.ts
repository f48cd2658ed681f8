import { z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_BATCH_BYTES } from "../../../../durable-objects/wearable-protocol";
import type { AppEnv } from "../../../lib/context";
import { AppError } from "../../../lib/errors";
import { bearer, ok, route } from "../../../lib/openapi";
import { createRouter } from "../../../lib/router";
import { scopeOf, services } from "../../../middleware/services";
import { deviceOf, ingestBatch, ingestOmh } from "../ingest";
import * as s from "../schema";
import { type ParsedDeviceToken, sha256Hex } from "../tokens";

/**
 * The request's device token, hashed once (the rate-limit key and the stream's lookup both use
 * the hash). Devices are rate limited per device token (the binding's limit), never per shared IP.
 */
const devices = new WeakMap<Request, ParsedDeviceToken>();
const deviceRateLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const device = deviceOf(c.req.header("authorization"));
  device.tokenHash = await sha256Hex(device.token);
  const { success } = await c.env.RATE_LIMITER.limit({ key: `device:${device.tokenHash.slice(0, 32)}` });
  if (!success)
    throw new AppError("rate_limited", "Too many requests from this device", {
      headers: { "retry-after": "60" },
    });
  devices.set(c.req.raw, device);
  await next();
};

const limit = bodyLimit({
  maxSize: MAX_BATCH_BYTES,
  onError: () => {
    throw new AppError("payload_too_large", "A telemetry batch is at most 256 KiB");
  },
});

const Headers = z.object({
  "idempotency-key": z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "Same key, same answer, nothing stored twice" }),
});

const answers = {
  200: ok(s.IngestAnswer, "Counts of new, already-held and refused readings; new ones are durable"),
};
const problems = [403, 503] as const;

const r = {
  telemetry: route({
    tags: ["wearables"],
    security: bearer,
    middleware: [services, deviceRateLimit, limit],
    method: "post",
    path: "/telemetry",
    summary: "Post up to 1,000 readings (≤ 256 KiB) with a device token",
    description:
      "Each reading is checked on its own (type, unit, range, RFC 3339 time with offset, ≤ 5 min in the future, ≤ 30 days late); refused items are listed with their index and reason. A batch with nothing valid is 422. Resending changes nothing (natural key device+type+ts, and Idempotency-Key). 403 without health-data consent (nothing stored); 503 with Retry-After while the person's backlog is over its cap.",
    request: {
      headers: Headers,
      body: {
        content: {
          "application/json": { schema: z.object({ readings: z.array(s.ReadingIn).min(1).max(1000) }) },
        },
        required: true,
      },
    },
    problems: [...problems],
    responses: answers,
  }),
  omh: route({
    tags: ["wearables"],
    security: bearer,
    middleware: [services, deviceRateLimit, limit],
    method: "post",
    path: "/telemetry/omh",
    summary: "Post Open mHealth data points (heart-rate 2.0, step-count, sleep-duration, oxygen-saturation)",
    request: {
      headers: Headers,
      body: { content: { "application/json": { schema: s.OmhIn } }, required: true },
    },
    problems: [...problems],
    responses: answers,
  }),
};

/**
 * Device-token routes, mounted under /v1 BEFORE the session API: they authenticate with the device
 * token (not a user's JWT) and answer without passing through the session middleware. The body is
 * validated item by item in the service, so one bad reading refuses only itself.
 */
export const telemetryRoutes = createRouter();
telemetryRoutes.openAPIRegistry.registerPath({ ...r.telemetry, path: "/telemetry" } as never);
telemetryRoutes.openAPIRegistry.registerPath({ ...r.omh, path: "/telemetry/omh" } as never);
for (const [path, handle] of [
  ["/telemetry", ingestBatch],
  ["/telemetry/omh", ingestOmh],
] as const) {
  telemetryRoutes.post(path, services, deviceRateLimit, limit, async (c) => {
    const device = devices.get(c.req.raw) ?? deviceOf(c.req.header("authorization"));
    const body = await c.req.json().catch(() => {
      throw new AppError("bad_request", "The body is not valid JSON");
    });
    const answer = await handle(scopeOf(c), device, body, c.req.header("idempotency-key"));
    if (answer.replayed) c.header("idempotent-replayed", "true");
    const { replayed: _, ...out } = answer;
    return c.json(out, 200);
  });
}
