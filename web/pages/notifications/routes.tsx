import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../../../workers/lib/context";
import { DeadLettersPage, NotificationsPage, OfflinePage } from "./page";

/** Notification pages: the centre, the admin dead-letter console, and the offline page the service worker keeps. */
export const notificationPages = new Hono<AppEnv>()
  .get("/notifications", (c) => c.html(<NotificationsPage signedIn={Boolean(getCookie(c, "haven_at"))} />))
  .get("/admin/notifications", (c) =>
    c.html(<DeadLettersPage signedIn={Boolean(getCookie(c, "haven_at"))} />),
  )
  .get("/offline", (c) => {
    c.header("cache-control", "public, max-age=3600");
    return c.html(<OfflinePage />);
  });
