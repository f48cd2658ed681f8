import { createRouter } from "../../lib/router";
import { feedRoutes } from "./feed-routes";
import { noteRoutes } from "./note-routes";
import { recordingRoutes } from "./recording-routes";
import { sessionRoutes } from "./routes";
import { visitRoutes } from "./visit-routes";

/** Therapy sessions: availability, booking, calendar, ICS, notes and the video visit. */
export const sessionsApi = createRouter()
  .route("/", sessionRoutes)
  .route("/", noteRoutes)
  .route("/", visitRoutes)
  .route("/", recordingRoutes)
  .route("/", feedRoutes);
