import { z } from "@hono/zod-openapi";
import { audit } from "../../lib/audit";
import type { PatientAccess } from "../../lib/care-data/access";
import { aiCallInsert } from "../../lib/care-data/ai-calls";
import { latestScoresQuery } from "../../lib/care-data/assessments";
import {
  groundingSinceQuery,
  lastCompletedSessionQuery,
  ratingsSinceQuery,
  riskEventsSinceQuery,
  riskSignalsSinceQuery,
  SUMMARY_INPUTS_READ,
  SUMMARY_READ,
  SUMMARY_WRITE,
  summaryQuery,
  summaryUpsert,
  trackingSinceQuery,
} from "../../lib/care-data/between-session";
import { wrappedKeyQuery } from "../../lib/care-data/chat";
import { type CareOperation, careData } from "../../lib/care-data/repository";
import { AppError } from "../../lib/errors";
import { createOpenAI } from "../../lib/openai";
import type { Scope } from "../../lib/scope";
import { userCipher } from "../../lib/user-cipher";
import { buildFacts, DEFAULT_WINDOW_DAYS, MAX_WINDOW_DAYS, SummaryFacts } from "./summary-facts";

/** Recorded in the AI trail with every summary call; change it when the prompt changes. */
export const SUMMARY_PROMPT_VERSION = "between-session-2026-12-01.1";
export const SUMMARY_SCHEMA_NAME = "haven_between_session_summary";
/** Shown with the summary wherever it appears. */
export const AI_LABEL =
  "AI-generated draft from the patient's tracking, scores and companion use (no chat text). Check it with the patient; risk events are listed from the safety net's records, not written by the model.";
const FIELD = "companion.summary";
const MODEL_TIMEOUT_MS = 30_000;
const DAY_MS = 86_400_000;

const SYSTEM = [
  "You draft a short between-session summary for a patient's care team; the patient reads it too.",
  "Use only the facts given (JSON). Plain, kind, factual language addressed to the clinician; no diagnosis,",
  "no medication advice, no speculation, no judgement of scores. Do not assess or mention risk: risk events",
  "are listed separately from the records. Answer with JSON matching the schema: overview (two to four",
  "sentences), themes (at most six short phrases), moodTrend (one or two sentences), exercisesTried (one or",
  "two sentences).",
].join(" ");

const DRAFT_SCHEMA = {
  type: "object",
  properties: {
    overview: { type: "string" },
    themes: { type: "array", items: { type: "string" } },
    moodTrend: { type: "string" },
    exercisesTried: { type: "string" },
  },
  required: ["overview", "themes", "moodTrend", "exercisesTried"],
  additionalProperties: false,
};

export const SummaryDraft = z
  .object({
    overview: z.string().max(4000),
    themes: z.array(z.string().max(200)).max(6),
    moodTrend: z.string().max(2000),
    exercisesTried: z.string().max(2000),
  })
  .openapi("BetweenSessionDraft");
type SummaryDraft = z.infer<typeof SummaryDraft>;

const Stored = z.object({ draft: SummaryDraft, facts: SummaryFacts });

export interface BetweenSessionSummary {
  patientId: string;
  aiGenerated: true;
  label: string;
  generatedAt: string;
  model: string;
  promptVersion: string;
  window: SummaryFacts["window"];
  draft: SummaryDraft;
  facts: SummaryFacts;
  riskEvents: Array<{ severity: string; categories: string[]; source: string; at: string }>;
  riskSignals: Array<{ kind: string; severity: string; at: string }>;
}

/**
 * Opens the patient for `op` (care team or self; others 404) and requires `care_plan_context`:
 * without it nothing is read, the refusal is audited `denied`, and the answer is a 403 problem.
 */
async function openWithConsent(scope: Scope, patientId: string, op: CareOperation): Promise<PatientAccess> {
  const care = careData(scope);
  const access = await care.open(patientId, op);
  const consents = await care.consents(access);
  if (consents.care_plan_context) return access;
  await audit(scope, access.region, {
    action: op.action,
    resourceType: op.resourceType,
    resourceId: patientId,
    patientId,
    outcome: "denied",
  });
  throw new AppError(
    "forbidden",
    access.via === "self"
      ? "A between-session summary needs your consent to the companion using your care plan. You can turn it on in your account (/account), under Consent."
      : "This patient has not consented to between-session summaries (their care-plan consent is off). Nothing was read.",
    { extensions: { consent: "care_plan_context", manage: "/account" } },
  );
}

