import { buildPushPayload } from "@block65/webcrypto-web-push";
import { describe, expect, it } from "vitest";
import { POLICY } from "../workers/features/notifications/catalog";
import { nextFire } from "../workers/features/notifications/cron";
import { base64UrlBytes, decryptPush, newUserAgentKeys } from "../workers/features/notifications/rfc8291";
import {
  backoffSeconds,
  classifyStatus,
  nextLocalTime,
  planChannels,
  quietUntil,
  refusesCriticalOptOut,
  zonedInstant,
} from "../workers/features/notifications/rules";
import { allTemplates, render, TemplateError } from "../workers/features/notifications/templates";
import { EVENT_TYPES, makeEvent } from "../workers/lib/events";
import { testConfig } from "./fixtures";

// RFC 8291 Appendix A.
const RFC = {
  uaPublic: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
  uaPrivate: "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94",
  auth: "BTBZMqHH6r4Tts7J_aSIgg",
  body: "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
};

describe("Web Push payload encryption (RFC 8291 aes128gcm)", () => {
  it("the receiver used to check the sender decrypts RFC 8291's own test vector", async () => {
    const text = await decryptPush(base64UrlBytes(RFC.body), {
      publicKey: RFC.uaPublic,
      privateKey: RFC.uaPrivate,
      auth: RFC.auth,
    });
    expect(text).toBe("When I grow up, I want to be a watermelon");
  });

  it("rejects a body altered by one bit (the check can fail)", async () => {
    const body = base64UrlBytes(RFC.body);
    body[body.length - 1] = (body[body.length - 1] ?? 0) ^ 1;
    await expect(
      decryptPush(body, { publicKey: RFC.uaPublic, privateKey: RFC.uaPrivate, auth: RFC.auth }),
    ).rejects.toThrow();
  });

  it("what Haven sends decrypts with the subscription's keys, with VAPID and RFC 8030 headers", async () => {
    const config = testConfig();
    const ua = await newUserAgentKeys();
    const payload = await buildPushPayload(
      { data: { title: "Haven: urgent care-team alert" }, options: { ttl: 60, urgency: "high" } },
      {
        endpoint: "https://push.example/sub/1",
        expirationTime: null,
        keys: { p256dh: ua.publicKey, auth: ua.auth },
      },
      {
        subject: config.VAPID_SUBJECT,
        publicKey: String(config.VAPID_PUBLIC_KEY),
        privateKey: String(config.VAPID_PRIVATE_KEY),
      },
    );
    const headers = payload.headers as Record<string, string>;
    expect(headers["content-encoding"]).toBe("aes128gcm");
    expect(headers.ttl).toBe("60");
    expect(headers.urgency).toBe("high");
    expect(headers.authorization).toMatch(new RegExp(`^vapid t=[^,]+, k=${config.VAPID_PUBLIC_KEY}$`));
    const text = await decryptPush(new Uint8Array(payload.body), ua);
    expect(JSON.parse(text)).toEqual({ title: "Haven: urgent care-team alert" });
  });
});

