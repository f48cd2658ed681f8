import { describe, expect, it } from "vitest";
import { call } from "./helpers";

interface Operation {
  security?: unknown[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, unknown> }>;
}

async function operations(): Promise<Array<[string, Operation]>> {
  const doc = (await (await call("/openapi.json")).json()) as {
    paths: Record<string, Record<string, Operation>>;
  };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op]),
  );
}

describe("OpenAPI error responses", () => {
  it("every error response of every operation is a documented problem+json", async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(40);
    const undocumented = ops.flatMap(([name, op]) =>
      Object.entries(op.responses)
        .filter(([status, r]) => Number(status) >= 400 && !r.content?.["application/problem+json"])
        .map(([status]) => `${name} ${status}`),
    );
    expect(undocumented).toEqual([]);
  });

  it("documents 401 with security, 422 with input, 429 under /v1 — chat included", async () => {
    const ops = await operations();
    const missing: string[] = [];
    for (const [name, op] of ops) {
      const has = (s: number) => String(s) in op.responses;
      if ((op.security?.length ?? 0) > 0 && !has(401)) missing.push(`${name} 401`);
      if (((op.parameters?.length ?? 0) > 0 || op.requestBody) && !has(422)) missing.push(`${name} 422`);
      if (name.includes(" /v1/") && !has(429)) missing.push(`${name} 429`);
      // The socket upgrade takes a single-use ticket or the session cookie, never a bearer token.
      const bearerRoute = name.includes("/chat/") && !name.endsWith("/chat/ws");
      if (bearerRoute && !(op.security?.length ?? 0)) missing.push(`${name} security`);
    }
    expect(missing).toEqual([]);
  });
});
