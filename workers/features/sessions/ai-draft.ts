import { careData } from "../../lib/care-data/repository";
import { noteQuery, sessionRiskEvent } from "../../lib/care-data/sessions";
import { AppError } from "../../lib/errors";
import { createOpenAI } from "../../lib/openai";
import type { Scope } from "../../lib/scope";
import { assessRisk, TIER_RANK } from "../safety/index";
import { locateSession } from "./locate";
import { writeDraft } from "./notes";
import { NOTE_SECTIONS, type Note } from "./schema";

type Format = keyof typeof NOTE_SECTIONS;

const SYSTEM = [
  "You draft a psychotherapy progress note for a licensed clinician, who will review, edit and sign it.",
  "Write only what the clinician's bullet points (and the transcript, when given) support; never invent",
  "symptoms, diagnoses, medications or risk findings. Clinical, concise, third person.",
  "Answer with JSON matching the schema: one string per section of the requested format.",
].join(" ");

function schemaFor(format: Format) {
  const keys = NOTE_SECTIONS[format];
  return {
    type: "object",
    properties: {
      sections: {
        type: "object",
        properties: Object.fromEntries(keys.map((k) => [k, { type: "string" }])),
        required: [...keys],
        additionalProperties: false,
      },
    },
    required: ["sections"],
    additionalProperties: false,
  };
}

export interface DraftResult {
  note: Note;
  /** The safety net's tier on the transcript; `elevated` or above recorded a risk event. */
  transcriptRisk: string;
}

/**
 * Drafts the progress note with the configured model from the clinician's bullet points (and a
 * transcript when given), saved as an AI-generated draft that cannot be signed until edited. The
 * transcript goes through the safety net first: crisis language writes a `risk_events` row for
 * the patient (ids only) whatever the model does. A signed note is never replaced (409).
 */
export async function aiDraft(
  scope: Scope,
  sessionId: string,
  input: { format: Format; bullets: string; transcript?: string | undefined },
): Promise<DraftResult> {
  const { access } = await locateSession(scope, sessionId, "note.ai_draft", ["care_team"]);
  const [existing] = await noteQuery(scope.db(access.region), sessionId);
  if (existing?.status === "signed")
    throw new AppError("conflict", "The note is signed; add an addendum instead");
  let transcriptRisk = "none";
  if (input.transcript) {
    const risk = assessRisk(input.transcript);
    transcriptRisk = risk.tier;
    if (TIER_RANK[risk.tier] >= TIER_RANK.elevated) {
      await careData(scope).run(
        access,
        { action: "risk_event.create", resourceType: "risk_event", resourceId: sessionId },
        (db) => [sessionRiskEvent(db, access.patientId, risk.tier, risk.categories, risk.fired)],
      );
    }
  }
  const sections = await callModel(scope, input);
  const note = await writeDraft(
    scope,
    sessionId,
    {
      format: input.format,
      sections,
      risk: {
        suicidalIdeation: "none",
        selfHarm: "none",
        harmToOthers: "none",
        level: "low",
        safetyPlan: "",
      },
    },
    true,
  );
  return { note, transcriptRisk };
}

async function callModel(
  scope: Scope,
  input: { format: Format; bullets: string; transcript?: string | undefined },
): Promise<Record<string, string>> {
  const user = [
    `Format: ${input.format.toUpperCase()} (sections: ${NOTE_SECTIONS[input.format].join(", ")})`,
    "",
    `Bullet points:\n${input.bullets}`,
    "",
    ...(input.transcript ? [`Transcript:\n${input.transcript.slice(0, 100_000)}`] : []),
  ].join("\n");
  let content: string | null | undefined;
  try {
    const res = await createOpenAI(scope.config, { timeoutMs: 30_000 }).chat.completions.create({
      model: scope.config.OPENAI_MODEL,
      messages: [
        { role: "system", content: SYSTEM },
        { role: "user", content: user },
      ],
      response_format: {
        type: "json_schema",
        json_schema: { name: "haven_session_note", strict: true, schema: schemaFor(input.format) },
      },
    });
    content = res.choices[0]?.message.content;
  } catch (err) {
    scope.log.error("note_draft_failed", { error: err instanceof Error ? err.name : typeof err });
    throw new AppError(
      "service_unavailable",
      "The drafting model is unavailable; write the note yourself or retry",
    );
  }
  try {
    const parsed = JSON.parse(content ?? "") as { sections?: Record<string, unknown> };
    const out: Record<string, string> = {};
    for (const key of NOTE_SECTIONS[input.format]) {
      const v = parsed.sections?.[key];
      out[key] = typeof v === "string" ? v.slice(0, 20_000) : "";
    }
    return out;
  } catch {
    throw new AppError("service_unavailable", "The drafting model answered in an unexpected form; retry");
  }
}
