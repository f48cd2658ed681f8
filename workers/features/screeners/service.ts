import { eq } from "drizzle-orm";
import { alertCareTeam } from "../../../durable-objects/chat-alerts";
import { users } from "../../db/schema";
import type { PatientAccess } from "../../lib/care-data/access";
import { wrappedKeyQuery } from "../../lib/care-data/chat";
import { careData } from "../../lib/care-data/repository";
import {
  insertScreener,
  SCREENER_READ,
  screenerCreate,
  screenerHistoryQuery,
  screenerRiskEvent,
} from "../../lib/care-data/screeners";
import { AppError } from "../../lib/errors";
import type { Principal } from "../../lib/principal";
import type { Scope } from "../../lib/scope";
import { type UserCipher, userCipher } from "../../lib/user-cipher";
import type { Region } from "../../lib/vocabulary";
import type { RiskAssessment } from "../safety/index";
import { assessRisk } from "../safety/index";
import { crisisResources } from "../safety/resources";
import {
  CssrsAnswers,
  type ScreenerEntry,
  type ScreenerHistory,
  type ScreenerResult,
  type ScreenerRisk,
} from "./schema";
import { ALERTING_RISKS, nextSteps, triageCssrs } from "./triage";

const INSTRUMENT = "c-ssrs";
const HISTORY_LIMIT = 100;

/** AAD field for a screener's answers: binds the ciphertext to its row. */
const answersField = (id: string) => `screener.answers:${id}`;

/** Crisis resources for the caller's region (and browser locale): shown with every screener. */
export function screenerResources(scope: Scope, region: Region) {
  return crisisResources(region, scope.locale ?? undefined);
}

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

/**
 * Without consent to processing health data nothing is stored (403 naming the consent).
 * Stores the caller's C-SSRS answers (encrypted with their key) with its audit row in one
 * transaction. Moderate and high risk also write a `risk_events` row in that transaction, then
 * alert the care team live and queue notifications, exactly as a chat crisis does.
 */
export async function submitCssrs(
  scope: Scope,
  p: Principal,
  answers: CssrsAnswers,
): Promise<ScreenerResult> {
  const care = careData(scope);
  await care.requireConsent(care.self(), "health_data");
  const cipher = await cipherOf(scope, p.region, p.userId);
  const id = crypto.randomUUID();
  // The free-text note goes through the same safety net as chat: risk in the words raises the triage.
  const words = answers.note ? assessRisk(answers.note) : null;
  const risk = raiseByWords(triageCssrs(answers), words);
  const alerting = ALERTING_RISKS.has(risk);
  const answersEnc = await cipher.encrypt(answersField(id), JSON.stringify(answers));
  const [[saved]] = await care.run(
    care.self(),
    screenerCreate(id),
    (db) =>
      [
        insertScreener(db, { id, userId: p.userId, instrument: INSTRUMENT, answersEnc, risk }),
        ...(alerting ? [screenerRiskEvent(db, p.userId, id, risk, INSTRUMENT, words?.fired ?? [])] : []),
      ] as const,
  );
  if (!saved) throw new AppError("internal");
  const alerted = alerting ? await alertTeam(scope, p, -saved.seq, risk) : 0;
  return {
    id,
    patientId: p.userId,
    instrument: INSTRUMENT,
    risk,
    urgent: risk === "high",
    message: nextSteps(risk, alerted > 0),
    careTeamAlerted: alerted > 0,
    resources: screenerResources(scope, p.region),
    createdAt: saved.createdAt.toISOString(),
  };
}

const RISK_ORDER: readonly ScreenerRisk[] = ["none", "low", "moderate", "high"];

/**
 * The C-SSRS triage raised by what the note says: high or imminent → high, elevated → moderate,
 * a check-in → low. Never lowered.
 */
function raiseByWords(triage: ScreenerRisk, words: RiskAssessment | null): ScreenerRisk {
  if (!words || words.tier === "none") return triage;
  const fromWords: ScreenerRisk =
    words.tier === "imminent" || words.tier === "high"
      ? "high"
      : words.tier === "elevated"
        ? "moderate"
        : "low";
  return RISK_ORDER.indexOf(fromWords) > RISK_ORDER.indexOf(triage) ? fromWords : triage;
}

/** The chat's care-team alert. A failure is logged (no PHI) and never fails the submission. */
async function alertTeam(scope: Scope, p: Principal, seq: number, risk: string): Promise<number> {
  try {
    return await alertCareTeam(scope, { ownerId: p.userId, region: p.region }, seq, risk, "screener");
  } catch (err) {
    scope.log.error("screener_alert_failed", { error: err instanceof Error ? err.name : typeof err });
    return 0;
  }
}

/** Reads a patient's screeners with its audit row in one transaction, then decrypts. */
async function readHistory(scope: Scope, access: PatientAccess): Promise<ScreenerHistory> {
  const { patientId } = access;
  const [[owner], rows] = await careData(scope).run(
    access,
    SCREENER_READ,
    (db) =>
      [
        wrappedKeyQuery(db, patientId),
        screenerHistoryQuery(db, patientId, INSTRUMENT, HISTORY_LIMIT),
      ] as const,
  );
  const cipher = await userCipher(scope.config, patientId, owner?.wrapped ?? null);
  const entries = await Promise.all(
    rows.map(
      async (r): Promise<ScreenerEntry> => ({
        id: r.id,
        instrument: r.instrument,
        risk: r.risk,
        answers: cipher
          ? CssrsAnswers.parse(JSON.parse(await cipher.decrypt(answersField(r.id), r.answersEnc)))
          : null,
        createdAt: r.createdAt.toISOString(),
      }),
    ),
  );
  return { patientId, entries };
}

/** The caller's own C-SSRS history, newest first (audited). */
export function ownHistory(scope: Scope): Promise<ScreenerHistory> {
  return readHistory(scope, careData(scope).self());
}

/** A patient's screeners for the patient, their care team or a break-glass holder; anyone else gets an audited 404. */
export async function patientHistory(scope: Scope, patientId: string): Promise<ScreenerHistory> {
  return readHistory(scope, await careData(scope).open(patientId, SCREENER_READ));
}
