import type { CrisisResource } from "../../../workers/features/safety/resources";
import {
  type SafetyPlan,
  SafetyPlanSections,
  SECTION_TITLES,
} from "../../../workers/features/safety-plan/schema";
import { CsrfField, type FormErrors, Notice } from "../auth/forms";
import { Layout } from "../layout";
import { CrisisResources } from "../screeners/page";

type Key = keyof SafetyPlanSections;
const LISTS: Key[] = [
  "warningSigns",
  "copingStrategies",
  "distractions",
  "safeEnvironment",
  "reasonsForLiving",
];
const CONTACTS: Key[] = ["helpContacts", "professionals"];
const ORDER: Key[] = [
  "warningSigns",
  "copingStrategies",
  "distractions",
  "helpContacts",
  "professionals",
  "safeEnvironment",
  "reasonsForLiving",
];
const HINTS: Record<Key, string> = {
  warningSigns: "Thoughts, moods, situations or behaviours that tell you a crisis may be starting",
  copingStrategies: "Things you can do on your own to take your mind off problems (a walk, music, a shower)",
  distractions: "People and social places that help you feel better",
  helpContacts: "People you can ask for help: one per line, as name, phone",
  professionals: "Your clinicians or services: one per line, as name, phone",
  safeEnvironment: "How you will keep yourself safe (e.g. ask someone to keep medicines for you)",
  reasonsForLiving: "What matters most to you and is worth living for",
};

/** Lines of a textarea for one section, as the form shows them. */
export function sectionText(sections: SafetyPlanSections | null, key: Key): string {
  if (!sections) return "";
  const v = sections[key];
  return (v as (string | { name: string; phone?: string })[])
    .map((item) => (typeof item === "string" ? item : [item.name, item.phone].filter(Boolean).join(", ")))
    .join("\n");
}

export function PlanView({ sections }: { sections: SafetyPlanSections }) {
  return (
    <ol class="plan-sections">
      {ORDER.map((key) => {
        const items = sections[key] as (string | { name: string; phone?: string })[];
        return (
          <li>
            <h3>{SECTION_TITLES[key]}</h3>
            {items.length === 0 ? (
              <p class="muted">Not filled in yet.</p>
            ) : (
              <ul>
                {items.map((item) =>
                  typeof item === "string" ? (
                    <li>{item}</li>
                  ) : (
                    <li>
                      {item.name}
                      {item.phone ? (
                        <>
                          {": "}
                          <a href={`tel:${item.phone.replace(/[^\d+]/g, "")}`}>{item.phone}</a>
                        </>
                      ) : null}
                    </li>
                  ),
                )}
              </ul>
            )}
          </li>
        );
      })}
    </ol>
  );
}

export interface SafetyPlanPageProps {
  csrf: string;
  plan: SafetyPlan;
  resources: CrisisResource[];
  saved?: string | undefined;
  errors?: FormErrors | undefined;
}

/**
 * `/safety-plan`: the Stanley-Brown safety plan, readable and printable (print CSS hides the
 * editor and navigation), with the region's crisis lines always on it, and the editor below.
 */
export function SafetyPlanPage({ csrf, plan, resources, saved, errors }: SafetyPlanPageProps) {
  const current = plan.plan;
  return (
    <Layout title="My safety plan" styles={["/assets/tracking.css"]} scripts={["/assets/safety-plan.js"]}>
      <h1>My safety plan</h1>
      {saved ? <Notice>{saved}</Notice> : null}
      {errors?.form ? (
        <div class="alert" role="alert">
          <p>{errors.form}</p>
        </div>
      ) : null}
      {current ? (
        <section class="card plan" aria-labelledby="plan-h">
          <h2 id="plan-h">
            Version {current.version}, saved {current.createdAt.slice(0, 10)}
          </h2>
          <PlanView sections={current.sections} />
          <p class="no-print">
            <button type="button" id="print-plan" class="secondary" hidden>
              Print my plan
            </button>{" "}
            <span class="muted">Your browser's Print also works; the printout leaves out the editor.</span>
          </p>
        </section>
      ) : (
        <p>
          A safety plan is a short list, in your own words, of what helps when things get very hard. Once you
          save it, Haven shows it to you first whenever the companion notices you may be in crisis.
        </p>
      )}
      <CrisisResources resources={resources} />
      <section class="card no-print" aria-labelledby="edit-h">
        <h2 id="edit-h">{current ? "Update my plan" : "Write my plan"}</h2>
        <form method="post" action="/safety-plan" class="form">
          <CsrfField token={csrf} />
          <input type="hidden" name="baseVersion" value={String(current?.version ?? 0)} />
          {ORDER.map((key) => (
            <div class="field">
              <label for={`plan-${key}`}>{SECTION_TITLES[key]}</label>
              <p class="hint" id={`plan-${key}-hint`}>
                {HINTS[key]}
                {LISTS.includes(key) ? " (one per line)" : ""}
              </p>
              <textarea
                id={`plan-${key}`}
                name={key}
                rows={CONTACTS.includes(key) ? 3 : 4}
                aria-describedby={`plan-${key}-hint`}
              >
                {sectionText(current?.sections ?? null, key)}
              </textarea>
            </div>
          ))}
          <button type="submit">Save as version {(current?.version ?? 0) + 1}</button>
        </form>
        {plan.versions.length > 1 ? (
          <p class="muted">
            Earlier versions are kept:{" "}
            {plan.versions.map((v) => `v${v.version} (${v.createdAt.slice(0, 10)})`).join(", ")}.
          </p>
        ) : null}
      </section>
    </Layout>
  );
}

/**
 * The patient's own plan inside a crisis response (e.g. the C-SSRS result): shown before the crisis
 * lines, never instead of them. Renders nothing when there is no (readable) plan.
 */
export function SafetyPlanCard({ plan }: { plan: unknown }) {
  const parsed = SafetyPlanSections.safeParse(plan);
  if (!parsed.success) return null;
  return (
    <section class="card plan" aria-labelledby="crisis-plan-h">
      <h2 id="crisis-plan-h">Your safety plan</h2>
      <PlanView sections={parsed.data} />
      <p>
        <a href="/safety-plan">Open or print my plan</a>
      </p>
    </section>
  );
}
