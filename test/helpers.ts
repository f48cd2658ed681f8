import { exports } from "cloudflare:workers";

/**
 * A client IP unique to this call (random, in the IPv6 documentation range), so the rate limiter
 * and the login throttle (keyed by IP for anonymous requests) give each test its own budget.
 * Test files run in separate isolates, so a counter could repeat across files; 64 random bits
 * cannot in practice.
 */
export function uniqueIp(): string {
  const words = Array.from(crypto.getRandomValues(new Uint16Array(4)), (w) => w.toString(16));
  return `2001:db8:${words.join(":")}::1`;
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

/**
 * Polls `probe` until it returns a value (e.g. a row written by a Durable Object alarm), failing
 * after `timeoutMs`. For effects that are asynchronous by design, never as a substitute for
 * awaiting something awaitable.
 */
export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error("condition not met");
    await new Promise((r) => setTimeout(r, 100));
  }
}