/** The summary's window: from the end of the last completed session (at most 90 days back), else 14 days. */
function windowOf(lastEnd: Date | undefined, now: Date): SummaryFacts["window"] {
  const earliest = now.getTime() - MAX_WINDOW_DAYS * DAY_MS;
  const from =
    lastEnd && lastEnd.getTime() >= earliest
      ? lastEnd
      : new Date(now.getTime() - DEFAULT_WINDOW_DAYS * DAY_MS);
  return {
    from: from.toISOString(),
    to: now.toISOString(),
    basis: lastEnd && lastEnd.getTime() >= earliest ? "last_session" : "default",
    days: Math.max(1, Math.round((now.getTime() - from.getTime()) / DAY_MS)),
  };
}

export type SummaryState =
  | { state: "ok"; summary: BetweenSessionSummary }
  | { state: "none" }
  | { state: "no_consent" };

/**
 * For pages: the summary, or why there is none. Without consent nothing is read and no denial is
 * audited (viewing the chart is not an attempt to read it); access is decided as for the API.
 */
export async function summaryState(scope: Scope, patientId: string): Promise<SummaryState> {
  const care = careData(scope);
  const access = await care.open(patientId, SUMMARY_READ);
  if (!(await care.consents(access)).care_plan_context) return { state: "no_consent" };
  try {
    return { state: "ok", summary: await readSummary(scope, patientId) };
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") return { state: "none" };
    throw err;
  }
}

/** Reads the stored summary (decrypted) with the risk events since its window began, listed from the data. */
export async function readSummary(scope: Scope, patientId: string): Promise<BetweenSessionSummary> {
  const access = await openWithConsent(scope, patientId, SUMMARY_READ);
  const [[row], [owner]] = await careData(scope).run(access, SUMMARY_READ, (db) => [
    summaryQuery(db, access.patientId),
    wrappedKeyQuery(db, access.patientId),
  ]);
  if (!row) throw new AppError("not_found", "No between-session summary yet; generate one");
  const cipher = await userCipher(scope.config, access.patientId, owner?.wrapped ?? null);
  if (!cipher) throw new AppError("not_found", "No between-session summary yet; generate one");
  const stored = Stored.parse(JSON.parse(await cipher.decrypt(FIELD, row.contentEnc)));
  const [events, signals] = await careData(scope).run(
    access,
    { ...SUMMARY_READ, action: "companion.summary.risk_read" },
    (db) => [
      riskEventsSinceQuery(db, access.patientId, row.windowStart),
      riskSignalsSinceQuery(db, access.patientId, row.windowStart),
    ],
  );
  return {
    patientId: access.patientId,
    aiGenerated: true,
    label: AI_LABEL,
    generatedAt: row.createdAt.toISOString(),
    model: row.model,
    promptVersion: row.promptVersion,
    window: stored.facts.window,
    draft: stored.draft,
    facts: stored.facts,
    riskEvents: events.map((e) => ({
      severity: e.severity,
      categories: e.categories,
      source: e.source,
      at: e.at.toISOString(),
    })),
    riskSignals: signals.map((s) => ({ kind: s.kind, severity: s.severity, at: s.at.toISOString() })),
  };
}

/**
 * Drafts a new summary with the configured model from facts read through the care-data layer
 * (audited `companion.summary.inputs_read`), stores it encrypted with the patient's key in place of
 * the previous one (audited `companion.summary.generate`, with its AI-trail row in the same batch)
 * and returns it as {@link readSummary} does.
 */
