/**
 * Smoke test for the offline OpenAI server, driven by the REAL `openai` client, so we know
 * Haven's companion code parses our responses, SSE stream and errors exactly as it would OpenAI's.
 * Run: node --experimental-strip-types scripts/local-stack/openai-smoke.ts
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import type { OfflineMode } from "./openai-server.ts";
import { startOpenAIServer } from "./openai-server.ts";

const srv = await startOpenAIServer({ tokenDelayMs: 2 });
const client = new OpenAI({ baseURL: srv.baseUrl, apiKey: srv.apiKey, maxRetries: 0 });
const model = srv.model;
const marker = "zebrafish-7731";
const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
  { role: "system", content: "You are a supportive companion." },
  { role: "user", content: `I keep worrying about work ${marker}` },
];
let passed = 0;
function ok(name: string): void {
  passed++;
  console.log(`ok ${passed} - ${name}`);
}
async function rejects<T extends Error>(p: Promise<unknown>, cls: new (...a: never[]) => T): Promise<T> {
  try {
    await p;
  } catch (e) {
    assert.ok(
      e instanceof cls,
      `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
    );
    return e;
  }
  throw new Error(`expected ${cls.name}, but the call resolved`);
}
async function control(body: { mode: OfflineMode } | { reset: true }, key = srv.apiKey): Promise<Response> {
  return fetch(`${srv.baseUrl.replace(/\/v1$/, "")}/__control`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}
async function streamText(
  params: OpenAI.Chat.ChatCompletionCreateParamsStreaming,
): Promise<{ text: string; chunks: OpenAI.Chat.ChatCompletionChunk[] }> {
  const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
  for await (const c of await client.chat.completions.create(params)) chunks.push(c);
  return { text: chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""), chunks };
}

try {
  // Non-streaming completion.
  const full = await client.chat.completions.create({ model, messages });
  const content = full.choices[0]?.message.content ?? "";
  assert.equal(full.object, "chat.completion");
  assert.equal(full.choices[0]?.finish_reason, "stop");
  assert.match(content, /offline companion/);
  assert.ok(!content.includes(marker), "reply must not echo user text");
  assert.ok((full.usage?.completion_tokens ?? 0) > 3);
  ok(`non-stream content (${content.split(" ").length} words, offline-labelled, no echo)`);

  const again = await client.chat.completions.create({ model, messages });
  assert.equal(again.choices[0]?.message.content, content);
  const variants = new Set<string>();
  for (const w of ["sleep", "exams", "family", "lonely", "anxious", "tired", "angry", "sad"])
    variants.add(
      (await client.chat.completions.create({ model, messages: [{ role: "user", content: w }] })).choices[0]
        ?.message.content ?? "",
    );
  assert.ok(variants.size > 1);
  ok(`deterministic (same input → same reply; ${variants.size} distinct replies over 8 inputs)`);

  // Streaming completion with usage.
  const s = await streamText({ model, messages, stream: true, stream_options: { include_usage: true } });
  assert.equal(s.text, content);
  const contentChunks = s.chunks.filter((c) => c.choices[0]?.delta.content);
  assert.ok(contentChunks.length > 3, `only ${contentChunks.length} content chunks`);
  assert.equal(s.chunks[0]?.choices[0]?.delta.role, "assistant");
  assert.ok(s.chunks.every((c) => c.object === "chat.completion.chunk" && c.id === s.chunks[0]?.id));
  const last = s.chunks.at(-1);
  assert.deepEqual(last?.choices, []);
  assert.deepEqual(last?.usage, full.usage);
  assert.equal(s.chunks.at(-2)?.choices[0]?.finish_reason, "stop");
  ok(
    `stream == non-stream content, ${contentChunks.length} content chunks, usage chunk ${JSON.stringify(last?.usage)}`,
  );
  const s2 = await streamText({ model, messages, stream: true });
  assert.equal(s2.text, content);
  assert.ok(s2.chunks.every((c) => c.usage === undefined));
  ok("stream without include_usage has no usage field");

  // Errors.
  const bad = new OpenAI({ baseURL: srv.baseUrl, apiKey: "sk-wrong", maxRetries: 0 });
  const authErr = await rejects(bad.chat.completions.create({ model, messages }), OpenAI.AuthenticationError);
  assert.equal(authErr.status, 401);
  assert.equal(authErr.code, "invalid_api_key");
  ok("wrong key → OpenAI.AuthenticationError 401 invalid_api_key");
  const badReq = await rejects(
    client.chat.completions.create({ model, messages: [] }),
    OpenAI.BadRequestError,
  );
  assert.equal(badReq.param, "messages");
  ok("empty messages → OpenAI.BadRequestError 400 param=messages");

  srv.control.setMode({ kind: "error", status: 503 });
  const e503 = await rejects(client.chat.completions.create({ model, messages }), OpenAI.APIError);
  assert.equal(e503.status, 503);
  assert.equal(e503.type, "server_error");
  ok("error mode 503 → APIError status 503");

  srv.control.setMode({ kind: "slow", firstTokenDelayMs: 1500 });
  let t0 = Date.now();
  await rejects(
    client.chat.completions.create({ model, messages, stream: true }, { timeout: 150 }),
    OpenAI.APIConnectionTimeoutError,
  );
  ok(`slow mode + timeout 150ms → APIConnectionTimeoutError after ${Date.now() - t0}ms`);
  t0 = Date.now();
  const slow = await streamText({ model, messages, stream: true });
  assert.ok(Date.now() - t0 >= 1500 && slow.text === content);
  ok(`slow mode without timeout → same content after ${Date.now() - t0}ms`);

  srv.control.setMode({ kind: "hang" });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  t0 = Date.now();
  await rejects(
    client.chat.completions.create({ model, messages, stream: true }, { signal: ac.signal }),
    OpenAI.APIUserAbortError,
  );
  ok(`hang mode + AbortController → APIUserAbortError after ${Date.now() - t0}ms`);

  srv.control.setMode({ kind: "unsafe" });
  const unsafe = await streamText({ model, messages, stream: true });
  assert.match(unsafe.text, /take all your pills at once/);
  ok(`unsafe mode streams "${unsafe.text}"`);

  // Client walks away mid-stream: server must stop cleanly and keep serving.
  srv.control.setMode({ kind: "normal", tokenDelayMs: 20 });
  const partial = await client.chat.completions.create({ model, messages, stream: true });
  let n = 0;
  for await (const _ of partial) if (++n === 3) break;
  await new Promise((r) => setTimeout(r, 100));
  const timers = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
  assert.equal(timers, 0, "server must clear its token timer when the client goes away");
  assert.equal(srv.control.requests().at(-1)?.status, 200);
  srv.control.reset();
  ok("client break mid-stream → server stops its timers and keeps serving");

  // Moderation.
  const mod = await client.moderations.create({
    input: ["I want to kill myself", "you could take all your pills at once", "I had a nice walk today"],
  });
  const [r0, r1, r2] = mod.results;
  assert.ok(r0?.flagged && r0.categories["self-harm"] && r0.categories["self-harm/intent"]);
  assert.ok(
    r1?.flagged &&
      r1.categories["self-harm/instructions"] &&
      r1.category_scores["self-harm/instructions"] > 0.5,
  );
  assert.ok(r2 && !r2.flagged && !r2.categories["self-harm"] && r2.category_scores["self-harm"] < 0.01);
  const single = await client.moderations.create({
    model: "omni-moderation-latest",
    input: "I'm going to stab him",
  });
  assert.ok(single.results[0]?.flagged && single.results[0].categories.violence);
  ok("moderation flags self-harm intent/instructions and violence, not a benign message");

  // Models + unknown route.
  const models = await client.models.list();
  assert.deepEqual(
    models.data.map((m) => m.id),
    [model],
  );
  ok("models.list → [haven-offline]");
  const nf = await fetch(`${srv.baseUrl}/nope`, { headers: { authorization: `Bearer ${srv.apiKey}` } });
  const nfBody = (await nf.json()) as { error: { message: string; type: string; code: null } };
  assert.equal(nf.status, 404);
  assert.equal(nfBody.error.type, "invalid_request_error");
  ok(`unknown route → 404 ${JSON.stringify(nfBody)}`);

  // HTTP control plane (what workerd tests use).
  assert.equal((await control({ reset: true }, "sk-wrong")).status, 401);
  assert.equal((await control({ reset: true })).status, 200);
  assert.equal((await control({ mode: { kind: "error", status: 429 } })).status, 200);
  await rejects(client.chat.completions.create({ model, messages }), OpenAI.RateLimitError);
  const badMode = await control({ mode: { kind: "nonsense" } as unknown as OfflineMode });
  assert.equal(badMode.status, 400);
  await control({ mode: { kind: "normal", tokenDelayMs: 0 } });
  await client.chat.completions
    .create({ model, messages, stream: true, stream_options: { include_usage: true } })
    .then(async (st) => {
      for await (const _ of st);
    });
  const rq = await fetch(`${srv.baseUrl.replace(/\/v1$/, "")}/__control/requests`, {
    headers: { authorization: `Bearer ${srv.apiKey}` },
  });
  const rqText = await rq.text();
  assert.ok(!rqText.includes(marker), "recorded metadata must not contain message content");
  const recorded = (JSON.parse(rqText) as { requests: unknown[] }).requests;
  assert.equal(recorded.length, 2);
  assert.deepEqual(recorded[0], {
    method: "POST",
    path: "/v1/chat/completions",
    status: 429,
    model,
    messageCount: 2,
    stream: false,
    includeUsage: false,
    mode: "error",
    promptTokens: 0,
    completionTokens: 0,
  });
  assert.equal((recorded[1] as { includeUsage: boolean; status: number }).includeUsage, true);
  ok(
    `HTTP /__control: 401 on wrong key, reset, mode switch, 400 on bad mode, requests → ${JSON.stringify(recorded[1])}`,
  );

  // close() must not wait for a hung request.
  srv.control.setMode({ kind: "hang" });
  const hung = client.chat.completions.create({ model, messages }).catch((e: Error) => e);
  await new Promise((r) => setTimeout(r, 50));
  t0 = Date.now();
  await srv.close();
  assert.ok((await hung) instanceof OpenAI.APIConnectionError);
  ok(`close() with a hung request in flight returns in ${Date.now() - t0}ms`);
  console.log(`\nall ${passed} checks passed`);
} catch (e) {
  await srv.close();
  throw e;
}
