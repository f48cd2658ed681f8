import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../../../workers/lib/context";
import { AppError, ERROR_CODES, handleError } from "../../../workers/lib/errors";
import { Layout } from "../layout";

/** Paths that are API surface: they always answer problem+json, whatever the Accept header says. */
const API_PATHS = /^\/(v1|health|ready|openapi\.json|__dev)(\/|$)/;

/** The highest q the Accept header gives any of `types` (explicitly listed; wildcards do not count). */
function quality(accept: string, types: string[]): number {
  let best = 0;
  for (const part of accept.split(",")) {
    const [type = "", ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    if (!types.includes(type)) continue;
    const q = params.find((p) => p.startsWith("q="));
    const value = q ? Number(q.slice(2)) : 1;
    if (Number.isFinite(value)) best = Math.max(best, value);
  }
  return best;
}

/**
 * True when a browser asks for a page: not an API path, and the Accept header names text/html
 * (not just `*\/*`) at least as strongly as JSON. `fetch()` and curl keep getting problem+json.
 */
export function wantsHtmlPage(c: Context<AppEnv>): boolean {
  if (API_PATHS.test(c.req.path)) return false;
  const accept = c.req.header("accept") ?? "";
  const html = quality(accept, ["text/html", "application/xhtml+xml"]);
  const json = quality(accept, ["application/json", "application/problem+json"]);
  return html > 0 && html >= json;
}

interface ErrorCopy {
  title: string;
  lead: string;
}

const COPY: Record<number, ErrorCopy> = {
  403: { title: "Not allowed", lead: "You don't have permission to open this page." },
  404: {
    title: "Page not found",
    lead: "We couldn't find that page. The link may be incomplete, or the page may have moved.",
  },
  500: {
    title: "Something went wrong",
    lead: "Haven ran into a problem showing this page. Please try again.",
  },
  503: {
    title: "Haven is briefly unavailable",
    lead: "Part of Haven isn't responding right now. Please try again in a minute.",
  },
};

export interface ErrorPageProps {
  status: number;
  /** The heading when the status has no page-specific wording (e.g. "Too many requests"). */
  title: string;
  /** A message safe to show (an AppError's detail below 500); never set for server errors. */
  detail?: string | undefined;
  requestId?: string | undefined;
}

/** An error in the app's layout: what happened in plain words, where to go next, never internals. */
export function ErrorPage({ status, title, detail, requestId }: ErrorPageProps) {
  const copy = COPY[status];
  return (
    <Layout title={copy?.title ?? title}>
      <h1>{copy?.title ?? title}</h1>
      <p>
        {detail && status < 500 && status !== 404 ? detail : (copy?.lead ?? "Please go back and try again.")}
      </p>
      {status >= 500 ? (
        <p>
          If it keeps happening, contact support and quote this reference:{" "}
          <code>{requestId ?? "unknown"}</code>
        </p>
      ) : null}
      <p>
        <a href="/">Go to the home page</a>
      </p>
      <p class="muted">Error {status}</p>
    </Layout>
  );
}

/**
 * Renders any error as an HTML page with the status, headers (Allow, Retry-After) and logging the
 * API's `handleError` would give it: the problem response is built first (which logs unexpected
 * errors by name only), then its status is reused for the page.
 */
export function errorPage(err: unknown, c: Context<AppEnv>): Response | Promise<Response> {
  const problem = handleError(err, c);
  const status = problem.status;
  const headers: Record<string, string> = {
    ...(err instanceof AppError ? err.headers : {}),
    "cache-control": "no-store",
  };
  const retryAfter = problem.headers.get("retry-after");
  if (retryAfter) headers["retry-after"] = retryAfter;
  const detail = err instanceof AppError && status < 500 ? err.message : undefined;
  const title = Object.values(ERROR_CODES).find((e) => e.status === status)?.title ?? "Something went wrong";
  return c.html(
    <ErrorPage status={status} title={title} detail={detail} requestId={c.get("requestId")} />,
    status as ContentfulStatusCode,
    headers,
  );
}

/** `app.onError`: an HTML page for a browser asking for a page, problem+json for everything else. */
export function appError(err: unknown, c: Context<AppEnv>): Response | Promise<Response> {
  return wantsHtmlPage(c) ? errorPage(err, c) : handleError(err, c);
}
