import { describe, expect, it } from "vitest";
import { addToCareTeam } from "../../../test/chat-helpers";
import { createUser, testConfig } from "../../../test/fixtures";
import { call } from "../../../test/helpers";
import { assessmentAssignments, assessmentResponses, trackingEntries } from "../../db/schema";
import { createDatabase } from "../../lib/db";

const db = () => createDatabase(testConfig(), "us");
const secondsAgo = (s: number) => new Date(Date.now() - s * 1000);

describe("practice outcomes (computed in SQL)", () => {
  it("counts reliable improvement, response, remission, completion and engagement for this month", async () => {
    const c = await createUser("clinician");
    const [p1, p2, p3, outside] = await Promise.all([
      createUser("patient"),
      createUser("patient"),
      createUser("patient"),
      createUser("patient"),
    ]);
    for (const p of [p1, p2, p3]) await addToCareTeam(p, c);
    const phq = (patientId: string, total: number, ago: number) => ({
      patientId,
      instrument: "phq-9" as const,
      version: "test",
      total,
      band: "x",
      answersEnc: "x",
      submittedAt: secondsAgo(ago),
    });
    await db()
      .insert(assessmentResponses)
      .values([
        phq(p1.id, 18, 3),
        phq(p1.id, 10, 2),
        phq(p2.id, 16, 3),
        phq(p2.id, 4, 2),
        phq(p3.id, 12, 2),
        phq(outside.id, 27, 2),
      ]);
    await db()
      .insert(assessmentAssignments)
      .values({
        patientId: p1.id,
        clinicianId: c.id,
        instrument: "phq-9",
        cadenceDays: 14,
        startsAt: secondsAgo(10),
      });
    await db()
      .insert(trackingEntries)
      .values({ userId: p2.id, kind: "mood", score: 6, recordedAt: secondsAgo(1) });
    const res = await call("/v1/clinician/outcomes?months=2", { headers: c.auth });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { months: Record<string, unknown>[]; reliableChangeThreshold: number };
    expect(body.reliableChangeThreshold).toBe(6);
    expect(body.months).toHaveLength(2);
    expect(body.months[1]).toEqual({
      month: new Date().toISOString().slice(0, 7),
      patients: 3,
      measured: 2,
      reliableImprovement: 1,
      response: 0.5,
      remission: 0.333,
      completion: 1,
      engagement: 0.333,
    });
    expect(body.months[0]).toMatchObject({
      patients: 3,
      measured: 0,
      reliableImprovement: null,
      engagement: 0,
    });
    expect(JSON.stringify(body)).not.toContain(p1.id);
    // Admins see the whole practice; clinicians and patients cannot ask for it.
    const admin = await createUser("admin");
    const practice = (await (await call("/v1/admin/outcomes", { headers: admin.auth })).json()) as {
      scope: string;
      months: { patients: number }[];
    };
    expect(practice.scope).toBe("practice");
    expect(practice.months.at(-1)?.patients).toBeGreaterThanOrEqual(4);
    expect((await call("/v1/admin/outcomes", { headers: c.auth })).status).toBe(404);
  });
});
