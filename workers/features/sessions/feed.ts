import { audit } from "../../lib/audit";
import {
  calendarFeedOwnerQuery,
  calendarFeedQuery,
  deleteCalendarFeed,
  upsertCalendarFeed,
} from "../../lib/care-data/sessions";
import { toHex, utf8Encode } from "../../lib/crypto/encoding";
import { AppError } from "../../lib/errors";
import type { Principal } from "../../lib/principal";
import { type Scope, withPrincipal } from "../../lib/scope";
import { isRegion, type Region } from "../../lib/vocabulary";
import { clinicianCalendar, feedEvent } from "./calendar";
import { calendar } from "./ics";
import { ownSessions } from "./service";

/**
 * Calendar feeds by secret URL (RFC 5545), for calendar apps that cannot sign in. The token is
 * `hcf_<region>_<64 hex>`: the region routes the lookup to the owner's database; only its SHA-256
 * is stored (`calendar_feeds`, one per user), so a database leak does not open anyone's feed.
 * The token sits in the URL path because calendar clients need that: the access log and the
 * Analytics Engine point record the route template only (`/v1/calendar-feeds/:token/…`), never
 * the path. The feed carries times, "Haven session" and a link to the visit page (which still
 * requires sign-in): no names, session types, notes or diagnoses.
 */
const TOKEN = /^hcf_(us|eu|apac)_([0-9a-f]{64})$/;

export const feedPath = (token: string) => `/v1/calendar-feeds/${token}/sessions.ics`;

async function sha256Hex(text: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", utf8Encode(text))));
}

function me(scope: Scope): Principal {
  if (!scope.principal) throw new AppError("unauthorized", "Sign in to continue");
  return scope.principal;
}

const feedAudit = (action: string, userId: string) =>
  ({ action, resourceType: "calendar_feed", resourceId: userId, outcome: "success" }) as const;

export interface FeedStatus {
  active: boolean;
  createdAt: string | null;
}

/** Whether the caller has a feed URL now (the URL itself cannot be shown again: only its hash is kept). */
export async function feedStatus(scope: Scope): Promise<FeedStatus> {
  const p = me(scope);
  const [row] = await calendarFeedQuery(scope.db(p.region), p.userId);
  return { active: Boolean(row), createdAt: row?.createdAt.toISOString() ?? null };
}

/** Creates the caller's feed URL, or rotates it (the previous URL stops working at once). Shown once. */
export async function rotateFeed(scope: Scope): Promise<{ url: string; createdAt: string }> {
  const p = me(scope);
  const token = `hcf_${p.region}_${toHex(crypto.getRandomValues(new Uint8Array(32)))}`;
  const db = scope.db(p.region);
  const [row] = await upsertCalendarFeed(db, p.userId, await sha256Hex(token));
  await audit(scope, p.region, feedAudit("calendar_feed.rotate", p.userId));
  return {
    url: `${scope.origin ?? ""}${feedPath(token)}`,
    createdAt: (row?.createdAt ?? new Date()).toISOString(),
  };
}

/** Revokes the caller's feed URL (then it answers 404). Idempotent. */
export async function revokeFeed(scope: Scope): Promise<void> {
  const p = me(scope);
  const removed = await deleteCalendarFeed(scope.db(p.region), p.userId);
  if (removed.length > 0) await audit(scope, p.region, feedAudit("calendar_feed.revoke", p.userId));
}

const unknownFeed = () => new AppError("not_found", "No such calendar feed");

/**
 * The feed a token opens: its owner's sessions only (patient: own bookings; clinician: their
 * calendar, a day back to six weeks ahead), read through the care-data layer as the owner and
 * audited `session.calendar_feed`. Unknown, rotated-away or revoked tokens (and deactivated
 * accounts) answer 404.
 */
export async function feedByToken(scope: Scope, token: string): Promise<string> {
  const m = TOKEN.exec(token);
  const region = m?.[1];
  if (!m || !isRegion(region)) throw unknownFeed();
  const [owner] = await calendarFeedOwnerQuery(scope.db(region as Region), await sha256Hex(token));
  if (!owner || owner.role === "admin") throw unknownFeed();
  const now = new Date();
  const principal: Principal = {
    userId: owner.userId,
    role: owner.role,
    region,
    sessionId: "calendar-feed",
    jti: "calendar-feed",
    exp: Math.floor(now.getTime() / 1000) + 60,
    mfa: false,
    via: "bearer",
  };
  const as = withPrincipal(scope, principal);
  const list =
    owner.role === "clinician"
      ? await clinicianCalendar(
          as,
          new Date(now.getTime() - 86_400_000),
          new Date(now.getTime() + 41 * 86_400_000),
          "session.calendar_feed",
        )
      : await ownSessions(as, "session.calendar_feed");
  return calendar(
    "Haven sessions",
    list.map((s) => feedEvent(s, now, scope.origin)),
  );
}