export async function generateSummary(scope: Scope, patientId: string): Promise<BetweenSessionSummary> {
  const access = await openWithConsent(scope, patientId, SUMMARY_WRITE);
  const care = careData(scope);
  const [[last]] = await care.run(access, SUMMARY_INPUTS_READ, (db) => [
    lastCompletedSessionQuery(db, access.patientId),
  ]);
  const now = new Date();
  const window = windowOf(last?.endsAt, now);
  const from = new Date(window.from);
  const [tracking, grounding, ratings, scores, [owner]] = await care.run(
    access,
    { ...SUMMARY_INPUTS_READ, resourceId: null },
    (db) => [
      trackingSinceQuery(db, access.patientId, from),
      groundingSinceQuery(db, access.patientId, from),
      ratingsSinceQuery(db, access.patientId, from),
      latestScoresQuery(db, [access.patientId]),
      wrappedKeyQuery(db, access.patientId),
    ],
  );
  const cipher = await userCipher(scope.config, access.patientId, owner?.wrapped ?? null);
  if (!cipher) throw new AppError("not_found", "No such patient");
  const facts = buildFacts({ window, tracking, grounding, ratings, scores, patientId: access.patientId });
  const { draft, tokensIn, tokensOut, latencyMs } = await draftWithModel(scope, access, facts);
  const contentEnc = await cipher.encrypt(FIELD, JSON.stringify({ draft, facts }));
  await care.run(access, SUMMARY_WRITE, (db) => [
    summaryUpsert(db, {
      patientId: access.patientId,
      contentEnc,
      windowStart: from,
      windowEnd: now,
      generatedBy: scope.principal?.userId ?? access.patientId,
      model: scope.config.OPENAI_MODEL,
      promptVersion: SUMMARY_PROMPT_VERSION,
    }),
    aiCallInsert(db, {
      patientId: access.patientId,
      purpose: "summary",
      model: scope.config.OPENAI_MODEL,
      promptVersion: SUMMARY_PROMPT_VERSION,
      tokensIn,
      tokensOut,
      latencyMs,
      outcome: "ok",
      grounding: facts.exercises.map((e) => e.slug),
    }),
  ]);
  return readSummary(scope, access.patientId);
}

/** One non-streamed call with a strict JSON schema; a failure is recorded in the AI trail and answered 503. */
async function draftWithModel(scope: Scope, access: PatientAccess, facts: SummaryFacts) {
  const started = Date.now();
  const fail = async (outcome: string, message: string): Promise<never> => {
    await aiCallInsert(scope.db(access.region), {
      patientId: access.patientId,
      purpose: "summary",
      model: scope.config.OPENAI_MODEL,
      promptVersion: SUMMARY_PROMPT_VERSION,
      latencyMs: Date.now() - started,
      outcome,
    }).catch(() => undefined);
    throw new AppError("model_unavailable", message, { headers: { "retry-after": "30" } });
  };
  let res: Awaited<ReturnType<ReturnType<typeof createOpenAI>["chat"]["completions"]["create"]>>;
  try {
    res = await createOpenAI(scope.config, { timeoutMs: MODEL_TIMEOUT_MS }).chat.completions.create({
      model: scope.config.OPENAI_MODEL,
      messages: [
        { role: "system", content: SYSTEM },
        { role: "user", content: `Facts (JSON):\n${JSON.stringify(facts)}` },
      ],
      response_format: {
        type: "json_schema",
        json_schema: { name: SUMMARY_SCHEMA_NAME, strict: true, schema: DRAFT_SCHEMA },
      },
    });
  } catch (err) {
    scope.log.error("summary_draft_failed", { error: err instanceof Error ? err.name : typeof err });
    const timeout = err instanceof Error && /timeout/i.test(err.name);
    return fail(timeout ? "timeout" : "error", "The summary model is unavailable; try again shortly");
  }
  let draft: SummaryDraft;
  try {
    const parsed = JSON.parse(res.choices[0]?.message.content ?? "") as Record<string, unknown>;
    draft = SummaryDraft.parse({
      ...parsed,
      themes: Array.isArray(parsed.themes) ? parsed.themes.slice(0, 6) : parsed.themes,
    });
  } catch {
    return fail("malformed", "The summary model answered in an unexpected form; try again");
  }
  return {
    draft,
    tokensIn: res.usage?.prompt_tokens ?? null,
    tokensOut: res.usage?.completion_tokens ?? null,
    latencyMs: Date.now() - started,
  };
}
