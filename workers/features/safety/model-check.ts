/**
 * Layer 3 of the safety net (optional): a model-based risk classifier through the
 * OpenAI-compatible API with a strict JSON schema. It runs concurrently with the companion's
 * generation and the reply is held until it answers or `timeoutMs` passes.
 *
 * It is never the only layer and it can only RAISE risk: layers 1–2 (`assessRisk`) have already
 * decided before it is called. A timeout, an error or malformed output is recorded by id and
 * otherwise ignored — the chat works fully with this layer off or down.
 *
 * Kept free of Worker-only imports: it takes any OpenAI-compatible client.
 */

import type OpenAI from "openai";
import { z } from "zod";
import { CATEGORY_ORDER, type CrisisCategory } from "./detector";
import type { RiskTier } from "./index";

/** The JSON schema name the local offline server recognises. */
export const RISK_SCHEMA_NAME = "haven_risk";

const Verdict = z.object({
  tier: z.enum(["none", "check_in", "elevated", "high", "imminent"]),
  categories: z.array(z.enum(CATEGORY_ORDER)).max(8),
});

const JSON_SCHEMA = {
  type: "object",
  additionalProperties: false,
  required: ["tier", "categories"],
  properties: {
    tier: { type: "string", enum: ["none", "check_in", "elevated", "high", "imminent"] },
    categories: { type: "array", items: { type: "string", enum: [...CATEGORY_ORDER] } },
  },
} as const;

const INSTRUCTIONS = [
  "You are a clinical safety classifier for a mental-health app. Classify the risk expressed by the",
  "patient's LAST message, reading the earlier messages as context. Tiers: none; check_in (ambiguous,",
  "a clinician would ask directly about suicidal thoughts); elevated (suicidal ideation, self-harm,",
  "intent to harm others, concern for someone in danger); high (a plan, means, method-seeking, or",
  "intent); imminent (acting now or within hours, or an attempt in progress). Idioms, fiction,",
  "professional questions and recovered history are none. Answer only with the JSON object.",
].join(" ");

export type ModelCheck =
  | { ok: true; tier: RiskTier; categories: CrisisCategory[]; ms: number }
  | { ok: false; reason: "timeout" | "error" | "malformed"; ms: number };

/**
 * Asks the model for a verdict on `text` (with the patient's earlier turns). Never throws.
 *
 * @example
 * const verdict = await modelRiskCheck(client, model, text, turns, { timeoutMs: 1200 });
 * if (verdict.ok && TIER_RANK[verdict.tier] > TIER_RANK[risk.tier]) escalate(...);
 */
export async function modelRiskCheck(
  client: OpenAI,
  model: string,
  text: string,
  recentTurns: readonly string[],
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<ModelCheck> {
  const started = Date.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
  opts.signal?.addEventListener("abort", () => controller.abort(), { once: true });
  const context =
    recentTurns.length > 0 ? `Earlier messages:\n${recentTurns.map((t) => `- ${t}`).join("\n")}\n\n` : "";
  try {
    const res = await client.chat.completions.create(
      {
        model,
        temperature: 0,
        max_tokens: 80,
        messages: [
          { role: "system", content: INSTRUCTIONS },
          { role: "user", content: `${context}Last message:\n${text}` },
        ],
        response_format: {
          type: "json_schema",
          json_schema: { name: RISK_SCHEMA_NAME, strict: true, schema: JSON_SCHEMA },
        },
      },
      { signal: controller.signal },
    );
    const content = res.choices[0]?.message?.content ?? "";
    const parsed = Verdict.safeParse(safeJson(content));
    if (!parsed.success) return { ok: false, reason: "malformed", ms: Date.now() - started };
    return { ok: true, tier: parsed.data.tier, categories: parsed.data.categories, ms: Date.now() - started };
  } catch {
    return { ok: false, reason: controller.signal.aborted ? "timeout" : "error", ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
