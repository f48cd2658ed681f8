// Bundles a safety script with esbuild (the Worker's own safety modules, JSON data included) and
// runs it on this Node: the same code the Worker ships, outside workerd.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { build } from "esbuild";

const [entry, ...args] = process.argv.slice(2);
mkdirSync(".cache", { recursive: true });
const outfile = `.cache/${entry.replace(/[/\\.]/g, "_")}.mjs`;
await build({
  entryPoints: [entry],
  bundle: true,
  platform: "node",
  format: "esm",
  outfile,
  logLevel: "warning",
});
try {
  execFileSync(process.execPath, [outfile, ...args], { stdio: "inherit" });
} catch (err) {
  process.exit(typeof err.status === "number" ? err.status : 1);
}
