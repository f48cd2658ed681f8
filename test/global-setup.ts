import type { TestProject } from "vitest/node";
import { spawnLocalStack } from "../scripts/local-stack/spawn.ts";

/**
 * Starts the local stack (in its own Node process) on free ports: embedded PGlite and the
 * embedded Upstash store by default, or the servers named by DATABASE_URL / REDIS_URL. Fresh test
 * databases every run. URLs and secrets reach the Worker as bindings through `provide`.
 */
export default async function setup(project: TestProject) {
  const stack = await spawnLocalStack("test");
  console.log(`[haven test stack]\n  ${stack.summary.join("\n  ")}`);
  project.provide("workerBindings", stack.bindings);
  project.provide("openaiControlUrl", stack.openaiControlUrl);
  // The fuzz suite's budget (test/fuzz.test.ts): fixed in CI, longer with `npm run test:fuzz`.
  project.provide("fuzzRuns", Number(process.env.HAVEN_FUZZ_RUNS ?? 0));
  project.provide("fuzzSeed", Number(process.env.HAVEN_FUZZ_SEED ?? 0));
  return () => stack.stop();
}
