import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createUser, type TestUser, testConfig } from "../../../test/fixtures";
import { call } from "../../../test/helpers";
import { screenerResponses } from "../../db/schema";
import { createDatabase } from "../../lib/db";

const CSRF = "test-csrf-token-0123456789";
const cookie = (user: TestUser) => ({ cookie: `haven_at=${user.token}; haven_csrf=${CSRF}` });

const postForm = (user: TestUser, fields: Record<string, string>) =>
  call("/screeners/c-ssrs", {
    method: "POST",
    headers: { ...cookie(user), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });

const stored = (user: TestUser) =>
  createDatabase(testConfig(), user.region)
    .select({ risk: screenerResponses.risk })
    .from(screenerResponses)
    .where(eq(screenerResponses.userId, user.id));

describe("/screeners/c-ssrs page", () => {
  it("signed out: sent to sign in", async () => {
    const res = await call("/screeners/c-ssrs", { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/login/);
  });

  it("renders a no-JS form with the CSRF field, a plain-language intro and crisis resources", async () => {
    const patient = await createUser("patient");
    const res = await call("/screeners/c-ssrs", { headers: cookie(patient) });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain(`name="csrf" value="${CSRF}"`);
    expect(html).toContain('action="/screeners/c-ssrs"');
    expect(html).toMatch(/not a diagnosis/);
    expect(html).toMatch(/tel:988/);
    expect(html).toContain("wished you were dead or wished you could go to sleep and not wake up");
    expect(html).not.toContain('<script src="/assets/screener');
  });

  it("clinicians get no such page", async () => {
    const clinician = await createUser("clinician");
    expect((await call("/screeners/c-ssrs", { headers: cookie(clinician) })).status).toBe(404);
  });

  it("a POST without the CSRF field is refused and nothing is stored", async () => {
    const patient = await createUser("patient");
    const res = await postForm(patient, { wishedDead: "no", suicidalThoughts: "no", behavior: "no" });
    expect(res.status).toBe(403);
    expect(await stored(patient)).toEqual([]);
  });

  it("high risk: the result page urges calling emergency services now", async () => {
    const patient = await createUser("patient");
    const res = await postForm(patient, {
      csrf: CSRF,
      wishedDead: "yes",
      suicidalThoughts: "yes",
      method: "yes",
      intent: "yes",
      plan: "no",
      behavior: "no",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).toMatch(/Please get help now/);
    expect(html).toMatch(/contact emergency services now/);
    expect(html).toMatch(/role="alert"/);
    expect(await stored(patient)).toEqual([{ risk: "high" }]);
  });

  it("skipped follow-ups answered 'no' are ignored; a skipped 'yes' is sent back to check", async () => {
    const patient = await createUser("patient");
    const ok = await postForm(patient, {
      csrf: CSRF,
      wishedDead: "no",
      suicidalThoughts: "no",
      method: "no",
      behavior: "no",
      behaviorPast3Months: "no",
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/Thank you for checking in/);
    const check = await postForm(patient, {
      csrf: CSRF,
      wishedDead: "no",
      suicidalThoughts: "no",
      intent: "yes",
      behavior: "no",
    });
    expect(check.status).toBe(422);
    const html = await check.text();
    expect(html).toMatch(/You answered no to question 2/);
    expect(html).toMatch(/name="intent" value="yes" checked/);
    expect(await stored(patient)).toEqual([{ risk: "none" }]);
  });

  it("missing required answers re-show the form with field errors", async () => {
    const patient = await createUser("patient");
    const res = await postForm(patient, { csrf: CSRF, wishedDead: "yes", suicidalThoughts: "yes" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('id="behavior-error"');
    expect(html).toContain('id="method-error"');
    expect(html).not.toContain('id="behaviorPast3Months-error"');
    expect(await stored(patient)).toEqual([]);
  });
});
