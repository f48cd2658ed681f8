/**
 * CPU cost of the auth primitives inside workerd (the runtime that serves Haven), not in Node:
 * bench/crypto-probe.js is bundled with esbuild and run by Miniflare with the app's
 * compatibility date and flags. Each figure is (time of a request doing N ops − time of a request
 * doing 0 ops) / N, median of several rounds. The isolate is single-threaded and the ops are
 * synchronous crypto, so wall time per op ≈ CPU time per op.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { build } from "esbuild";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";

export interface CryptoFigures {
  hashMs: number;
  verifyMs: number;
  tokenVerifyUs: number;
}

function appCompat(root: string): { compatibilityDate: string; compatibilityFlags: string[] } {
  const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? "";
  if (!date) throw new Error("wrangler.toml has no compatibility_date");
  return {
    compatibilityDate: date,
    compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? ""),
  };
}

async function bundle(root: string): Promise<string> {
  const out = await build({
    entryPoints: [join(root, "bench", "crypto-probe.js")],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    write: false,
    logLevel: "silent",
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error("esbuild produced no output");
  return file.text;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

export async function measureCrypto(root: string, rounds = 3): Promise<CryptoFigures> {
  const contents = await bundle(root);
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      workers: [
        {
          name: "crypto-probe",
          ...appCompat(root),
          modules: [{ type: "ESModule", path: "probe.mjs", contents }],
        },
      ],
    }),
  );
  try {
    await mf.ready;
    const call = async (path: string, n: number): Promise<number> => {
      const t0 = performance.now();
      const res = await mf.dispatchFetch(`http://probe.local${path}?n=${n}`);
      const text = await res.text();
      const ms = performance.now() - t0;
      if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
      return ms;
    };
    /** Median over rounds of (N ops − 0 ops) / N, in ms; one untimed call first to warm up. */
    const perOp = async (path: string, n: number): Promise<number> => {
      await call(path, Math.max(1, Math.floor(n / 10)));
      const results: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const base = await call(path, 0);
        results.push((await call(path, n)) - base);
      }
      return median(results) / n;
    };
    await call("/setup", 0);
    return {
      hashMs: await perOp("/hash", 5),
      verifyMs: await perOp("/verify", 5),
      tokenVerifyUs: (await perOp("/verify-token", 20_000)) * 1000,
    };
  } finally {
    await mf.dispose();
  }
}
