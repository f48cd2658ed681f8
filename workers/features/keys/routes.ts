import { z } from "@hono/zod-openapi";
import { bearer, route } from "../../lib/openapi";
import { createRouter } from "../../lib/router";
import { RegionSchema } from "../../lib/vocabulary";
import { requireAuth } from "../../middleware/auth";
import { scopeOf } from "../../middleware/services";
import { rotateRegion } from "./service";

const RotationResult = z
  .object({
    region: RegionSchema,
    currentVersion: z.string(),
    rewrapped: z.number().int(),
    remaining: z.number().int(),
  })
  .openapi("KeyRotationResult");

const rotate = route({
  method: "post",
  path: "/admin/keys/rotate",
  tags: ["admin"],
  summary: "Re-wrap users' data keys under the current master key (one batch; repeat until remaining is 0)",
  security: bearer,
  middleware: [requireAuth("admin")],
  request: { query: z.object({ region: RegionSchema }) },
  problems: [404],
  responses: {
    200: { description: "Batch done", content: { "application/json": { schema: RotationResult } } },
  },
});

export const keyRoutes = createRouter().openapi(rotate, async (c) =>
  c.json(await rotateRegion(scopeOf(c), c.req.valid("query").region), 200),
);
