/**
 * The offline server's deterministic embedding (`POST /v1/embeddings`), so retrieval runs and is
 * tested without a network. A hashed bag of features — word stems, word pairs and character
 * 4-grams — signed into 512 dimensions and L2-normalised. It captures shared words and word
 * parts, not meaning: production uses the configured embedding model, and the recall@3 the tests
 * report for this embedding is a floor for the pipeline, not a claim about the model.
 */
export const OFFLINE_EMBEDDING_MODEL = "haven-offline-embed";
export const OFFLINE_EMBEDDING_DIMS = 512;

const STOP = new Set(
  "a an and are as at be but by can do does for from have how i i'm im in is it its me my of on or so that the this to was what when with you your".split(
    " ",
  ),
);

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function stem(w: string): string {
  for (const suffix of ["ing", "ed", "ly", "es", "s"]) {
    if (w.length > suffix.length + 3 && w.endsWith(suffix)) return w.slice(0, -suffix.length);
  }
  return w;
}

export function offlineEmbedding(text: string): number[] {
  const v = new Float64Array(OFFLINE_EMBEDDING_DIMS);
  const add = (feature: string, weight: number) => {
    const h = fnv(feature);
    const i = h % OFFLINE_EMBEDDING_DIMS;
    v[i] = (v[i] ?? 0) + (h & 0x80000000 ? -weight : weight);
  };
  const words = text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9' ]+/g, " ")
    .split(/\s+/)
    .filter((w) => w && !STOP.has(w))
    .map(stem);
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? "";
    add(`w:${w}`, 1);
    if (i + 1 < words.length) add(`b:${w} ${words[i + 1]}`, 0.5);
    const padded = ` ${w} `;
    for (let j = 0; j + 4 <= padded.length; j++) add(`c:${padded.slice(j, j + 4)}`, 0.3);
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  return Array.from(v, (x) => Math.round((x / norm) * 1e6) / 1e6);
}
