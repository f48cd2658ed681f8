import type { Context, MiddlewareHandler } from "hono";
import { z } from "zod";
import type { AppEnv } from "../lib/context";
import { AppError } from "../lib/errors";

/** The whole-request budget (ms) unless a route below is named: `REQUEST_DEADLINE_MS`. */
export const DEFAULT_REQUEST_DEADLINE_MS = 10_000;
const Budget = z.coerce.number().int().min(500).max(120_000).default(DEFAULT_REQUEST_DEADLINE_MS);

/**
 * Routes allowed longer than the default, by method and path. The budget runs until the route
 * answers (its status and headers): a server-sent-event stream's body, like a WebSocket after its
 * 101, lives on after that and is never cut by it. The streams get longer to open because they
 * read the history they resume from first; key rotation re-wraps one batch of data keys.
 */
const NAMED: ReadonlyArray<{ method: string; path: RegExp; ms: (base: number) => number }> = [
  { method: "GET", path: /^\/v1\/chat\/stream$/, ms: (base) => 3 * base },
  { method: "GET", path: /^\/v1\/patients\/[^/]+\/wearables\/live$/, ms: (base) => 3 * base },
  { method: "POST", path: /^\/v1\/admin\/keys\/rotate$/, ms: (base) => 6 * base },
  // Local-only seeding routes (404 in every other environment): `npm run dev`'s demo seed and the
  // simulated wearables create hundreds of accounts in one call.
  { method: "POST", path: /^\/__dev\//, ms: (base) => 12 * base },
];

let parsed: { raw: unknown; ms: number } | undefined;

/** The budget of this request in ms, from `REQUEST_DEADLINE_MS` (parsed once per isolate). */
export function requestBudget(c: Context<AppEnv>): number {
  const raw = (c.env as { REQUEST_DEADLINE_MS?: unknown }).REQUEST_DEADLINE_MS;
  if (parsed === undefined || parsed.raw !== raw) {
    const result = Budget.safeParse(raw);
    parsed = { raw, ms: result.success ? result.data : DEFAULT_REQUEST_DEADLINE_MS };
  }
  const base = parsed.ms;
  const named = NAMED.find((r) => r.method === c.req.method && r.path.test(c.req.path));
  return named ? named.ms(base) : base;
}

const EXPIRED = Symbol("expired");

/**
 * Bounds the whole request: if the route has not answered within its budget, the client gets a
 * 503 problem+json (`service_unavailable`, `reason: "deadline"`) with `Retry-After`, however the
 * time was spent (each dependency call has its own, shorter deadline in `lib/resilience.ts`; this
 * catches the sum of them, a slow Durable Object, a wait nothing else bounds).
 *
 * Nothing already accepted is dropped: the route's work is not cancelled half-way but handed to
 * `waitUntil` and runs to its end (bounded by its own dependency deadlines), so a write either
 * lands whole or not at all; the 503 says its outcome is unknown, and the client retries the
 * way every Haven write allows (the same Idempotency-Key, the same chat `clientId`).
 *
 * WebSocket upgrades and event streams are bounded until their 101 / first headers only.
 */
export const requestDeadline: MiddlewareHandler<AppEnv> = async (c, next) => {
  const ms = requestBudget(c);
  const work = next();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<typeof EXPIRED>((resolve) => {
    timer = setTimeout(() => resolve(EXPIRED), ms);
  });
  const outcome = await Promise.race([work, expired]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
  if (outcome !== EXPIRED) return;
  try {
    c.executionCtx.waitUntil(work.catch(() => undefined));
  } catch {
    // No execution context (the app called without one): the promise still runs in this isolate.
    work.catch(() => undefined);
  }
  c.get("log").warn("request_deadline", { budgetMs: ms });
  throw new AppError(
    "service_unavailable",
    "The request did not finish in time and its outcome is unknown. Retry in a moment (with the same Idempotency-Key for writes).",
    {
      headers: { "retry-after": String(Math.max(1, Math.ceil(ms / 5000))) },
      extensions: { reason: "deadline" },
    },
  );
};
