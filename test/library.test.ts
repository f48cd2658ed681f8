import { describe, expect, it } from "vitest";
import { createDatabase } from "../workers/lib/db";
import { OFF_TOPIC } from "../workers/lib/library/eval/off-topic";
import { RETRIEVAL_SET } from "../workers/lib/library/eval/retrieval-set";
import { LIBRARY } from "../workers/lib/library/items";
import { ensureLibraryIndexed, resetRetrievalCaches, retrieve } from "../workers/lib/library/retrieval";
import { testConfig } from "./fixtures";

describe("library retrieval (offline embedding, the real openai client and Postgres)", () => {
  it("indexes every item once per model and version", async () => {
    resetRetrievalCaches();
    const config = testConfig();
    const db = createDatabase(config, "apac");
    await ensureLibraryIndexed(config, db, "apac");
    expect(await ensureLibraryIndexed(config, db, "apac")).toBe(0);
  });

  it("recall@3 on the labelled retrieval set", async () => {
    const config = testConfig();
    const db = createDatabase(config, "us");
    let hits1 = 0;
    let hits3 = 0;
    const misses: string[] = [];
    for (const { q, expect: want } of RETRIEVAL_SET) {
      const top = await retrieve(config, db, "us", q, { k: 3, minScore: 0, timeoutMs: 5_000 });
      if (want.includes(top[0]?.slug ?? "")) hits1++;
      if (top.some((t) => want.includes(t.slug))) hits3++;
      else misses.push(`${q} → ${top.map((t) => `${t.slug} ${t.score.toFixed(2)}`).join(", ")}`);
    }
    const n = RETRIEVAL_SET.length;
    console.log(
      `library retrieval (offline embedding, ${LIBRARY.length} items, ${n} questions): recall@1 ${(hits1 / n).toFixed(3)}, recall@3 ${(hits3 / n).toFixed(3)}\n  misses:\n  ${misses.join("\n  ")}`,
    );
    // Measured 0.857 (recall@1 0.738) when first run, before any tuning; the floor guards regressions.
    expect(hits3 / n).toBeGreaterThanOrEqual(0.8);
  });

  it("small talk is not grounded: nothing reaches the local relevance threshold (tuning list)", async () => {
    const config = testConfig();
    const db = createDatabase(config, "us");
    expect(config.LIBRARY_MIN_SCORE).toBe(0.2);
    for (const q of OFF_TOPIC)
      expect(await retrieve(config, db, "us", q, { timeoutMs: 5_000 }), q).toEqual([]);
    const grounded = await retrieve(config, db, "us", "any tips for sleeping better", { timeoutMs: 5_000 });
    expect(grounded[0]?.slug).toBe("sleep-hygiene");
  });
});
