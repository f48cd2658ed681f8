import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import type { Context } from "hono";
import { alertCareTeam } from "../../../durable-objects/chat-flush";
import { riskEvents, screenerResponses, users } from "../../db/schema";
import { auditInsert } from "../../lib/audit";
import type { AppEnv } from "../../lib/context";
import { AppError } from "../../lib/errors";
import type { Principal } from "../../lib/principal";
import { type UserCipher, userCipher } from "../../lib/user-cipher";
import type { Region } from "../../lib/vocabulary";
import { requirePatientAccess } from "../care-team/access";
import { crisisResources } from "../safety/resources";
import { CssrsAnswers, type ScreenerEntry, type ScreenerHistory, type ScreenerResult } from "./schema";
import { ALERTING_RISKS, nextSteps, triageCssrs } from "./triage";

type Ctx = Context<AppEnv>;

const INSTRUMENT = "c-ssrs";
const HISTORY_LIMIT = 100;

/** AAD field for a screener's answers: binds the ciphertext to its row. */
const answersField = (id: string) => `screener.answers:${id}`;

/** The first language tag of Accept-Language ("de-AT"), to pick a country's lines in a multi-country region. */
function requestLocale(c: Ctx): string | undefined {
  const first = c.req.header("accept-language")?.split(",")[0]?.split(";")[0]?.trim();
  return first && /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/.test(first) ? first : undefined;
}

/** Crisis resources for the caller's region (and browser locale): shown with every screener. */
export function screenerResources(c: Ctx, region: Region) {
  return crisisResources(region, requestLocale(c));
}

async function cipherOf(c: Ctx, region: Region, userId: string): Promise<UserCipher> {
  const [user] = await c
    .get("db")(region)
    .select({ wrapped: users.dataKeyWrapped })
    .from(users)
    .where(eq(users.id, userId));
  const cipher = await userCipher(c.get("config"), userId, user?.wrapped ?? null);
  if (!cipher) throw new AppError("not_found", "No such account");
  return cipher;
}

/**
 * Stores the caller's C-SSRS answers (encrypted with their key) with its audit row in one
 * transaction. Moderate and high risk also write a `risk_events` row in that transaction, then
 * alert the care team live and queue notifications, exactly as a chat crisis does.
 */
export async function submitCssrs(c: Ctx, p: Principal, answers: CssrsAnswers): Promise<ScreenerResult> {
  const db = c.get("db")(p.region);
  const cipher = await cipherOf(c, p.region, p.userId);
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
    auditInsert(db, c, {
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
  const alerted = alerting ? await alertTeam(c, p, -saved.seq, risk) : 0;
  return {
    id,
    patientId: p.userId,
    instrument: INSTRUMENT,
    risk,
    urgent: risk === "high",
    message: nextSteps(risk, alerted > 0),
    careTeamAlerted: alerted > 0,
    resources: screenerResources(c, p.region),
    createdAt: saved.createdAt.toISOString(),
  };
}

/** The chat's care-team alert. A failure is logged (no PHI) and never fails the submission. */
async function alertTeam(c: Ctx, p: Principal, seq: number, risk: string): Promise<number> {
  try {
    return await alertCareTeam(c.env, c.get("config"), { ownerId: p.userId, region: p.region }, seq, risk);
  } catch (err) {
    c.get("log").error("screener_alert_failed", { error: err instanceof Error ? err.name : typeof err });
    return 0;
  }
}

/** Reads a patient's screeners with its audit row in one transaction, then decrypts. */
async function readHistory(c: Ctx, patientId: string, region: Region): Promise<ScreenerHistory> {
  const db = c.get("db")(region);
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
    auditInsert(db, c, {
      action: "screener.read",
      resourceType: "screener_response",
      resourceId: patientId,
      patientId,
      outcome: "success",
    }),
  ]);
  const cipher = await userCipher(c.get("config"), patientId, owner?.wrapped ?? null);
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
export function ownHistory(c: Ctx, p: Principal): Promise<ScreenerHistory> {
  return readHistory(c, p.userId, p.region);
}

/** A patient's screeners for the patient, their care team or a break-glass holder; anyone else gets an audited 404. */
export async function patientHistory(c: Ctx, p: Principal, patientId: string): Promise<ScreenerHistory> {
  const access = await requirePatientAccess(c, p, patientId, {
    action: "screener.read",
    resourceType: "screener_response",
  });
  return readHistory(c, patientId, access.region);
}
