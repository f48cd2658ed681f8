/**
 * Retrieval over Haven's psychoeducation library. Items are embedded through the configured
 * OpenAI-compatible `/embeddings` endpoint and stored per region (`library_vectors`); a turn embeds
 * the person's message and takes the closest items above a relevance threshold. Where the server
 * has pgvector (Neon, PGlite) the ranking is one SQL statement ordered by cosine distance;
 * elsewhere the vectors (a few dozen) are read once per isolate and ranked here.
 *
 * Everything is bounded: a slow or failing embedding call means "no grounding" for that turn,
 * never a delayed or failed reply.
 */
import { eq, sql } from "drizzle-orm";
import { libraryVectors } from "../../db/schema";
import type { Config } from "../config";
import type { Database } from "../db";
import { createOpenAI } from "../openai";
import { indexText, LIBRARY, LIBRARY_BY_SLUG, type LibraryItem } from "./items";

export interface Retrieved {
  slug: string;
  title: string;
  score: number;
}

/** How long a turn may wait for retrieval before replying without it. */
export const RETRIEVAL_TIMEOUT_MS = 800;
const CACHE_MS = 5 * 60_000;

const vectorCache = new Map<string, { at: number; rows: Array<{ slug: string; embedding: number[] }> }>();
const pgvectorKnown = new Map<string, boolean>();
/** Regions (and models) this isolate has checked are indexed at the current item versions. */
const indexChecked = new Set<string>();

export async function embed(config: Config, inputs: string[], timeoutMs: number): Promise<number[][]> {
  const res = await createOpenAI(config, { timeoutMs }).embeddings.create({
    model: config.EMBEDDING_MODEL,
    input: inputs,
  });
  return res.data.sort((a, b) => a.index - b.index).map((d) => d.embedding);
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

async function hasPgvector(db: Database, key: string): Promise<boolean> {
  const known = pgvectorKnown.get(key);
  if (known !== undefined) return known;
  const rows = await db.execute<{ present: boolean }>(
    sql`select exists (select 1 from information_schema.columns where table_name = 'library_vectors' and column_name = 'embedding_v') as present`,
  );
  const present = Boolean(rows.rows[0]?.present);
  pgvectorKnown.set(key, present);
  return present;
}

/**
 * Embeds every library item whose current version is not yet indexed for this model, in one
 * embedding call, and stores the vectors (and the pgvector copy where it exists). Idempotent.
 * Returns how many items were (re)indexed.
 */
export async function ensureLibraryIndexed(config: Config, db: Database, cacheKey: string): Promise<number> {
  const have = await db
    .select({ slug: libraryVectors.slug, version: libraryVectors.version })
    .from(libraryVectors)
    .where(eq(libraryVectors.model, config.EMBEDDING_MODEL));
  const current = new Map(have.map((r) => [r.slug, r.version]));
  const stale = LIBRARY.filter((i) => current.get(i.slug) !== i.version);
  if (stale.length === 0) return 0;
  const vectors = await embed(config, stale.map(indexText), 20_000);
  const pgvector = await hasPgvector(db, cacheKey);
  await db.batch(
    stale.map((item, i) => {
      const embedding = vectors[i] ?? [];
      const values = {
        slug: item.slug,
        model: config.EMBEDDING_MODEL,
        version: item.version,
        dims: embedding.length,
        embedding,
      };
      return db
        .insert(libraryVectors)
        .values(values)
        .onConflictDoUpdate({
          target: [libraryVectors.slug, libraryVectors.model],
          set: { version: item.version, dims: embedding.length, embedding, indexedAt: new Date() },
        });
    }) as unknown as Parameters<typeof db.batch>[0],
  );
  if (pgvector)
    await db.execute(
      sql`update library_vectors set embedding_v = embedding::real[]::vector where model = ${config.EMBEDDING_MODEL}`,
    );
  vectorCache.delete(`${cacheKey}:${config.EMBEDDING_MODEL}`);
  return stale.length;
}

/** Test seam: forget what this isolate knows about the index. */
export function resetRetrievalCaches(): void {
  vectorCache.clear();
  pgvectorKnown.clear();
  indexChecked.clear();
}

/**
 * The library items closest to `text` with a score of at least `minScore` (cosine similarity),
 * best first, at most `k`. Indexes the library first if this region has not got it yet.
 */
export async function retrieve(
  config: Config,
  db: Database,
  cacheKey: string,
  text: string,
  opts: { k?: number; minScore?: number; timeoutMs?: number } = {},
): Promise<Retrieved[]> {
  const k = opts.k ?? 3;
  const minScore = opts.minScore ?? config.LIBRARY_MIN_SCORE;
  const indexKey = `${cacheKey}:${config.EMBEDDING_MODEL}`;
  if (!indexChecked.has(indexKey)) {
    await ensureLibraryIndexed(config, db, cacheKey);
    indexChecked.add(indexKey);
  }
  const [query] = await embed(config, [text], opts.timeoutMs ?? RETRIEVAL_TIMEOUT_MS);
  if (!query) return [];
  let ranked: Array<{ slug: string; score: number }>;
  if (await hasPgvector(db, cacheKey)) {
    const literal = `[${query.join(",")}]`;
    const rows = await db.execute<{ slug: string; score: number }>(
      sql`select slug, 1 - (embedding_v <=> ${literal}::vector) as score from library_vectors
          where model = ${config.EMBEDDING_MODEL} and embedding_v is not null
          order by embedding_v <=> ${literal}::vector limit ${k}`,
    );
    ranked = rows.rows.map((r) => ({ slug: r.slug, score: Number(r.score) }));
  } else {
    const rows = await vectorsFor(config, db, cacheKey);
    ranked = rows
      .map((r) => ({ slug: r.slug, score: cosine(query, r.embedding) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
  }
  return ranked
    .filter((r) => r.score >= minScore && LIBRARY_BY_SLUG.has(r.slug))
    .map((r) => ({
      slug: r.slug,
      score: r.score,
      title: (LIBRARY_BY_SLUG.get(r.slug) as LibraryItem).title,
    }));
}

async function vectorsFor(config: Config, db: Database, cacheKey: string) {
  const key = `${cacheKey}:${config.EMBEDDING_MODEL}`;
  const cached = vectorCache.get(key);
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.rows;
  const rows = await db
    .select({ slug: libraryVectors.slug, embedding: libraryVectors.embedding })
    .from(libraryVectors)
    .where(eq(libraryVectors.model, config.EMBEDDING_MODEL));
  vectorCache.set(key, { at: Date.now(), rows });
  return rows;
}
