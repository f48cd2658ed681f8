import { type Context, Hono, type MiddlewareHandler } from "hono";
import { acknowledgeAlert, listAlerts } from "../../../workers/features/alerts/service";
import { addNote, escalate } from "../../../workers/features/alerts/triage";
import { scoreSeries } from "../../../workers/features/assessments/service";
import { displayNames } from "../../../workers/features/care-team/access";
import { acceptInvitation, listForClinician } from "../../../workers/features/care-team/service";
import { CaseloadQuery } from "../../../workers/features/caseload/schema";
import { caseload, timeline } from "../../../workers/features/caseload/service";
import { readHistory } from "../../../workers/features/chat/repo";
import { CHAT_HISTORY_OPEN, patientRoom, roomOf } from "../../../workers/features/chat/service";
import { generateSummary, summaryState } from "../../../workers/features/companion/summary";
import { OutcomesQuery } from "../../../workers/features/outcomes/schema";
import { clinicianOutcomes, practiceOutcomes } from "../../../workers/features/outcomes/service";
import { getPatientProfile } from "../../../workers/features/profile/service";
import { patientPlan } from "../../../workers/features/safety-plan/service";
import { patientMedications } from "../../../workers/features/tracking/medications";
import { patientEntries } from "../../../workers/features/tracking/service";
import { careData } from "../../../workers/lib/care-data/repository";
import type { AppEnv } from "../../../workers/lib/context";
import { AppError } from "../../../workers/lib/errors";
import type { Role } from "../../../workers/lib/vocabulary";
import { rateLimit } from "../../../workers/middleware/rate-limit";
import { scopeOf } from "../../../workers/middleware/services";
import { pageError } from "../auth/errors";
import { csrfToken, formCsrf } from "../auth/session";
import { CaseloadPage, OutcomesPage, PatientChartPage } from "./workspace";

type Ctx = Context<AppEnv>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const staff =
  (roles: Role[], next: string): MiddlewareHandler<AppEnv> =>
  async (c, go) => {
    const p = c.get("principal");
    if (!p) return c.redirect(`/login?next=${next}`, 303);
    if (!roles.includes(p.role)) throw new AppError("not_found", "No such page");
    if (!p.mfa) return c.redirect("/account/security?notice=mfa-required", 303);
    await go();
  };
const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header("cache-control", "no-store");
};
const id = (c: Ctx, name = "id"): string => {
  const v = c.req.param(name) ?? "";
  if (!UUID.test(v)) throw new AppError("not_found", "No such page");
  return v;
};

async function renderCaseload(c: Ctx, q = "", filter = "all") {
  const scope = scopeOf(c);
  const query = CaseloadQuery.parse({ ...(q ? { q } : {}), filter });
  const [list, invitations] = await Promise.all([
    caseload(scope, query),
    listForClinician(
      scope,
      c.get("principal") ?? (undefined as never),
      "pending_clinician",
      "care_team.invitations.list",
    ),
  ]);
  return c.html(
    <CaseloadPage
      csrf={csrfToken(c)}
      patients={list.patients}
      total={list.total}
      filter={query.filter}
      q={q}
      invitations={invitations.map((i) => ({ id: i.id, displayName: i.displayName }))}
    />,
  );
}

/** Chart sections that may be refused for this access (e.g. chat for break-glass) show as unavailable. */
const orNull = <T,>(p: Promise<T>): Promise<T | null> =>
  p.catch((err) => {
    if (err instanceof AppError && (err.code === "not_found" || err.code === "forbidden")) return null;
    throw err;
  });

async function renderChart(c: Ctx, patientId: string, saved?: string) {
  const scope = scopeOf(c);
  const tl = await timeline(scope, patientId, 90); // decides access first: a 404 for anyone else
  const [names, profile, scores, entries, meds, plan, inbox, chat, summary] = await Promise.all([
    displayNames(scope, [patientId]),
    orNull(getPatientProfile(scope, patientId)),
    scoreSeries(scope, patientId),
    patientEntries(scope, patientId, 30),
    patientMedications(scope, patientId),
    orNull(patientPlan(scope, patientId)),
    c.get("principal")?.role === "clinician" ? listAlerts(scope) : Promise.resolve({ alerts: [] }),
    orNull(
      (async () => {
        const access = await careData(scope).open(patientId, CHAT_HISTORY_OPEN);
        await roomOf(scope, patientRoom(access)).flushNow(patientRoom(access));
        return readHistory(scope, access, { after: 0, limit: 500 });
      })(),
    ),
    orNull(summaryState(scope, patientId)),
  ]);
  return c.html(
    <PatientChartPage
      csrf={csrfToken(c)}
      patientId={patientId}
      name={names.get(patientId) ?? "Patient"}
      profile={profile}
      scores={scores}
      entries={entries.entries}
      medications={meds.medications}
      timeline={tl.events}
      plan={plan}
      chat={chat}
      summary={summary}
      alerts={inbox.alerts.filter((a) => a.patientId === patientId)}
      saved={saved}
    />,
  );
}

