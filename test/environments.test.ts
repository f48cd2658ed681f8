import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../workers/app";

const ctx = createExecutionContext();
const production = { ...env, ENVIRONMENT: "production" } as Env;
const get = (path: string, e: Env, init: RequestInit = {}) =>
  app.fetch(
    new Request(`http://haven.test${path}`, {
      ...init,
      headers: { "cf-connecting-ip": "192.0.2.200", ...init.headers },
    }),
    e,
    ctx,
  );

describe("outside local mode", () => {
  it("serves pages and the API", async () => {
    expect((await get("/", production)).status).toBe(200);
    expect((await get("/login", production)).status).toBe(200);
    expect((await get("/v1/meta", production)).status).toBe(200);
  });

  it("has no dev routes: seed and mailbox are 404", async () => {
    expect((await get("/dev/mailbox", production)).status).toBe(404);
    const seed = await get("/__dev/seed", production, {
      method: "POST",
      headers: { authorization: `Bearer ${env.DEV_SEED_TOKEN}` },
    });
    expect(seed.status).toBe(404);
  });

  it("the seed endpoint refuses a wrong token even locally", async () => {
    expect(
      (await get("/__dev/seed", env, { method: "POST", headers: { authorization: "Bearer nope" } })).status,
    ).toBe(404);
  });
});
