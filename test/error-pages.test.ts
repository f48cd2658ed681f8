import { createExecutionContext, env } from "cloudflare:test";
import { Hono } from "hono";
import { describe, expect, it, vi } from "vitest";
import { appError } from "../web/pages/errors/page";
import { app } from "../workers/app";
import type { AppEnv } from "../workers/lib/context";
import { AppError } from "../workers/lib/errors";
import { call, problem } from "./helpers";

/** What Chromium sends for a navigation. */
const BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

/** The page is in the app's layout: skip link, header nav, main, footer with crisis lines. */
function expectLayout(html: string, title: string): void {
  expect(html).toContain(`<title>${title} · Haven</title>`);
  expect(html).toContain('<a class="skip" href="#main">');
  expect(html).toContain('<nav aria-label="Main">');
  expect(html).toContain('<main id="main">');
  expect(html).toContain('<a href="tel:988">988</a>');
}

const secretValues = Object.values(env as unknown as Record<string, unknown>).filter(
  (v): v is string => typeof v === "string" && v.length >= 12,
);

describe("HTML error pages for browsers", () => {
  it("404: an unknown page answers a page in the layout, not problem+json", async () => {
    const res = await call("/no-such-page", { headers: { accept: BROWSER } });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await res.text();
    expectLayout(html, "Page not found");
    expect(html).toContain("<h1>Page not found</h1>");
    expect(html).not.toContain("No such resource");
    expect(html).not.toContain("problems/not-found");
  });

  it("403: a page form with a bad CSRF token answers a page in the layout", async () => {
    const res = await call("/account/password", {
      method: "POST",
      headers: { accept: BROWSER, "content-type": "application/x-www-form-urlencoded" },
      body: "csrf=forged&currentPassword=x&newPassword=y",
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expectLayout(html, "Not allowed");
    expect(html).toContain("This form has expired. Go back, reload the page and try again.");
  });

  it("403 thrown anywhere under the app handler renders the page when a browser asks", async () => {
    const mini = new Hono<AppEnv>()
      .get("/x", () => {
        throw new AppError("forbidden", "Not for you");
      })
      .onError(appError);
    const page = await mini.request("/x", { headers: { accept: BROWSER } });
    expect(page.status).toBe(403);
    const html = await page.text();
    expectLayout(html, "Not allowed");
    expect(html).toContain("<p>Not for you</p>");
    const api = await mini.request("/x", { headers: { accept: "application/json" } });
    expect(api.status).toBe(403);
    expect((await problem(api)).code).toBe("forbidden");
  });

  it("500: a page shows the request id and no internals, and the log names no secret", async () => {
    const logged: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((l: unknown) => void logged.push(String(l)));
    const brokenEnv = { ...env, OPENAI_API_KEY: undefined } as unknown as Env;
    const res = await app.fetch(
      new Request("http://haven.test/chat", {
        headers: { accept: BROWSER, "cf-connecting-ip": "192.0.2.61" },
      }),
      brokenEnv,
      createExecutionContext(),
    );
    spy.mockRestore();
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toContain("text/html");
    const requestId = res.headers.get("x-request-id") ?? "";
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const html = await res.text();
    expectLayout(html, "Something went wrong");
    expect(html).toContain(`<code>${requestId}</code>`);
    expect(html).not.toMatch(/misconfigured|OPENAI|API_KEY|DATABASE_URL|Error:|at \w+ \(/);
    for (const value of secretValues) expect(html).not.toContain(value);
    expect(logged.some((l) => l.includes("config_invalid"))).toBe(true);
  });

  it("405 on a page keeps Allow and renders the page", async () => {
    const res = await call("/docs", { method: "DELETE", headers: { accept: BROWSER } });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toContain("GET");
    expect(res.headers.get("content-type")).toContain("text/html");
    expectLayout(await res.text(), "Method not allowed");
  });
});

describe("API paths and API clients keep problem+json", () => {
  it.each([
    ["/v1/nope", "GET", 404],
    ["/v1/me", "GET", 401],
    ["/health", "POST", 405],
    ["/ready", "DELETE", 405],
    ["/openapi.json", "POST", 405],
  ])("%s %s with a browser's Accept → %i problem+json", async (path, method, status) => {
    const res = await call(path, { method, headers: { accept: BROWSER } });
    expect(res.status).toBe(status);
    expect((await problem(res)).status).toBe(status);
  });

  it.each([["*/*"], ["application/json"], ["application/problem+json, text/html;q=0.5"], [""]])(
    "a page path asked for with Accept %j → problem+json",
    async (accept) => {
      const res = await call("/no-such-page", { headers: accept ? { accept } : {} });
      expect(res.status).toBe(404);
      expect((await problem(res)).code).toBe("not_found");
    },
  );

  it("500 on an API path stays problem+json even for a browser", async () => {
    const brokenEnv = { ...env, OPENAI_API_KEY: undefined } as unknown as Env;
    const spy = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = await app.fetch(
      new Request("http://haven.test/v1/meta", {
        headers: { accept: BROWSER, "cf-connecting-ip": "192.0.2.62" },
      }),
      brokenEnv,
      createExecutionContext(),
    );
    spy.mockRestore();
    expect(res.status).toBe(500);
    const body = await problem(res);
    expect(body.requestId).toBe(res.headers.get("x-request-id"));
  });
});
