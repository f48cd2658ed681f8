import type { Context } from "hono";
import type { AppEnv } from "../../../workers/lib/context";
import { AppError, ERROR_CODES, handleError } from "../../../workers/lib/errors";
import { MessagePage } from "./tokens";

/**
 * `onError` for the identity pages: the same status (and headers such as Retry-After) the API
 * would send, as a readable page instead of problem+json. Unexpected errors go through the
 * app's `handleError` first, so they are logged the same way and never show internals.
 */
export function pageError(err: unknown, c: Context<AppEnv>): Response | Promise<Response> {
  if (!(err instanceof AppError)) {
    const res = handleError(err, c);
    return c.html(
      <MessagePage title="Something went wrong">
        <p>
          Please try again. If it keeps happening, contact support and quote request{" "}
          {c.get("requestId") ?? "unknown"}.
        </p>
      </MessagePage>,
      res.status === 503 ? 503 : 500,
      { "cache-control": "no-store" },
    );
  }
  const { status, title } = ERROR_CODES[err.code];
  return c.html(
    <MessagePage title={title}>
      <p>{err.message}</p>
      <p>
        <a href="/">Go to the home page</a>
      </p>
    </MessagePage>,
    status,
    { ...err.headers, "cache-control": "no-store" },
  );
}
