import { publishDueAssessments } from "./features/assessments/reminders";
import { lifecycleCron } from "./features/lifecycle/cron";
import { lifecycleScope } from "./features/lifecycle/job-scope";
import { publishUnsignedNotes } from "./features/sessions/reminders";

/** Hourly: assessment due/overdue reminders through the notifications service. */
async function assessmentReminders(env: Env, scheduledTime: number): Promise<void> {
  await publishDueAssessments(lifecycleScope(env, "assessment.reminders"), new Date(scheduledTime));
}

/** Hourly: `note.unsigned` to the clinician of each session past NOTE_REMINDER_HOURS without a signed note. */
async function missingNoteReminders(env: Env, scheduledTime: number): Promise<void> {
  await publishUnsignedNotes(lifecycleScope(env, "session.note_reminders"), new Date(scheduledTime));
}

/**
 * Cron work, one entry per feature. Each job runs isolated (one failing does not stop the others)
 * and must be idempotent: a missed or repeated tick is normal. The schedule is in wrangler.toml.
 */
const CRON_JOBS: ReadonlyArray<(env: Env, scheduledTime: number) => Promise<void>> = [
  lifecycleCron,
  assessmentReminders,
  missingNoteReminders,
];

/** The `scheduled` handler's body: runs every job and waits for all. */
export async function runCronJobs(env: Env, scheduledTime: number): Promise<void> {
  await Promise.allSettled(CRON_JOBS.map((job) => job(env, scheduledTime)));
}
