import { describe, expect, it } from "vitest";
import { files, importsOf } from "./sources";

describe("dependency direction: features → durable-objects → lib", () => {
  it("finds the sources", () => {
    expect(files("workers/lib/").length).toBeGreaterThan(10);
    expect(files("durable-objects/").length).toBeGreaterThan(5);
  });

  it("Durable Objects import only lib, the db schema, the safety leaf module and each other", () => {
    const allowed = ["durable-objects/", "workers/lib/", "workers/db/", "workers/features/safety/"];
    const bad = files("durable-objects/").flatMap((f) =>
      importsOf(f)
        .filter(
          (i) => (i.startsWith("workers/") || i.startsWith("web/")) && !allowed.some((a) => i.startsWith(a)),
        )
        .map((i) => `${f} → ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it("lib imports neither features, middleware, Durable Objects nor pages", () => {
    const bad = files("workers/lib/").flatMap((f) =>
      importsOf(f)
        .filter((i) => /^(workers\/(features|middleware)|durable-objects|web)\//.test(i))
        .map((i) => `${f} → ${i}`),
    );
    expect(bad).toEqual([]);
  });

  it("services take a Scope: only route adapters (and cookie helpers) import Hono", () => {
    const adapter = /\/(routes\.tsx?|cookies\.ts)$/;
    const bad = files("workers/features/").filter(
      (f) => !adapter.test(f) && importsOf(f).some((i) => i === "hono" || i.startsWith("hono/")),
    );
    expect(bad).toEqual([]);
  });
});
