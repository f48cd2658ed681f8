import { createExecutionContext, env } from "cloudflare:test";
import ICAL from "ical.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../workers/app";
import { call } from "./helpers";
import { api, at, practice } from "./sessions-helpers";

/** The events of a feed, parsed by ical.js (a maintained RFC 5545 parser), as plain values. */
function parse(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  expect(cal.name).toBe("vcalendar");
  return cal.getAllSubcomponents("vevent").map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      summary: e.summary,
      description: e.description,
      status: String(v.getFirstPropertyValue("status")),
      url: String(v.getFirstPropertyValue("url")),
      start: e.startDate.toJSDate().toISOString(),
      end: e.endDate.toJSDate().toISOString(),
    };
  });
}

/** GET a feed URL with no credentials at all, as a calendar app does. */
async function subscribe(url: string) {
  const res = await call(new URL(url).pathname);
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
}

async function feedUrl(user: Parameters<typeof api>[0]): Promise<string> {
  const made = await api(user, "POST", "/v1/me/calendar-feed");
  expect(made.status).toBe(201);
  return String(made.body.url);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("calendar feed by secret URL", () => {
  it("opens its owner's bookings only, parses as RFC 5545, cancelled ones stay as STATUS:CANCELLED", async () => {
    const { clinician, patients } = await practice([{ region: "eu" }, { region: "us" }]);
    const [a, b] = patients;
    const book = async (p: typeof a, day: number, hour: number) => {
      const s = await api(p!, "POST", "/v1/therapy-sessions", {
        clinicianId: clinician.id,
        sessionType: "follow-up",
        start: at(day, hour),
      });
      expect(s.status).toBe(201);
      return String(s.body.id);
    };
    const a1 = await book(a, 5, 9);
    const a2 = await book(a, 6, 9);
    const b1 = await book(b, 5, 11);
    const cancelled = await api(a!, "POST", `/v1/therapy-sessions/${a2}/cancel`, { reason: "Exam moved" });
    expect(cancelled.status).toBe(200);

    const urlA = await feedUrl(a!);
    const urlB = await feedUrl(b!);
    expect(urlA).toMatch(/^http:\/\/haven\.test\/v1\/calendar-feeds\/hcf_eu_[0-9a-f]{64}\/sessions\.ics$/);
    expect((await api(a!, "GET", "/v1/me/calendar-feed")).body).toMatchObject({ active: true });

    const feedA = await subscribe(urlA);
    expect(feedA.status).toBe(200);
    expect(feedA.type).toContain("text/calendar");
    const eventsA = parse(feedA.text);
    expect(eventsA.map((e) => e.uid).sort()).toEqual([`${a1}@haven.health`, `${a2}@haven.health`].sort());
    const byUid = Object.fromEntries(eventsA.map((e) => [e.uid, e]));
    expect(byUid[`${a1}@haven.health`]).toEqual({
      uid: `${a1}@haven.health`,
      summary: "Haven session",
      description: "Join from Haven (sign-in required).",
      status: "CONFIRMED",
      url: `http://haven.test/sessions/${a1}/visit`,
      start: at(5, 9),
      end: new Date(Date.parse(at(5, 9)) + 50 * 60_000).toISOString(),
    });
    expect(byUid[`${a2}@haven.health`]?.status).toBe("CANCELLED");
    // Nothing clinical or identifying: no session type, no cancel reason, no ids beyond the booking's.
    for (const word of ["follow-up", "Follow-up", "Exam moved", a!.id, clinician.id, b1])
      expect(feedA.text).not.toContain(word);

    // B's token never shows A's bookings, and the other way round.
    const eventsB = parse((await subscribe(urlB)).text);
    expect(eventsB.map((e) => e.uid)).toEqual([`${b1}@haven.health`]);

    // The clinician's feed: their calendar (both patients), still no patient ids.
    const urlC = await feedUrl(clinician);
    const feedC = await subscribe(urlC);
    expect(
      parse(feedC.text)
        .map((e) => e.uid)
        .sort(),
    ).toEqual([a1, a2, b1].map((id) => `${id}@haven.health`).sort());
    for (const p of [a!, b!]) expect(feedC.text).not.toContain(p.id);
  });

  it("rotation kills the old URL, revocation kills the feed; unknown and malformed tokens are 404", async () => {
    const { patients } = await practice();
    const [p] = patients;
    const first = await feedUrl(p!);
    expect((await subscribe(first)).status).toBe(200);
    const second = await feedUrl(p!);
    expect(second).not.toBe(first);
    expect((await subscribe(first)).status).toBe(404);
    expect((await subscribe(second)).status).toBe(200);

    const revoked = await api(p!, "DELETE", "/v1/me/calendar-feed");
    expect(revoked.status).toBe(204);
    const gone = await subscribe(second);
    expect(gone.status).toBe(404);
    expect(gone.type).toContain("application/problem+json");
    expect((await api(p!, "GET", "/v1/me/calendar-feed")).body).toEqual({ active: false, createdAt: null });
    expect((await api(p!, "DELETE", "/v1/me/calendar-feed")).status).toBe(204); // idempotent

    // The same secret under another region prefix, a made-up token, garbage: all 404.
    const secret = new URL(second).pathname.split("/")[3]!.slice("hcf_eu_".length);
    for (const token of [`hcf_us_${secret}`, `hcf_eu_${"a".repeat(64)}`, "not-a-token"])
      expect((await call(`/v1/calendar-feeds/${token}/sessions.ics`)).status).toBe(404);
    // A signed-in user's own credentials do not open a feed either: only the token does.
    expect((await api(p!, "GET", `/v1/calendar-feeds/hcf_eu_${"b".repeat(64)}/sessions.ics`)).status).toBe(
      404,
    );
  });

  it("the token never reaches the access log or the Analytics Engine point (found or not)", async () => {
    const { patients } = await practice();
    const [p] = patients;
    const url = await feedUrl(p!);
    const token = new URL(url).pathname.split("/")[3]!;
    const lines: string[] = [];
    for (const m of ["log", "info", "warn", "error", "debug"] as const)
      vi.spyOn(console, m).mockImplementation(
        (...args: unknown[]) => void lines.push(args.map(String).join(" ")),
      );
    const points: unknown[] = [];
    const ANALYTICS = { writeDataPoint: (p: unknown) => void points.push(p) };
    const ctx = createExecutionContext();
    const send = (path: string, mode: "all" | "errors") =>
      app.fetch(
        new Request(`http://haven.test${path}`, { headers: { "cf-connecting-ip": "192.0.2.61" } }),
        { ...env, LOG_LEVEL: "debug", ACCESS_LOG: mode, ANALYTICS } as unknown as Env,
        ctx,
      );
    const ok = await send(new URL(url).pathname, "all");
    expect(ok.status).toBe(200);
    const unknownToken = `hcf_eu_${"c".repeat(64)}`;
    const missing = await send(`/v1/calendar-feeds/${unknownToken}/sessions.ics`, "errors");
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain(unknownToken); // nor the problem body
    const access = lines.filter((l) => l.includes("calendar-feeds"));
    expect(access.length).toBeGreaterThanOrEqual(2); // the requests were logged …
    expect(access.some((l) => l.includes("/v1/calendar-feeds/:token/sessions.ics"))).toBe(true);
    expect(points).toHaveLength(2); // … and counted …
    const recorded = JSON.stringify({ lines, points });
    expect(recorded).not.toContain(token); // … by route template only
    expect(recorded).not.toContain(unknownToken);
    expect(recorded).not.toContain("hcf_");
  });
});
