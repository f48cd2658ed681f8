import { ASSIGNABLE_INSTRUMENTS } from "../../../workers/db/schema/assessments";
import { instrumentName } from "../../../workers/features/assessments/instruments";
import type { Assignment } from "../../../workers/features/assessments/schema";
import { ErrorSummary, type FormErrors, Notice, PostForm } from "../auth/forms";
import { Layout } from "../layout";

const STATUS = { due: "Due now", overdue: "Overdue", upcoming: "Next due" } as const;

/**
 * `/clinician/assessments`: due and overdue assessments of the clinician's patients (every region),
 * and a form to assign an instrument at a cadence to a patient on their care team.
 */
export function ClinicianAssessmentsPage(props: {
  csrf: string;
  due: readonly Assignment[];
  patients: readonly { patientId: string; displayName: string }[];
  names: ReadonlyMap<string, string>;
  notice?: string;
  errors?: FormErrors;
}) {
  return (
    <Layout title="Assessments due" styles={["/assets/assessments.css"]}>
      <h1>Assessments due</h1>
      {props.notice ? <Notice>{props.notice}</Notice> : null}
      <section aria-labelledby="due-heading">
        <h2 id="due-heading">Due and overdue</h2>
        {props.due.length === 0 ? (
          <p class="muted">Nothing due.</p>
        ) : (
          <ul class="due-list">
            {props.due.map((a) => (
              <li class={`due-${a.status}`}>
                <strong>{props.names.get(a.patientId) ?? "Patient"}</strong>: {a.instrumentName}{" "}
                <span>
                  {STATUS[a.status]}: {a.dueAt.slice(0, 10)}
                </span>{" "}
                <span class="muted">
                  (every {a.cadenceDays} days; last{" "}
                  {a.lastCompletedAt ? a.lastCompletedAt.slice(0, 10) : "never"})
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="assign-heading">
        <h2 id="assign-heading">Assign an assessment</h2>
        <ErrorSummary errors={props.errors} />
        {props.patients.length === 0 ? (
          <p class="muted">You have no patients on an active care team.</p>
        ) : (
          <PostForm action="/clinician/assessments" csrf={props.csrf}>
            <label for="assign-patient">Patient</label>
            <select id="assign-patient" name="patientId" required>
              {props.patients.map((p) => (
                <option value={p.patientId}>{p.displayName}</option>
              ))}
            </select>
            <label for="assign-instrument">Instrument</label>
            <select id="assign-instrument" name="instrument" required>
              {ASSIGNABLE_INSTRUMENTS.map((i) => (
                <option value={i}>{instrumentName(i)}</option>
              ))}
            </select>
            <label for="assign-cadence">Every how many days</label>
            <input
              id="assign-cadence"
              name="cadenceDays"
              type="number"
              min={1}
              max={365}
              value="14"
              required
            />
            <p class="hint">Replaces an open assignment of the same instrument. First due now.</p>
            <button type="submit">Assign</button>
          </PostForm>
        )}
      </section>
    </Layout>
  );
}
