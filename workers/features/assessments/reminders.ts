import type { Scope } from "../../lib/scope";
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
