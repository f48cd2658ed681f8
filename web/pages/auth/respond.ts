import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type { AppEnv } from "../../../workers/lib/context";
import { AppError, ERROR_CODES } from "../../../workers/lib/errors";
import { findControlCharacters } from "../../../workers/lib/router";
import type { FormErrors } from "./forms";

/** A failed form submission: what to show, with which status and headers (e.g. Retry-After). */
export interface FormFailure {
  status: ContentfulStatusCode;
  errors: FormErrors;
  headers?: Record<string, string>;
}

/** The submitted form as strings (files and repeated fields are not used by these pages). */
export async function formFields(c: Context<AppEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === "string") out[k] = v;
  // The same refusal the API's validation hook applies (a NUL reached Postgres as a 500).
  const where = findControlCharacters(out, "form");
  if (where)
    throw new AppError("validation_failed", "The form contains control characters", {
      errors: [{ path: where, message: "Control characters are not allowed" }],
    });
  return out;
}

/** Zod issues → one friendly message per form field (`messages` by field; zod's text otherwise). */
export function zodFailure(
  error: z.ZodError,
  messages: Record<string, string>,
  rename: Record<string, string> = {},
): FormFailure {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join(".");
    const name = rename[path] ?? path;
    fields[name] ??= messages[name] ?? issue.message;
  }
  return { status: 422, errors: { fields } };
}

/**
 * A service's AppError → a form failure keeping its status (401, 403, 429 …) and headers. Field
 * paths like `body.password` address the input named `password`. Anything else is rethrown.
 */
export function serviceFailure(err: unknown, rename: Record<string, string> = {}): FormFailure {
  if (!(err instanceof AppError) || err.code === "internal" || err.code === "service_unavailable") throw err;
  const fields: Record<string, string> = {};
  for (const e of err.errors ?? []) {
    const key = e.path.replace(/^(body|json)\./, "");
    fields[rename[key] ?? key] = e.message;
  }
  const failure: FormFailure = {
    status: ERROR_CODES[err.code].status,
    errors: Object.keys(fields).length > 0 ? { fields } : { form: err.message },
  };
  if (err.headers) failure.headers = err.headers;
  return failure;
}
