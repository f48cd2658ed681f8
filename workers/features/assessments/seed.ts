import { eq } from "drizzle-orm";
import { users } from "../../db/schema/users";
import { audit } from "../../lib/audit";
import { assessmentCreate, assignWrites, insertAssessment } from "../../lib/care-data/assessments";
import type { Scope } from "../../lib/scope";
import { userCipher } from "../../lib/user-cipher";
import { INSTRUMENTS, type Instrument } from "./instruments";
import { scoreForm } from "./scoring";

const DAY = 86_400_000;

/** Answers to the scored items of `i` adding up to `total` (item 9 of the PHQ-9 always 0). */
function answersFor(i: Instrument, total: number): Record<string, number> {
  const out: Record<string, number> = {};
  let left = total;
  for (const item of i.items) {
    if (item.unscored) continue;
    const v = item.id === "q9" && i.id === "phq-9" ? 0 : Math.min(3, left);
    out[item.id] = v;
    left -= v;
  }
  return out;
}

/**
 * Demo history for the demo patient: PHQ-9 and GAD-7 every two weeks over ten weeks, improving,
 * plus the clinician's assignments (PHQ-9 due now, GAD-7 overdue), so the charts and due lists
 * show something. Scored by the same code as real submissions; answers encrypted; audited.
 */
export async function seedAssessments(scope: Scope, patientId: string, clinicianId: string): Promise<void> {
  const db = scope.db("us");
  const [user] = await db
    .select({ wrapped: users.dataKeyWrapped })
    .from(users)
    .where(eq(users.id, patientId));
  const cipher = await userCipher(scope.config, patientId, user?.wrapped ?? null);
  if (!cipher) return;
  const now = Date.now();
  const history: Array<[keyof typeof INSTRUMENTS, number[], number]> = [
    ["phq-9", [17, 15, 12, 9, 8], 14],
    ["gad-7", [13, 11, 8, 7], 20],
  ];
  for (const [id, totals, lastDaysAgo] of history) {
    const instrument = INSTRUMENTS[id];
    for (const [k, total] of totals.entries()) {
      const scored = scoreForm(instrument, answersFor(instrument, total));
      const rowId = crypto.randomUUID();
      const submittedAt = new Date(now - (lastDaysAgo + (totals.length - 1 - k) * 14) * DAY);
      await db.batch([
        insertAssessment(
          db,
          {
            id: rowId,
            patientId,
            instrument: id,
            version: instrument.version,
            total: scored.total,
            band: scored.band.id,
            item9: scored.item9,
            safetyFlag: false,
            answersEnc: await cipher.encrypt(`assessment.answers:${rowId}`, JSON.stringify(scored.answers)),
            submittedAt,
          },
          {
            threshold: instrument.reliableChange.threshold,
            better: instrument.better,
            response: instrument.response !== null,
            remissionBelow: instrument.remission?.below ?? null,
          },
        ),
      ]);
      await audit(scope, "us", { ...assessmentCreate(rowId), patientId, outcome: "success" });
    }
    // Assigned ten weeks ago: PHQ-9 (last taken 14 days ago) is due now, GAD-7 (20 days ago) overdue.
    await db.batch(
      assignWrites(db, {
        id: crypto.randomUUID(),
        patientId,
        clinicianId,
        instrument: id,
        cadenceDays: 14,
        startsAt: new Date(now - 70 * DAY),
      }),
    );
  }
}
