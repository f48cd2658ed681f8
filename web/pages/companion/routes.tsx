import { Hono, type MiddlewareHandler } from "hono";
import { generateSummary, summaryState } from "../../../workers/features/companion/summary";
import type { AppEnv } from "../../../workers/lib/context";
import { AppError } from "../../../workers/lib/errors";
import { rateLimit } from "../../../workers/middleware/rate-limit";
import { scopeOf } from "../../../workers/middleware/services";
import { pageError } from "../auth/errors";
import { csrfToken, formCsrf } from "../auth/session";
import { SummaryPage } from "./summary";

const patientOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  const p = c.get("principal");
  if (!p) return c.redirect("/login?next=/summary", 303);
  if (p.role !== "patient") throw new AppError("not_found", "No such page");
  await next();
};
const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header("cache-control", "no-store");
};
const selfId = (c: { get: (k: "principal") => { userId: string } | undefined }) =>
  c.get("principal")?.userId ?? "";

/** The patient's own between-session summary page (the clinician's view is a chart section). */
export const companionPages = new Hono<AppEnv>()
  .onError(pageError)
  .use("/summary", noStore)
  .use("/summary/*", noStore)
  .get("/summary", rateLimit, patientOnly, async (c) =>
    c.html(
      <SummaryPage
        data={await summaryState(scopeOf(c), selfId(c))}
        csrf={csrfToken(c)}
        saved={c.req.query("saved") === "1" ? "A new summary was drafted." : undefined}
      />,
    ),
  )
  .post("/summary/regenerate", formCsrf, rateLimit, patientOnly, async (c) => {
    await generateSummary(scopeOf(c), selfId(c));
    return c.redirect("/summary?saved=1#summary", 303);
  });
