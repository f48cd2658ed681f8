/**
 * Applies the edge rules kept as data in ops/cloudflare/ (WAF managed + custom rules, rate-limit
 * rules) to a zone through Cloudflare's Rulesets API: each phase's entry-point ruleset is
 * replaced by the rules in the files, so the files are the whole truth.
 *
 *   node --experimental-strip-types scripts/cloudflare-rules.ts --check     shape only, offline (CI)
 *   node --experimental-strip-types scripts/cloudflare-rules.ts --dry-run   print the diff, change nothing
 *   node --experimental-strip-types scripts/cloudflare-rules.ts             apply (deploy)
 *
 * Env for --dry-run and apply: CLOUDFLARE_API_TOKEN (Zone WAF edit), CLOUDFLARE_ZONE_ID.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const Rule = z
  .object({
    ref: z.string().regex(/^haven-[a-z0-9-]+$/, "refs are haven-<name>, stable across applies"),
    description: z.string().min(1).max(500),
    action: z.enum(["block", "managed_challenge", "js_challenge", "log", "skip", "execute"]),
    expression: z.string().min(1).max(4096),
    enabled: z.boolean(),
    action_parameters: z.object({ id: z.string().regex(/^[0-9a-f]{32}$/) }).optional(),
    ratelimit: z
      .object({
        characteristics: z
          .array(z.string())
          .min(1)
          .refine((c) => c.includes("cf.colo.id"), {
            message: "Cloudflare requires cf.colo.id among rate-limit characteristics",
          }),
        period: z.union([
          z.literal(10),
          z.literal(60),
          z.literal(120),
          z.literal(300),
          z.literal(600),
          z.literal(3600),
        ]),
        requests_per_period: z.number().int().min(1),
        mitigation_timeout: z.number().int().min(0).max(86_400),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((r) => (r.action === "execute") === Boolean(r.action_parameters), {
    message: "execute rules (and only they) name the ruleset to run in action_parameters.id",
  });
type Rule = z.infer<typeof Rule>;

const Phase = z.object({ phase: z.string(), rules: z.array(Rule).min(1) }).strict();

export const WafFile = z
  .object({
    $comment: z.string().optional(),
    managed: Phase.extend({ phase: z.literal("http_request_firewall_managed") }),
    custom: Phase.extend({ phase: z.literal("http_request_firewall_custom") }),
  })
  .strict();
export const RateLimitFile = Phase.extend({
  $comment: z.string().optional(),
  phase: z.literal("http_ratelimit"),
  rules: z
    .array(Rule.refine((r) => Boolean(r.ratelimit), { message: "rate-limit rules need ratelimit" }))
    .min(1),
}).strict();

/** The phases and their rules from ops/cloudflare/, validated. Throws with every problem found. */
export function loadRules(dir = join(root, "ops", "cloudflare")): Array<{ phase: string; rules: Rule[] }> {
  const waf = WafFile.parse(JSON.parse(readFileSync(join(dir, "waf.json"), "utf8")));
  const rl = RateLimitFile.parse(JSON.parse(readFileSync(join(dir, "rate-limits.json"), "utf8")));
  const phases = [waf.managed, waf.custom, rl].map(({ phase, rules }) => ({ phase, rules }));
  const refs = phases.flatMap((p) => p.rules.map((r) => r.ref));
  const dup = refs.find((r, i) => refs.indexOf(r) !== i);
  if (dup) throw new Error(`duplicate rule ref ${dup}`);
  return phases;
}

/** Compares what the zone has with what the files say, by ref: lines prefixed + / - / ~. */
export function diffRules(current: Array<Partial<Rule>>, wanted: Rule[]): string[] {
  const key = (r: Partial<Rule>) => r.ref ?? r.description ?? "?";
  const norm = (r: Partial<Rule>) =>
    JSON.stringify({
      description: r.description,
      action: r.action,
      expression: r.expression,
      enabled: r.enabled,
      action_parameters: r.action_parameters?.id,
      ratelimit: r.ratelimit,
    });
  const have = new Map(current.map((r) => [key(r), r]));
  const lines: string[] = [];
  for (const w of wanted) {
    const h = have.get(w.ref);
    if (!h) lines.push(`+ ${w.ref}: ${w.description}`);
    else if (norm(h) !== norm(w)) lines.push(`~ ${w.ref}: ${w.description}`);
    have.delete(w.ref);
  }
  for (const [ref] of have) lines.push(`- ${ref}`);
  return lines;
}

async function api(path: string, init: RequestInit = {}): Promise<unknown> {
  const token = process.env.CLOUDFLARE_API_TOKEN;
  if (!token) throw new Error("CLOUDFLARE_API_TOKEN is not set");
  const res = await fetch(`https://api.cloudflare.com/client/v4${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    signal: AbortSignal.timeout(20_000),
  });
  const body = (await res.json()) as { success: boolean; result: unknown; errors?: unknown };
  if (res.status === 404) return null;
  if (!body.success) throw new Error(`Cloudflare API ${res.status}: ${JSON.stringify(body.errors)}`);
  return body.result;
}

async function main() {
  const { values } = parseArgs({ options: { check: { type: "boolean" }, "dry-run": { type: "boolean" } } });
  const phases = loadRules();
  const count = phases.reduce((n, p) => n + p.rules.length, 0);
  if (values.check) {
    console.log(`ops/cloudflare: ${count} rules in ${phases.length} phases, shape ok`);
    return;
  }
  const zone = process.env.CLOUDFLARE_ZONE_ID;
  if (!zone) throw new Error("CLOUDFLARE_ZONE_ID is not set");
  for (const { phase, rules } of phases) {
    const current = (await api(`/zones/${zone}/rulesets/phases/${phase}/entrypoint`)) as {
      rules?: Array<Partial<Rule>>;
    } | null;
    const diff = diffRules(current?.rules ?? [], rules);
    console.log(`${phase}: ${diff.length === 0 ? "no change" : `\n  ${diff.join("\n  ")}`}`);
    if (values["dry-run"] || diff.length === 0) continue;
    await api(`/zones/${zone}/rulesets/phases/${phase}/entrypoint`, {
      method: "PUT",
      body: JSON.stringify({ rules }),
    });
    console.log(`${phase}: applied`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
