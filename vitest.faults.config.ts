import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * The fault suite (`npm run test:faults`): the Worker against the local stack behind
 * controllable proxies (test/faults/global-setup.ts). One file at a time: the proxies are shared.
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
    globalSetup: ["./test/faults/global-setup.ts"],
    include: ["test/faults/**/*.fault.ts"],
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
