/**
 * Bounded waits for Haven's dependencies: a deadline on every call, bounded retries with
 * exponential backoff and full jitter for idempotent operations only, and a circuit breaker per
 * dependency and region that fails fast while open and lets one probe through to close.
 *
 * Breakers live at module level on purpose: they describe the health of a dependency as this
 * isolate sees it, across requests (a per-request breaker would never open). They hold no
 * connection and no data, only counters and timestamps.
 */

/** The dependency classes a 503 can name. Never a host or a region in the response. */
import { recordUpstream, set as setGauge } from "./metrics/recorder";

export type DependencyClass = "database" | "cache" | "model";

/** Why a dependency call failed; `timeout` and `network` may have reached the server. */
export type FailureKind = "timeout" | "network" | "upstream" | "circuit_open";

/**
 * A dependency did not answer in time, refused, broke mid-response or its breaker is open.
 * The error handler answers 503 problem+json with `Retry-After` and a code naming the class.
 * `message` names no host, query or key.
 */
export class DependencyError extends Error {
  readonly dependency: DependencyClass;
  readonly kind: FailureKind;
  /** Seconds a client should wait before retrying. */
  readonly retryAfter: number;

  constructor(dependency: DependencyClass, kind: FailureKind, retryAfter: number) {
    super(`${dependency} unavailable (${kind})`);
    this.name = "DependencyError";
    this.dependency = dependency;
    this.kind = kind;
    this.retryAfter = Math.max(1, Math.ceil(retryAfter));
  }
}

/** True for a DependencyError, also one that crossed a Durable Object RPC boundary (name only). */
export function isDependencyError(err: unknown): err is DependencyError {
  return err instanceof DependencyError || (err instanceof Error && err.name === "DependencyError");
}

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  threshold: number;
  /** Milliseconds the breaker stays open before a probe may go through. */
  cooldownMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { threshold: 3, cooldownMs: 5_000 };

type State = "closed" | "open" | "half_open";

/**
 * A consecutive-failure circuit breaker. Closed: calls go through; `threshold` failures in a row
 * open it. Open: calls fail at once until `cooldownMs` passed. Half-open: exactly one probe goes
 * through (others still fail fast); its success closes the breaker, its failure reopens it.
 */
export class CircuitBreaker {
  private state: State = "closed";
  private failures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    readonly name: string,
    readonly dependency: DependencyClass,
    private readonly opts: BreakerOptions = DEFAULT_BREAKER,
    private readonly now: () => number = Date.now,
  ) {}

  get status(): State {
    return this.state;
  }

  /** Seconds until a probe may go through (at least 1 while not closed). */
  retryAfterSeconds(): number {
    if (this.state === "closed") return 1;
    return Math.max(1, Math.ceil((this.openedAt + this.opts.cooldownMs - this.now()) / 1000));
  }

  /** Throws a fast `circuit_open` DependencyError when no call may go through now. */
  private admit(): { probe: boolean } {
    if (this.state === "closed") return { probe: false };
    if (this.state === "open" && this.now() - this.openedAt >= this.opts.cooldownMs) {
      this.state = "half_open";
      this.probing = false;
    }
    if (this.state === "half_open" && !this.probing) {
      this.probing = true;
      return { probe: true };
    }
    throw new DependencyError(this.dependency, "circuit_open", this.retryAfterSeconds());
  }

  private succeeded(): void {
    this.state = "closed";
    this.failures = 0;
    this.probing = false;
  }

  private failed(): void {
    this.probing = false;
    this.failures += 1;
    if (this.state === "half_open" || this.failures >= this.opts.threshold) {
      this.state = "open";
      this.openedAt = this.now();
    }
  }

  /**
   * Runs `work` under the breaker. Only DependencyErrors count as failures: a constraint
   * violation or a 4xx from the dependency is an answer, and proves it is up.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      this.admit();
    } catch (err) {
      this.observe("rejected", started);
      throw err;
    }
    try {
      const result = await work();
      this.succeeded();
      this.observe("ok", started);
      return result;
    } catch (err) {
      if (isDependencyError(err)) {
        this.failed();
        this.observe(err.kind === "timeout" ? "timeout" : "error", started);
      } else {
        this.succeeded();
        this.observe("ok", started);
      }
      throw err;
    }
  }

  /** Metrics: the call's outcome and latency, and whether this breaker is open (ids only). */
  private observe(outcome: "ok" | "error" | "timeout" | "rejected", started: number): void {
    const dependency = METRIC_DEPENDENCY[this.dependency];
    recordUpstream(dependency, outcome, (Date.now() - started) / 1000);
    const region = (this.name.split(":")[1] ?? "").split("@")[0] ?? "";
    setGauge(
      "circuit_breaker_open",
      { dependency, region: ["us", "eu", "apac"].includes(region) ? region : "global" },
      this.state === "closed" ? 0 : 1,
    );
  }
}

