// Copies third-party browser assets from node_modules into web/public/vendor so pages never load
// from a CDN (Haven works offline, and the CSP allows only our own origin). Runs on npm install.
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const assets = [
  ["swagger-ui-dist", ["swagger-ui-bundle.js", "swagger-ui.css"], "swagger-ui"],
  ["chart.js/dist", ["chart.umd.min.js"], "chartjs"],
  ["chartjs-plugin-annotation/dist", ["chartjs-plugin-annotation.min.js"], "chartjs"],
];
for (const [pkg, files, target] of assets) {
  const from = join(root, "node_modules", pkg);
  if (!existsSync(from)) continue;
  const to = join(root, "web", "public", "vendor", target);
  mkdirSync(to, { recursive: true });
  for (const f of files) copyFileSync(join(from, f), join(to, f));
}
