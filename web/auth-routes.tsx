import { Hono } from "hono";
import { contextStorage } from "hono/context-storage";
import type { AppEnv } from "../workers/lib/context";
import { services } from "../workers/middleware/services";
import { accountPages } from "./pages/account/routes";
import { adminPages } from "./pages/admin/routes";
import { authPages } from "./pages/auth/routes";
import { viewer } from "./pages/auth/session";
import { dataPages } from "./pages/data/routes";

const PRIVATE_PAGES =
  /^\/(signup|verify-email|login|logout|reset-password|accept-invite|account|admin)(\/|$)/;

/**
 * Identity pages (sign-up, sign-in, account). Mounted FIRST in `webRoutes`: its `*` middleware
 * gives every page the request context and its viewer, so the layout's nav knows who is signed in.
 * These pages are never cached (they carry CSRF tokens, secrets and personal details).
 */
export const identityPages = new Hono<AppEnv>()
  .use("*", contextStorage(), services, viewer, async (c, next) => {
    await next();
    if (PRIVATE_PAGES.test(c.req.path)) c.header("cache-control", "no-store");
  })
  .route("/", authPages)
  .route("/", accountPages)
  .route("/", dataPages)
  .route("/", adminPages);
