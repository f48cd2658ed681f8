import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Request-id correlation across every hop of one unit of work. The id of the HTTP request (or of a
 * queue message, a Durable Object call, a job) is kept in an AsyncLocalStorage for the duration of
 * the work, so code that is shared per isolate — the Neon driver's global fetch, the drizzle
 * clients reused across requests — can read it per call instead of per client. Every upstream call
 * (Neon, Upstash, the model, notification providers) sends it as {@link REQUEST_ID_HEADER}; domain
 * events and delivery messages carry it as `requestId`; loggers add it to every line.
 *
 * Needs `nodejs_compat` (wrangler.toml), which provides `node:async_hooks` in workerd.
 *
 * @example await runWithRequestId(requestId, () => next());
 */
export const REQUEST_ID_HEADER = "x-request-id";

/** What a request id may look like: generated UUIDs, `job:<name>:<uuid>`, or a caller's token-shaped id. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;

const storage = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `work` with `requestId` as the current id (an ill-formed id leaves the current one in place). */
export function runWithRequestId<T>(requestId: string | null | undefined, work: () => T): T {
  if (!requestId || !REQUEST_ID_PATTERN.test(requestId)) return work();
  return storage.run({ requestId }, work);
}

/** The id of the unit of work this code runs for, if any. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/**
 * Headers of an outgoing call with the current request id added (an id already set by the caller
 * wins). Accepts anything `fetch` accepts as headers.
 */
export function withRequestIdHeader(headers: HeadersInit | undefined, fallback?: string): Headers {
  const out = new Headers(headers);
  const id = currentRequestId() ?? fallback;
  if (id && !out.has(REQUEST_ID_HEADER)) out.set(REQUEST_ID_HEADER, id);
  return out;
}

/**
 * A fetch that adds the current request id to every call it makes (the notification providers'
 * transport). A `Request` input keeps its own headers; the id is added to them.
 */
export function correlatedFetch<I extends Request | string | URL>(
  base: (input: I, init?: RequestInit) => Promise<Response>,
  fallback?: string,
): (input: I, init?: RequestInit) => Promise<Response> {
  return (input, init) => {
    const source = init?.headers ?? (input instanceof Request ? input.headers : undefined);
    return base(input, { ...init, headers: withRequestIdHeader(source, fallback) });
  };
}
