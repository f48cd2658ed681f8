import OpenAI from "openai";
import type { Config } from "./config";

/**
 * An OpenAI-compatible client for the configured base URL (OpenAI, Azure, Ollama, vLLM,
 * llama.cpp, or Haven's offline server). Retries are off: the companion has its own timeout and
 * safe fallback, and a retried stream would double the wait.
 */
export function createOpenAI(config: Config, opts: { timeoutMs?: number } = {}): OpenAI {
  return new OpenAI({
    baseURL: config.OPENAI_BASE_URL,
    apiKey: config.OPENAI_API_KEY,
    maxRetries: 0,
    timeout: opts.timeoutMs ?? 20_000,
  });
}
