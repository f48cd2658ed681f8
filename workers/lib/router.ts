import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./context";
import { validationError } from "./errors";

/**
 * Creates a (sub-)app whose zod validation failures become 422 problem documents with field
 * paths. Every feature router is built with it so the behaviour is uniform.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target);
    },
  });
}
