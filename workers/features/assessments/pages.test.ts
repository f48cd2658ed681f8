import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addToCareTeam } from "../../../test/chat-helpers";
import { createUser, type TestUser, testConfig } from "../../../test/fixtures";
import { call } from "../../../test/helpers";
import { assessmentResponses, screenerResponses } from "../../db/schema";
import { createDatabase } from "../../lib/db";

const CSRF = "test-csrf-token-0123456789";
const cookie = (user: TestUser) => ({ cookie: `haven_at=${user.token}; haven_csrf=${CSRF}` });
const postForm = (user: TestUser, path: string, fields: Record<string, string>) =>
  call(path, {
    method: "POST",
    headers: { ...cookie(user), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf: CSRF, ...fields }).toString(),
    redirect: "manual",
  });
const phq9 = (q9: string) => ({ q1: "1", q2: "1", q3: "0", q4: "0", q5: "0", q6: "0", q7: "0", q8: "0", q9 });

describe("assessment pages", () => {
  it("signed out: sent to sign in; clinicians get no such page", async () => {
    const res = await call("/assessments", { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(
      (await call("/assessments/phq-9", { headers: cookie(await createUser("clinician")) })).status,
    ).toBe(404);
  });

  it("the form works without JavaScript, loads the stepper, shows crisis resources on the PHQ-9", async () => {
    const patient = await createUser("patient");
    const res = await call("/assessments/phq-9", { headers: cookie(patient) });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain('src="/assets/assessment-stepper.js"');
    expect(html.match(/<fieldset data-step=/g)).toHaveLength(10);
    expect(html).toContain("Thoughts that you would be better off dead");
    expect(html).toMatch(/tel:988/);
    expect(html).toContain('href="/assessments"');
    expect((await call("/assessments/phq-10", { headers: cookie(patient) })).status).toBe(404);
  });

  it("an incomplete form comes back (422) with the missing questions marked; nothing stored", async () => {
    const patient = await createUser("patient");
    const { q3: _, ...partial } = phq9("0");
    const res = await postForm(patient, "/assessments/phq-9", partial);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('id="q3-error"');
    expect(html).toContain("answer q3");
    const rows = await createDatabase(testConfig(), "us")
      .select()
      .from(assessmentResponses)
      .where(eq(assessmentResponses.patientId, patient.id));
    expect(rows).toEqual([]);
  });

  it("item 9 above 0: the result page leads with help and says the care team was told", async () => {
    const patient = await createUser("patient");
    await addToCareTeam(patient, await createUser("clinician"));
    const res = await postForm(patient, "/assessments/phq-9", phq9("1"));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Please talk to someone today");
    expect(html).toContain("let your care team know");
    expect(html.indexOf('role="alert"')).toBeLessThan(html.indexOf("Score"));
  });

  it("the overview shows the due list and a band-shaded chart with a table fallback", async () => {
    const patient = await createUser("patient");
    const clinician = await createUser("clinician");
    await addToCareTeam(patient, clinician);
    await call(`/v1/patients/${patient.id}/assessment-assignments`, {
      method: "POST",
      headers: { ...clinician.auth, "content-type": "application/json" },
      body: JSON.stringify({ instrument: "gad-7", cadenceDays: 14 }),
    });
    await postForm(patient, "/assessments/phq-9", phq9("0"));
    await postForm(patient, "/assessments/phq-9", { ...phq9("0"), q3: "3" });
    const html = await (await call("/assessments", { headers: cookie(patient) })).text();
    expect(html).toContain("GAD-7");
    expect(html).toContain("Due now");
    expect(html).toContain("data-score-chart=");
    expect(html).toContain("/vendor/chartjs/chart.umd.min.js");
    expect(html).toMatch(/<td>5 \/ 27<\/td>/);
    expect(html).toContain("Moderately severe");
  });

  it("the C-SSRS stepper enforces skip logic on the server too", async () => {
    const patient = await createUser("patient");
    const html = await (await call("/assessments/c-ssrs", { headers: cookie(patient) })).text();
    expect(html.match(/data-show-if="suicidalThoughts=yes"/g)).toHaveLength(3);
    expect(html).toContain('data-show-if="behavior=yes"');
    const bad = await postForm(patient, "/assessments/c-ssrs", {
      wishedDead: "no",
      suicidalThoughts: "no",
      intent: "yes",
      behavior: "no",
    });
    expect(bad.status).toBe(422);
    const ok = await postForm(patient, "/assessments/c-ssrs", {
      wishedDead: "no",
      suicidalThoughts: "no",
      method: "no",
      behavior: "no",
    });
    expect(ok.status).toBe(200);
    const rows = await createDatabase(testConfig(), "us")
      .select()
      .from(screenerResponses)
      .where(eq(screenerResponses.userId, patient.id));
    expect(rows.map((r) => r.risk)).toEqual(["none"]);
  });

  it("the clinician's page lists due assessments by patient name and assigns (care team only)", async () => {
    const patient = await createUser("patient");
    const clinician = await createUser("clinician");
    const stranger = await createUser("patient");
    await addToCareTeam(patient, clinician);
    expect((await call("/clinician/assessments", { headers: cookie(patient) })).status).toBe(404);
    const page = await (await call("/clinician/assessments", { headers: cookie(clinician) })).text();
    expect(page).toContain(`<option value="${patient.id}">`);
    expect(page).not.toContain(stranger.id);
    const res = await postForm(clinician, "/clinician/assessments", {
      patientId: patient.id,
      instrument: "phq-9",
      cadenceDays: "14",
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("PHQ-9 assigned every 14 days.");
    expect(html).toContain("Due now");
    expect(
      (
        await postForm(clinician, "/clinician/assessments", {
          patientId: stranger.id,
          instrument: "phq-9",
          cadenceDays: "14",
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await postForm(clinician, "/clinician/assessments", {
          patientId: patient.id,
          instrument: "phq-9",
          cadenceDays: "0",
        })
      ).status,
    ).toBe(422);
  });
});
