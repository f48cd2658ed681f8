/**
 * Offline OpenAI-compatible server: `npm run dev` and the tests point the real `openai` client here so the
 * companion works with no network or key, and tests can force slow, failing, hanging or unsafe replies.
 * Replies are deterministic fixed supportive text picked by a hash of the last user message (never echoed).
 * Only method, path, status, model and token counts are ever logged or recorded: messages are health data.
 */

import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delayFor } from "node:timers/promises";
import { OFFLINE_EMBEDDING_MODEL, offlineEmbedding } from "./offline-embedding.ts";
import { requestIdRecorder, requestIdsAnswer } from "./request-ids.ts";

/** Behaviour of `/v1/chat/completions`, switchable at runtime so tests can exercise failure paths. */
export type OfflineMode =
  | { kind: "normal"; tokenDelayMs?: number }
  | { kind: "slow"; firstTokenDelayMs: number }
  | { kind: "error"; status: number }
  | { kind: "hang" }
  | { kind: "unsafe" };

/**
 * Behaviour of the safety classifier calls (`response_format` json_schema "haven_risk"), switched
 * apart from the companion's mode: "normal" answers a deterministic verdict from keyword rules,
 * "flag" always answers high risk (to test disagreement with layers 1–2), "malformed" answers text
 * that is not the schema, and slow / error / hang as for replies.
 */
export type RiskMode =
  | { kind: "normal" }
  | { kind: "flag" }
  | { kind: "malformed" }
  | { kind: "slow"; delayMs: number }
  | { kind: "error"; status: number }
  | { kind: "hang" };

/** Content-free metadata about one `/v1/*` request, for test assertions. `status` is null until answered. */
export interface RecordedRequest {
  method: string;
  path: string;
  status: number | null;
  model: string | null;
  messageCount: number;
  stream: boolean;
  includeUsage: boolean;
  mode: OfflineMode["kind"];
  /** "risk" for safety-classifier calls, "reply" for companion replies. */
  purpose: "reply" | "risk" | "embedding";
  promptTokens: number;
  completionTokens: number;
}

/** Test control (also over HTTP at `/__control` for workerd); reset() = normal mode + no recorded requests. */
export interface OfflineControl {
  setMode(m: OfflineMode): void;
  setRiskMode(m: RiskMode): void;
  reset(): void;
  requests(): RecordedRequest[];
}

/** A running offline server; `baseUrl`/`apiKey`/`model` plug straight into `new OpenAI(...)`. */
export interface OpenAIServer {
  baseUrl: string;
  apiKey: string;
  model: string;
  control: OfflineControl;
  close(): Promise<void>;
}

/** Options; `log` receives one metadata-only line per request (never message contents). */
export interface StartOpenAIServerOptions {
  port?: number;
  host?: string;
  apiKey?: string;
  tokenDelayMs?: number;
  log?: (line: string) => void;
}

