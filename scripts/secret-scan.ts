/**
 * Secret scan of the tree (tracked and untracked, not ignored files) with secretlint's
 * recommended preset (.secretlintrc.json). Before scanning it proves the scanner still bites:
 * canary files with a fake AWS secret key, a GitHub token and a Slack token must each be flagged,
 * so a config change that silences everything fails CI instead of passing it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "node_modules", ".bin", "secretlint");

function scan(files: string[]): { status: number; output: string } {
  const r = spawnSync(
    bin,
    ["--secretlintrc", join(root, ".secretlintrc.json"), "--format", "compact", ...files],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  return { status: r.status ?? 1, output: `${r.stdout}${r.stderr}` };
}

// Canaries: built at run time so this file itself holds no secret-shaped string.
const dir = mkdtempSync(join(tmpdir(), "haven-secret-canary-"));
const canaries = {
  "aws.ts": `const secret = "aws_secret_access_key=${"wJalrXUtnFEMI/K7MDENG/"}${"bPxRfiCYEXAMPLEKEZ"}";\n`,
  "github.ts": `const t = "${"ghp_"}${"A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"}";\n`,
  "slack.ts": `const t = "${"xox"}b-123456789012-1234567890123-${"AbCdEfGhIjKlMnOpQrStUvWx"}";\n`,
};
try {
  for (const [name, text] of Object.entries(canaries)) {
    const file = join(dir, name);
    writeFileSync(file, text);
    if (scan([file]).status === 0) {
      console.error(`secret scan: the canary ${name} was NOT flagged; the scanner or its config is broken`);
      process.exit(1);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
  cwd: root,
  encoding: "utf8",
})
  .split("\0")
  .filter(Boolean);
const result = scan(files);
if (result.status !== 0) {
  console.error(result.output);
  console.error(
    "secret scan: remove the secret (and rotate it), or allow a known test value in .secretlintrc.json",
  );
  process.exit(1);
}
console.log(`secret scan: ${files.length} files clean (canaries flagged: ${Object.keys(canaries).length})`);
