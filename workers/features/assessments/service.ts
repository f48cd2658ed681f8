import { eq } from "drizzle-orm";
import { alertCareTeam } from "../../../durable-objects/chat-alerts";
import { users } from "../../db/schema/users";
import type { PatientAccess } from "../../lib/care-data/access";
import {
  ASSESSMENT_CRISIS_UNSTORED,
  ASSESSMENT_READ,
  ASSESSMENT_SCORES_READ,
  type AssessmentInstrument,
  assessmentCreate,
  assessmentRiskEvent,
  insertAssessment,
  responseByIdQuery,
  responsesQuery,
  type ScoreRow,
  scoresQuery,
  standaloneRiskEvent,
} from "../../lib/care-data/assessments";
import { wrappedKeyQuery } from "../../lib/care-data/chat";
import { consentRequired } from "../../lib/care-data/consents";
import { careData } from "../../lib/care-data/repository";
import { AppError } from "../../lib/errors";
import { publishQuietly } from "../../lib/events";
import { inc } from "../../lib/metrics/recorder";
import type { Principal } from "../../lib/principal";
import type { Scope } from "../../lib/scope";
import { type UserCipher, userCipher } from "../../lib/user-cipher";
import type { Region } from "../../lib/vocabulary";
import { crisisResources } from "../safety/resources";
import { nextSteps } from "../screeners/triage";
import { responseBundle } from "./fhir";
import { INSTRUMENTS, type Instrument } from "./instruments";
import { recommend } from "./recommendations";
import type { AssessmentHistory, AssessmentResult, Score } from "./schema";
import { bandOf, item9Severity, needsCrisisPath, scoreForm } from "./scoring";

/** AAD field for a response's answers: binds the ciphertext to its row. */
const answersField = (id: string) => `assessment.answers:${id}`;

async function cipherOf(scope: Scope, region: Region, userId: string): Promise<UserCipher> {
  const [user] = await scope
    .db(region)
    .select({ wrapped: users.dataKeyWrapped })
    .from(users)
    .where(eq(users.id, userId));
  const cipher = await userCipher(scope.config, userId, user?.wrapped ?? null);
  if (!cipher) throw new AppError("not_found", "No such account");
  return cipher;
}

const changeRule = (i: Instrument) => ({
  threshold: i.reliableChange.threshold,
  better: i.better,
  response: i.response !== null,
  remissionBelow: i.remission?.below ?? null,
});

/** A score row as the API shows it. */
export function toScore(row: ScoreRow): Score {
  const instrument = INSTRUMENTS[row.instrument];
  return {
    id: row.id,
    patientId: row.patientId,
    instrument: row.instrument,
    version: row.version,
    total: row.total,
    band: row.band,
    bandLabel: bandOf(instrument, row.total).label,
    item9: row.item9,
    safetyFlag: row.safetyFlag,
    previousTotal: row.previousTotal,
    change: row.change,
    response: row.response,
    remission: row.remission,
    submittedAt: row.submittedAt.toISOString(),
  };
}

/**
 * Scores the caller's form on the server and stores it (answers encrypted with their key) with its
 * audit row in one transaction; without consent to processing health data nothing is stored (403;
 * a PHQ-9 item 9 above 0 still alerts and returns crisis resources, see `refuseUnconsented`).
 * An incomplete form is refused with a 422 naming the missing items.
 *
 * PHQ-9 item 9 above 0 takes the SAME path as a crisis chat message, whatever the total: a
 * `risk_events` row in the same transaction, crisis resources in this response, and the care team
 * alerted live through the durable care-alert path (inbox rows, notifications, pushes retried by
 * the patient's room). A 0 on item 9 never marks anyone safe: it only means this rule did not fire.
 */
export async function submitAssessment(
  scope: Scope,
  p: Principal,
  instrumentId: AssessmentInstrument,
  given: Record<string, number>,
): Promise<AssessmentResult> {
  const instrument = INSTRUMENTS[instrumentId];
  const care = careData(scope);
  const consented = (await care.consents(care.self())).health_data;
  const scored = scoreForm(instrument, given);
  const crisis = needsCrisisPath(instrument, scored);
  const severity = crisis ? item9Severity(scored.item9 ?? 0) : null;
  if (!consented) throw await refuseUnconsented(scope, p, instrumentId, severity);
  const cipher = await cipherOf(scope, p.region, p.userId);
  const id = crypto.randomUUID();
  const answersEnc = await cipher.encrypt(answersField(id), JSON.stringify(scored.answers));
  const [[saved]] = await care.run(
    care.self(),
    assessmentCreate(id),
    (db) =>
      [
        insertAssessment(
          db,
          {
            id,
            patientId: p.userId,
            instrument: instrumentId,
            version: instrument.version,
            total: scored.total,
            band: scored.band.id,
            item9: scored.item9,
            safetyFlag: crisis,
            answersEnc,
          },
          changeRule(instrument),
        ),
        ...(severity
          ? [assessmentRiskEvent(db, p.userId, id, severity, [`assessment.${instrumentId}.item9`])]
          : []),
      ] as const,
  );
  if (!saved) throw new AppError("internal");
  const alerted = severity ? await alertTeam(scope, p, -saved.seq, severity) : 0;
  const score = toScore({
    id,
    patientId: p.userId,
    instrument: instrumentId,
    version: instrument.version,
    total: scored.total,
    band: scored.band.id,
    item9: scored.item9,
    safetyFlag: crisis,
    ...saved,
  });
  inc("assessments_submitted_total", { instrument: instrumentId.replace("-", "") });
  // The care team hears that an assessment is there (never the score or answers).
  await publishQuietly(scope.env, scope.log, {
    type: "assessment.submitted",
    v: 1,
    patientId: p.userId,
    region: p.region,
    instrument: instrumentId,
    responseId: id,
  });
  return {
    ...score,
    recommendations: recommend({
      instrument,
      total: score.total,
      bandId: score.band,
      bandLabel: score.bandLabel,
      previousTotal: score.previousTotal,
      change: score.change,
      response: score.response,
      remission: score.remission,
      safetyFlag: crisis,
      careTeamAlerted: alerted > 0,
    }),
    crisis: severity
      ? {
          message: nextSteps(severity, alerted > 0),
          urgent: severity === "high",
          careTeamAlerted: alerted > 0,
          resources: crisisResources(p.region, scope.locale ?? undefined),
        }
      : null,
  };
}