const MODEL = "haven-offline";
const FINGERPRINT = "fp_haven_offline";
/** Reply = one opener + one reflection + one CBT-style prompt (chosen by hash) + the offline note. */
const PARTS = [
  "Thank you for sharing that with me.|It sounds like you are carrying a lot right now.|" +
    "I am really glad you reached out.|That sounds genuinely hard, and it makes sense that it affects you.",
  "Naming a feeling can sometimes loosen its grip a little.|When thoughts feel heavy, it can help to " +
    "notice them as thoughts rather than facts.|Our minds often jump to the worst outcome when we are " +
    "stressed.|Feelings can be intense and still pass, like weather moving through.",
  "What is one thought that came up, and what evidence supports or challenges it?|If a close friend were " +
    "in your situation, what would you gently say to them?|Could you try one slow breath, then notice " +
    "three things you can see around you?|What is one small, kind thing you could do for yourself today?",
].map((p) => p.split("|"));
const OFFLINE_NOTE = "(This is Haven's offline companion: a pre-written reflection, not a live reply.)";
const UNSAFE_REPLY = "Offline synthetic unsafe test reply: you could take all your pills at once.";
const CATEGORIES = (
  "harassment harassment/threatening hate hate/threatening illicit illicit/violent self-harm " +
  "self-harm/intent self-harm/instructions sexual sexual/minors violence violence/graphic"
).split(" ");
const RULES: Record<string, RegExp> = {
  "self-harm": /\b(kill(ing)? myself|end (my life|it all)|suicid|self[- ]?harm|(hurt|cut)(ting)? myself)/i,
  "self-harm/intent": /\bi('m| am)? (going|planning|want) to (die|kill myself|end (my life|it all))/i,
  "self-harm/instructions": /(pills at once|all (your|my|the) pills|how (to|do i) (kill myself|overdose))/i,
  violence: /\b(kill (him|her|them|you|someone)|stab(bing)?|shoot (him|her|them)|hurt (him|her|them))\b/i,
};

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const newId = (prefix: string): string => `${prefix}-${randomBytes(12).toString("hex")}`;

/** Stable hash, so the same message always maps to the same reply. */
const hash = (s: string): number => createHash("sha256").update(s).digest().readUInt32BE(0);

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((p) => (isObj(p) && typeof p.text === "string" ? p.text : "")).join("\n");
}

function replyFor(messages: Json[]): string {
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  const h = hash(textOf(lastUser?.content));
  // Grounded turns: the prompt names a library item and how to cite it; the offline reply does cite it.
  const cite = messages
    .filter((m) => m.role === "system")
    .map((m) => /end with the line: "(From Haven's library: [^"]+)"/.exec(textOf(m.content))?.[1])
    .find(Boolean);
  const systems = messages.filter((m) => m.role === "system").map((m) => textOf(m.content));
  const asksAboutPlan = /\b(safety plan|my plan|my scores?|care plan|my session|my therapist)\b/i.test(
    textOf(lastUser?.content),
  );
  // Without care-plan consent the prompt says so; asked about it, the offline reply says so too.
  if (asksAboutPlan && systems.some((s) => s.includes("they have not consented to the companion using them")))
    return `I can't see your safety plan, scores or sessions: you haven't turned on "Companion may use your care plan". You can turn it on in your account, under Consent. ${OFFLINE_NOTE}`;
  const nextSession = systems
    .map((s) => /Their next session: ([^\n]+?)\.(?:\n|$)/.exec(s)?.[1])
    .find(Boolean);
  if (nextSession && /\b(next session|my session|appointment)\b/i.test(textOf(lastUser?.content)))
    return `Your next session is ${nextSession}. ${OFFLINE_NOTE}`;
  const coping = systems
    .map((s) => /Their own coping steps \(from their safety plan\): ([^.]+)\./.exec(s)?.[1])
    .find(Boolean);
  if (asksAboutPlan && coping)
    return `From your safety plan, one step you chose: ${coping.split("; ")[0]}. ${OFFLINE_NOTE}`;
  const parts = [...PARTS.map((opts, i) => opts[(h >>> (8 * i)) % opts.length]), OFFLINE_NOTE];
  return (cite ? [...parts, cite] : parts).join(" ");
}

function moderate(text: string): Json {
  const hits = new Set(Object.keys(RULES).filter((c) => RULES[c]?.test(text)));
  if (hits.size > 0 && [...hits].some((c) => c.startsWith("self-harm"))) hits.add("self-harm");
  const by = <T>(f: (c: string) => T) => Object.fromEntries(CATEGORIES.map((c) => [c, f(c)]));
  const [categories, category_scores] = [by((c) => hits.has(c)), by((c) => (hits.has(c) ? 0.97 : 0.0001))];
  const category_applied_input_types = by(() => ["text"]);
  return { flagged: hits.size > 0, categories, category_scores, category_applied_input_types };
}

