import { EMOTION_TAGS, SYMPTOM_TAGS } from "../../../workers/db/schema/tracking";
import type { CrisisHelp, Entry, Medication } from "../../../workers/features/tracking/schema";
import { CsrfField, type FormErrors, Notice } from "../auth/forms";
import { CrisisLineItems } from "../crisis-lines";
import { Layout } from "../layout";

const label = (tag: string) => tag.replaceAll("_", " ");
const when = (iso: string) => new Date(iso).toISOString().slice(0, 16).replace("T", " ");
const SCALE = Array.from({ length: 11 }, (_, i) => i);

/** 0–10 as one row of large radio "chips": one tap to choose, arrow keys move within the group. */
function Scale({ name, legend, low, high }: { name: string; legend: string; low: string; high: string }) {
  return (
    <fieldset class="scale">
      <legend>{legend}</legend>
      <p class="hint" id={`${name}-hint`}>
        0 = {low}, 10 = {high}
      </p>
      <div class="chips">
        {SCALE.map((n) => (
          <label class="chip">
            <input type="radio" name={name} value={String(n)} required aria-describedby={`${name}-hint`} />
            <span>{n}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function Tags({ name, legend, tags }: { name: string; legend: string; tags: readonly string[] }) {
  return (
    <fieldset class="tags">
      <legend>{legend}</legend>
      <div class="chips">
        {tags.map((t) => (
          <label class="chip">
            <input type="checkbox" name={name} value={t} />
            <span>{label(t)}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function NoteFields({ id }: { id: string }) {
  return (
    <details>
      <summary>Add a note</summary>
      <label for={`${id}-note`}>Note (only you can read it unless you share it)</label>
      <textarea id={`${id}-note`} name="note" rows={3} maxlength={2000} />
      <label class="choice">
        <input type="checkbox" name="shared" value="yes" /> Share this note with my care team
      </label>
    </details>
  );
}

export interface TrackPageProps {
  csrf: string;
  entries: Entry[];
  medications: Medication[];
  saved?: string | undefined;
  errors?: FormErrors | undefined;
  /** Crisis language in the note just saved: help first, above everything else. */
  crisis?: CrisisHelp | null | undefined;
}

/** The fixed crisis response for a note just written, with the lines to call (tel: links). */
function CrisisNotice({ crisis }: { crisis: CrisisHelp }) {
  return (
    <section class="alert crisis" role="alert" aria-labelledby="crisis-title" id="crisis">
      <h2 id="crisis-title">You don't have to go through this alone</h2>
      {crisis.message.split(/\n{2,}/).map((para) => (
        <p>{para}</p>
      ))}
      <ul>
        <CrisisLineItems lines={crisis.resources} />
      </ul>
      {crisis.careTeamAlerted ? (
        <p>
          Your care team has been alerted. They see that you may need support now, not what you wrote — unless
          you shared this entry with them.
        </p>
      ) : null}
      <p>
        <a href="/safety-plan">Open your safety plan</a> · <a href="/chat">Talk it through in chat</a>
      </p>
    </section>
  );
}

/** Mood points of the last 14 days for `score-chart.js` (no bands: it is the person's own scale). */
function moodChart(entries: Entry[]) {
  const points = entries
    .filter((e) => e.kind === "mood" && e.score !== null)
    .reverse()
    .map((e) => ({ t: e.recordedAt, y: e.score ?? 0, band: "" }));
  return { label: "Mood", max: 10, better: "higher", bands: [], points };
}

/** `/track`: log mood, symptoms, sleep, medications and journal in a few taps; recent entries below. */
export function TrackPage({ csrf, entries, medications, saved, errors, crisis }: TrackPageProps) {
  const chart = moodChart(entries);
  return (
    <Layout
      title="Track"
      styles={["/assets/tracking.css"]}
      scripts={[
        "/vendor/chartjs/chart.umd.min.js",
        "/vendor/chartjs/chartjs-plugin-annotation.min.js",
        "/assets/score-chart.js",
      ]}
    >
      <h1>Track how you are</h1>
      {crisis ? <CrisisNotice crisis={crisis} /> : null}
      {saved ? <Notice>{saved}</Notice> : null}
      {errors?.form ? (
        <div class="alert" role="alert">
          <p>{errors.form}</p>
        </div>
      ) : null}
      <nav aria-label="Jump to" class="jump">
        <a href="#mood">Mood</a> <a href="#meds">Medications</a> <a href="#symptom">Symptoms</a>{" "}
        <a href="#sleep">Sleep</a> <a href="#journal">Journal</a> <a href="#recent">Recent</a>
      </nav>

      <section class="card" id="mood" aria-labelledby="mood-h">
        <h2 id="mood-h">How are you feeling?</h2>
        <form method="post" action="/track/mood" class="form">
          <CsrfField token={csrf} />
          <Scale name="score" legend="Mood right now" low="worst" high="best" />
          <Tags name="tags" legend="Feelings (optional)" tags={EMOTION_TAGS} />
          <NoteFields id="mood" />
          <button type="submit">Save mood</button>
        </form>
      </section>

      <section class="card" id="meds" aria-labelledby="meds-h">
        <h2 id="meds-h">Medications</h2>
        {medications.filter((m) => m.active).length === 0 ? <p class="muted">No medications yet.</p> : null}
        <ul class="plain meds">
          {medications
            .filter((m) => m.active)
            .map((m) => (
              <li class="med">
                <p>
                  <strong>{m.name}</strong>
                  {m.dose ? ` · ${m.dose}` : ""}
                  {m.schedule ? ` · ${m.schedule}` : ""}
                  {m.adherence !== null ? (
                    <span class="muted"> · {Math.round(m.adherence * 100)}% taken (30 days)</span>
                  ) : null}
                </p>
                <form method="post" action={`/track/medications/${m.id}/dose`} class="inline-form dose">
                  <CsrfField token={csrf} />
                  <button type="submit" name="status" value="taken">
                    Taken
                  </button>
                  <button type="submit" name="status" value="missed" class="secondary">
                    Missed
                  </button>
                  <details>
                    <summary>Skipped on purpose…</summary>
                    <label for={`reason-${m.id}`}>Why (optional)</label>
                    <input id={`reason-${m.id}`} name="reason" maxlength={500} />
                    <button type="submit" name="status" value="skipped" class="secondary">
                      Save skipped dose
                    </button>
                  </details>
                </form>
                <form method="post" action={`/track/medications/${m.id}/stop`} class="inline-form">
                  <CsrfField token={csrf} />
                  <button type="submit" class="link">
                    Stop tracking {m.name}
                  </button>
                </form>
              </li>
            ))}
        </ul>
        <details>
          <summary>Add a medication</summary>
          <form method="post" action="/track/medications" class="form">
            <CsrfField token={csrf} />
            <label for="med-name">Name</label>
            <input id="med-name" name="name" required maxlength={200} autocomplete="off" />
            <label for="med-dose">Dose (optional)</label>
            <input id="med-dose" name="dose" maxlength={200} placeholder="e.g. 50 mg" />
            <label for="med-schedule">When (optional)</label>
            <input id="med-schedule" name="schedule" maxlength={500} placeholder="e.g. every morning" />
            <label for="med-per-day">Doses per day</label>
            <input
              id="med-per-day"
              name="dosesPerDay"
              type="number"
              min={1}
              max={12}
              value="1"
              inputmode="numeric"
            />
            <button type="submit">Add medication</button>
          </form>
        </details>
      </section>

      <section class="card" id="symptom" aria-labelledby="symptom-h">
        <h2 id="symptom-h">Symptoms</h2>
        <form method="post" action="/track/symptom" class="form">
          <CsrfField token={csrf} />
          <Tags name="tags" legend="What are you noticing?" tags={SYMPTOM_TAGS} />
          <Scale name="score" legend="How bad is it?" low="not at all" high="worst" />
          <NoteFields id="symptom" />
          <button type="submit">Save symptoms</button>
        </form>
      </section>

      <section class="card" id="sleep" aria-labelledby="sleep-h">
        <h2 id="sleep-h">Sleep</h2>
        <form method="post" action="/track/sleep" class="form">
          <CsrfField token={csrf} />
          <label for="sleep-hours">Hours slept last night</label>
          <input
            id="sleep-hours"
            name="hours"
            type="number"
            min={0}
            max={24}
            step={0.25}
            required
            inputmode="numeric"
          />
          <Scale name="score" legend="Sleep quality" low="very poor" high="very good" />
          <NoteFields id="sleep" />
          <button type="submit">Save sleep</button>
        </form>
      </section>

      <section class="card" id="journal" aria-labelledby="journal-h">
        <h2 id="journal-h">Journal</h2>
        <form method="post" action="/track/journal" class="form">
          <CsrfField token={csrf} />
          <label for="journal-note">Write anything (encrypted; private unless you share it)</label>
          <textarea id="journal-note" name="note" rows={5} required maxlength={20000} />
          <label class="choice">
            <input type="checkbox" name="shared" value="yes" /> Share this entry with my care team
          </label>
          <button type="submit">Save entry</button>
        </form>
      </section>

      <section class="card" id="recent" aria-labelledby="recent-h">
        <h2 id="recent-h">Last 14 days</h2>
        {chart.points.length > 1 ? (
          <figure class="score-chart">
            <figcaption>Your mood (0–10)</figcaption>
            <div class="score-chart-canvas">
              <canvas
                data-score-chart={JSON.stringify(chart)}
                role="img"
                aria-label="Your mood over the last 14 days"
              />
            </div>
          </figure>
        ) : null}
        {entries.length === 0 ? <p class="muted">Nothing logged yet.</p> : null}
        <ul class="plain entries">
          {entries.map((e) => (
            <li>
              <span class="muted">{when(e.recordedAt)}</span> <strong>{e.kind}</strong>
              {e.score !== null ? ` ${e.score}/10` : ""}
              {e.hours !== null ? ` · ${e.hours} h` : ""}
              {e.tags.length > 0 ? ` · ${e.tags.map(label).join(", ")}` : ""}
              {e.note ? <span class="entry-note"> · {e.note}</span> : null}
              {e.shared ? <span class="muted"> (shared)</span> : null}
              <form method="post" action={`/track/entries/${e.id}/delete`} class="inline-form">
                <CsrfField token={csrf} />
                <button
                  type="submit"
                  class="link"
                  aria-label={`Delete ${e.kind} entry of ${when(e.recordedAt)}`}
                >
                  Delete
                </button>
              </form>
            </li>
          ))}
        </ul>
      </section>
    </Layout>
  );
}
