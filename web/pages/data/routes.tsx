import { type Context, Hono, type MiddlewareHandler } from "hono";
import * as svc from "../../../workers/features/lifecycle/service";
import type { AppEnv } from "../../../workers/lib/context";
import { AppError } from "../../../workers/lib/errors";
import { rateLimit } from "../../../workers/middleware/rate-limit";
import { scopeOf } from "../../../workers/middleware/services";
import { pageError } from "../auth/errors";
import { formFields } from "../auth/respond";
import { csrfToken, formCsrf } from "../auth/session";
import { DataPage } from "./page";

const patientsOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  const p = c.get("principal");
  if (!p) return c.redirect("/login", 303);
  if (p.role !== "patient") throw new AppError("not_found", "No such page");
  c.header("cache-control", "no-store");
  await next();
};
const page = [rateLimit, patientsOnly] as const;
const post = [formCsrf, rateLimit, patientsOnly] as const;
const NOTICES: Record<string, string> = {
  export: "Your export is being prepared. Reload this page in a moment to download it.",
  erasure: "Your erasure is scheduled. You can cancel it until the date shown.",
  cancelled: "Your erasure was cancelled. Nothing was deleted.",
};
const done = (c: Context<AppEnv>, what: string) => c.redirect(`/account/data?notice=${what}`, 303);

/** "Your data": export (JSON + FHIR) and erasure with its cooling-off, for patients. */
export const dataPages = new Hono<AppEnv>()
  .onError(pageError)
  .get("/account/data", ...page, async (c) => {
    const requests = await svc.ownRequests(scopeOf(c));
    return c.html(
      <DataPage csrf={csrfToken(c)} requests={requests} notice={NOTICES[c.req.query("notice") ?? ""]} />,
    );
  })
  .post("/account/data/export", ...post, async (c) => {
    const f = await formFields(c);
    await svc.requestOwnExport(scopeOf(c), f.includeNotes === "on");
    return done(c, "export");
  })
  .post("/account/data/erase", ...post, async (c) => {
    const f = await formFields(c);
    if (f.confirm !== "ERASE")
      throw new AppError("validation_failed", "Type ERASE to confirm that you want your account erased");
    await svc.requestOwnErasure(scopeOf(c));
    return done(c, "erasure");
  })
  .post("/account/data/:id/cancel", ...post, async (c) => {
    const id = c.req.param("id");
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new AppError("not_found", "No such request");
    await svc.cancelErasure(scopeOf(c), id);
    return done(c, "cancelled");
  });
