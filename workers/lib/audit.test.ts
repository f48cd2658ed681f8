import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { testConfig } from "../../test/fixtures";
import { auditContext } from "./audit";
import { createLogger } from "./logger";
import { createScope, jobAudit } from "./scope";

const scopeWith = (audit: Parameters<typeof createScope>[0]["audit"]) =>
  createScope({ env, config: testConfig(), log: createLogger("error"), audit });

describe("audit metadata of a scope", () => {
  it("a job scope is audited as the system, with its job id", () => {
    const ctx = auditContext(scopeWith(jobAudit("chat.flush")));
    expect(ctx).toMatchObject({ actorId: null, actorRole: "system", ip: null, userAgent: null });
    expect(ctx.requestId).toMatch(/^job:chat\.flush:[0-9a-f-]{36}$/);
  });

  it("a request cannot pass as the system by sending a job-like X-Request-Id", () => {
    const ctx = auditContext(
      scopeWith({ requestId: "job:chat.flush:forged", ip: "192.0.2.1", userAgent: null }),
    );
    expect(ctx).toMatchObject({ actorId: null, actorRole: null, requestId: "job:chat.flush:forged" });
  });
});
