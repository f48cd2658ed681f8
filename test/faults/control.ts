import { inject } from "vitest";
import { call, until } from "../helpers";

/** A dependency behind a fault proxy (test/faults/global-setup.ts). */
export type Target = "neon" | "upstash" | "openai";

/**
 * Switches a fault proxy's mode. `match` (text in the request bytes) limits the fault to the
 * requests containing it; it is cleared unless given.
 */
export async function fault(
  target: Target,
  mode: string,
  extra: Record<string, number | string> = {},
): Promise<void> {
  const res = await fetch(`${inject("faultControlUrl")}/${target}`, {
    method: "POST",
    body: JSON.stringify({ mode, match: "", ...extra }),
  });
  if (!res.ok) throw new Error(`fault control ${res.status}`);
}

/** Every proxy back to `pass`, no match. */
export async function allPass(): Promise<void> {
  for (const t of ["neon", "upstash", "openai"] as const) await fault(t, "pass");
}

/** Waits (through the breaker's cool-down) until `path` answers 200 again. */
export async function recovered(path: string, headers: Record<string, string>): Promise<Response> {
  return until(async () => {
    const res = await call(path, { headers });
    return res.status === 200 ? res : undefined;
  }, 10_000);
}

/** A request through the Worker with its elapsed time. */
export async function timed(path: string, init: RequestInit = {}) {
  const started = Date.now();
  const res = await call(path, init);
  return { res, ms: Date.now() - started };
}
