import { Hono } from "hono";
import { MailboxPage } from "../../../web/pages/dev/mailbox";
import type { AppEnv } from "../../lib/context";
import { timingSafeEqual, utf8Encode } from "../../lib/crypto/encoding";
import { AppError } from "../../lib/errors";
import { services } from "../../middleware/services";
import { readMailbox } from "../accounts/mail";
import { seedDemo } from "./seed";

/**
 * Local-only developer routes: demo seeding (called by `npm run dev`) and the dev mailbox. In any
 * other environment they do not exist (404).
 */
export const devRoutes = new Hono<AppEnv>()
  .use("*", services, async (c, next) => {
    if (c.get("config").ENVIRONMENT !== "local") throw new AppError("not_found", "No such resource");
    return next();
  })
  .post("/__dev/seed", async (c) => {
    const expected = c.get("config").DEV_SEED_TOKEN ?? "";
    const given = (c.req.header("authorization") ?? "").replace(/^Bearer /, "");
    if (!expected || !timingSafeEqual(utf8Encode(expected), utf8Encode(given)))
      throw new AppError("not_found", "No such resource");
    return c.text(await seedDemo(c));
  })
  .get("/dev/mailbox", async (c) => c.html(<MailboxPage mails={await readMailbox(c)} />));
