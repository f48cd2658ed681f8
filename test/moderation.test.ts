import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { moderationFlagsSelfHarm } from "../durable-objects/chat-companion";
import { ConfigSchema } from "../workers/lib/config";

describe("optional moderation layer (second to the edge detector)", () => {
  const config = ConfigSchema.parse({ ...env, OPENAI_MODERATION: "true" });

  it("is off unless configured", () => {
    expect(ConfigSchema.parse(env).OPENAI_MODERATION).toBe(false);
    expect(config.OPENAI_MODERATION).toBe(true);
  });

  it("flags self-harm through the real openai client and passes benign text", async () => {
    expect(await moderationFlagsSelfHarm(config, "I want to hurt myself tonight")).toBe(true);
    expect(await moderationFlagsSelfHarm(config, "I planted tomatoes with my daughter")).toBe(false);
  });

  it("fails open to the edge layer when the endpoint is unreachable", async () => {
    const down = ConfigSchema.parse({
      ...env,
      OPENAI_MODERATION: "true",
      OPENAI_BASE_URL: "http://127.0.0.1:1/v1",
    });
    expect(await moderationFlagsSelfHarm(down, "I want to hurt myself tonight")).toBe(false);
  });
});
