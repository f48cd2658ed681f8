import { Hono, type MiddlewareHandler } from "hono";
import { activateDevice, describeUserCode } from "../../../workers/features/wearables/device-auth";
import type { AppEnv } from "../../../workers/lib/context";
import { AppError } from "../../../workers/lib/errors";
import { rateLimit } from "../../../workers/middleware/rate-limit";
import { scopeOf } from "../../../workers/middleware/services";
import { pageError } from "../auth/errors";
import { formFields } from "../auth/respond";
import { csrfToken, formCsrf } from "../auth/session";
import { ActivatePage, WearablesPage } from "./page";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const signedIn =
  (next: string): MiddlewareHandler<AppEnv> =>
  async (c, go) => {
    if (!c.get("principal")) return c.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
    await go();
  };
const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header("cache-control", "no-store");
};

/** `/wearables` (patient: own; care team: `?patient=`) and `/devices/activate` (RFC 8628 confirmation). */
export const wearablePages = new Hono<AppEnv>()
  .onError(pageError)
  .use("/wearables", noStore)
  .use("/devices/*", noStore)
  .get("/wearables", rateLimit, signedIn("/wearables"), (c) => {
    const p = c.get("principal");
    if (!p) throw new AppError("unauthorized");
    if (p.role === "patient") return c.html(<WearablesPage patientId={p.userId} self />);
    const asked = c.req.query("patient") ?? "";
    return c.html(<WearablesPage patientId={UUID.test(asked) ? asked.toLowerCase() : null} self={false} />);
  })
  .get("/devices/activate", rateLimit, signedIn("/devices/activate"), (c) => {
    if (c.get("principal")?.role !== "patient") throw new AppError("not_found", "No such page");
    return c.html(<ActivatePage csrf={csrfToken(c)} code={(c.req.query("code") ?? "").slice(0, 12)} />);
  })
  .post("/devices/activate", formCsrf, rateLimit, signedIn("/devices/activate"), async (c) => {
    if (c.get("principal")?.role !== "patient") throw new AppError("not_found", "No such page");
    const fields = await formFields(c);
    const code = (fields.code ?? "").slice(0, 12);
    const csrf = csrfToken(c);
    if (fields.decision === "approve" || fields.decision === "decline") {
      try {
        const r = await activateDevice(scopeOf(c), {
          userCode: code,
          approve: fields.decision === "approve",
        });
        return c.html(<ActivatePage csrf={csrf} done={r.approved ? "approved" : "declined"} />);
      } catch (err) {
        if (err instanceof AppError && err.code === "not_found")
          return c.html(
            <ActivatePage
              csrf={csrf}
              error="That code is not valid or has expired. Start again on the device."
            />,
            404,
          );
        throw err;
      }
    }
    const device = await describeUserCode(scopeOf(c), code);
    if (!device)
      return c.html(
        <ActivatePage
          csrf={csrf}
          code={code}
          error="That code is not valid or has expired. Check it and try again."
        />,
        404,
      );
    return c.html(<ActivatePage csrf={csrf} code={device.code} device={device} />);
  });
