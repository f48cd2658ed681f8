import { z } from "@hono/zod-openapi";
import { bearer, ok, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { feedByToken, feedStatus, revokeFeed, rotateFeed } from "./feed";

const tags = ["sessions"];
const both = [requireAuth("patient", "clinician")];
const Status = z
  .object({ active: z.boolean(), createdAt: z.iso.datetime().nullable() })
  .openapi("CalendarFeedStatus");
const Created = z
  .object({
    url: z.string().openapi({ description: "The subscribe URL; shown once (only its hash is kept)" }),
    createdAt: z.iso.datetime(),
  })
  .openapi("CalendarFeedUrl");
const TokenParam = z.object({
  token: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: "token", in: "path" }, description: "The secret feed token" }),
});
const NO_STORE = { "cache-control": "no-store" };

const r = {
  status: route({
    tags,
    security: bearer,
    middleware: both,
    method: "get",
    path: "/me/calendar-feed",
    summary: "Whether you have a calendar subscription URL (the URL itself is shown only when made)",
    problems: [404],
    responses: { 200: ok(Status, "Feed status") },
  }),
  rotate: route({
    tags,
    security: bearer,
    middleware: both,
    method: "post",
    path: "/me/calendar-feed",
    summary: "Make your calendar subscription URL, or replace it (the old URL stops working at once)",
    problems: [404],
    responses: { 201: ok(Created, "The new URL (shown once)") },
  }),
  revoke: route({
    tags,
    security: bearer,
    middleware: both,
    method: "delete",
    path: "/me/calendar-feed",
    summary: "Revoke your calendar subscription URL (it then answers 404)",
    problems: [404],
    responses: { 204: { description: "Revoked" } },
  }),
  feed: route({
    tags,
    method: "get",
    path: "/calendar-feeds/{token}/sessions.ics",
    summary: "Your sessions as an RFC 5545 feed, for calendar apps that cannot sign in (secret URL)",
    description:
      "Times, 'Haven session' and a link to the visit page (which requires sign-in); nothing clinical. Unknown or revoked token: 404.",
    request: { params: TokenParam },
    problems: [404],
    responses: {
      200: { description: "RFC 5545 calendar", content: { "text/calendar": { schema: z.string() } } },
    },
  }),
};

/** The calendar subscription URL: made, rotated and revoked by its owner; read with the secret alone. */
export const feedRoutes = createRouter()
  .openapi(r.status, async (c) => c.json(await feedStatus(scopeOf(c)), 200, NO_STORE))
  .openapi(r.rotate, async (c) => c.json(await rotateFeed(scopeOf(c)), 201, NO_STORE))
  .openapi(r.revoke, async (c) => {
    await revokeFeed(scopeOf(c));
    return c.body(null, 204);
  })
  .openapi(r.feed, async (c) =>
    c.body(await feedByToken(scopeOf(c), c.req.valid("param").token), 200, {
      "content-type": "text/calendar; charset=utf-8",
      "cache-control": "private, no-store",
      "referrer-policy": "no-referrer",
    }),
  );
