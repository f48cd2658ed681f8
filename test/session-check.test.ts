import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { appError } from "../web/pages/errors/page";
import { createRouter } from "../workers/lib/router";
import { revocationInStatement } from "../workers/lib/session-check";
import { authenticate } from "../workers/middleware/auth";
import { requestContext } from "../workers/middleware/request-context";
import { services } from "../workers/middleware/services";
import { createUser } from "./fixtures";

/** The in-statement revocation check fails closed (lib/session-check.ts). */
describe("revocation in the route's statement", () => {
  it("only the listed side-effect-free reads opt in", () => {
    expect(revocationInStatement("GET", "/v1/me")).toBe(true);
    expect(revocationInStatement("PUT", "/v1/me/profile")).toBe(false);
    expect(revocationInStatement("GET", "/v1/me/profile")).toBe(false);
    expect(revocationInStatement("POST", "/v1/me")).toBe(false);
  });

  it("an opted-in route that answers without confirming the session is turned into a 401", async () => {
    const app = createRouter();
    app.use("*", requestContext, services, authenticate);
    app.get("/v1/me", (c) => c.json({ secret: "served without a session check" }, 200));
    app.onError(appError);
    const user = await createUser("patient");
    const res = await app.fetch(
      new Request("http://haven.test/v1/me", { headers: user.auth }),
      env,
      createExecutionContext(),
    );
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain("served without");
  });
});
