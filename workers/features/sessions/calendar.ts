import { careData } from "../../lib/care-data/repository";
import { clinicianSessionsQuery, type SessionRow, sessionOp } from "../../lib/care-data/sessions";
import { AppError } from "../../lib/errors";
import type { Scope } from "../../lib/scope";
import { calendar, type IcsEvent } from "./ics";
import type { Session } from "./schema";
import { getSession, ownSessions, view } from "./service";

const MAX_RANGE_MS = 42 * 86_400_000;

/** A clinician's sessions in [from, to) from every region, soonest first (audited per region). */
export async function clinicianCalendar(
  scope: Scope,
  from: Date,
  to: Date,
  action = "session.calendar",
): Promise<Session[]> {
  if (!(to > from) || to.getTime() - from.getTime() > MAX_RANGE_MS)
    throw new AppError("validation_failed", "Ask for a range of at most 42 days, from before to");
  const perRegion = await careData(scope).everyRegion(sessionOp(action), (db, userId) => [
    clinicianSessionsQuery(db, userId, from, to),
  ]);
  return perRegion
    .flatMap(([rows]) => rows as SessionRow[])
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())
    .map((r) => view(r, null));
}

/** An event carries no health detail: "Therapy session", the type, and where to join. */
function eventOf(s: Session, stamp: Date, origin: string | null): IcsEvent {
  return {
    uid: `${s.id}@haven.health`,
    start: new Date(s.start),
    end: new Date(s.end),
    summary: "Therapy session (Haven)",
    description: `${s.sessionType} session. Join from Haven: Sessions.`,
    // RFC 5545 URL is a URI: absolute when the request's origin is known.
    url: `${origin ?? ""}/sessions/${s.id}/visit`,
    status: s.status === "cancelled" ? "CANCELLED" : "CONFIRMED",
    sequence: s.status === "cancelled" ? 1 : 0,
    stamp,
  };
}

/**
 * An event of the secret-URL feed: even less than {@link eventOf} (no session type), an absolute
 * link to the visit page (sign-in still required there). Cancelled bookings stay, `STATUS:CANCELLED`.
 */
export function feedEvent(s: Session, stamp: Date, origin: string | null): IcsEvent {
  return {
    ...eventOf(s, stamp, origin),
    summary: "Haven session",
    description: "Join from Haven (sign-in required).",
  };
}

/** One session as an RFC 5545 calendar. */
export async function sessionIcs(scope: Scope, id: string): Promise<string> {
  const s = await getSession(scope, id);
  return calendar("Haven session", [eventOf(s, new Date(), scope.origin)]);
}

/** The caller's sessions (patient: own bookings; clinician: the coming 42 days) as a feed. */
export async function calendarFeed(scope: Scope): Promise<string> {
  const now = new Date();
  const list =
    scope.principal?.role === "clinician"
      ? await clinicianCalendar(
          scope,
          new Date(now.getTime() - 86_400_000),
          new Date(now.getTime() + 41 * 86_400_000),
        )
      : await ownSessions(scope);
  return calendar(
    "Haven sessions",
    list.map((s) => eventOf(s, now, scope.origin)),
  );
}
