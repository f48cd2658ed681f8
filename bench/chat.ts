/**
 * Chat benchmark (printed, not asserted): what the safety layer adds to a companion reply.
 *
 * 1. Added time to first token: against the offline model with ZERO token delay, the time until
 *    the first content chunk arrives through the raw `openai` client (baseline) versus the time
 *    until `streamReply` releases its first delta (it holds deltas until a sentence is complete
 *    and has passed the output check). p50/p95 of both and of the difference, per message.
 * 2. Crisis-check cost: `detectCrisis` per message, µs, over the labelled crisis and benign sets.
 *
 * Run: `node --experimental-strip-types bench/chat.ts [--messages 300]`. The Worker modules use
 * extensionless imports, so they are bundled with esbuild first (as bench/crypto.ts does).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import OpenAI from "openai";
import { startOpenAIServer } from "../scripts/local-stack/openai-server.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const MESSAGES = arg("messages", 300);

const ENTRY = `
export { streamReply, SYSTEM_PROMPT } from "./durable-objects/chat-companion";
export { detectCrisis } from "./workers/features/safety/detector";
export * as selfSet from "./workers/features/safety/labelled-crisis-self";
export * as benignA from "./workers/features/safety/labelled-benign-a";
export * as benignB from "./workers/features/safety/labelled-benign-b";
`;

interface Probe {
  streamReply: (
    config: unknown,
    messages: unknown[],
    onDelta: (d: string) => void,
  ) => Promise<{ firstReleaseMs: number | null }>;
  SYSTEM_PROMPT: string;
  detectCrisis: (text: string) => unknown;
  selfSet: Record<string, unknown>;
  benignA: Record<string, unknown>;
  benignB: Record<string, unknown>;
}

async function loadProbe(dir: string): Promise<Probe> {
  const out = await build({
    stdin: { contents: ENTRY, resolveDir: process.cwd(), loader: "ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    write: false,
    external: ["openai", "zod", "cloudflare:workers"],
  });
  const file = join(dir, "chat-probe.mjs");
  await writeFile(file, out.outputFiles[0]?.text ?? "");
  return (await import(pathToFileURL(file).href)) as Probe;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
};
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(2)} ms  p95 ${pct(xs, 95).toFixed(2)} ms`;
const strings = (mod: Record<string, unknown>) =>
  Object.values(mod).flatMap((v) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [],
  );

async function main() {
  // Inside the repo so the bundle resolves `openai` and `zod` from node_modules.
  await mkdir(join(process.cwd(), "node_modules/.cache"), { recursive: true });
  const dir = await mkdtemp(join(process.cwd(), "node_modules/.cache/haven-chat-bench-"));
  const server = await startOpenAIServer({ tokenDelayMs: 0 });
  try {
    const probe = await loadProbe(dir);
    const config = {
      OPENAI_BASE_URL: server.baseUrl,
      OPENAI_API_KEY: server.apiKey,
      OPENAI_MODEL: server.model,
    };
    const client = new OpenAI({ baseURL: server.baseUrl, apiKey: server.apiKey, maxRetries: 0 });
    const baseline: number[] = [];
    const guarded: number[] = [];
    const added: number[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const messages = [
        { role: "system", content: probe.SYSTEM_PROMPT },
        { role: "user", content: `benchmark message ${i}: I had a stressful day at work` },
      ];
      let t = performance.now();
      const stream = await client.chat.completions.create({
        model: server.model,
        messages: messages as never,
        stream: true,
      });
      let first = Number.NaN;
      for await (const chunk of stream) {
        if (Number.isNaN(first) && chunk.choices[0]?.delta?.content) first = performance.now() - t;
      }
      t = performance.now();
      let released = Number.NaN;
      await probe.streamReply(config, messages, () => {
        if (Number.isNaN(released)) released = performance.now() - t;
      });
      baseline.push(first);
      guarded.push(released);
      added.push(released - first);
    }
    const texts = [...strings(probe.selfSet), ...strings(probe.benignA), ...strings(probe.benignB)];
    for (const t of texts) probe.detectCrisis(t); // warm-up
    const rounds = Math.max(1, Math.ceil(20_000 / Math.max(1, texts.length)));
    const start = performance.now();
    for (let r = 0; r < rounds; r++) for (const t of texts) probe.detectCrisis(t);
    const perMessageUs = ((performance.now() - start) * 1000) / (rounds * texts.length);

    console.log(`chat bench — ${MESSAGES} messages, offline model with zero token delay`);
    console.log(`  first token, raw openai stream      ${fmt(baseline)}`);
    console.log(`  first released token (safety hold)  ${fmt(guarded)}`);
    console.log(`  added by sentence hold + check      ${fmt(added)}`);
    console.log(
      `  detectCrisis per message            ${perMessageUs.toFixed(1)} µs (${texts.length} labelled texts × ${rounds})`,
    );
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