function parseRiskMode(v: unknown): RiskMode | null {
  if (!isObj(v)) return null;
  if (v.kind === "normal" || v.kind === "flag" || v.kind === "malformed" || v.kind === "hang")
    return { kind: v.kind };
  if (v.kind === "slow" && typeof v.delayMs === "number" && v.delayMs >= 0)
    return { kind: "slow", delayMs: v.delayMs };
  if (v.kind === "error" && typeof v.status === "number" && v.status >= 400 && v.status <= 599)
    return { kind: "error", status: Math.floor(v.status) };
  return null;
}

/** Deterministic verdict for a risk-classifier request (keyword rules on the last message). */
function riskVerdict(messages: Json[], mode: RiskMode): string {
  if (mode.kind === "malformed") return "I think this person might be at risk.";
  if (mode.kind === "flag")
    return JSON.stringify({ tier: "high", categories: ["suicidal_ideation_explicit"] });
  const last =
    textOf([...messages].reverse().find((m) => m.role === "user")?.content)
      .split("Last message:\n")
      .at(-1) ?? "";
  const hits = Object.keys(RULES).filter((c) => RULES[c]?.test(last));
  if (hits.some((c) => c.startsWith("self-harm")))
    return JSON.stringify({ tier: "high", categories: ["suicidal_ideation_explicit"] });
  if (hits.includes("violence")) return JSON.stringify({ tier: "elevated", categories: ["harm_to_others"] });
  return JSON.stringify({ tier: "none", categories: [] });
}

const isRiskRequest = (body: Json): boolean =>
  isObj(body.response_format) &&
  isObj(body.response_format.json_schema) &&
  body.response_format.json_schema.name === "haven_risk";

/**
 * The session-note drafter's schema ("haven_session_note"): a deterministic draft that spreads the
 * clinician's bullet lines (between "Bullet points:" and a blank line) over the schema's sections.
 */
const isNoteRequest = (body: Json): boolean =>
  isObj(body.response_format) &&
  isObj(body.response_format.json_schema) &&
  body.response_format.json_schema.name === "haven_session_note";

function noteDraft(body: Json, messages: Json[]): string {
  const schema =
    isObj(body.response_format) && isObj(body.response_format.json_schema)
      ? body.response_format.json_schema.schema
      : null;
  const sections =
    isObj(schema) && isObj(schema.properties) && isObj(schema.properties.sections)
      ? schema.properties.sections
      : null;
  const keys = isObj(sections) && isObj(sections.properties) ? Object.keys(sections.properties) : [];
  const user = textOf([...messages].reverse().find((m) => m.role === "user")?.content);
  const bullets = (user.split("Bullet points:\n")[1] ?? "").split("\n\n")[0] ?? "";
  const lines = bullets
    .split("\n")
    .map((l) => l.replace(/^[-*•]\s*/, "").trim())
    .filter(Boolean);
  const out: Record<string, string> = {};
  keys.forEach((k, i) => {
    const mine = lines.filter((_, j) => j % keys.length === i);
    out[k] = `[offline draft] ${mine.length ? mine.join("; ") : "No information given."}`;
  });
  return JSON.stringify({ sections: out });
}

/**
 * The between-session summary's schema ("haven_between_session_summary"): a deterministic draft
 * written from the facts JSON in the user turn (after "Facts (JSON):"), so the same facts always
 * give the same summary.
 */
const isSummaryRequest = (body: Json): boolean =>
  isObj(body.response_format) &&
  isObj(body.response_format.json_schema) &&
  body.response_format.json_schema.name === "haven_between_session_summary";