/** The dependency label the metrics use for each dependency class. */
const METRIC_DEPENDENCY = { database: "postgres", cache: "redis", model: "model" } as const;

const breakers = new Map<string, CircuitBreaker>();

/**
 * The isolate's breaker for one dependency in one region, e.g. `breakerFor("database", "us")`.
 * Options apply when the breaker is first created.
 */
export function breakerFor(dependency: DependencyClass, key: string, opts?: BreakerOptions): CircuitBreaker {
  const name = `${dependency}:${key}`;
  let b = breakers.get(name);
  if (!b) {
    b = new CircuitBreaker(name, dependency, opts);
    breakers.set(name, b);
  }
  return b;
}

/** States of every breaker this isolate has created (for /ready and the fault suite). */
export function breakerStates(): Record<string, State> {
  return Object.fromEntries([...breakers].map(([name, b]) => [name, b.status]));
}

export interface RetryOptions {
  /** Extra attempts after the first (so `retries: 1` means at most two calls). */
  retries: number;
  /** Base delay in ms; attempt n waits a random time in [0, base·2ⁿ) (full jitter). */
  baseDelayMs: number;
  /** Whether a failure may be retried: only errors that cannot have changed anything twice. */
  retryable: (err: unknown) => boolean;
}

/** Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export function backoffDelay(attempt: number, baseDelayMs: number, random: () => number = Math.random) {
  return Math.floor(random() * baseDelayMs * 2 ** attempt);
}

/** Runs `work`, retrying retryable failures with backoff; the last error is rethrown. */
export async function withRetry<T>(work: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work(attempt);
    } catch (err) {
      if (attempt >= opts.retries || !opts.retryable(err)) throw err;
      await new Promise((r) => setTimeout(r, backoffDelay(attempt, opts.baseDelayMs)));
    }
  }
}

/**
 * `fetch` with a deadline covering the whole exchange (headers and body), mapping every
 * transport failure to a DependencyError: abort → `timeout`, refused/reset → `network`,
 * a 5xx (or 429) from the dependency → `upstream`. Other statuses are returned as they are:
 * they are the dependency's answer. The body is read inside the deadline and handed back
 * buffered, so a response dropped mid-body is a `network` failure here, not a hang later.
 */
export async function deadlineFetch(
  dependency: DependencyClass,
  timeoutMs: number,
  input: RequestInfo | URL,
  init: RequestInit = {},
  fetchImpl: typeof fetch = fetch,
): Promise<Response> {
  const signal = AbortSignal.timeout(timeoutMs);
  const combined = init.signal ? AbortSignal.any([init.signal, signal]) : signal;
  try {
    const res = await fetchImpl(input, { ...init, signal: combined });
    const body = await res.arrayBuffer();
    if (res.status >= 500 || res.status === 429) throw new DependencyError(dependency, "upstream", 1);
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  } catch (err) {
    if (isDependencyError(err)) throw err;
    if (signal.aborted) throw new DependencyError(dependency, "timeout", 1);
    throw new DependencyError(dependency, "network", 1);
  }
}

/**
 * The DependencyError behind an error thrown by a driver (Neon wraps fetch failures in
 * `sourceError`, drizzle wraps query failures in `cause`), or undefined.
 */
export function findDependencyError(err: unknown): DependencyError | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (isDependencyError(current)) return current as DependencyError;
    if (typeof current !== "object" || current === null) return undefined;
    const next: unknown =
      ("sourceError" in current && current.sourceError) || ("cause" in current && current.cause) || undefined;
    current = next;
  }
  return undefined;
}
