import type { Config } from "../workers/lib/config";
import { createOpenAI } from "../workers/lib/openai";
import type { ReplyOutcome } from "./chat-protocol";
import { isUnsafeOutput, SAFE_REPLACEMENT } from "./chat-safety";

/** Whole reply budget and the wait allowed for the first token. */
export const REPLY_TIMEOUT_MS = 15_000;
export const FIRST_TOKEN_TIMEOUT_MS = 8_000;

export const SYSTEM_PROMPT = [
  "You are Haven's companion: a warm, supportive listener informed by cognitive behavioural therapy.",
  "Be honest that you are an AI and not a clinician or therapist.",
  "Never diagnose, never name or suggest medications or doses, and never give medical instructions.",
  "Reflect feelings, gently explore thoughts and evidence, and suggest small, safe coping steps.",
  "If the person may be in danger, encourage contacting emergency services or a crisis line.",
  "Keep replies short: two to five sentences.",
].join(" ");

/** Recorded with every model call (the AI processing trail); change it when a prompt changes. */
export const PROMPT_VERSION = "companion-2026-12-01.1";

/** A library item the reply may draw on: its text and how to cite it. */
export function libraryPrompt(item: { title: string; summary: string; body: string[] }): string {
  return [
    `Haven's library has an item that may help: "${item.title}". ${item.summary}`,
    item.body.join(" "),
    `If it fits what the person said, suggest one small step from it in your own words, and end with the line: "From Haven's library: ${item.title}". If it does not fit, do not mention it.`,
  ].join("\n");
}

/** Said when the person has not consented to the companion using their care plan. */
export const NO_CARE_PLAN_PROMPT =
  "You cannot see this person's safety plan, scores, sessions or care plan: they have not consented to the companion using them. If they ask about them, say so plainly and that they can turn it on in their account, under Consent.";

/** The care-plan context the person consented to, as a system turn (never shown to others). */
export function carePlanPrompt(ctx: {
  helpfulItems: string[];
  copingSteps: string[];
  facts: string[];
}): string {
  const lines = [
    "With the person's consent, here is context from their care plan. Use it gently; never quote scores back as judgements.",
  ];
  if (ctx.copingSteps.length > 0)
    lines.push(
      `Their own coping steps (from their safety plan): ${ctx.copingSteps.join("; ")}. In hard moments, suggest one of these first.`,
    );
  if (ctx.helpfulItems.length > 0)
    lines.push(`Exercises they found helpful before: ${ctx.helpfulItems.join(", ")}.`);
  lines.push(...ctx.facts);
  return lines.join("\n");
}

/**
 * The next booked session as a context line, in the person's own time zone (an unknown zone falls
 * back to UTC). Type and time only: no clinician, no notes.
 *
 * @example nextSessionFact(new Date("2026-12-08T14:00:00Z"), "follow-up", "Europe/London")
 * // "Their next session: Tuesday 8 December at 14:00 (GMT, Europe/London); type: follow up."
 */
export function nextSessionFact(startsAt: Date, sessionType: string, timeZone: string): string {
  const format = (zone: string) =>
    new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      weekday: "long",
      day: "numeric",
      month: "long",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    }).formatToParts(startsAt);
  let zone = timeZone;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = format(zone);
  } catch {
    zone = "UTC";
    parts = format(zone);
  }
  const v = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? "";
  const type =
    sessionType
      .replace(/[^a-z0-9 -]/gi, "")
      .replaceAll("-", " ")
      .slice(0, 40) || "therapy";
  return `Their next session: ${v("weekday")} ${v("day")} ${v("month")} at ${v("hour")}:${v("minute")} (${v("timeZoneName")}, ${zone}); type: ${type}.`;
}

/** Added after a crisis detection of elevated severity: the model may answer, but only like this. */
export const SAFETY_PROMPT =
  "The person may be at risk. Respond only with empathy, validation and encouragement to reach the crisis resources already shown to them or someone they trust. Do not explore methods, do not give advice beyond safety, keep it to three sentences.";

const MODERATION_TIMEOUT_MS = 1_500;
const SELF_HARM_CATEGORIES = ["self-harm", "self-harm/intent", "self-harm/instructions"] as const;

/**
 * Optional second layer: asks the moderation endpoint whether a message falls in a self-harm
 * category. A failure or timeout counts as "not flagged" — the edge detector already ran and is
 * the primary layer, so the person is never left waiting on this call.
 */
export async function moderationFlagsSelfHarm(config: Config, text: string): Promise<boolean> {
  try {
    const res = await createOpenAI(config, { timeoutMs: MODERATION_TIMEOUT_MS }).moderations.create({
      input: text,
    });
    const categories = res.results[0]?.categories as Record<string, boolean> | undefined;
    return SELF_HARM_CATEGORIES.some((k) => categories?.[k] === true);
  } catch {
    return false;
  }
}

/** Shown when the model is down or too slow. */
export const FALLBACK_REPLY =
  "I'm having trouble responding right now. Please try again in a moment. If you need support urgently, the crisis resources on this page are available any time.";

