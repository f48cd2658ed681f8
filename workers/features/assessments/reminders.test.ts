import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createUser, testConfig } from "../../../test/fixtures";
import { assessmentAssignments } from "../../db/schema";
import { createDatabase } from "../../lib/db";
import { createLogger } from "../../lib/logger";
import { createScope, jobAudit } from "../../lib/scope";
import { publishDueAssessments } from "./reminders";

describe("assessment reminders through the notifications service", () => {
  it("publishes one assessment.due event per due period: the hourly repeats carry the same event id", async () => {
    const patient = await createUser("patient", "eu");
    const clinician = await createUser("clinician", "eu");
    const db = createDatabase(testConfig(), "eu");
    const startsAt = new Date(Date.now() - 3_600_000);
    const [row] = await db
      .insert(assessmentAssignments)
      .values({
        patientId: patient.id,
        clinicianId: clinician.id,
        instrument: "phq-9",
        cadenceDays: 14,
        startsAt,
      })
      .returning({ id: assessmentAssignments.id });
    const sent: Array<{ id: string; type: string; patientId: string; instrument: string }> = [];
    const fakeEnv = {
      ...env,
      EVENTS: { send: async (body: unknown) => void sent.push(body as (typeof sent)[number]) },
    } as unknown as Env;
    const scope = createScope({
      env: fakeEnv,
      config: testConfig(),
      log: createLogger("error"),
      audit: jobAudit("assessment.reminders"),
    });
    const now = new Date();
    await publishDueAssessments(scope, now);
    await publishDueAssessments(scope, new Date(now.getTime() + 3_600_000));
    const mine = sent.filter((e) => e.patientId === patient.id);
    expect(mine).toHaveLength(2);
    expect(mine.map((e) => [e.type, e.instrument])).toEqual([
      ["assessment.due", "phq-9"],
      ["assessment.due", "phq-9"],
    ]);
    expect(mine[0]?.id).toBe(mine[1]?.id); // the consumer's (recipient, event id) key sends it once
    // Three days on, the same assignment is overdue: a new event (one more reminder).
    await publishDueAssessments(scope, new Date(now.getTime() + 3 * 86_400_000));
    const later = sent.filter((e) => e.patientId === patient.id);
    expect(later).toHaveLength(3);
    expect(later[2]?.id).not.toBe(mine[0]?.id);
    expect(row?.id).toBeDefined();
  });
});