/** After an alert action: back to the patient's chart (id from the form, checked) or the caseload. */
async function back(c: Ctx, saved: string) {
  const patientId = String((await c.req.formData()).get("patientId") ?? "");
  return c.redirect(
    UUID.test(patientId) ? `/clinician/patients/${patientId}?saved=${saved}` : "/clinician",
    303,
  );
}

const SAVED: Record<string, string> = {
  acknowledged: "Alert acknowledged.",
  noted: "Note saved to the alert and the timeline.",
  escalated: "Escalated: your colleague has one-hour break-glass access and the alert in their inbox.",
  summary: "A new between-session summary was drafted.",
};

/** The clinician workspace: caseload, patient chart, alert triage, practice outcomes. */
export const clinicianPages = new Hono<AppEnv>()
  .onError(pageError)
  .use("/clinician", noStore)
  .use("/clinician/*", noStore)
  .use("/admin/outcomes", noStore)
  .get("/clinician", rateLimit, staff(["clinician"], "/clinician"), (c) => renderCaseload(c))
  .post("/clinician", formCsrf, rateLimit, staff(["clinician"], "/clinician"), async (c) => {
    const f = await c.req.formData();
    const filter = String(f.get("filter") ?? "all");
    return renderCaseload(
      c,
      String(f.get("q") ?? "")
        .trim()
        .slice(0, 100),
      ["all", "alerts", "overdue", "worse", "signals"].includes(filter) ? filter : "all",
    );
  })
  .post(
    "/clinician/invitations/:id/accept",
    formCsrf,
    rateLimit,
    staff(["clinician"], "/clinician"),
    async (c) => {
      const p = c.get("principal");
      if (!p) throw new AppError("unauthorized", "Sign in to continue");
      await acceptInvitation(scopeOf(c), p, id(c));
      return c.redirect("/clinician", 303);
    },
  )
  .get("/clinician/patients/:id", rateLimit, staff(["clinician", "admin"], "/clinician"), (c) =>
    renderChart(c, id(c), SAVED[c.req.query("saved") ?? ""]),
  )
  .post(
    "/clinician/patients/:id/summary",
    formCsrf,
    rateLimit,
    staff(["clinician"], "/clinician"),
    async (c) => {
      const patientId = id(c);
      await generateSummary(scopeOf(c), patientId);
      return c.redirect(`/clinician/patients/${patientId}?saved=summary#summary`, 303);
    },
  )
  .post(
    "/clinician/alerts/:id/acknowledge",
    formCsrf,
    rateLimit,
    staff(["clinician"], "/clinician"),
    async (c) => {
      await acknowledgeAlert(scopeOf(c), id(c));
      return back(c, "acknowledged");
    },
  )
  .post("/clinician/alerts/:id/note", formCsrf, rateLimit, staff(["clinician"], "/clinician"), async (c) => {
    const note = String((await c.req.formData()).get("note") ?? "").trim();
    if (!note || note.length > 4000)
      throw new AppError("validation_failed", "Write a note (up to 4,000 characters)");
    await addNote(scopeOf(c), id(c), note);
    return back(c, "noted");
  })
  .post(
    "/clinician/alerts/:id/escalate",
    formCsrf,
    rateLimit,
    staff(["clinician"], "/clinician"),
    async (c) => {
      const f = await c.req.formData();
      const email = String(f.get("email") ?? "").trim();
      const reason = String(f.get("reason") ?? "").trim();
      if (reason.length < 10 || reason.length > 1000 || !email.includes("@"))
        throw new AppError(
          "validation_failed",
          "Give your colleague's email and a reason of at least 10 characters",
        );
      await escalate(scopeOf(c), id(c), { email, reason });
      return back(c, "escalated");
    },
  )
  .get("/clinician/outcomes", rateLimit, staff(["clinician"], "/clinician/outcomes"), async (c) => {
    const q = OutcomesQuery.parse({ instrument: c.req.query("instrument") ?? "phq-9", months: 6 });
    return c.html(<OutcomesPage outcomes={await clinicianOutcomes(scopeOf(c), q)} />);
  })
  .get("/admin/outcomes", rateLimit, staff(["admin"], "/admin/outcomes"), async (c) => {
    const q = OutcomesQuery.parse({ instrument: c.req.query("instrument") ?? "phq-9", months: 6 });
    return c.html(<OutcomesPage outcomes={await practiceOutcomes(scopeOf(c), q)} />);
  });
