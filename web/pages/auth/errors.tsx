import type { Context } from "hono";
import type { AppEnv } from "../../../workers/lib/context";
import { errorPage } from "../errors/page";

/**
 * `onError` for the identity, account and screener pages: the same status (and headers such as
 * Retry-After) the API would send, always as a page in the app's layout (these routes are only
 * ever pages). Unexpected errors are logged by `handleError` and never show internals.
 */
export function pageError(err: unknown, c: Context<AppEnv>): Response | Promise<Response> {
  return errorPage(err, c);
}
