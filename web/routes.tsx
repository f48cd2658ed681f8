import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../workers/lib/context";
import { AppError } from "../workers/lib/errors";
import { LIBRARY, LIBRARY_BY_SLUG } from "../workers/lib/library/items";
import { identityPages } from "./auth-routes";
import { assessmentPages } from "./pages/assessments/routes";
import { ChatPage } from "./pages/chat/page";
import { clinicianPages } from "./pages/clinician/routes";
import { companionPages } from "./pages/companion/routes";
import { DocsPage } from "./pages/docs/page";
import { HomePage } from "./pages/home/page";
import { LibraryItemPage, LibraryPage } from "./pages/library/page";
import { notificationPages } from "./pages/notifications/routes";
import { OpsPage } from "./pages/ops/page";
import { screenerPages } from "./pages/screeners/routes";
import { sessionPages } from "./pages/sessions/routes";
import { trackingPages } from "./pages/tracking/routes";
import { wearablePages } from "./pages/wearables/routes";

/** Server-rendered pages. Pages call services, never SQL. */
export const webRoutes = new Hono<AppEnv>()
  .route("/", identityPages)
  .route("/", screenerPages)
  .route("/", assessmentPages)
  .route("/", sessionPages)
  .route("/", wearablePages)
  .route("/", notificationPages)
  .route("/", trackingPages)
  .route("/", clinicianPages)
  .route("/", companionPages)
  .get("/", (c) => c.html(<HomePage />))
  .get("/docs", (c) => c.html(<DocsPage />))
  .get("/library", (c) => c.html(<LibraryPage items={LIBRARY} />))
  .get("/library/:slug", (c) => {
    const item = LIBRARY_BY_SLUG.get(c.req.param("slug"));
    if (!item) throw new AppError("not_found", "No such library item");
    return c.html(<LibraryItemPage item={item} />);
  })
  .get("/chat", (c) => c.html(<ChatPage signedIn={Boolean(getCookie(c, "haven_at"))} />))
  .get("/admin/ops", (c) => c.html(<OpsPage />));
