import { Hono } from "hono";
import { z } from "zod";
import { list as listRecordings } from "../../../workers/features/sessions/recording";
import type { AppEnv } from "../../../workers/lib/context";
import { AppError } from "../../../workers/lib/errors";
import { scopeOf } from "../../../workers/middleware/services";
import { AvailabilityPage, NotePage, RecordingsPage, SessionsPage, VisitPage } from "./page";

const Id = z.uuid();

/** Pages of the sessions feature; every one is a shell over the API (nothing cached). */
export const sessionPages = new Hono<AppEnv>()
  .use("/sessions/*", async (c, next) => {
    await next();
    c.header("cache-control", "no-store");
  })
  .get("/sessions", (c) => {
    const role = c.get("principal")?.role;
    return c.html(<SessionsPage role={role === "patient" || role === "clinician" ? role : null} />);
  })
  .get("/sessions/availability", (c) =>
    c.html(<AvailabilityPage signedIn={c.get("principal")?.role === "clinician"} />),
  )
  .get("/sessions/:id/visit", (c) => {
    const id = Id.safeParse(c.req.param("id"));
    if (!id.success) throw new AppError("not_found", "No such page");
    c.header("permissions-policy", "camera=(self), microphone=(self), geolocation=(), interest-cohort=()");
    return c.html(<VisitPage sessionId={id.data} signedIn={Boolean(c.get("principal"))} />);
  })
  .get("/sessions/:id/recordings", async (c) => {
    const id = Id.safeParse(c.req.param("id"));
    if (!id.success || !c.get("principal")) throw new AppError("not_found", "No such page");
    const recordings = await listRecordings(scopeOf(c), id.data);
    return c.html(<RecordingsPage sessionId={id.data} recordings={recordings} />);
  })
  .get("/sessions/:id/note", (c) => {
    const id = Id.safeParse(c.req.param("id"));
    if (!id.success) throw new AppError("not_found", "No such page");
    return c.html(<NotePage sessionId={id.data} signedIn={c.get("principal")?.role === "clinician"} />);
  });
