import { z } from "@hono/zod-openapi";
import { FEEDBACK_REASONS } from "../../db/schema";
import { AppError } from "../../lib/errors";
import { LIBRARY, LIBRARY_BY_SLUG } from "../../lib/library/items";
import { bearer, jsonBody, ok, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { aiTrailStats, feedbackStats, rateReply } from "./service";
import { summaryRoutes } from "./summary-routes";

const SLUGS = LIBRARY.map((i) => i.slug) as [string, ...string[]];

const LibraryItemSchema = z
  .object({
    slug: z.string(),
    version: z.number().int(),
    title: z.string(),
    summary: z.string(),
    body: z.array(z.string()),
    sources: z.array(z.string()),
    reviewedOn: z.string(),
    nextReviewOn: z.string(),
    reviewedBy: z.string(),
  })
  .openapi("LibraryItem");

const toItem = (i: (typeof LIBRARY)[number]) => ({
  slug: i.slug,
  version: i.version,
  title: i.title,
  summary: i.summary,
  body: i.body,
  sources: i.sources,
  reviewedOn: i.reviewedOn,
  nextReviewOn: i.nextReviewOn,
  reviewedBy: i.reviewedBy,
});

const listLibrary = route({
  method: "get",
  path: "/library",
  tags: ["library"],
  summary: "Haven's psychoeducation library (public content, no PHI)",
  responses: { 200: ok(z.object({ items: z.array(LibraryItemSchema) }).openapi("Library"), "Items") },
});

const getItem = route({
  method: "get",
  path: "/library/{slug}",
  tags: ["library"],
  summary: "One library item with its sources and review date",
  problems: [404],
  request: {
    params: z.object({
      slug: z
        .string()
        .max(64)
        .regex(/^[a-z0-9-]+$/),
    }),
  },
  responses: { 200: ok(LibraryItemSchema, "The item") },
});

const FeedbackSchema = z
  .object({
    seq: z.number().int().min(1).max(2_147_483_647),
    helpful: z.boolean(),
    reason: z.enum(FEEDBACK_REASONS).optional(),
    librarySlug: z.enum(SLUGS).optional(),
  })
  .strict()
  .openapi("CompanionFeedback");

const rate = route({
  method: "post",
  path: "/chat/feedback",
  tags: ["chat"],
  summary: "Patient: rate one companion reply helpful or not (an optional reason; no text stored)",
  security: bearer,
  middleware: [requireAuth("patient")] as const,
  problems: [403, 404],
  request: { body: jsonBody(FeedbackSchema) },
  responses: {
    200: ok(
      z
        .object({ seq: z.number().int(), helpful: z.boolean(), promptVersion: z.string() })
        .openapi("FeedbackSaved"),
      "Saved",
    ),
  },
});

const stats = route({
  method: "get",
  path: "/admin/companion/feedback",
  tags: ["admin"],
  summary: "Admin: companion feedback per library item and prompt version (counts only, no text)",
  security: bearer,
  middleware: [requireAuth("admin")] as const,
  problems: [403, 404],
  responses: {
    200: ok(
      z
        .object({
          groups: z.array(
            z.object({
              librarySlug: z.string().nullable(),
              promptVersion: z.string(),
              helpful: z.number().int(),
              notHelpful: z.number().int(),
              reasons: z.record(z.string(), z.number().int()),
            }),
          ),
        })
        .openapi("FeedbackStats"),
      "Counts",
    ),
  },
});

const trail = route({
  method: "get",
  path: "/admin/ai-trail",
  tags: ["admin"],
  summary:
    "Admin: the AI processing trail summarised (model, prompt version, outcome, latency, tokens; no content)",
  security: bearer,
  middleware: [requireAuth("admin")] as const,
  problems: [403, 404],
  request: {
    query: z.object({
      sinceHours: z.coerce
        .number()
        .int()
        .min(1)
        .max(24 * 90)
        .default(24),
    }),
  },
  responses: {
    200: ok(
      z
        .object({
          sinceHours: z.number().int(),
          rows: z.array(
            z.object({
              region: z.string(),
              purpose: z.string(),
              model: z.string(),
              promptVersion: z.string(),
              outcome: z.string(),
              calls: z.number().int(),
              p50LatencyMs: z.number().nullable(),
              p95LatencyMs: z.number().nullable(),
              tokensIn: z.number().int(),
              tokensOut: z.number().int(),
            }),
          ),
        })
        .openapi("AiTrailStats"),
      "Summary",
    ),
  },
});

export const companionRoutes = createRouter()
  .openapi(listLibrary, (c) => c.json({ items: LIBRARY.map(toItem) }, 200))
  .openapi(getItem, (c) => {
    const item = LIBRARY_BY_SLUG.get(c.req.valid("param").slug);
    if (!item) throw new AppError("not_found", "No such library item");
    return c.json(toItem(item), 200);
  })
  .openapi(rate, async (c) => c.json(await rateReply(scopeOf(c), c.req.valid("json")), 200))
  .openapi(stats, async (c) => c.json(await feedbackStats(scopeOf(c)), 200))
  .openapi(trail, async (c) => c.json(await aiTrailStats(scopeOf(c), c.req.valid("query").sinceHours), 200))
  .route("/", summaryRoutes);
