/**
 * Chat benchmark (printed, not asserted): what the safety layer adds to a companion reply.
 *
 * 1. Added time to first token: against the offline model with ZERO token delay, the time until
 *    the first content chunk arrives through the raw `openai` client (baseline) versus the time
 *    until `streamReply` releases its first delta (it holds deltas until a sentence is complete
 *    and has passed the output check). p50/p95 of both and of the difference, per message.
 *    With `SAFETY_MODEL_CHECK` the reply is also held for layer 3 (the model classifier, run beside
 *    generation): the same figure with the gate, against the offline server's classifier.
 * 2. Safety-net cost: `assessRisk` (layers 1 + 2 and the conversation logic) per message, p50/p99
 *    in µs over every tuning and held-out message, with the classifier's size in the bundle. This
 *    is also what the safety net adds before the model call starts (it runs synchronously first).
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
export { assessRisk, CLASSIFIER } from "./workers/features/safety/index";
export { modelRiskCheck } from "./workers/features/safety/model-check";
export { CLASSIFIER_MODEL } from "./workers/features/safety/classifier-weights";
export { TUNING } from "./workers/features/safety/eval/tuning/index";
export { HELDOUT } from "./workers/features/safety/eval/heldout/index";
`;

interface Probe {
  streamReply: (
    config: unknown,
    messages: unknown[],
    onDelta: (d: string) => void,
    opts?: { gate?: Promise<boolean> },
  ) => Promise<{ firstReleaseMs: number | null }>;
  SYSTEM_PROMPT: string;
  assessRisk: (text: string, turns?: readonly string[]) => unknown;
  modelRiskCheck: (
    client: OpenAI,
    model: string,
    text: string,
    turns: readonly string[],
    opts: { timeoutMs: number },
  ) => Promise<{ ok: boolean }>;
  CLASSIFIER: { bytes: number; version: string };
  CLASSIFIER_MODEL: { weights: string };
  TUNING: ReadonlyArray<{ text: string; turns?: readonly string[] }>;
  HELDOUT: ReadonlyArray<{ text: string; turns?: readonly string[] }>;
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
    const gated: number[] = [];
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
      t = performance.now();
      let withGate = Number.NaN;
      const gate = probe
        .modelRiskCheck(client, server.model, "I had a stressful day at work", [], { timeoutMs: 1200 })
        .then(() => true);
      await probe.streamReply(
        config,
        messages,
        () => {
          if (Number.isNaN(withGate)) withGate = performance.now() - t;
        },
        { gate },
      );
      baseline.push(first);
      guarded.push(released);
      added.push(released - first);
      gated.push(withGate - released);
    }
    const cases = [...probe.TUNING, ...probe.HELDOUT];
    for (const c of cases) probe.assessRisk(c.text, c.turns ?? []); // warm-up
    const costs: number[] = [];
    for (let r = 0; r < 3; r++)
      for (const c of cases) {
        const t0 = performance.now();
        probe.assessRisk(c.text, c.turns ?? []);
        costs.push((performance.now() - t0) * 1000);
      }
    const us = (p: number) => pct(costs, p).toFixed(0);

    console.log(`chat bench — ${MESSAGES} messages, offline model with zero token delay`);
    console.log(`  first token, raw openai stream      ${fmt(baseline)}`);
    console.log(`  first released token (safety hold)  ${fmt(guarded)}`);
    console.log(`  added by sentence hold + check      ${fmt(added)}`);
    console.log(`  added by the layer-3 hold (offline) ${fmt(gated)}`);
    console.log(
      `  assessRisk (layers 1+2+conversation) p50 ${us(50)} µs  p99 ${us(99)} µs  max ${us(100)} µs per message (${cases.length} messages × 3, turns included)`,
    );
    console.log(
      `  classifier ${probe.CLASSIFIER.version}: ${probe.CLASSIFIER.bytes} int8 weights, ${(probe.CLASSIFIER_MODEL.weights.length / 1024).toFixed(0)} KiB base64 in the bundle`,
    );
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
