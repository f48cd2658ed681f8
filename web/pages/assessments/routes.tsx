import { type Context, Hono, type MiddlewareHandler } from "hono";
import { safetyPlanForCrisis } from "../../../durable-objects/chat-safety";
import { assign, clinicianDue, patientAssignments } from "../../../workers/features/assessments/assignments";
import { INSTRUMENTS } from "../../../workers/features/assessments/instruments";
import {
  type AssessmentResult,
  AssignmentBody,
  InstrumentId,
} from "../../../workers/features/assessments/schema";
import { scoreSeries, submitAssessment } from "../../../workers/features/assessments/service";
import { displayNames } from "../../../workers/features/care-team/access";
import { listForClinician } from "../../../workers/features/care-team/service";
import {
  CSSRS_QUESTIONS,
  CssrsAnswers,
  IDEATION_FOLLOW_UPS,
} from "../../../workers/features/screeners/schema";
import { screenerResources, submitCssrs } from "../../../workers/features/screeners/service";
import type { AppEnv } from "../../../workers/lib/context";
import { AppError } from "../../../workers/lib/errors";
import type { Principal } from "../../../workers/lib/principal";
import { rateLimit } from "../../../workers/middleware/rate-limit";
import { scopeOf } from "../../../workers/middleware/services";
import { pageError } from "../auth/errors";
import { formFields } from "../auth/respond";
import { csrfToken, formCsrf } from "../auth/session";
import { ScreenerResultPage } from "../screeners/page";
import { ClinicianAssessmentsPage } from "./clinician";
import { AssessmentFormPage, AssessmentResultPage, AssessmentsPage, CssrsStepperPage } from "./page";

type Ctx = Context<AppEnv>;

/** Signed-out visitors sign in first; assessments are for patients (others get "no such page"). */
const patientOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  const p = c.get("principal");
  if (!p) return c.redirect("/login?next=/assessments", 303);
  if (p.role !== "patient") throw new AppError("not_found", "No such page");
  await next();
};
/** Answers and scores are on these pages: never cached. */
const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header("cache-control", "no-store");
};
const me = (c: Ctx): Principal => {
  const p = c.get("principal");
  if (!p) throw new AppError("unauthorized", "Sign in to continue");
  return p;
};
const instrumentOf = (c: Ctx) => {
  const parsed = InstrumentId.safeParse(c.req.param("instrument"));
  if (!parsed.success) throw new AppError("not_found", "No such assessment");
  return INSTRUMENTS[parsed.data];
};

/** The crisis member of a consent refusal (see `refuseUnconsented` in the service), if any. */
function unstoredCrisis(err: AppError): AssessmentResult["crisis"] {
  const crisis = err.extensions?.crisis;
  return crisis && typeof crisis === "object" ? (crisis as AssessmentResult["crisis"]) : null;
}

type YesNo = "yes" | "no";
/** C-SSRS form → API input: a skipped follow-up's "no" is dropped, a "yes" kept so validation asks. */
function cssrsInput(fields: Record<string, string>): Record<string, boolean> {
  const input: Record<string, boolean> = {};
  for (const k of Object.keys(CSSRS_QUESTIONS)) {
    const v = fields[k] as YesNo | undefined;
    if (v !== "yes" && v !== "no") continue;
    const parent = (IDEATION_FOLLOW_UPS as readonly string[]).includes(k)
      ? "suicidalThoughts"
      : k === "behaviorPast3Months"
        ? "behavior"
        : null;
    if (parent && fields[parent] !== "yes" && v === "no") continue;
    input[k] = v === "yes";
  }
  return input;
}

/** Clinicians only (signed-out visitors sign in first). */
const clinicianOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  const p = c.get("principal");
  if (!p) return c.redirect("/login?next=/clinician/assessments", 303);
  if (p.role !== "clinician") throw new AppError("not_found", "No such page");
  await next();
};

async function clinicianPage(
  c: Ctx,
  extra: { notice?: string; errors?: { form: string } },
  status: 200 | 422 = 200,
) {
  const scope = scopeOf(c);
  const [due, patients] = await Promise.all([
    clinicianDue(scope),
    listForClinician(scope, me(c), "active", "care_team.list_patients"),
  ]);
  const names = await displayNames(
    scope,
    due.assignments.map((a) => a.patientId),
  );
  return c.html(
    <ClinicianAssessmentsPage
      csrf={csrfToken(c)}
      due={due.assignments}
      patients={patients}
      names={names}
      {...extra}
    />,
    status,
  );
}

