import { createRoute, type RouteConfig, z } from "@hono/zod-openapi";
import { ERROR_CODES } from "./errors";

/**
 * Shared OpenAPI helpers: every feature declares its routes with {@link route}, so each operation
 * documents the RFC 9457 problem responses it can answer, in one shape, without repeating them.
 */

/** The problem document every error answers with (see `problemResponse` in errors.ts). */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "https://haven.health/problems/not-found" }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES, ...(keyof typeof ERROR_CODES)[]]),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

const PROBLEM_DESCRIPTIONS = {
  400: "Malformed request (e.g. a body that is not JSON, or an invalid or expired token)",
  401: "Not signed in, or the token is expired or revoked",
  403: "Signed in but not allowed (e.g. a staff route, or MFA required)",
  404: "Not found — also the answer for a record you may not see",
  409: "Conflict with the current state",
  422: "The input did not match the schema; `errors` lists the field paths",
  429: "Too many requests; retry after `Retry-After` seconds",
  503: "A dependency is unavailable; retry later",
} as const;

export type ProblemStatus = keyof typeof PROBLEM_DESCRIPTIONS;

/** A documented problem+json response (`description` overrides the generic one). */
export function problem(status: ProblemStatus, description?: string) {
  return {
    description: description ?? PROBLEM_DESCRIPTIONS[status],
    content: { "application/problem+json": { schema: ProblemSchema } },
  };
}

/** A documented JSON success response. */
export function ok<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { content: { "application/json": { schema } }, required: true };
}

/** Bearer (or session-cookie) authentication, as the OpenAPI document names it. */
export const bearer = [{ bearerAuth: [] }];

type Extra = {
  /** Route-specific problems beyond the implied ones (typically 404, 409, 503). */
  problems?: readonly ProblemStatus[];
  /** Probes outside `/v1` are not rate limited, so they document no 429. */
  rateLimited?: boolean;
};

/**
 * `createRoute` plus the problem responses the route can answer: 401 when it has `security`,
 * 422 when it takes parameters or a body, 400 for a malformed body, 429 for the rate limiter,
 * and any listed in `problems`. Responses already given keep their description.
 *
 * @example route({ method: "get", path: "/x/{id}", security: bearer, problems: [404], request, responses })
 */
export function route<P extends string, R extends Omit<RouteConfig, "path"> & { path: P }>(
  config: R & Extra,
) {
  const { problems = [], rateLimited = true, ...rest } = config;
  const implied: ProblemStatus[] = [...problems];
  if (rest.security && rest.security.length > 0) implied.push(401);
  const req = rest.request;
  if (req?.params || req?.query || req?.body) implied.push(422);
  if (req?.body) implied.push(400);
  if (rateLimited) implied.push(429);
  // Every /v1 route reads Postgres or Redis (at least the token denylist): an outage is a 503.
  if (rateLimited) implied.push(503);
  const responses: RouteConfig["responses"] = {};
  for (const status of [...new Set(implied)].sort()) responses[status] = problem(status);
  for (const [status, given] of Object.entries(rest.responses)) {
    const code = Number(status);
    responses[status] =
      code >= 400 && code in PROBLEM_DESCRIPTIONS
        ? problem(code as ProblemStatus, "description" in given ? given.description : undefined)
        : given;
  }
  return createRoute({ ...rest, responses } as R);
}
