import { type Context, Hono, type MiddlewareHandler } from "hono";
import { safetyPlanForCrisis } from "../../../durable-objects/chat-safety";
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
import { type Choices, ScreenerFormPage, ScreenerResultPage } from "./page";

type Ctx = Context<AppEnv>;
type Question = keyof typeof CSSRS_QUESTIONS;

/** Signed-out visitors sign in first; the check-in is for patients (others get "no such page"). */
const patientOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  const p = c.get("principal");
  if (!p) return c.redirect("/login?next=/screeners/c-ssrs", 303);
  if (p.role !== "patient") throw new AppError("not_found", "No such page");
  await next();
};
/** Answers and risk are on these pages: never cached by the browser or anything in between. */
const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header("cache-control", "no-store");
};

const me = (c: Ctx): Principal => {
  const p = c.get("principal");
  if (!p) throw new AppError("unauthorized", "Sign in to continue");
  return p;
};

const MESSAGES: Record<string, string> = {
  wishedDead: "Choose yes or no",
  suicidalThoughts: "Choose yes or no",
  behavior: "Choose yes or no",
  method: "You answered yes to question 2: please answer this too",
  intent: "You answered yes to question 2: please answer this too",
  plan: "You answered yes to question 2: please answer this too",
  behaviorPast3Months: "You answered yes to question 6: please answer this too",
};
const CONFLICT: Record<string, string> = {
  method: "You answered no to question 2. Please check: change this to no, or question 2 to yes.",
  intent: "You answered no to question 2. Please check: change this to no, or question 2 to yes.",
  plan: "You answered no to question 2. Please check: change this to no, or question 2 to yes.",
  behaviorPast3Months:
    "You answered no to question 6. Please check: change this to no, or question 6 to yes.",
};

/**
 * The form → the API's input. Follow-up questions count only when their parent is yes; a "no" to
 * a skipped follow-up is dropped, but a "yes" is kept so validation asks the person to check it
 * (a yes to intent must never vanish silently).
 */
function toInput(choices: Choices): Record<string, boolean> {
  const input: Record<string, boolean> = {};
  const parentOf = (q: Question): Question | null =>
    (IDEATION_FOLLOW_UPS as readonly string[]).includes(q)
      ? "suicidalThoughts"
      : q === "behaviorPast3Months"
        ? "behavior"
        : null;
  for (const q of Object.keys(CSSRS_QUESTIONS) as Question[]) {
    const v = choices[q];
    if (v === undefined) continue;
    const parent = parentOf(q);
    if (parent && choices[parent] !== "yes" && v === "no") continue;
    input[q] = v === "yes";
  }
  return input;
}

function readChoices(fields: Record<string, string>): Choices {
  const choices: Choices = {};
  for (const q of Object.keys(CSSRS_QUESTIONS) as Question[]) {
    const v = fields[q];
    if (v === "yes" || v === "no") choices[q] = v;
  }
  return choices;
}

/** `/screeners/c-ssrs`: the form (GET) and the result (POST renders it directly, nothing in the URL). */
export const screenerPages = new Hono<AppEnv>()
  .onError(pageError)
  .use("/screeners/*", noStore)
  .get("/screeners/c-ssrs", rateLimit, patientOnly, (c) =>
    c.html(<ScreenerFormPage csrf={csrfToken(c)} resources={screenerResources(scopeOf(c), me(c).region)} />),
  )
  .post("/screeners/c-ssrs", formCsrf, rateLimit, patientOnly, async (c) => {
    const p = me(c);
    const fields = await formFields(c);
    const choices = readChoices(fields);
    const note = (fields.note ?? "").trim();
    const parsed = CssrsAnswers.safeParse({ ...toInput(choices), ...(note ? { note } : {}) });
    if (!parsed.success) {
      const problems: Record<string, string> = {};
      for (const issue of parsed.error.issues) {
        const name = String(issue.path[0] ?? "") as Question;
        const conflict = choices[name] === "yes" ? CONFLICT[name] : undefined;
        problems[name] ??=
          name === ("note" as Question)
            ? "Keep the note under 1,000 characters"
            : (conflict ?? MESSAGES[name] ?? "Check this answer");
      }
      return c.html(
        <ScreenerFormPage
          csrf={csrfToken(c)}
          resources={screenerResources(scopeOf(c), p.region)}
          choices={choices}
          note={note}
          errors={{ fields: problems }}
        />,
        422,
      );
    }
    const result = await submitCssrs(scopeOf(c), p, parsed.data);
    // The patient's safety plan joins any positive result; a missing or unreadable plan never fails the page.
    const plan = result.risk === "none" ? null : await safetyPlanForCrisis(scopeOf(c), p.userId, p.region);
    return c.html(
      <ScreenerResultPage
        risk={result.risk}
        urgent={result.urgent}
        message={result.message}
        resources={result.resources}
        plan={plan?.sections}
      />,
    );
  });
