import { describe, expect, it } from "vitest";
import { safeNext, trustedOrigins } from "./origin";

describe("safeNext: ?next= after sign-in honours same-origin paths only", () => {
  it.each([
    ["/chat", "/chat"],
    ["/account/security?notice=x", "/account/security?notice=x"],
    ["/screeners#phq9", "/screeners#phq9"],
    // Percent-encoded CR/LF stay encoded in Location: no header injection.
    ["/%0d%0ax", "/%0d%0ax"],
  ])("keeps %s", (next, want) => expect(safeNext(next, "/account")).toBe(want));

  it.each([
    "//evil.example/",
    "/\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "/\u0000x",
    "/\tx",
    "/login",
    "/logout",
    "/v1/me",
    "",
    `/${"a".repeat(600)}`,
  ])("refuses %j", (next) => expect(safeNext(next, "/account")).toBe("/account"));

  it("refuses a missing value", () => {
    expect(safeNext(undefined, "/account")).toBe("/account");
    expect(safeNext(null, "")).toBe("");
  });
});

describe("trustedOrigins", () => {
  it("is the request's own origin plus the configured CORS origins", () => {
    expect([...trustedOrigins("https://haven.example/v1/auth/refresh", " https://app.example , ")]).toEqual([
      "https://haven.example",
      "https://app.example",
    ]);
  });
});
