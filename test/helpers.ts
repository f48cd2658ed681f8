import { exports } from "cloudflare:workers";

let ipCounter = 0;

/**
 * A client IP unique to this test, so the rate limiter (keyed by IP for anonymous requests)
 * gives each test its own budget instead of sharing one across the suite.
 */
export function uniqueIp(): string {
  ipCounter += 1;
  const n = (Date.now() % 200) + 1;
  return `10.${n}.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;
}

/** Sends a request through the real Worker entrypoint (all middleware, bindings and DOs). */
export async function call(path: string, init: RequestInit & { ip?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("cf-connecting-ip")) headers.set("cf-connecting-ip", init.ip ?? uniqueIp());
  return exports.default.fetch(new Request(`http://haven.test${path}`, { ...init, headers }));
}

/** Parses a problem+json body and checks its content type. */
export async function problem(res: Response): Promise<Record<string, unknown>> {
  const type = res.headers.get("content-type") ?? "";
  if (!type.startsWith("application/problem+json")) throw new Error(`expected problem+json, got ${type}`);
  return (await res.json()) as Record<string, unknown>;
}
