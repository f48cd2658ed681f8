import { type Context, Hono, type MiddlewareHandler } from "hono";
import { patientAssignments } from "../../../workers/features/assessments/assignments";
import { INSTRUMENTS } from "../../../workers/features/assessments/instruments";
import { InstrumentId } from "../../../workers/features/assessments/schema";
import { scoreSeries, submitAssessment } from "../../../workers/features/assessments/service";
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

/** `/assessments` (overview, charts, due list), `/assessments/{instrument}` (take one, see the result). */
export const assessmentPages = new Hono<AppEnv>()
  .onError(pageError)
  .use("/assessments", noStore)
  .use("/assessments/*", noStore)
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
      return c.html(<AssessmentResultPage result={result} />);
    } catch (err) {
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
