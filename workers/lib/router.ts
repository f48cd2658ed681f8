import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./context";
import { AppError, validationError } from "./errors";

/**
 * C0 controls except TAB, LF and CR, DEL, and C1 controls. Postgres refuses NUL in text (22021,
 * which used to surface as a 500), and none of them belongs in a name, a note or an answer.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** The path of the first string holding a control character (e.g. `json.displayName`), if any. */
export function findControlCharacters(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === "string") return CONTROL_CHARACTERS.test(value) ? path : undefined;
  if (depth > 8 || typeof value !== "object" || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (CONTROL_CHARACTERS.test(key)) return path;
    const hit = findControlCharacters(child, `${path}.${key}`, depth + 1);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * Creates a (sub-)app whose zod validation failures become 422 problem documents with field
 * paths. Every feature router is built with it so the behaviour is uniform. Validated input
 * (params, query, body) holding control characters is refused here too, once for every route.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error, result.target);
      const where = findControlCharacters(result.data, result.target);
      if (where) {
        throw new AppError("validation_failed", "The request contains control characters", {
          errors: [{ path: where, message: "Control characters are not allowed" }],
        });
      }
    },
  });
}