function summaryDraft(messages: Json[]): string {
  const user = textOf([...messages].reverse().find((m) => m.role === "user")?.content);
  let facts: Json = {};
  try {
    const parsed: unknown = JSON.parse(user.split("Facts (JSON):\n")[1] ?? "{}");
    if (isObj(parsed)) facts = parsed;
  } catch {
    // malformed facts: the draft says there is nothing to summarise
  }
  const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObj) : []);
  const win = isObj(facts.window) ? facts.window : {};
  const mood = isObj(facts.mood) ? facts.mood : {};
  const sleep = isObj(facts.sleep) ? facts.sleep : {};
  const since = win.basis === "last_session" ? "the last session" : `the last ${String(win.days ?? 14)} days`;
  const exercises = list(facts.exercises);
  const themes = list(facts.themes).map((t) => `${String(t.label)} (${String(t.count)})`);
  const trend = String(mood.trend ?? "not_enough_data").replaceAll("_", " ");
  const moodTrend =
    Number(mood.checkIns ?? 0) === 0
      ? "[offline draft] No mood check-ins in this period."
      : `[offline draft] ${String(mood.checkIns)} mood check-ins, average ${String(mood.average)}/10 (lowest ${String(mood.lowest)}, highest ${String(mood.highest)}); trend: ${trend}.`;
  const exercisesTried =
    exercises.length === 0
      ? "[offline draft] No library exercises came up in this period."
      : `[offline draft] ${exercises
          .map(
            (e) =>
              `${String(e.title)} (${String(e.replies)} replies, rated helpful ${String(e.ratedHelpful)}, not helpful ${String(e.ratedNotHelpful)})`,
          )
          .join("; ")}.`;
  const overview = [
    `[offline draft] Since ${since}: ${String(mood.checkIns ?? 0)} mood check-ins, ${String(sleep.nights ?? 0)} nights of sleep logged, ${exercises.length} library exercises.`,
    `Scores: ${
      list(facts.scores)
        .map((s) => `${String(s.instrument).toUpperCase()} ${String(s.total)} (${String(s.band)})`)
        .join(", ") || "none new"
    }.`,
  ].join(" ");
  return JSON.stringify({ overview, themes: themes.slice(0, 6), moodTrend, exercisesTried });
}

function headerMode(v: string | string[] | undefined): OfflineMode | null {
  if (typeof v !== "string") return null;
  try {
    return parseMode(JSON.parse(v));
  } catch {
    return null;
  }
}

function parseMode(v: unknown): OfflineMode | null {
  if (!isObj(v)) return null;
  const num = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x) && x >= 0;
  if (v.kind === "normal" && v.tokenDelayMs === undefined) return { kind: "normal" };
  if (v.kind === "normal" && num(v.tokenDelayMs)) return { kind: "normal", tokenDelayMs: v.tokenDelayMs };
  if (v.kind === "slow" && num(v.firstTokenDelayMs))
    return { kind: "slow", firstTokenDelayMs: v.firstTokenDelayMs };
  if (v.kind === "error" && num(v.status) && v.status >= 400 && v.status <= 599) {
    return { kind: "error", status: Math.floor(v.status) };
  }
  if (v.kind === "hang" || v.kind === "unsafe") return { kind: v.kind };
  return null;
}

