/// <reference types="vite/client" />
/**
 * The app's source text, for tests that check structure (dependency direction, the one door to
 * PHI). Vite inlines the files at build time, so this works inside workerd without a file system.
 */
export const SOURCES: Record<string, string> = Object.fromEntries(
  Object.entries(
    // Data modules (the safety net's labelled sets and generated weights, several MB) import
    // nothing and would only bloat this module, which once made the test worker exit under load.
    import.meta.glob(
      [
        "../workers/**/*.{ts,tsx}",
        "../durable-objects/**/*.ts",
        "../web/**/*.{ts,tsx}",
        "!../workers/features/safety/eval/**",
        "!../workers/features/safety/classifier-weights.ts",
      ],
      {
        query: "?raw",
        import: "default",
        eager: true,
      },
    ) as Record<string, string>,
  ).map(([path, text]) => [path.replace(/^\.\.\//, ""), text]),
);

/** Relative import specifiers of a module, resolved against its folder ("workers/lib/db"). */
export function importsOf(path: string): string[] {
  const text = SOURCES[path] ?? "";
  const dir = path.split("/").slice(0, -1);
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)[^"';]*?from\s+"([^"]+)"/gm)) {
    const spec = m[1] ?? "";
    if (!spec.startsWith(".")) {
      out.push(spec);
      continue;
    }
    const parts = [...dir];
    for (const seg of spec.split("/")) {
      if (seg === "..") parts.pop();
      else if (seg !== ".") parts.push(seg);
    }
    out.push(parts.join("/"));
  }
  return out;
}

/** Non-test source files whose path starts with `prefix`. */
export const files = (prefix: string) =>
  Object.keys(SOURCES).filter((p) => p.startsWith(prefix) && !p.includes(".test."));

/** Each `import { a, b as c } from "…"` of a source text, with the specifier resolved like {@link importsOf}. */
export function namedImports(
  path: string,
  text = SOURCES[path] ?? "",
): Array<{ from: string; names: string[] }> {
  const dir = path.split("/").slice(0, -1);
  const out: Array<{ from: string; names: string[] }> = [];
  for (const m of text.matchAll(/^import\s+(?:type\s+)?([^"';]*?)\s+from\s+"([^"]+)"/gm)) {
    const clause = m[1] ?? "";
    const spec = m[2] ?? "";
    const parts = [...dir];
    for (const seg of spec.split("/")) {
      if (seg === "..") parts.pop();
      else if (seg !== ".") parts.push(seg);
    }
    const names = clause.startsWith("*")
      ? ["*"]
      : (/\{([^}]*)\}/.exec(clause)?.[1] ?? "")
          .split(",")
          .map(
            (n) =>
              n
                .replace(/^\s*type\s+/, "")
                .split(/\s+as\s+/)[0]
                ?.trim() ?? "",
          )
          .filter(Boolean);
    out.push({ from: spec.startsWith(".") ? parts.join("/") : spec, names });
  }
  return out;
}
