import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { appError } from "../web/pages/errors/page";
import { webRoutes } from "../web/routes";
import { roleRoutes } from "./features/accounts/roles";
import { accountRoutes } from "./features/accounts/routes";
import { adminRoutes } from "./features/admin/routes";
import { alertRoutes } from "./features/alerts/routes";
import { assessmentRoutes } from "./features/assessments/routes";
import { auditRoutes } from "./features/audit/routes";
import { careTeamRoutes } from "./features/care-team/routes";
import { caseloadRoutes } from "./features/caseload/routes";
import { chatRoutes } from "./features/chat/routes";
import { companionRoutes } from "./features/companion/routes";
import { devRoutes } from "./features/dev/routes";
import { healthRoutes } from "./features/health/routes";
import { keyRoutes } from "./features/keys/routes";
import { lifecycleAdminRoutes } from "./features/lifecycle/admin-routes";
import { lifecycleRoutes } from "./features/lifecycle/routes";
import { notifyDevRoutes } from "./features/notifications/dev/routes";
import { notifyWebhookRoutes } from "./features/notifications/receipts/routes";
import { notificationRoutes } from "./features/notifications/routes";
import { opsPublicRoutes, opsRoutes } from "./features/ops/routes";
import { outcomeRoutes } from "./features/outcomes/routes";
import { profileRoutes } from "./features/profile/routes";
import { safetyPlanRoutes } from "./features/safety-plan/routes";
import { screenerRoutes } from "./features/screeners/routes";
import { sessionsApi } from "./features/sessions/index";
import { systemRoutes } from "./features/system/routes";
import { trackingRoutes } from "./features/tracking/routes";
import { telemetryRoutes } from "./features/wearables/ingest/routes";
import { wearableRoutes } from "./features/wearables/routes";
import { AppError } from "./lib/errors";
import { allowedMethods } from "./lib/methods";
import { createRouter } from "./lib/router";
import { authenticate } from "./middleware/auth";
import { requestDeadline } from "./middleware/deadline";
import { rateLimit } from "./middleware/rate-limit";
import { requestContext } from "./middleware/request-context";
import { securityHeaders } from "./middleware/security-headers";
import { services } from "./middleware/services";

/** 1 MiB: larger bodies are refused before they are read. */
export const MAX_BODY_BYTES = 1024 * 1024;

export { createRouter };

const api = createRouter();
api.use("*", services, authenticate, rateLimit);
api.route("/", systemRoutes);
api.route("/", chatRoutes);
api.route("/", accountRoutes);
api.route("/", roleRoutes);
api.route("/", profileRoutes);
api.route("/", careTeamRoutes);
api.route("/", auditRoutes);
api.route("/", keyRoutes);
api.route("/", screenerRoutes);
api.route("/", alertRoutes);
api.route("/", opsRoutes);
api.route("/", companionRoutes);
api.route("/", trackingRoutes);
api.route("/", safetyPlanRoutes);
api.route("/", caseloadRoutes);
api.route("/", outcomeRoutes);
api.route("/", assessmentRoutes);
api.route("/", sessionsApi);
api.route("/", wearableRoutes);
api.route("/", notificationRoutes);
api.route("/", lifecycleRoutes).route("/", lifecycleAdminRoutes).route("/", adminRoutes);

const app = createRouter();
app.use("*", requestContext, securityHeaders, requestDeadline);
app.use(
  "*",
  cors({
    origin: (origin, c) => {
      const allowed = String(c.env.CORS_ORIGINS ?? "")
        .split(",")
        .map((o) => o.trim());
      return allowed.includes(origin) ? origin : null;
    },
    credentials: true,
    allowHeaders: ["content-type", "authorization", "x-request-id", "x-csrf-token"],
    exposeHeaders: ["x-request-id", "retry-after"],
    maxAge: 600,
  }),
);
app.use(
  "*",
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new AppError("payload_too_large", "The request body is larger than 1 MiB");
    },
  }),
);
app.route("/", healthRoutes);
app.route("/", opsPublicRoutes);
// Device-token routes first: they answer before the session middleware of /v1 runs.
app.route("/v1", telemetryRoutes);
app.route("/v1", notifyWebhookRoutes);
app.route("/v1", api);
app.use("/docs", rateLimit);
app.route("/", devRoutes);
app.route("/", notifyDevRoutes);
app.route("/", webRoutes);

app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
  type: "http",
  scheme: "bearer",
  bearerFormat: "JWT",
});
app.doc31("/openapi.json", {
  openapi: "3.1.0",
  info: {
    title: "Haven API",
    version: "1.0.0",
    description: "Haven's public API. Errors are RFC 9457 problem documents (application/problem+json).",
  },
  servers: [{ url: "/" }],
});

app.notFound((c) => {
  const methods = allowedMethods(app.routes, c.req.path);
  if (methods.length > 0) {
    throw new AppError("method_not_allowed", `Use ${methods.join(", ")} for this resource`, {
      headers: { allow: methods.join(", ") },
    });
  }
  throw new AppError("not_found", "No such resource");
});
// A browser asking for a page gets an HTML error page; API paths and API clients get problem+json.
app.onError(appError);

export { app };
