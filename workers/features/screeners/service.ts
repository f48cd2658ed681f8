import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import { alertCareTeam } from "../../../durable-objects/chat-flush";
import { riskEvents, screenerResponses, users } from "../../db/schema";
import { auditInsert } from "../../lib/audit";
import { AppError } from "../../lib/errors";
import type { Principal } from "../../lib/principal";
import type { Scope } from "../../lib/scope";
import { type UserCipher, userCipher } from "../../lib/user-cipher";
import type { Region } from "../../lib/vocabulary";
import { requirePatientAccess } from "../care-team/access";
import { crisisResources } from "../safety/resources";
import { CssrsAnswers, type ScreenerEntry, type ScreenerHistory, type ScreenerResult } from "./schema";
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
 * Stores the caller's C-SSRS answers (encrypted with their key) with its audit row in one
 * transaction. Moderate and high risk also write a `risk_events` row in that transaction, then
 * alert the care team live and queue notifications, exactly as a chat crisis does.
 */
export async function submitCssrs(
  scope: Scope,
  p: Principal,
  answers: CssrsAnswers,
): Promise<ScreenerResult> {
  const db = scope.db(p.region);
  const cipher = await cipherOf(scope, p.region, p.userId);
  const id = crypto.randomUUID();
  const risk = triageCssrs(answers);
  const alerting = ALERTING_RISKS.has(risk);
  const answersEnc = await cipher.encrypt(answersField(id), JSON.stringify(answers));
  const alertSeq: SQL<number> = sql`(select -${screenerResponses.seq} from ${screenerResponses} where ${eq(screenerResponses.id, id)})`;
  const [[saved]] = await db.batch([
    db
      .insert(screenerResponses)
      .values({ id, userId: p.userId, instrument: INSTRUMENT, answersEnc, risk })
      .returning({ seq: screenerResponses.seq, createdAt: screenerResponses.createdAt }),
    auditInsert(db, scope, {
      action: "screener.create",
      resourceType: "screener_response",
      resourceId: id,
      patientId: p.userId,
      outcome: "success",
    }),
    ...(alerting
      ? [
          db.insert(riskEvents).values({
            userId: p.userId,
            seq: alertSeq,
            severity: risk,
            categories: [],
            ruleIds: [`screener.${INSTRUMENT}`],
            source: "screener",
            createdAt: sql`now()`,
          }),
        ]
      : []),
  ]);
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

/** The chat's care-team alert. A failure is logged (no PHI) and never fails the submission. */
async function alertTeam(scope: Scope, p: Principal, seq: number, risk: string): Promise<number> {
  try {
    return await alertCareTeam(scope.env, scope.config, { ownerId: p.userId, region: p.region }, seq, risk);
  } catch (err) {
    scope.log.error("screener_alert_failed", { error: err instanceof Error ? err.name : typeof err });
    return 0;
  }
}

/** Reads a patient's screeners with its audit row in one transaction, then decrypts. */
async function readHistory(scope: Scope, patientId: string, region: Region): Promise<ScreenerHistory> {
  const db = scope.db(region);
  const [[owner], rows] = await db.batch([
    db.select({ wrapped: users.dataKeyWrapped }).from(users).where(eq(users.id, patientId)),
    db
      .select({
        id: screenerResponses.id,
        instrument: screenerResponses.instrument,
        risk: screenerResponses.risk,
        answersEnc: screenerResponses.answersEnc,
        createdAt: screenerResponses.createdAt,
      })
      .from(screenerResponses)
      .where(and(eq(screenerResponses.userId, patientId), eq(screenerResponses.instrument, INSTRUMENT)))
      .orderBy(desc(screenerResponses.createdAt), desc(screenerResponses.seq))
      .limit(HISTORY_LIMIT),
    auditInsert(db, scope, {
      action: "screener.read",
      resourceType: "screener_response",
      resourceId: patientId,
      patientId,
      outcome: "success",
    }),
  ]);
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
export function ownHistory(scope: Scope, p: Principal): Promise<ScreenerHistory> {
  return readHistory(scope, p.userId, p.region);
}

/** A patient's screeners for the patient, their care team or a break-glass holder; anyone else gets an audited 404. */
export async function patientHistory(
  scope: Scope,
  p: Principal,
  patientId: string,
): Promise<ScreenerHistory> {
  const access = await requirePatientAccess(scope, p, patientId, {
    action: "screener.read",
    resourceType: "screener_response",
  });
  return readHistory(scope, patientId, access.region);
}
