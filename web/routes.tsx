import { Hono } from "hono";
import type { AppEnv } from "../workers/lib/context";
import { DocsPage } from "./pages/docs/page";
import { HomePage } from "./pages/home/page";

/** Server-rendered pages. Pages call services, never SQL. */
export const webRoutes = new Hono<AppEnv>()
  .get("/", (c) => c.html(<HomePage />))
  .get("/docs", (c) => c.html(<DocsPage />));
