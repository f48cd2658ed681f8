import { Hono, type MiddlewareHandler } from "hono";
import { DevSmsPage } from "../../../../web/pages/notifications/dev-sms";
import type { AppEnv } from "../../../lib/context";
import { AppError } from "../../../lib/errors";
import { scopeOf, services } from "../../../middleware/services";
import { localPushes, receiveLocalPush } from "../dev-push";
import { DEV_PUSH_ORIGIN, SMS_OUTBOX_KEY } from "../providers";

/** Local mode only (404 elsewhere): the dev SMS outbox page and the local push service over HTTP. */
const localOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get("config").ENVIRONMENT !== "local") throw new AppError("not_found", "No such resource");
  return next();
};

export const notifyDevRoutes = new Hono<AppEnv>()
  .use("/dev/sms", services, localOnly)
  .use("/dev/push/*", services, localOnly)
  .get("/dev/sms", async (c) => {
    const items = await scopeOf(c)
      .redis()
      .lrange<{ to: string; body: string; at: string }>(SMS_OUTBOX_KEY, 0, 99);
    return c.html(<DevSmsPage messages={items} />);
  })
  // The local push service, reachable over HTTP as well as in-process: RFC 8030 push requests for
  // `${DEV_PUSH_ORIGIN}/sub/<id>` may be POSTed here.
  .post("/dev/push/sub/:id", async (c) =>
    receiveLocalPush(scopeOf(c), new Request(`${DEV_PUSH_ORIGIN}/sub/${c.req.param("id")}`, c.req.raw)),
  )
  // What a dev subscription received (encrypted bodies): the subscriber decrypts with its own keys.
  .get("/dev/push/sub/:id", async (c) =>
    c.json({ messages: await localPushes(scopeOf(c), `/sub/${c.req.param("id")}`) }),
  );
