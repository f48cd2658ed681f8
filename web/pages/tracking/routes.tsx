import { type Context, Hono, type MiddlewareHandler } from "hono";
import { emailHash, lookupDirectory } from "../../../workers/features/accounts/directory";
import { acceptRequest, invite, listTeam, remove } from "../../../workers/features/care-team/service";
import { SafetyPlanSections } from "../../../workers/features/safety-plan/schema";
import { ownPlan, savePlan } from "../../../workers/features/safety-plan/service";
import { screenerResources } from "../../../workers/features/screeners/service";
import {
  addMedication,
  editMedication,
  logDose,
  ownMedications,
} from "../../../workers/features/tracking/medications";
import { type CrisisHelp, EntryInput, MedicationInput } from "../../../workers/features/tracking/schema";
import { createEntry, ownEntries, removeEntry } from "../../../workers/features/tracking/service";
import type { AppEnv } from "../../../workers/lib/context";
import { AppError } from "../../../workers/lib/errors";
import type { Principal } from "../../../workers/lib/principal";
import { rateLimit } from "../../../workers/middleware/rate-limit";
import { scopeOf } from "../../../workers/middleware/services";
import { pageError } from "../auth/errors";
import { csrfToken, formCsrf } from "../auth/session";
import { CareTeamPage } from "./care-team";
import { TrackPage } from "./page";
import { SafetyPlanPage } from "./safety-plan";

type Ctx = Context<AppEnv>;

const patientOnly =
  (path: string): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const p = c.get("principal");
    if (!p) return c.redirect(`/login?next=${path}`, 303);
    if (p.role !== "patient") throw new AppError("not_found", "No such page");
    await next();
  };
