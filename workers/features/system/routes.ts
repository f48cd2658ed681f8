import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/context";
import { route } from "../../lib/openapi";
import { RegionSchema } from "../../lib/vocabulary";

const MetaSchema = z
  .object({
    name: z.literal("haven"),
    apiVersion: z.literal("v1"),
    environment: z.string(),
    regions: z.array(RegionSchema),
    companionOffline: z
      .boolean()
      .openapi({ description: "True when the AI companion runs on the bundled offline model" }),
  })
  .openapi("Meta");

const meta = route({
  method: "get",
  path: "/meta",
  tags: ["system"],
  summary: "What this deployment offers: API version, residency regions, companion mode.",
  responses: {
    200: { description: "Deployment metadata", content: { "application/json": { schema: MetaSchema } } },
  },
});

export const systemRoutes = new OpenAPIHono<AppEnv>().openapi(meta, (c) => {
  const config = c.get("config");
  return c.json(
    {
      name: "haven" as const,
      apiVersion: "v1" as const,
      environment: config.ENVIRONMENT,
      regions: ["us" as const, "eu" as const, "apac" as const],
      companionOffline: config.OPENAI_OFFLINE,
    },
    200,
  );
});
