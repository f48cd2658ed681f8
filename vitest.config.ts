import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Tests run inside workerd with the real Worker, its Durable Objects and bindings from
 * wrangler.toml. The globalSetup starts the same local stack `npm run dev` uses (on free ports)
 * and hands its URLs and secrets over with `provide`/`inject`.
 */
export default defineConfig({
  plugins: [
    cloudflareTest(async ({ inject }) => ({
      remoteBindings: false,
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: { ...inject<Record<string, string>>("workerBindings"), LOG_LEVEL: "error" },
      },
    })),
  ],
  test: {
    globalSetup: ["./test/global-setup.ts"],
    include: [
      "workers/**/*.test.ts",
      "durable-objects/**/*.test.ts",
      "web/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
