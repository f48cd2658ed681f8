import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import { riskEvents, screenerResponses } from "../../db/schema";
import type { Database } from "../db";

export const SCREENER_READ = { action: "screener.read", resourceType: "screener_response" } as const;
export const screenerCreate = (id: string) =>
  ({
    action: "screener.create",
    resourceType: "screener_response",
    resourceId: id,
    allow: ["self"],
  }) as const;

type Risk = typeof screenerResponses.$inferInsert.risk;
type Instrument = typeof screenerResponses.$inferInsert.instrument;

/** Stores one encrypted response; returns its sequence number and time. */
export function insertScreener(
  db: Database,
  row: { id: string; userId: string; instrument: Instrument; answersEnc: string; risk: Risk },
) {
  return db
    .insert(screenerResponses)
    .values(row)
    .returning({ seq: screenerResponses.seq, createdAt: screenerResponses.createdAt });
}

/**
 * The `risk_events` row of an alerting screener, in the same batch as the response: its `seq` is
 * the response's sequence number negated (chat events use positive ones).
 */
export function screenerRiskEvent(
  db: Database,
  userId: string,
  id: string,
  severity: Risk,
  instrument: string,
  /** Safety-net ids that fired on the screener's free-text note (ids only). */
  fired: readonly string[] = [],
) {
  const seq: SQL<number> = sql`(select -${screenerResponses.seq} from ${screenerResponses} where ${eq(screenerResponses.id, id)})`;
  return db.insert(riskEvents).values({
    userId,
    seq,
    severity,
    categories: [],
    ruleIds: [`screener.${instrument}`, ...fired],
    source: "screener",
    createdAt: sql`now()`,
  });
}

/** A patient's responses to one instrument, newest first, still encrypted. */
export function screenerHistoryQuery(db: Database, patientId: string, instrument: Instrument, limit: number) {
  return db
    .select({
      id: screenerResponses.id,
      instrument: screenerResponses.instrument,
      risk: screenerResponses.risk,
      answersEnc: screenerResponses.answersEnc,
      createdAt: screenerResponses.createdAt,
    })
    .from(screenerResponses)
    .where(and(eq(screenerResponses.userId, patientId), eq(screenerResponses.instrument, instrument)))
    .orderBy(desc(screenerResponses.createdAt), desc(screenerResponses.seq))
    .limit(limit);
}
