import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../workers/lib/context";
import { identityPages } from "./auth-routes";
import { assessmentPages } from "./pages/assessments/routes";
import { ChatPage } from "./pages/chat/page";
import { clinicianPages } from "./pages/clinician/routes";
import { DocsPage } from "./pages/docs/page";
import { HomePage } from "./pages/home/page";
import { screenerPages } from "./pages/screeners/routes";
import { trackingPages } from "./pages/tracking/routes";

/** Server-rendered pages. Pages call services, never SQL. */
export const webRoutes = new Hono<AppEnv>()
  .route("/", identityPages)
  .route("/", screenerPages)
  .route("/", assessmentPages)
  .route("/", trackingPages)
  .route("/", clinicianPages)
  .get("/", (c) => c.html(<HomePage />))
  .get("/docs", (c) => c.html(<DocsPage />))
  .get("/chat", (c) => c.html(<ChatPage signedIn={Boolean(getCookie(c, "haven_at"))} />));
