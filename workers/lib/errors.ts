import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import type { AppEnv } from "./context";
import { type DependencyClass, findDependencyError } from "./resilience";

/**
 * The closed set of error codes Haven answers with. Each maps to one HTTP status and one title,
 * so clients can branch on `code` and the problem documents stay consistent.
 */
export const ERROR_CODES = {
  bad_request: { status: 400, title: "Bad request" },
  unauthorized: { status: 401, title: "Authentication required" },
  forbidden: { status: 403, title: "Forbidden" },
  not_found: { status: 404, title: "Not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  conflict: { status: 409, title: "Conflict" },
  payload_too_large: { status: 413, title: "Payload too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  validation_failed: { status: 422, title: "Validation failed" },
  rate_limited: { status: 429, title: "Too many requests" },
  internal: { status: 500, title: "Unexpected error" },
  service_unavailable: { status: 503, title: "Service unavailable" },
  database_unavailable: { status: 503, title: "Database unavailable" },
  cache_unavailable: { status: 503, title: "Session store unavailable" },
  model_unavailable: { status: 503, title: "Model unavailable" },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One invalid field, addressed by its path in the input (never its value). */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * The only error type handlers throw on purpose. `detail` must never contain PHI or echo input:
 * it is sent to the client verbatim.
 *
 * @example throw new AppError("not_found", "No such assessment");
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;
  /** Extra problem members (RFC 9457 extensions), e.g. readiness checks. Never PHI. */
  readonly extensions: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    detail?: string,
    opts?: { errors?: FieldError[]; headers?: Record<string, string>; extensions?: Record<string, unknown> },
  ) {
    super(detail ?? ERROR_CODES[code].title);
    this.name = "AppError";
    this.code = code;
    this.errors = opts?.errors;
    this.headers = opts?.headers;
    this.extensions = opts?.extensions;
  }
}

/** Turns a zod error into a 422 listing field paths and zod's value-free messages. */
export function validationError(error: ZodError, where: string): AppError {
  const errors = error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
  return new AppError("validation_failed", "The request did not match the expected schema", { errors });
}

/** Maps Hono's own HTTPExceptions (malformed JSON, etc.) onto the closed code set. */
function fromHttpException(err: HTTPException): AppError {
  const byStatus: Partial<Record<number, ErrorCode>> = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
  };
  const code = byStatus[err.status] ?? (err.status >= 500 ? "internal" : "bad_request");
  // Hono's own messages ("Malformed JSON in request body") carry no input, so they are safe to show.
  const detail = code === "internal" ? undefined : err.message || undefined;
  return new AppError(code, detail);
}

const DEPENDENCY_CODES: Record<DependencyClass, ErrorCode> = {
  database: "database_unavailable",
  cache: "cache_unavailable",
  model: "model_unavailable",
};

const DEPENDENCY_WORDS: Record<DependencyClass, string> = {
  database: "The database",
  cache: "The session store",
  model: "The language model",
};

/**
 * A dependency outage as an honest 503: the code names the dependency CLASS (never a host or a
 * region), `Retry-After` says when the circuit breaker lets a probe through. A DependencyError
 * that crossed a Durable Object RPC boundary keeps only its message, which names the class.
 */
function dependencyProblem(
  err: { dependency?: DependencyClass; kind?: string; retryAfter?: number; message: string },
  c: Context<AppEnv>,
): AppError {
  const fromMessage = /^(database|cache|model) unavailable/.exec(err.message)?.[1] as
    | DependencyClass
    | undefined;
  const dependency = err.dependency ?? fromMessage ?? "database";
  const retryAfter = err.retryAfter ?? 1;
  c.get("log")?.warn("dependency_unavailable", { dependency, kind: err.kind ?? "unknown" });
  return new AppError(
    DEPENDENCY_CODES[dependency],
    `${DEPENDENCY_WORDS[dependency]} is not answering right now. Try again in ${retryAfter} s.`,
    { headers: { "retry-after": String(retryAfter) }, extensions: { dependency } },
  );
}

/** Renders an AppError as an RFC 9457 problem document. */
export function problemResponse(c: Context<AppEnv>, err: AppError): Response {
  const { status, title } = ERROR_CODES[err.code];
  const requestId = c.get("requestId") ?? "unknown";
  const body = {
    ...err.extensions,
    type: `https://haven.health/problems/${err.code.replaceAll("_", "-")}`,
    title,
    status,
    detail: err.message,
    code: err.code,
    requestId,
    ...(err.errors ? { errors: err.errors } : {}),
  };
  const headers: Record<string, string> = {
    "content-type": "application/problem+json; charset=utf-8",
    "cache-control": "no-store",
    ...err.headers,
  };
  return new Response(JSON.stringify(body), { status, headers });
}

/**
 * The single `app.onError`: known errors keep their code; anything else is logged by name only
 * (messages can carry SQL or PHI) and answered as a generic 500 with the request id.
 */
export function handleError(err: unknown, c: Context<AppEnv>): Response {
  if (err instanceof AppError) return problemResponse(c, err);
  if (err instanceof HTTPException) return problemResponse(c, fromHttpException(err));
  const dependency = findDependencyError(err);
  if (dependency) return problemResponse(c, dependencyProblem(dependency, c));
  const log = c.get("log");
  const name = err instanceof Error ? err.name : typeof err;
  const code = typeof err === "object" && err !== null && "code" in err ? String(err.code) : undefined;
  log?.error("unhandled_error", { error: name, ...(code ? { sqlstate: code } : {}) });
  return problemResponse(
    c,
    new AppError("internal", "An unexpected error occurred. Quote the request id if you contact support."),
  );
}
