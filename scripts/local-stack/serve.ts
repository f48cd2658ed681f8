/**
 * Runs the local stack as its own Node process and prints one JSON line with the Worker bindings
 * once it is up. The vitest globalSetup and the benches use it, so the stack runs under plain
 * Node module resolution (not the test runner's workerd conditions) and off the runner's CPU.
 * It stops on SIGTERM/SIGINT or when its parent closes stdin.
 *
 * Usage: node --experimental-strip-types scripts/local-stack/serve.ts --mode test|bench
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startLocalStack } from "./index.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { values } = parseArgs({
  options: { mode: { type: "string", default: "test" }, "token-delay": { type: "string" } },
});
const mode = values.mode === "bench" ? "bench" : "test";

const stack = await startLocalStack({
  mode,
  root,
  databaseUrl: process.env.DATABASE_URL || undefined,
  redisUrl: process.env.REDIS_URL || undefined,
  tokenDelayMs: Number(values["token-delay"] ?? (mode === "bench" ? 0 : 2)),
});

let closing = false;
const shutdown = async () => {
  if (closing) return;
  closing = true;
  await stack.close();
  process.exit(0);
};
process.on("SIGTERM", () => void shutdown());
process.on("SIGINT", () => void shutdown());
process.stdin.on("end", () => void shutdown());
process.stdin.resume();

process.stdout.write(
  `${JSON.stringify({ ready: true, bindings: stack.bindings, summary: stack.summary, openaiControlUrl: stack.openaiControlUrl ?? "" })}\n`,
);