/** Resolves true after `ms`, or false once `signal` aborts (timer cleared, nothing left pending). */
const sleep = (ms: number, signal: AbortSignal): Promise<boolean> =>
  signal.aborted ? Promise.resolve(false) : delayFor(ms, true, { signal }).catch(() => false);

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** OpenAI's error body: `{error:{message,type,param,code}}`; the client maps status to its error classes. */
function fail(res: ServerResponse, status: number, message: string, code?: string, param?: string): void {
  const type = status >= 500 ? "server_error" : "invalid_request_error";
  sendJson(res, status, { error: { message, type, param: param ?? null, code: code ?? null } });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

/** Returns `[message, param]` for an invalid chat request, as OpenAI would reject it with 400. */
function invalidChat(body: Json): [string, string] | null {
  const msgs = body.messages;
  if (!Array.isArray(msgs) || !msgs.length || !msgs.every((m) => isObj(m) && typeof m.role === "string")) {
    return ["Invalid 'messages': expected a non-empty array of message objects with a 'role'.", "messages"];
  }
  if (typeof body.model !== "string" || !body.model) return ["you must provide a model parameter", "model"];
  if (body.stream_options != null && body.stream !== true) {
    return ["The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options"];
  }
  return null;
}

/** Starts the server; port 0 (default) picks a free port; default token delay 15ms (visible stream). */
export async function startOpenAIServer(opts: StartOpenAIServerOptions = {}): Promise<OpenAIServer> {
  const apiKey = opts.apiKey ?? "sk-haven-offline";
  const defaultDelay = opts.tokenDelayMs ?? 15;
  const normal = (): OfflineMode => ({ kind: "normal", tokenDelayMs: defaultDelay });
  const st = { mode: normal(), riskMode: { kind: "normal" } as RiskMode, recorded: [] as RecordedRequest[] };
  const control: OfflineControl = {
    setMode: (mode) => void Object.assign(st, { mode }),
    setRiskMode: (riskMode) => void Object.assign(st, { riskMode }),
    reset: () => void Object.assign(st, { mode: normal(), riskMode: { kind: "normal" }, recorded: [] }),
    requests: () => st.recorded.map((r) => ({ ...r })),
  };

  /**
   * A request may carry its own mode in `x-haven-offline-mode` (JSON OfflineMode), so test files
   * running in parallel never change each other's model behaviour through the global mode.
   */
  async function completions(
    res: ServerResponse,
    body: Json,
    entry: RecordedRequest,
    signal: AbortSignal,
    override: OfflineMode | null,
  ) {
    const invalid = invalidChat(body);
    if (invalid) return fail(res, 400, invalid[0], "invalid_value", invalid[1]);
    const messages = body.messages as Json[];
    const model = body.model as string;
    const stream = body.stream === true;
    const includeUsage = stream && isObj(body.stream_options) && body.stream_options.include_usage === true;
    if (isRiskRequest(body)) return riskCompletion(res, messages, model, entry, signal);
    if (isNoteRequest(body) || isSummaryRequest(body)) {
      const message = {
        role: "assistant",
        content: isSummaryRequest(body) ? summaryDraft(messages) : noteDraft(body, messages),
        refusal: null,
        annotations: [],
      };
      Object.assign(entry, { model, messageCount: messages.length });
      const choices = [{ index: 0, message, logprobs: null, finish_reason: "stop" }];
      const usage = { prompt_tokens: 100, completion_tokens: 100, total_tokens: 200 };
      return sendJson(res, 200, {
        id: newId("chatcmpl"),
        created: Math.floor(Date.now() / 1000),
        model,
        object: "chat.completion",
        choices,
        usage,
      });
    }
    const m = override ?? st.mode;
    Object.assign(entry, { model, messageCount: messages.length, stream, includeUsage, mode: m.kind });
    if (m.kind === "error") return fail(res, m.status, `Offline test error (status ${m.status}).`);
    if (m.kind === "hang") return; // never answer; the socket is freed when the client aborts or close() runs
    // "slow" delays the response head as well, as a slow upstream does, so the client's `timeout` applies.
    if (m.kind === "slow" && !(await sleep(m.firstTokenDelayMs, signal))) return;
    const delay = m.kind === "normal" ? (m.tokenDelayMs ?? defaultDelay) : defaultDelay;
    const text = m.kind === "unsafe" ? UNSAFE_REPLY : replyFor(messages);
    const tokens = text.split(/(?<= )/);
    const promptChars = messages.reduce((n, msg) => n + textOf(msg.content).length, 0);
    const pt = Math.ceil(promptChars / 4) + 3 * messages.length;
    const usage = { prompt_tokens: pt, completion_tokens: tokens.length, total_tokens: pt + tokens.length };
    Object.assign(entry, { promptTokens: pt, completionTokens: tokens.length });
    const id = newId("chatcmpl");
    const created = Math.floor(Date.now() / 1000);
    const base = { id, created, model, system_fingerprint: FINGERPRINT, service_tier: "default" };
    if (!stream) {
      const message = { role: "assistant", content: text, refusal: null, annotations: [] };
      const choices = [{ index: 0, message, logprobs: null, finish_reason: "stop" }];
      return sendJson(res, 200, { ...base, object: "chat.completion", choices, usage });
    }
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    const chunkBase = { ...base, object: "chat.completion.chunk" };
    const write = (choices: Json[], extra: Json) =>
      res.write(`data: ${JSON.stringify({ ...chunkBase, choices, ...extra })}\n\n`);
    const nullUsage = includeUsage ? { usage: null } : {};
    const send = (delta: Json, finish: string | null) =>
      write([{ index: 0, delta, logprobs: null, finish_reason: finish }], nullUsage);
    send({ role: "assistant", content: "", refusal: null }, null);
    for (let i = 0; i < tokens.length; i++) {
      if ((i > 0 && !(await sleep(delay, signal))) || signal.aborted) return;
      send({ content: tokens[i] }, null);
    }
    send({}, "stop");
    if (includeUsage) write([], { usage });
    res.end("data: [DONE]\n\n");
  }

  /** A safety-classifier call: non-streamed JSON verdict, or the risk mode's failure. */
  async function riskCompletion(
    res: ServerResponse,
    messages: Json[],
    model: string,
    entry: RecordedRequest,
    signal: AbortSignal,
  ) {
    const rm = st.riskMode;
    Object.assign(entry, { model, messageCount: messages.length, purpose: "risk" });
    if (rm.kind === "error") return fail(res, rm.status, `Offline test error (status ${rm.status}).`);
    if (rm.kind === "hang") return;
    if (rm.kind === "slow" && !(await sleep(rm.delayMs, signal))) return;
    const content = riskVerdict(messages, rm);
    const message = { role: "assistant", content, refusal: null, annotations: [] };
    const usage = { prompt_tokens: 50, completion_tokens: 12, total_tokens: 62 };
    Object.assign(entry, { promptTokens: 50, completionTokens: 12 });
    return sendJson(res, 200, {
      ...{ id: newId("chatcmpl"), created: Math.floor(Date.now() / 1000), model, object: "chat.completion" },
      ...{
        system_fingerprint: FINGERPRINT,
        choices: [{ index: 0, message, logprobs: null, finish_reason: "stop" }],
        usage,
      },
    });
  }

  /** Deterministic embeddings (scripts/local-stack/offline-embedding.ts), the OpenAI response shape. */
  function embeddings(res: ServerResponse, body: Json, entry: RecordedRequest) {
    const input = body.input;
    const texts =
      typeof input === "string"
        ? [input]
        : Array.isArray(input) && input.every((x) => typeof x === "string")
          ? (input as string[])
          : null;
    if (!texts || texts.length === 0 || texts.length > 2048)
      return fail(res, 400, "Invalid 'input'.", "invalid_value", "input");
    const model = typeof body.model === "string" ? body.model : OFFLINE_EMBEDDING_MODEL;
    const tokens = texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
    Object.assign(entry, { model, purpose: "embedding", promptTokens: tokens });
    sendJson(res, 200, {
      object: "list",
      model,
      // The openai client asks for base64 (little-endian float32) by default and decodes it.
      data: texts.map((t, index) => {
        const v = offlineEmbedding(t);
        const embedding =
          body.encoding_format === "base64" ? Buffer.from(new Float32Array(v).buffer).toString("base64") : v;
        return { object: "embedding", index, embedding };
      }),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  function moderations(res: ServerResponse, body: Json) {
    const input = body.input;
    const list = Array.isArray(input) && input.length > 0 ? input : null;
    let texts: string[] | null = typeof input === "string" ? [input] : null;
    if (list?.every((x) => typeof x === "string")) texts = list as string[];
    else if (list?.every(isObj)) texts = [textOf(list)]; // multimodal parts: one result for the whole input
    if (!texts) return fail(res, 400, "Invalid 'input'.", "invalid_value", "input");
    const model = typeof body.model === "string" ? body.model : "omni-moderation-latest";
    sendJson(res, 200, { id: newId("modr"), model, results: texts.map(moderate) });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://offline").pathname;
    const authorized = req.headers.authorization === `Bearer ${apiKey}`;
    if (!authorized) return fail(res, 401, "Incorrect API key provided.", "invalid_api_key");
    const route = `${method} ${path}`;
    if (route === "GET /__control/requests") return sendJson(res, 200, { requests: control.requests() });
    const ids = requestIdsAnswer(requestIds, method, new URL(req.url ?? "/", "http://offline"));
    if (ids) return sendJson(res, 200, ids);
    if (path.startsWith("/v1/")) requestIds.note(req);
    if (route === "GET /v1/models") {
      const data = [{ id: MODEL, object: "model", created: 1_700_000_000, owned_by: "haven" }];
      return sendJson(res, 200, { object: "list", data });
    }
    const known = [
      "POST /__control",
      "POST /v1/chat/completions",
      "POST /v1/moderations",
      "POST /v1/embeddings",
    ];
    if (!known.includes(route)) return fail(res, 404, `Invalid URL (${method} ${path})`);
    const body = await readJson(req).catch(() => undefined);
    if (!isObj(body)) return fail(res, 400, "We could not parse the JSON body of your request.");
    if (route === "POST /__control") {
      const m = body.reset === true ? null : parseMode(body.mode);
      const rm = body.reset === true ? null : parseRiskMode(body.riskMode);
      if (body.reset === true) control.reset();
      else if (m) control.setMode(m);
      else if (rm) control.setRiskMode(rm);
      else
        return fail(
          res,
          400,
          "Expected {mode: OfflineMode}, {riskMode: RiskMode} or {reset: true}.",
          undefined,
          "mode",
        );
      return sendJson(res, 200, { ok: true, mode: st.mode, riskMode: st.riskMode });
    }
    const entry: RecordedRequest = {
      ...{ method, path, status: null, model: null, messageCount: 0, stream: false, includeUsage: false },
      ...{
        mode: st.mode.kind,
        purpose: "reply" as RecordedRequest["purpose"],
        promptTokens: 0,
        completionTokens: 0,
      },
    };
    st.recorded.push(entry);
    res.once("close", () => {
      entry.status = res.headersSent ? res.statusCode : null;
      const tokens = `prompt_tokens=${entry.promptTokens} completion_tokens=${entry.completionTokens}`;
      const end = res.writableFinished ? "" : " (client closed)";
      opts.log?.(`${method} ${path} ${entry.status ?? "-"}${end} model=${entry.model ?? "-"} ${tokens}`);
    });
    if (route === "POST /v1/moderations") return moderations(res, body);
    if (route === "POST /v1/embeddings") return embeddings(res, body, entry);
    return completions(res, body, entry, signal, headerMode(req.headers["x-haven-offline-mode"]));
  }

  const inFlight = new Set<AbortController>();
  const requestIds = requestIdRecorder();
  const server = createServer((req, res) => {
    const ac = new AbortController();
    inFlight.add(ac);
    // Client disconnected (or close() ran) before we finished: abort this request's timers and stream.
    res.once("close", () => {
      inFlight.delete(ac);
      if (!res.writableFinished) ac.abort();
    });
    handle(req, res, ac.signal).catch(() => {
      if (!res.headersSent) fail(res, 500, "The offline server had an internal error.");
      else res.destroy();
    });
  });
  const host = opts.host ?? "127.0.0.1";
  server.listen(opts.port ?? 0, host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return {
    baseUrl: `http://${urlHost}:${port}/v1`,
    apiKey,
    model: MODEL,
    control,
    close: async () => {
      for (const ac of inFlight) ac.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
