/**
 * The REAL `openai` client, built by the app's `createOpenAI`, running in workerd against the
 * offline OpenAI-compatible server. Failure modes are switched over `POST /__control`.
 *
 * The mode is global to the server and test files run in parallel, so only this file switches it,
 * and each switch is scoped to one request by `withMode`, which always restores normal mode.
 */
import { env } from "cloudflare:test";
import type OpenAI from "openai";
import { APIConnectionTimeoutError, APIError, InternalServerError } from "openai";
import { describe, expect, inject, it } from "vitest";
import { ConfigSchema } from "../../workers/lib/config";
import { createOpenAI } from "../../workers/lib/openai";

const config = ConfigSchema.parse(env);
const controlUrl = inject("openaiControlUrl");

async function control(body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(controlUrl, {
    method: "POST",
    headers: { authorization: `Bearer ${env.OPENAI_API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

/**
 * Runs `fn` with the offline server in `mode`, then restores normal mode. Restoring with an explicit
 * normal mode (not `{reset: true}`) keeps the recorded requests other files may be inspecting.
 */
async function withMode<T>(mode: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
  expect(await control({ mode })).toMatchObject({ ok: true, mode });
  try {
    return await fn();
  } finally {
    expect(await control({ mode: { kind: "normal" } })).toMatchObject({ ok: true, mode: { kind: "normal" } });
  }
}

const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: "system", content: "You are a supportive companion." },
  { role: "user", content: `I feel anxious about tomorrow (${crypto.randomUUID()})` },
];

describe("openai client against the offline server", () => {
  it("the control endpoint requires the API key", async () => {
    const res = await fetch(controlUrl, {
      method: "POST",
      headers: { authorization: "Bearer wrong", "content-type": "application/json" },
      body: JSON.stringify({ reset: true }),
    });
    expect(res.status).toBe(401);
  });

  it("a streamed completion, assembled from its chunks, equals the non-streamed reply", async () => {
    const client = createOpenAI(config);
    const stream = await client.chat.completions.create({
      model: config.OPENAI_MODEL,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const pieces: string[] = [];
    let chunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.object).toBe("chat.completion.chunk");
      expect(chunk.model).toBe(config.OPENAI_MODEL);
      const choice = chunk.choices[0];
      if (choice?.delta.content) pieces.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    const streamed = pieces.join("");
    expect(pieces.length).toBeGreaterThan(3);
    expect(chunks).toBeGreaterThan(pieces.length); // + role chunk, finish chunk, usage chunk
    expect(finish).toBe("stop");
    expect(usage?.completion_tokens).toBe(pieces.length);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + pieces.length);

    const whole = await client.chat.completions.create({ model: config.OPENAI_MODEL, messages });
    expect(whole.object).toBe("chat.completion");
    expect(whole.choices[0]?.finish_reason).toBe("stop");
    expect(whole.choices[0]?.message.role).toBe("assistant");
    expect(whole.choices[0]?.message.content).toBe(streamed);
    expect(streamed).toContain("offline companion");
    // The user's message is never echoed back.
    expect(streamed).not.toContain("anxious");
  });

  it("moderations answer with the category shape the client expects", async () => {
    const client = createOpenAI(config);
    const res = await client.moderations.create({
      model: "omni-moderation-latest",
      input: ["What a lovely day", "I want to end my life"],
    });
    expect(res.results.map((r) => r.flagged)).toEqual([false, true]);
    expect(res.results[1]?.categories["self-harm"]).toBe(true);
    expect(res.results[0]?.categories["self-harm"]).toBe(false);
  });

  it("error mode: the client throws APIError with status 503", async () => {
    const client = createOpenAI(config);
    const err = await withMode({ kind: "error", status: 503 }, () =>
      client.chat.completions.create({ model: config.OPENAI_MODEL, messages }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(err).toBeInstanceOf(APIError);
    expect(err).toBeInstanceOf(InternalServerError);
    expect((err as APIError).status).toBe(503);
    expect((err as APIError).message).toContain("Offline test error (status 503)");
    // Back in normal mode the same call succeeds.
    const ok = await client.chat.completions.create({ model: config.OPENAI_MODEL, messages });
    expect(ok.choices[0]?.message.content).toContain("offline companion");
  });

  it("slow mode: a client built with timeoutMs 300 times out", async () => {
    const client = createOpenAI(config, { timeoutMs: 300 });
    const started = Date.now();
    const err = await withMode({ kind: "slow", firstTokenDelayMs: 5_000 }, () =>
      client.chat.completions.create({ model: config.OPENAI_MODEL, messages, stream: true }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(APIConnectionTimeoutError);
    expect((err as Error).message).toMatch(/timed out/i);
    expect(elapsed).toBeLessThan(3_000);
    // The short-timeout client works once the server is fast again.
    const ok = await client.chat.completions.create({ model: config.OPENAI_MODEL, messages });
    expect(ok.choices[0]?.message.content).toContain("offline companion");
  });
});
