/**
 * `npm audit --omit=dev` under Haven's written policy (docs/hardening.md, "Dependency audit"):
 *
 * - BLOCKS on any advisory of severity high or critical in a runtime dependency, unless it is
 *   listed in ops/audit-allowlist.json with a reason and an expiry date that has not passed.
 * - REPORTS moderate and low advisories without blocking (reviewed weekly).
 * - Dev-only dependencies are out of scope here: they never ship in the Worker bundle.
 * - When the advisory service cannot be reached (the offline registry mirror of local CI
 *   answers 405), the audit is reported as SKIPPED; with AUDIT_REQUIRED=1 (GitHub Actions) that
 *   is a failure, so the deploy path is never unaudited.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const BLOCKING = new Set(["high", "critical"]);

interface Allowed {
  id: string;
  reason: string;
  expires: string;
}
const allowlist = (
  JSON.parse(readFileSync(join(root, "ops", "audit-allowlist.json"), "utf8")) as { allow: Allowed[] }
).allow;

const r = spawnSync("npm", ["audit", "--omit=dev", "--json"], { cwd: root, encoding: "utf8" });
let report: {
  error?: unknown;
  message?: string;
  vulnerabilities?: Record<
    string,
    { severity: string; via: Array<string | { source?: number; url?: string; title?: string }> }
  >;
};
try {
  report = JSON.parse(r.stdout || "{}");
} catch {
  report = { message: "unparseable npm audit output" };
}
if (report.error || report.message || !report.vulnerabilities) {
  const why = report.message ?? "advisory service unavailable";
  console.log(`dependency audit: SKIPPED (${String(why).slice(0, 120)})`);
  process.exit(process.env.AUDIT_REQUIRED === "1" ? 1 : 0);
}
const today = new Date().toISOString().slice(0, 10);
const blocking: string[] = [];
const reported: string[] = [];
for (const [name, v] of Object.entries(report.vulnerabilities)) {
  const ids = v.via.flatMap((x) => (typeof x === "object" && x.url ? [x.url.split("/").pop() ?? ""] : []));
  const waived =
    ids.length > 0 && ids.every((id) => allowlist.some((a) => a.id === id && a.expires >= today));
  const line = `${v.severity.padEnd(8)} ${name} ${ids.join(",")}${waived ? " (allow-listed)" : ""}`;
  if (BLOCKING.has(v.severity) && !waived) blocking.push(line);
  else reported.push(line);
}
for (const l of reported) console.log(`  report  ${l}`);
for (const l of blocking) console.log(`  BLOCK   ${l}`);
console.log(`dependency audit: ${blocking.length} blocking, ${reported.length} reported`);
process.exit(blocking.length > 0 ? 1 : 0);
