import { allOpenAssignmentsQuery, dueState } from "../../lib/care-data/assessments";
import { publishQuietly } from "../../lib/events";
import type { Scope } from "../../lib/scope";
import { REGIONS } from "../../lib/vocabulary";
import { derivedUuid } from "../notifications/cron";
import type { Assignment } from "./schema";

/** What a reminder says: ids and an instrument name only (no scores, no answers: it may show on a lock screen). */
export interface AssessmentReminder {
  recipientId: string;
  assignmentId: string;
  instrumentName: string;
  dueAt: string;
  status: "due" | "overdue";
}

/** The reminders a list of assignments calls for now: one per due or overdue assignment, to its patient. */
export function remindersFor(assignments: readonly Assignment[]): AssessmentReminder[] {
  return assignments.flatMap((a) =>
    a.status === "upcoming"
      ? []
      : [
          {
            recipientId: a.patientId,
            assignmentId: a.id,
            instrumentName: a.instrumentName,
            dueAt: a.dueAt,
            status: a.status,
          },
        ],
  );
}

/**
 * THE place an assessment reminder is published. Until the notifications work lands, reminders are
 * in-app only (the patient's "Assessments" page and the clinician's due list read the same state),
 * so this records nothing and sends nothing: the notifications helper replaces the body with a
 * queue publish (and calls it from its scheduled job with {@link remindersFor}'s output).
 */
export async function publishReminder(scope: Scope, reminder: AssessmentReminder): Promise<"in_app_only"> {
  scope.log.debug("assessment_reminder_in_app", { status: reminder.status });
  return "in_app_only";
}

/**
 * The hourly reminder job: every due or overdue assignment in every region publishes an
 * `assessment.due` event to the notifications service. The event id is derived from the
 * assignment, its due date and its status, so the hourly repeats are one notification per due
 * period (and one more when it becomes overdue), never one per hour.
 */
export async function publishDueAssessments(scope: Scope, now = new Date()): Promise<number> {
  let published = 0;
  for (const region of REGIONS) {
    const rows = await allOpenAssignmentsQuery(scope.db(region));
    for (const row of rows) {
      const { dueAt, status } = dueState(row, now);
      if (status === "upcoming") continue;
      await publishQuietly(scope.env, scope.log, {
        id: await derivedUuid(`assessment.due:${row.id}:${dueAt.toISOString()}:${status}`),
        type: "assessment.due",
        v: 1,
        patientId: row.patientId,
        region,
        instrument: row.instrument,
      });
      published++;
    }
  }
  return published;
}
