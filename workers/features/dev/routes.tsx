import { Hono, type MiddlewareHandler } from "hono";
import { MailboxPage } from "../../../web/pages/dev/mailbox";
import type { AppEnv } from "../../lib/context";
import { timingSafeEqual, utf8Encode } from "../../lib/crypto/encoding";
import { AppError } from "../../lib/errors";
import { scopeOf, services } from "../../middleware/services";
import { readMailbox } from "../accounts/mail";
import { seedDemo } from "./seed";
import { simulatedDevices } from "./wearables";

/**
 * Local-only developer routes: demo seeding (called by `npm run dev`) and the dev mailbox. In any
 * other environment they do not exist (404).
 */
const localOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get("config").ENVIRONMENT !== "local") throw new AppError("not_found", "No such resource");
  return next();
};

// Middleware is scoped to the dev paths: a `use("*")` here would run for every route mounted
// after this sub-app and 404 the whole site outside local mode.
export const devRoutes = new Hono<AppEnv>()
  .use("/__dev/*", services, localOnly)
  .use("/dev/*", services, localOnly)
  .post("/__dev/seed", async (c) => {
    const expected = c.get("config").DEV_SEED_TOKEN ?? "";
    const given = (c.req.header("authorization") ?? "").replace(/^Bearer /, "");
    if (!expected || !timingSafeEqual(utf8Encode(expected), utf8Encode(given)))
      throw new AppError("not_found", "No such resource");
    return c.text(await seedDemo(scopeOf(c)));
  })
  .post("/__dev/wearables/devices", async (c) => {
    const expected = c.get("config").DEV_SEED_TOKEN ?? "";
    const given = (c.req.header("authorization") ?? "").replace(/^Bearer /, "");
    if (!expected || !timingSafeEqual(utf8Encode(expected), utf8Encode(given)))
      throw new AppError("not_found", "No such resource");
    const count = Math.min(200, Math.max(1, Number(c.req.query("count") ?? 1) || 1));
    return c.json({ devices: await simulatedDevices(scopeOf(c), count) });
  })
  .get("/dev/mailbox", async (c) => c.html(<MailboxPage mails={await readMailbox(scopeOf(c))} />));