/**
 * No consent to processing health data: nothing of the form is stored (403 naming the consent).
 * But item 9 above 0 still takes the crisis path — a risk event (ids only), the care-team alert and
 * the crisis resources, carried in the problem's `crisis` member — as a chat crisis does with chat
 * consent off. Never PHI in the problem: resources and a fixed message only.
 */
async function refuseUnconsented(
  scope: Scope,
  p: Principal,
  instrumentId: AssessmentInstrument,
  severity: "moderate" | "high" | null,
): Promise<AppError> {
  const refusal = consentRequired("health_data");
  if (!severity) return refusal;
  const care = careData(scope);
  const [[event]] = await care.run(care.self(), ASSESSMENT_CRISIS_UNSTORED, (db) => [
    standaloneRiskEvent(db, p.userId, severity, [`assessment.${instrumentId}.item9`]),
  ]);
  const alerted = event ? await alertTeam(scope, p, event.seq, severity) : 0;
  return new AppError("forbidden", refusal.message, {
    extensions: {
      ...refusal.extensions,
      crisis: {
        message: nextSteps(severity, alerted > 0),
        urgent: severity === "high",
        careTeamAlerted: alerted > 0,
        resources: crisisResources(p.region, scope.locale ?? undefined),
      },
    },
  });
}

/** The chat's care-team alert (durable: the patient's room retries pushes). Never fails the submission. */
async function alertTeam(scope: Scope, p: Principal, seq: number, severity: string): Promise<number> {
  try {
    return await alertCareTeam(scope, { ownerId: p.userId, region: p.region }, seq, severity, "assessment");
  } catch (err) {
    scope.log.error("assessment_alert_failed", { error: err instanceof Error ? err.name : typeof err });
    return 0;
  }
}

const parseAnswers = (json: string): Record<string, number> => {
  const value: unknown = JSON.parse(json);
  if (typeof value !== "object" || value === null) return {};
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, number] => typeof e[1] === "number"),
  );
};

async function readHistory(scope: Scope, access: PatientAccess): Promise<AssessmentHistory> {
  const { patientId } = access;
  const [[owner], rows] = await careData(scope).run(
    access,
    ASSESSMENT_READ,
    (db) => [wrappedKeyQuery(db, patientId), responsesQuery(db, patientId, 100)] as const,
  );
  const cipher = await userCipher(scope.config, patientId, owner?.wrapped ?? null);
  const entries = await Promise.all(
    rows.map(async (r) => ({
      ...toScore(r),
      answers: cipher ? parseAnswers(await cipher.decrypt(answersField(r.id), r.answersEnc)) : null,
    })),
  );
  return { patientId, entries };
}

/** The caller's own assessments, newest first, answers decrypted (audited). */
export function ownHistory(scope: Scope): Promise<AssessmentHistory> {
  return readHistory(scope, careData(scope).self());
}

/** A patient's assessments for the patient, their care team or a break-glass holder; others: audited 404. */
export async function patientHistory(scope: Scope, patientId: string): Promise<AssessmentHistory> {
  return readHistory(scope, await careData(scope).open(patientId, ASSESSMENT_READ));
}

/**
 * Scores only (no answers, no decryption), oldest first, for charts: the patient's own or, for
 * `patientId`, through the same access decision as the history (audited as a scores read).
 */
export async function scoreSeries(scope: Scope, patientId?: string): Promise<Score[]> {
  const care = careData(scope);
  const access = patientId ? await care.open(patientId, ASSESSMENT_SCORES_READ) : care.self();
  const [rows] = await care.run(
    access,
    ASSESSMENT_SCORES_READ,
    (db) => [scoresQuery(db, access.patientId, null, 500)] as const,
  );
  return rows.map(toScore).reverse();
}

/** One response as a FHIR R4 Bundle (QuestionnaireResponse + Observations), same access as the history. */
export async function responseFhir(scope: Scope, patientId: string, id: string) {
  const care = careData(scope);
  const access = await care.open(patientId, { ...ASSESSMENT_READ, resourceId: id });
  const [[owner], [row]] = await care.run(
    access,
    { ...ASSESSMENT_READ, resourceId: id },
    (db) => [wrappedKeyQuery(db, patientId), responseByIdQuery(db, patientId, id)] as const,
  );
  if (!row) throw new AppError("not_found", "No such assessment");
  const cipher = await userCipher(scope.config, patientId, owner?.wrapped ?? null);
  const answers = cipher ? parseAnswers(await cipher.decrypt(answersField(row.id), row.answersEnc)) : null;
  return responseBundle(row, answers);
}
