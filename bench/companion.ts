/**
 * Companion bench (printed, not asserted): what grounding and the care-plan context add to a turn.
 *
 * Against the local stack `npm test` uses (its own process: the Neon-HTTP endpoint in front of
 * PGlite, or of the server in DATABASE_URL; the offline OpenAI-compatible server), through the
 * Worker's own modules (bundled with esbuild) and the real `openai` and Neon clients:
 *
 * 1. Retrieval cost per turn: the embedding call, the ranking query (pgvector SQL where the server
 *    has it, else the float-array fallback) and `retrieve` end to end, p50/p99 in ms.
 * 2. The consented context read: the room's batch (helpful items, latest scores, next session, time
 *    zone) in one round trip, p50/p99.
 * 3. Added time to first token: a turn as the room runs it — retrieval, then the context read, then
 *    `streamReply` with the grounded prompt — against `streamReply` with the plain prompt, both
 *    timed to the first released token; p50/p95/p99 of each and of the difference.
 *
 * Run: `npm run bench:companion [-- --turns 200]`. Report the load average with the figures.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { spawnLocalStack } from "../scripts/local-stack/spawn.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const TURNS = arg("turns", 200);

const ENTRY = `
export { streamReply, SYSTEM_PROMPT, libraryPrompt, carePlanPrompt } from "./durable-objects/chat-companion";
export { retrieve, embed } from "./workers/lib/library/retrieval";
export { LIBRARY_BY_SLUG } from "./workers/lib/library/items";
export { createDatabase } from "./workers/lib/db";
export { helpfulItemsQuery } from "./workers/lib/care-data/companion";
export { latestScoresQuery } from "./workers/lib/care-data/assessments";
export { nextSessionQuery, timeZoneQuery } from "./workers/lib/care-data/between-session";
export { RETRIEVAL_SET } from "./workers/lib/library/eval/retrieval-set";
export { sql } from "drizzle-orm";
export { ConfigSchema } from "./workers/lib/config";
`;

type Db = {
  batch: (q: unknown[]) => Promise<unknown[]>;
  execute: (q: unknown) => Promise<{ rows: Array<Record<string, unknown>> }>;
};
interface Probe {
  streamReply: (
    config: unknown,
    messages: unknown[],
    onDelta: (d: string) => void,
  ) => Promise<{ firstReleaseMs: number | null }>;
  SYSTEM_PROMPT: string;
  libraryPrompt: (item: unknown) => string;
  carePlanPrompt: (ctx: { helpfulItems: string[]; copingSteps: string[]; facts: string[] }) => string;
  retrieve: (
    config: unknown,
    db: Db,
    key: string,
    text: string,
    opts: { k: number },
  ) => Promise<Array<{ slug: string }>>;
  embed: (config: unknown, inputs: string[], timeoutMs: number) => Promise<number[][]>;
  LIBRARY_BY_SLUG: Map<string, unknown>;
  createDatabase: (config: unknown, region: string) => Db;
  helpfulItemsQuery: (db: Db, id: string) => unknown;
  latestScoresQuery: (db: Db, ids: string[]) => unknown;
  nextSessionQuery: (db: Db, id: string) => unknown;
  timeZoneQuery: (db: Db, id: string) => unknown;
  RETRIEVAL_SET: ReadonlyArray<{ q: string }>;
  sql: (s: TemplateStringsArray, ...v: unknown[]) => unknown;
  ConfigSchema: { parse: (v: unknown) => Record<string, unknown> };
}

async function loadProbe(dir: string): Promise<Probe> {
  const out = await build({
    stdin: { contents: ENTRY, resolveDir: process.cwd(), loader: "ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    write: false,
    external: ["openai", "zod", "cloudflare:workers", "@neondatabase/serverless", "drizzle-orm"],
  });
  const file = join(dir, "companion-probe.mjs");
  await writeFile(file, out.outputFiles[0]?.text ?? "");
  return (await import(pathToFileURL(file).href)) as Probe;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
};
const fmt = (xs: number[]) =>
  `p50 ${pct(xs, 50).toFixed(2)} ms  p95 ${pct(xs, 95).toFixed(2)} ms  p99 ${pct(xs, 99).toFixed(2)} ms`;

async function main() {
  await mkdir(join(process.cwd(), "node_modules/.cache"), { recursive: true });
  const dir = await mkdtemp(join(process.cwd(), "node_modules/.cache/haven-companion-bench-"));
  const stack = await spawnLocalStack("bench");
  try {
    const probe = await loadProbe(dir);
    // The bindings of the stack plus the local vars of wrangler.toml, validated as the Worker does.
    const config = probe.ConfigSchema.parse({
      ...stack.bindings,
      ENVIRONMENT: "local",
      LOG_LEVEL: "warn",
      CORS_ORIGINS: "http://127.0.0.1",
      OPENAI_MODEL: "haven-offline",
      EMBEDDING_MODEL: "haven-offline-embed",
      LIBRARY_MIN_SCORE: "0.2",
    });
    const db = probe.createDatabase(config, "us");
    const questions = probe.RETRIEVAL_SET.map((r) => r.q);
    const patient = crypto.randomUUID();
    // Warm-up: indexes the library (one embedding call for all items) and opens connections.
    for (const q of questions.slice(0, 5)) await probe.retrieve(config, db, "bench", q, { k: 1 });

    const embedMs: number[] = [];
    const rankMs: number[] = [];
    const retrieveMs: number[] = [];
    const contextMs: number[] = [];
    const plainFirst: number[] = [];
    const groundedFirst: number[] = [];
    const added: number[] = [];
    const [probeRow] = (
      await db.execute(
        probe.sql`select exists (select 1 from information_schema.columns where table_name = 'library_vectors' and column_name = 'embedding_v') as present`,
      )
    ).rows;
    const pgvector = Boolean(probeRow?.present);
    for (let i = 0; i < TURNS; i++) {
      const text = questions[i % questions.length] ?? "I can't sleep";
      let t = performance.now();
      const [vector] = await probe.embed(config, [text], 800);
      embedMs.push(performance.now() - t);
      const literal = `[${(vector ?? []).join(",")}]`;
      t = performance.now();
      if (pgvector)
        await db.execute(
          probe.sql`select slug, 1 - (embedding_v <=> ${literal}::vector) as score from library_vectors
            where embedding_v is not null order by embedding_v <=> ${literal}::vector limit 1`,
        );
      // The fallback reads every vector (the Worker caches them per isolate for 5 minutes).
      else await db.execute(probe.sql`select slug, embedding from library_vectors`);
      rankMs.push(performance.now() - t);

      // Without: the plain prompt straight to the model.
      const plain = [
        { role: "system", content: probe.SYSTEM_PROMPT },
        { role: "user", content: text },
      ];
      t = performance.now();
      let first = Number.NaN;
      await probe.streamReply(config, plain, () => {
        if (Number.isNaN(first)) first = performance.now() - t;
      });
      plainFirst.push(first);

      // With: retrieval, then the consented context read, then the grounded prompt.
      t = performance.now();
      const found = await probe.retrieve(config, db, "bench", text, { k: 1 });
      retrieveMs.push(performance.now() - t);
      const c0 = performance.now();
      await db.batch([
        probe.helpfulItemsQuery(db, patient),
        probe.latestScoresQuery(db, [patient]),
        probe.nextSessionQuery(db, patient),
        probe.timeZoneQuery(db, patient),
      ]);
      contextMs.push(performance.now() - c0);
      const grounded = [
        { role: "system", content: probe.SYSTEM_PROMPT },
        {
          role: "system",
          content: probe.carePlanPrompt({
            helpfulItems: ["Sleep: habits that help"],
            copingSteps: ["Walk the dog"],
            facts: ["Latest PHQ-9: 8 (mild)."],
          }),
        },
        ...found.map((f) => ({
          role: "system",
          content: probe.libraryPrompt(probe.LIBRARY_BY_SLUG.get(f.slug)),
        })),
        { role: "user", content: text },
      ];
      let firstGrounded = Number.NaN;
      await probe.streamReply(config, grounded, () => {
        if (Number.isNaN(firstGrounded)) firstGrounded = performance.now() - t;
      });
      groundedFirst.push(firstGrounded);
      added.push(firstGrounded - first);
    }
    const [l1, l5, l15] = loadavg().map((l) => l.toFixed(2));
    console.log(
      `companion bench — ${TURNS} turns, ${new Date().toISOString().slice(0, 10)}, load average ${l1} ${l5} ${l15}`,
    );
    console.log(`  stack: ${stack.summary.join(" | ")}`);
    console.log(`  ranking: ${pgvector ? "pgvector SQL" : "float-array fallback (no pgvector)"}`);
    console.log(`  embedding call (1 input)                  ${fmt(embedMs)}`);
    console.log(`  ranking query (fallback: uncached read)   ${fmt(rankMs)}`);
    console.log(`  retrieve() per turn (embed + rank)        ${fmt(retrieveMs)}`);
    console.log(`  consented context read (1 batch)          ${fmt(contextMs)}`);
    console.log(`  first token, plain prompt                 ${fmt(plainFirst)}`);
    console.log(`  first token, retrieval + context + prompt ${fmt(groundedFirst)}`);
    console.log(`  added time to first token                 ${fmt(added)}`);
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
