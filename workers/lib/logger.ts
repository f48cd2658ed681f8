import { currentRequestId } from "./correlation";
import { recordEvent } from "./metrics/recorder";

/**
 * Structured JSON logging without PHI. Fields are restricted to scalars, and callers pass
 * identifiers, codes and counts only — never names, messages, answers or readings.
 */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export type LogLevel = "debug" | "info" | "warn" | "error";

/** A token-like value (ids, codes, route templates): anything else is not copied to the ops log. */
const TOKEN = /^[A-Za-z0-9_.:/{}*-]{1,128}$/;
const token = (v: unknown) => (typeof v === "string" && TOKEN.test(v) ? v : undefined);

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/**
 * @example const log = createLogger("info", { requestId }); log.info("request", { status: 200 });
 */
export function createLogger(level: LogLevel, base: LogFields = {}): Logger {
  const min = ORDER[level];
  const write = (lvl: LogLevel, event: string, fields?: LogFields) => {
    // The current unit of work's id (a request, a queue message, a Durable Object call), unless the
    // logger was built with one: Durable Object and queue-consumer lines join the request's.
    const requestId = base.requestId ?? fields?.requestId ?? currentRequestId();
    if (lvl === "warn" || lvl === "error") {
      // The ops view's log panel: identifiers and codes only (token-shaped values, never text).
      recordEvent({
        time: new Date().toISOString(),
        level: lvl,
        event: token(event) ?? "unnamed",
        requestId: token(requestId),
        route: token(fields?.route ?? base.route),
        status: typeof fields?.status === "number" ? fields.status : undefined,
        code: token(fields?.code ?? fields?.reason ?? fields?.error),
        dependency: token(fields?.dependency),
      });
    }
    if (ORDER[lvl] < min) return;
    const line = JSON.stringify({
      level: lvl,
      event,
      time: new Date().toISOString(),
      ...(requestId ? { requestId } : {}),
      ...base,
      ...fields,
    });
    if (lvl === "error") console.error(line);
    else if (lvl === "warn") console.warn(line);
    else console.log(line);
  };
  return {
    debug: (e, f) => write("debug", e, f),
    info: (e, f) => write("info", e, f),
    warn: (e, f) => write("warn", e, f),
    error: (e, f) => write("error", e, f),
    child: (fields) => createLogger(level, { ...base, ...fields }),
  };
}
