import { describe, expect, it } from "vitest";
import rules from "../web/public/_headers?raw";
import { connect, say } from "./chat-helpers";
import { createUser } from "./fixtures";
import { call } from "./helpers";

/**
 * Cache-Control on personal data, and security headers on static assets (hardening review: PHI
 * responses carried no Cache-Control; assets carried no security headers).
 */

describe("no-store on every authenticated API response and every page", () => {
  it("GET /v1/me, /v1/me/profile and chat history are no-store (they had no Cache-Control)", async () => {
    const patient = await createUser("patient");
    const client = await connect(patient);
    await say(client, "hello");
    client.close();
    for (const path of [
      "/v1/me",
      "/v1/me/profile",
      "/v1/chat/history",
      "/v1/me/consents",
      "/v1/me/sessions",
    ]) {
      const res = await call(path, { headers: patient.auth });
      expect([200, 404]).toContain(res.status);
      expect(`${path} ${res.headers.get("cache-control")}`).toBe(`${path} no-store`);
    }
  });

  it("a signed-in page (the account page shows PHI) is no-store", async () => {
    const patient = await createUser("patient");
    const res = await call("/account", {
      headers: { cookie: `haven_at=${patient.token}` },
      redirect: "manual",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("errors are no-store too", async () => {
    const res = await call("/v1/me");
    expect(res.status).toBe(401);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("static assets carry the security headers (web/public/_headers)", () => {
  it("every header the middleware sets on dynamic responses is in _headers for /*", async () => {
    const dynamic = await call("/v1/meta");
    const block = rules.split("\n").filter((l) => /^\s+\S+:/.test(l));
    const assetHeaders = new Map(
      block.map((l) => {
        const [name, ...rest] = l.trim().split(":");
        return [String(name).toLowerCase(), rest.join(":").trim()];
      }),
    );
    expect(rules).toMatch(/^\/\*$/m);
    for (const name of [
      "strict-transport-security",
      "x-content-type-options",
      "referrer-policy",
      "x-frame-options",
      "cross-origin-opener-policy",
      "permissions-policy",
    ]) {
      expect(assetHeaders.get(name), name).toBe(dynamic.headers.get(name));
    }
    expect(assetHeaders.get("content-security-policy")).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
  });

  it("the service worker's own CSP lets it fetch same-origin (else it never installs: no offline crisis page, no push)", () => {
    const sw = rules.slice(rules.indexOf("\n/sw.js\n"));
    expect(sw).toMatch(/^\s+! Content-Security-Policy$/m);
    expect(sw).toMatch(/^\s+Content-Security-Policy: .*connect-src 'self'.*frame-ancestors 'none'$/m);
  });
});
