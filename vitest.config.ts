import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** Structure checks read the source tree as text; they need no runtime and run in Node. */
const STRUCTURE = ["test/architecture.test.ts", "test/phi-door.test.ts"];

/**
 * Tests run inside workerd with the real Worker, its Durable Objects and bindings from
 * wrangler.toml. The globalSetup starts the same local stack `npm run dev` uses (on free ports)
 * and hands its URLs and secrets over with `provide`/`inject`. The structure checks (dependency
 * direction, the one door to PHI) only read source text, inlined by Vite: they run in Node, where
 * inlining the whole tree does not weigh on a workerd test runtime (under the full suite that
 * runtime once exited while starting them).
 */
export default defineConfig({
  test: {
    projects: [
      {
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
          name: "workers",
          globalSetup: ["./test/global-setup.ts"],
          include: [
            "workers/**/*.test.ts",
            "durable-objects/**/*.test.ts",
            "web/**/*.test.ts",
            "test/**/*.test.ts",
          ],
          exclude: ["**/node_modules/**", ...STRUCTURE],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: { name: "structure", include: STRUCTURE, environment: "node" },
      },
    ],
  },
});