describe("templates", () => {
  const SECRET = "SENTINEL-7f3a";
  it("lock-screen texts and subjects take no variables: nothing passed in can appear there", () => {
    for (const t of allTemplates()) {
      const vars =
        t.vars === "appointment"
          ? { link: `https://haven.test/${SECRET}`, when: SECRET }
          : t.vars === "ops"
            ? { link: `https://haven.test/${SECRET}`, when: SECRET, alert: SECRET, state: "firing" }
            : { link: `https://haven.test/${SECRET}` };
      const r = render(t.type, t.locale, vars);
      expect(r.title).not.toContain(SECRET);
      expect(r.preview).not.toContain(SECRET);
      // The in-app/email body does use the variables (the check above is not vacuous).
      expect(r.text).toContain(SECRET);
      for (const word of [
        /suicid/i,
        /kill/i,
        /self.?harm/i,
        /overdose/i,
        /depress/i,
        /phq|gad|c-ssrs/i,
        /crisis/i,
      ])
        expect(`${r.title} ${r.preview}`).not.toMatch(word);
    }
  });

  it("every event type has English and Spanish wording", () => {
    const vars = new Map(allTemplates().map((t) => [t.type, t.vars]));
    for (const type of EVENT_TYPES) {
      const v =
        vars.get(type) === "appointment"
          ? { link: "https://h.test/", when: "x" }
          : vars.get(type) === "ops"
            ? { link: "https://h.test/", when: "x", alert: "HavenDependencyDown", state: "firing" }
            : { link: "https://h.test/" };
      const en = render(type, "en", v);
      const es = render(type, "es", v);
      expect(es.title).not.toBe(en.title);
    }
  });

  it("validates variables: a missing or unexpected one is refused, never sent", () => {
    expect(() => render("booking.created", "en", { link: "https://h.test/" })).toThrow(TemplateError);
    expect(() => render("crisis.detected", "en", { link: "https://h.test/", when: "now" })).toThrow(
      TemplateError,
    );
    expect(() => render("crisis.detected", "en", { link: "not a url" })).toThrow(TemplateError);
  });

  it("escapes variables in HTML", () => {
    const r = render("booking.created", "en", { link: "https://h.test/", when: "<b>x</b>" });
    expect(r.html).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(r.html).not.toContain("<b>x</b>");
  });
});

