import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { addToCareTeam } from "../../../test/chat-helpers";
import { createUser, testConfig } from "../../../test/fixtures";
import { call } from "../../../test/helpers";
import { createLogger } from "../../lib/logger";
import { createScope } from "../../lib/scope";
import { seedAssessments } from "./seed";

describe("demo assessment history", () => {
  it("gives the patient an improving PHQ-9/GAD-7 history and the clinician a due and an overdue assignment", async () => {
    const patient = await createUser("patient");
    const clinician = await createUser("clinician");
    await addToCareTeam(patient, clinician);
    const scope = createScope({
      env,
      config: testConfig(),
      log: createLogger("error"),
      audit: { requestId: "test-seed", ip: null, userAgent: null },
    });
    await seedAssessments(scope, patient.id, clinician.id);
    const history = (await (await call("/v1/assessments", { headers: patient.auth })).json()) as {
      entries: Array<{ instrument: string; total: number; change: string | null; response: boolean | null }>;
    };
    const phq = history.entries.filter((e) => e.instrument === "phq-9");
    expect(phq.map((e) => e.total)).toEqual([8, 9, 12, 15, 17]);
    expect(phq[0]).toMatchObject({ change: "no_reliable_change", response: true });
    expect(history.entries.filter((e) => e.instrument === "gad-7").map((e) => e.total)).toEqual([
      7, 8, 11, 13,
    ]);
    const due = (await (await call("/v1/clinician/assessments/due", { headers: clinician.auth })).json()) as {
      assignments: Array<{ instrument: string; status: string }>;
    };
    expect(due.assignments.map((a) => [a.instrument, a.status])).toEqual([
      ["gad-7", "overdue"],
      ["phq-9", "due"],
    ]);
  });
});
