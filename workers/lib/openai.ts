import OpenAI from "openai";
import type { Config } from "./config";
import { withRequestIdHeader } from "./correlation";
import { breakerFor, DependencyError } from "./resilience";

/** A 5xx answer: a breaker failure that still carries the response for the client to read. */
class UpstreamStatus extends DependencyError {
  constructor(readonly response: Response) {
    super("model", "upstream", 1);
  }
}

/**
 * An OpenAI-compatible client for the configured base URL (OpenAI, Azure, Ollama, vLLM,
 * llama.cpp, or Haven's offline server). Retries are off: the companion has its own timeout and
 * safe fallback, a retried stream would double the wait, and a completion is not idempotent.
 *
 * Every request goes through the model's circuit breaker: while the model server is refusing,
 * hanging (the client's `timeout` aborts it) or answering 5xx, calls fail at once and callers
 * take their fallback (the companion's safe reply; the crisis response never waits for the model).
 */
export function createOpenAI(config: Config, opts: { timeoutMs?: number } = {}): OpenAI {
  const breaker = breakerFor("model", new URL(config.OPENAI_BASE_URL).host, {
    threshold: 3,
    cooldownMs: config.BREAKER_COOLDOWN_MS,
  });
  // A 5xx counts against the breaker but is still handed to the client, so callers see the
  // server's status (APIError) rather than a connection error.
  const guardedFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    try {
      return await breaker.run(async () => {
        let res: Response;
        try {
          // The current request id on every model call (workers/lib/correlation.ts).
          res = await fetch(input, { ...init, headers: withRequestIdHeader(init?.headers) });
        } catch (err) {
          const aborted = init?.signal?.aborted || (err instanceof Error && err.name === "AbortError");
          throw new DependencyError("model", aborted ? "timeout" : "network", 1);
        }
        if (res.status >= 500) throw new UpstreamStatus(res);
        return res;
      });
    } catch (err) {
      if (err instanceof UpstreamStatus) return err.response;
      throw err;
    }
  };
  return new OpenAI({
    baseURL: config.OPENAI_BASE_URL,
    apiKey: config.OPENAI_API_KEY,
    maxRetries: 0,
    timeout: opts.timeoutMs ?? 20_000,
    fetch: guardedFetch,
  });
}