describe("events", () => {
  it("carry ids and codes only: free text in a code field is refused", () => {
    expect(() =>
      makeEvent({
        type: "crisis.detected",
        v: 1,
        patientId: crypto.randomUUID(),
        region: "us",
        seq: 3,
        severity: "I want to die",
      }),
    ).toThrow();
    const ok = makeEvent({
      type: "crisis.detected",
      v: 1,
      patientId: crypto.randomUUID(),
      region: "us",
      seq: 3,
      severity: "high",
    });
    expect(ok.id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("local time across DST", () => {
  it("a daily 09:00 reminder in New York is 14:00Z before and 13:00Z after the March change", () => {
    const s = { kind: "daily" as const, localTime: "09:00", timeZone: "America/New_York" };
    const sat = nextFire(s, new Date("2026-03-07T10:00:00Z"));
    expect(sat?.toISOString()).toBe("2026-03-07T14:00:00.000Z");
    const sun = nextFire(s, sat as Date);
    expect(sun?.toISOString()).toBe("2026-03-08T13:00:00.000Z");
    // And back in November.
    const oct31 = nextFire(s, new Date("2026-10-31T14:00:00Z"));
    expect(oct31?.toISOString()).toBe("2026-11-01T14:00:00.000Z");
  });

  it("Berlin: 02:30 on the spring-forward day (skipped) resolves after the jump; fall-back picks the first 02:30", () => {
    expect(zonedInstant("Europe/Berlin", 2026, 3, 29, 2, 30).toISOString()).toBe("2026-03-29T01:30:00.000Z");
    expect(zonedInstant("Europe/Berlin", 2026, 10, 25, 2, 30).toISOString()).toBe("2026-10-25T00:30:00.000Z");
    expect(nextLocalTime(new Date("2026-10-24T22:00:00Z"), "Europe/Berlin", 8, 0).toISOString()).toBe(
      "2026-10-25T07:00:00.000Z",
    );
  });

  it("quiet hours 22:00–07:00 are read in the person's zone", () => {
    const q = { timeZone: "Australia/Sydney", start: 22 * 60, end: 7 * 60 };
    // 12:30Z = 23:30 in Sydney (AEDT, +11) on 2026-01-10: quiet until 07:00 local = 20:00Z.
    expect(quietUntil(new Date("2026-01-10T12:30:00Z"), q)?.toISOString()).toBe("2026-01-10T20:00:00.000Z");
    // 02:00Z = 13:00 in Sydney: not quiet.
    expect(quietUntil(new Date("2026-01-10T02:00:00Z"), q)).toBeNull();
  });
});

describe("channel plan", () => {
  const base = {
    role: "clinician" as const,
    onCall: false,
    prefs: [],
    reachable: new Set(["in_app", "push", "sms", "email"] as const),
    quiet: { timeZone: "UTC", start: 0, end: 24 * 60 - 1 },
    digestMinutes: 60,
    now: new Date("2026-01-10T12:00:00Z"),
  };
  it("critical passes quiet hours; non-critical is held until they end", () => {
    const crisis = planChannels({ ...base, type: "crisis.detected", critical: true });
    expect(crisis).toEqual({ channels: ["push", "sms", "email"], releaseAt: null, digest: false });
    const due = planChannels({ ...base, role: "patient", type: "assessment.due", critical: false });
    expect(due.channels).toEqual(["push", "email"]);
    expect(due.releaseAt?.toISOString()).toBe("2026-01-10T23:59:00.000Z");
  });

  it("preferences turn channels off; on call, a clinician's critical alerts ignore them", () => {
    const prefs = [
      { eventType: "crisis.detected", channel: "push" as const, enabled: false, digest: false },
      { eventType: "crisis.detected", channel: "sms" as const, enabled: false, digest: false },
    ];
    const off = planChannels({ ...base, prefs, type: "crisis.detected", critical: true });
    expect(off.channels).toEqual(["email"]);
    const onCall = planChannels({ ...base, prefs, onCall: true, type: "crisis.detected", critical: true });
    expect(onCall.channels).toEqual(["push", "sms", "email"]);
    expect(refusesCriticalOptOut("clinician", true, "crisis.detected", false)).toBe(true);
    expect(refusesCriticalOptOut("clinician", false, "crisis.detected", false)).toBe(false);
    expect(refusesCriticalOptOut("clinician", true, "note.unsigned", false)).toBe(false);
  });

  it("digest batches non-urgent kinds, never critical ones", () => {
    const prefs = [
      { eventType: "assessment.submitted", channel: "email" as const, enabled: true, digest: true },
    ];
    const quiet = { timeZone: "UTC", start: null, end: null };
    const d = planChannels({ ...base, prefs, quiet, type: "assessment.submitted", critical: false });
    expect(d).toEqual({ channels: ["email"], releaseAt: new Date("2026-01-10T13:00:00Z"), digest: true });
    const c = planChannels({
      ...base,
      quiet,
      prefs: [{ eventType: "crisis.detected", channel: "email", enabled: true, digest: true }],
      type: "crisis.detected",
      critical: true,
    });
    expect(c.digest).toBe(false);
  });

  it("security notices cannot be turned off", () => {
    const prefs = [
      { eventType: "security.sign_in", channel: "email" as const, enabled: false, digest: false },
    ];
    const p = planChannels({
      ...base,
      prefs,
      quiet: { timeZone: "UTC", start: null, end: null },
      type: "security.sign_in",
      critical: false,
    });
    expect(p.channels).toEqual(["email"]);
    expect(POLICY["security.sign_in"].optional).toBe(false);
  });
});

describe("retries", () => {
  it("backoff grows exponentially per error class, with jitter inside [half, full], capped, honouring Retry-After", () => {
    expect([1, 2, 3, 4].map((a) => backoffSeconds("transient", a, 0))).toEqual([2, 5, 10, 20]);
    expect([1, 2, 3, 4].map((a) => backoffSeconds("transient", a, 0.999))).toEqual([4, 9, 19, 39]);
    expect(backoffSeconds("rate_limited", 1, 0)).toBe(15);
    expect(backoffSeconds("transient", 30, 0.5)).toBeLessThanOrEqual(300);
    expect(backoffSeconds("transient", 1, 0, 120)).toBe(120);
  });
  it("classifies provider statuses", () => {
    expect([503, 500, 408, 429, 410, 404, 400, 401].map(classifyStatus)).toEqual([
      "transient",
      "transient",
      "transient",
      "rate_limited",
      "gone",
      "gone",
      "permanent",
      "permanent",
    ]);
  });
});