const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header("cache-control", "no-store");
};
const me = (c: Ctx): Principal => {
  const p = c.get("principal");
  if (!p) throw new AppError("unauthorized", "Sign in to continue");
  return p;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The `:id` path parameter, or "no such page" for anything that is not an id. */
const idParam = (c: Ctx): string => {
  const id = c.req.param("id") ?? "";
  if (!UUID.test(id)) throw new AppError("not_found", "No such page");
  return id;
};

/** The form's fields; repeated names (checkbox groups) as arrays. */
async function form(c: Ctx): Promise<{ one: (k: string) => string; all: (k: string) => string[] }> {
  const data = await c.req.formData();
  return {
    one: (k) => {
      const v = data.get(k);
      return typeof v === "string" ? v.trim() : "";
    },
    all: (k) => data.getAll(k).filter((v): v is string => typeof v === "string"),
  };
}

const SAVED: Record<string, string> = {
  mood: "Mood saved.",
  symptom: "Symptoms saved.",
  sleep: "Sleep saved.",
  journal: "Journal entry saved.",
  dose: "Dose saved.",
  medication: "Medication added.",
  stopped: "Medication stopped.",
  deleted: "Entry deleted.",
};

async function renderTrack(
  c: Ctx,
  saved?: string,
  error?: string,
  status: 200 | 422 = 200,
  crisis?: CrisisHelp | null,
) {
  const scope = scopeOf(c);
  const [entries, meds] = await Promise.all([ownEntries(scope, 14), ownMedications(scope)]);
  return c.html(
    <TrackPage
      csrf={csrfToken(c)}
      entries={entries.entries}
      medications={meds.medications}
      saved={saved}
      errors={error ? { form: error } : undefined}
      crisis={crisis}
    />,
    status,
  );
}

/** A saved mood that dropped against the person's baseline also points them to help. */
const DROP_NOTE =
  " Your mood is well below your recent average: this is on your care team's timeline. If you feel unsafe, use the crisis lines at the bottom of the page or your safety plan.";

/** The patient's self-tracking, safety-plan and care-team pages (forms work without JavaScript). */
export const trackingPages = new Hono<AppEnv>()
  .onError(pageError)
  .use("/track", noStore)
  .use("/track/*", noStore)
  .use("/safety-plan", noStore)
  .use("/care-team", noStore)
  .use("/care-team/*", noStore)
  .get("/track", rateLimit, patientOnly("/track"), (c) => renderTrack(c, SAVED[c.req.query("saved") ?? ""]))
  .post("/track/:kind{mood|symptom|sleep|journal}", formCsrf, rateLimit, patientOnly("/track"), async (c) => {
    const kind = c.req.param("kind");
    const f = await form(c);
    const note = f.one("note");
    const parsed = EntryInput.safeParse({
      kind,
      ...(kind !== "journal" && f.one("score") !== "" ? { score: Number(f.one("score")) } : {}),
      ...(kind === "mood" || kind === "symptom" ? { tags: f.all("tags") } : {}),
      ...(kind === "sleep" && f.one("hours") !== "" ? { hours: Number(f.one("hours")) } : {}),
      ...(note ? { note } : {}),
      shared: f.one("shared") === "yes",
    });
    if (!parsed.success) {
      const path = String(parsed.error.issues[0]?.path[0] ?? "");
      const message =
        path === "score"
          ? "Choose a number from 0 to 10."
          : path === "tags"
            ? "Choose at least one symptom."
            : path === "hours"
              ? "Enter the hours you slept (0 to 24)."
              : "Please check the form.";
      return renderTrack(c, undefined, message, 422);
    }
    const entry = await createEntry(scopeOf(c), parsed.data);
    // Crisis language in the note: the page answers with help at once (no redirect that could lose it).
    if (entry.crisis)
      return renderTrack(c, `${SAVED[kind]}${entry.signal ? DROP_NOTE : ""}`, undefined, 200, entry.crisis);
    if (entry.signal?.kind === "mood_drop") return renderTrack(c, `${SAVED.mood}${DROP_NOTE}`);
    return c.redirect(`/track?saved=${kind}#${kind}`, 303);
  })
  .post("/track/medications", formCsrf, rateLimit, patientOnly("/track"), async (c) => {
    const f = await form(c);
    const parsed = MedicationInput.safeParse({
      name: f.one("name"),
      ...(f.one("dose") ? { dose: f.one("dose") } : {}),
      ...(f.one("schedule") ? { schedule: f.one("schedule") } : {}),
      dosesPerDay: Number(f.one("dosesPerDay") || "1"),
    });
    if (!parsed.success)
      return renderTrack(c, undefined, "Give the medication a name (and 1–12 doses a day).", 422);
    await addMedication(scopeOf(c), parsed.data);
    return c.redirect("/track?saved=medication#meds", 303);
  })
  .post("/track/medications/:id/dose", formCsrf, rateLimit, patientOnly("/track"), async (c) => {
    const f = await form(c);
    const status = f.one("status");
    if (status !== "taken" && status !== "missed" && status !== "skipped")
      return renderTrack(c, undefined, "Choose taken, missed or skipped.", 422);
    const reason = f.one("reason").slice(0, 500);
    await logDose(scopeOf(c), idParam(c), { status, ...(status === "skipped" && reason ? { reason } : {}) });
    return c.redirect("/track?saved=dose#meds", 303);
  })
  .post("/track/medications/:id/stop", formCsrf, rateLimit, patientOnly("/track"), async (c) => {
    await editMedication(scopeOf(c), idParam(c), { active: false });
    return c.redirect("/track?saved=stopped#meds", 303);
  })
  .post("/track/entries/:id/delete", formCsrf, rateLimit, patientOnly("/track"), async (c) => {
    await removeEntry(scopeOf(c), idParam(c));
    return c.redirect("/track?saved=deleted#recent", 303);
  })
  .get("/safety-plan", rateLimit, patientOnly("/safety-plan"), async (c) => {
    const scope = scopeOf(c);
    return c.html(
      <SafetyPlanPage
        csrf={csrfToken(c)}
        plan={await ownPlan(scope)}
        resources={screenerResources(scope, me(c).region)}
        saved={
          c.req.query("saved") ? "Saved. This is now the plan Haven shows you first in a crisis." : undefined
        }
      />,
    );
  })
  .post("/safety-plan", formCsrf, rateLimit, patientOnly("/safety-plan"), async (c) => {
    const f = await form(c);
    const lines = (k: string) =>
      f
        .one(k)
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean)
        .slice(0, 20);
    const contacts = (k: string) =>
      lines(k).map((l) => {
        const m = /^(.*?)[,;:–-]\s*(\+?[\d\s().-]{5,})$/.exec(l);
        return m?.[1] && m[2] ? { name: m[1].trim(), phone: m[2].trim() } : { name: l };
      });
    const parsed = SafetyPlanSections.safeParse({
      warningSigns: lines("warningSigns"),
      copingStrategies: lines("copingStrategies"),
      distractions: lines("distractions"),
      helpContacts: contacts("helpContacts"),
      professionals: contacts("professionals"),
      safeEnvironment: lines("safeEnvironment"),
      reasonsForLiving: lines("reasonsForLiving"),
    });
    const scope = scopeOf(c);
    const fail = async (message: string) =>
      c.html(
        <SafetyPlanPage
          csrf={csrfToken(c)}
          plan={await ownPlan(scope)}
          resources={screenerResources(scope, me(c).region)}
          errors={{ form: message }}
        />,
        422,
      );
    if (!parsed.success) return fail("Keep each line under 500 characters (and names under 200).");
    try {
      await savePlan(scope, null, Number(f.one("baseVersion") || "0"), parsed.data);
    } catch (err) {
      if (err instanceof AppError && err.code === "conflict")
        return fail(
          "Your plan changed since you opened this page (perhaps with your clinician). Your edits were not saved: reload and try again.",
        );
      throw err;
    }
    return c.redirect("/safety-plan?saved=1", 303);
  })
  .get("/care-team", rateLimit, patientOnly("/care-team"), async (c) => renderTeam(c, c.req.query("saved")))
  .post("/care-team/invite", formCsrf, rateLimit, patientOnly("/care-team"), async (c) => {
    const scope = scopeOf(c);
    const email = (await form(c)).one("email");
    const found = email
      ? await lookupDirectory(scope, await emailHash(scope.config.EMAIL_HASH_KEY, email))
      : null;
    try {
      if (!found) throw new AppError("not_found", "No such clinician");
      await invite(scope, me(c), found.userId);
    } catch (err) {
      if (err instanceof AppError && (err.code === "not_found" || err.code === "conflict"))
        return renderTeam(
          c,
          undefined,
          err.code === "conflict"
            ? "That clinician is already on your care team or invited."
            : "No Haven clinician has that email address. Check it with them.",
          422,
        );
      throw err;
    }
    return c.redirect("/care-team?saved=invited", 303);
  })
  .post("/care-team/:id/accept", formCsrf, rateLimit, patientOnly("/care-team"), async (c) => {
    await acceptRequest(scopeOf(c), me(c), idParam(c));
    return c.redirect("/care-team?saved=accepted", 303);
  })
  .post("/care-team/:id/remove", formCsrf, rateLimit, patientOnly("/care-team"), async (c) => {
    await remove(scopeOf(c), me(c), idParam(c));
    return c.redirect("/care-team?saved=removed", 303);
  });

const TEAM_SAVED: Record<string, string> = {
  invited: "Invitation sent. They will appear here as a member once they accept.",
  accepted: "Added to your care team.",
  removed: "Removed. They can no longer see your data.",
};

async function renderTeam(c: Ctx, saved?: string, error?: string, status: 200 | 422 = 200) {
  const team = await listTeam(scopeOf(c), me(c));
  return c.html(
    <CareTeamPage
      csrf={csrfToken(c)}
      team={team}
      saved={saved ? TEAM_SAVED[saved] : undefined}
      errors={error ? { form: error } : undefined}
    />,
    status,
  );
}