/** `/assessments` (overview, charts, due list), `/assessments/{instrument}` (take one, see the result). */
export const assessmentPages = new Hono<AppEnv>()
  .onError(pageError)
  .use("/assessments", noStore)
  .use("/assessments/*", noStore)
  .use("/clinician/assessments", noStore)
  .get("/clinician/assessments", rateLimit, clinicianOnly, (c) => clinicianPage(c, {}))
  .post("/clinician/assessments", formCsrf, rateLimit, clinicianOnly, async (c) => {
    const fields = await formFields(c);
    const parsed = AssignmentBody.safeParse({
      instrument: fields.instrument,
      cadenceDays: Number(fields.cadenceDays),
    });
    const patientId = fields.patientId ?? "";
    if (!parsed.success || !/^[0-9a-f-]{36}$/i.test(patientId)) {
      return clinicianPage(
        c,
        { errors: { form: "Choose a patient, an instrument and a cadence of 1 to 365 days." } },
        422,
      );
    }
    const made = await assign(scopeOf(c), patientId, parsed.data);
    return clinicianPage(c, { notice: `${made.instrumentName} assigned every ${made.cadenceDays} days.` });
  })
  .get("/assessments", rateLimit, patientOnly, async (c) => {
    const scope = scopeOf(c);
    const [due, scores] = await Promise.all([patientAssignments(scope), scoreSeries(scope)]);
    return c.html(<AssessmentsPage assignments={due.assignments} scores={scores} />);
  })
  .get("/assessments/c-ssrs", rateLimit, patientOnly, (c) =>
    c.html(<CssrsStepperPage csrf={csrfToken(c)} resources={screenerResources(scopeOf(c), me(c).region)} />),
  )
  .post("/assessments/c-ssrs", formCsrf, rateLimit, patientOnly, async (c) => {
    const fields = await formFields(c);
    const parsed = CssrsAnswers.safeParse(cssrsInput(fields));
    if (!parsed.success) {
      const problems: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const name = String(issue.path[0] ?? "");
        problems[name] ??=
          fields[name] === "yes"
            ? "Please check this answer against question 2 or 6"
            : "Please answer this question";
      }
      return c.html(
        <CssrsStepperPage
          csrf={csrfToken(c)}
          resources={screenerResources(scopeOf(c), me(c).region)}
          given={fields}
          errors={{ fields: problems }}
        />,
        422,
      );
    }
    const result = await submitCssrs(scopeOf(c), me(c), parsed.data);
    return c.html(
      <ScreenerResultPage
        risk={result.risk}
        urgent={result.urgent}
        message={result.message}
        resources={result.resources}
      />,
    );
  })
  .get("/assessments/:instrument", rateLimit, patientOnly, (c) =>
    c.html(
      <AssessmentFormPage
        instrument={instrumentOf(c)}
        csrf={csrfToken(c)}
        resources={screenerResources(scopeOf(c), me(c).region)}
      />,
    ),
  )
  .post("/assessments/:instrument", formCsrf, rateLimit, patientOnly, async (c) => {
    const instrument = instrumentOf(c);
    const fields = await formFields(c);
    const answers: Record<string, number> = {};
    for (const item of instrument.items) {
      const raw = fields[item.id];
      if (raw !== undefined && /^\d$/.test(raw)) answers[item.id] = Number(raw);
    }
    try {
      const result = await submitAssessment(scopeOf(c), me(c), instrument.id, answers);
      // The patient's own safety plan joins any crisis result (item 9 above 0); a missing or
      // unreadable plan never fails the page.
      const plan = result.crisis
        ? await safetyPlanForCrisis(scopeOf(c), me(c).userId, me(c).region).catch(() => null)
        : null;
      return c.html(<AssessmentResultPage result={result} plan={plan?.sections} />);
    } catch (err) {
      const crisis = err instanceof AppError && err.code === "forbidden" ? unstoredCrisis(err) : null;
      if (crisis) {
        // Not stored (no health-data consent), but item 9 still took the crisis path: show the help.
        const risk = crisis.urgent ? "high" : "moderate";
        return c.html(
          <ScreenerResultPage
            risk={risk}
            urgent={crisis.urgent}
            message={crisis.message}
            resources={crisis.resources}
          />,
          403,
        );
      }
      if (!(err instanceof AppError) || err.code !== "validation_failed") throw err;
      const problems: Record<string, string> = {};
      for (const e of err.errors ?? []) {
        const name = e.path.split(".").pop() ?? "";
        problems[name] =
          e.message === "Missing answer" ? "Please answer this question" : "Choose one of the answers";
      }
      return c.html(
        <AssessmentFormPage
          instrument={instrument}
          csrf={csrfToken(c)}
          resources={screenerResources(scopeOf(c), me(c).region)}
          given={fields}
          errors={{ form: err.message, fields: problems }}
        />,
        422,
      );
    }
  });