/** Shown instead of the companion's reply when the model-based safety layer found high risk. */
export const WITHHELD_REPLY =
  "I'm concerned about your safety from what you've shared. Please use the crisis resources shown here, or contact someone you trust right now. You don't have to go through this alone.";

export interface ChatTurn {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ReplyResult {
  text: string;
  outcome: ReplyOutcome;
  /** Milliseconds from the call to the first released delta (null if none was released). */
  firstReleaseMs: number | null;
  /** Token counts the endpoint reported (null if it reported none). */
  usage?: { promptTokens: number; completionTokens: number } | null;
}

const SENTENCE_END = /[.!?…](["')\]]?)(\s|$)|\n/;
const MAX_HELD_CHARS = 240;

/**
 * Streams one companion reply. Deltas are HELD until the sentence they belong to is complete,
 * then the whole text so far is checked with the output filter and, only if it passes, the held
 * deltas are released through `onDelta` one by one. An unsafe sentence is never shown: the reply
 * becomes SAFE_REPLACEMENT. Errors and timeouts end with FALLBACK_REPLY, never a throw.
 */
export async function streamReply(
  config: Config,
  messages: ChatTurn[],
  onDelta: (delta: string) => void,
  opts: { firstTokenMs?: number; totalMs?: number; gate?: Promise<boolean> } = {},
): Promise<ReplyResult> {
  const started = Date.now();
  const controller = new AbortController();
  let timedOut = false;
  const abort = () => {
    timedOut = true;
    controller.abort();
  };
  const total = setTimeout(abort, opts.totalMs ?? REPLY_TIMEOUT_MS);
  let first: ReturnType<typeof setTimeout> | undefined = setTimeout(
    abort,
    opts.firstTokenMs ?? FIRST_TOKEN_TIMEOUT_MS,
  );
  let released = "";
  let held: string[] = [];
  let firstReleaseMs: number | null = null;
  let usage: ReplyResult["usage"] = null;

  /** Layer 3's verdict: awaited once, before the first release; false withholds the reply. */
  let gateOpen: boolean | null = opts.gate ? null : true;
  const passGate = async (): Promise<boolean> => {
    gateOpen ??= await (opts.gate as Promise<boolean>).catch(() => true);
    return gateOpen;
  };
  const release = (): boolean => {
    const candidate = released + held.join("");
    if (isUnsafeOutput(candidate)) return false;
    for (const d of held) onDelta(d);
    if (held.length > 0 && firstReleaseMs === null) firstReleaseMs = Date.now() - started;
    released = candidate;
    held = [];
    return true;
  };

  try {
    const client = createOpenAI(config, { timeoutMs: opts.totalMs ?? REPLY_TIMEOUT_MS });
    const stream = await client.chat.completions.create(
      {
        model: config.OPENAI_MODEL,
        messages,
        stream: true,
        stream_options: { include_usage: true },
        temperature: 0.7,
        max_tokens: 400,
      },
      { signal: controller.signal },
    );
    for await (const chunk of stream) {
      if (chunk.usage)
        usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
      const delta = chunk.choices[0]?.delta?.content;
      if (!delta) continue;
      if (first) {
        clearTimeout(first);
        first = undefined;
      }
      held.push(delta);
      const pending = held.join("");
      if (SENTENCE_END.test(pending) || pending.length > MAX_HELD_CHARS) {
        if (!(await passGate())) {
          controller.abort();
          return { text: WITHHELD_REPLY, outcome: "withheld", firstReleaseMs };
        }
        if (!release()) {
          controller.abort();
          return { text: SAFE_REPLACEMENT, outcome: "unsafe", firstReleaseMs };
        }
      }
    }
    if (!(await passGate())) return { text: WITHHELD_REPLY, outcome: "withheld", firstReleaseMs };
    if (!release()) return { text: SAFE_REPLACEMENT, outcome: "unsafe", firstReleaseMs };
    if (released.trim() === "") return { text: FALLBACK_REPLY, outcome: "error", firstReleaseMs, usage };
    return { text: released, outcome: "ok", firstReleaseMs, usage };
  } catch {
    return { text: FALLBACK_REPLY, outcome: timedOut ? "timeout" : "error", firstReleaseMs };
  } finally {
    clearTimeout(total);
    if (first) clearTimeout(first);
  }
}

/**
 * A deterministic, extractive rolling summary (no extra model call): the first sentence of each
 * user message that fell out of the recent-turns window, newest kept, capped in length.
 */
export function rollSummary(previous: string, droppedUserTexts: string[], maxLines = 12): string {
  const lines = previous ? previous.split("\n") : [];
  for (const text of droppedUserTexts) {
    const firstSentence = (text.split(/(?<=[.!?])\s/)[0] ?? "").trim().slice(0, 140);
    if (firstSentence) lines.push(`- ${firstSentence}`);
  }
  return lines.slice(-maxLines).join("\n");
}
